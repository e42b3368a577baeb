#!/usr/bin/env bash
# Runs every test Portcullis has, installing and starting what they need.
# Usage: scripts/test.sh            (the whole suite, as CI runs it)
# Needs: a Rust toolchain; apt-get (as root) for missing system packages.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
source scripts/lib/postgres.sh
source scripts/lib/test_modules.sh

# The suite is built once from scratch: incremental state would only add gigabytes to the
# target directory, and CI machines have little disk.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

ensure_system_packages
start_test_postgres          # exports PORTCULLIS_TEST_POSTGRES_URL, stops it on exit

# What the disk had at each phase, so a CI run that runs out of it says where.
disk() { echo "   (disk: $(df -h --output=avail . | tail -1 | tr -d ' ') free)"; }

disk
echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

echo "== cargo test (SQLite and PostgreSQL)"
disk
check_integration_test_modules
# Libraries, binaries and tests, then the doc tests. The examples (benchmarks and
# measuring tools) are left out: clippy has compiled them above, and linking them again
# here would only fill the disk.
cargo test --workspace --no-fail-fast --lib --bins --tests
cargo test --workspace --no-fail-fast --doc

for extra in scripts/test.d/*.sh; do
  [ -e "$extra" ] || continue
  disk
  echo "== $extra"
  bash "$extra"
done
disk
echo "== all tests passed"
