#!/usr/bin/env bash
# Runs every test Portcullis has, installing and starting what they need.
# Usage: scripts/test.sh            (the whole suite, as CI runs it)
# Needs: a Rust toolchain; apt-get (as root) for missing system packages.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
source scripts/lib/postgres.sh

# The suite is built once from scratch: incremental state would only add gigabytes to the
# target directory, and CI machines have little disk.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

ensure_system_packages
start_test_postgres          # exports PORTCULLIS_TEST_POSTGRES_URL, stops it on exit

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

echo "== cargo test (SQLite and PostgreSQL)"
cargo test --workspace --no-fail-fast

for extra in scripts/test.d/*.sh; do
  [ -e "$extra" ] || continue
  echo "== $extra"
  bash "$extra"
done
echo "== all tests passed"
