#!/usr/bin/env bash
# A short fuzzing run of every parser target in CI (the longer campaigns are run by hand
# and reported on the issues). cargo-fuzz is installed from crates.io when missing; the
# nightly toolchain it needs ships with the machine image.
set -euo pipefail
cd "$(dirname "$0")/../.."
if cargo +nightly --version >/dev/null 2>&1 && ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  cargo install --locked cargo-fuzz >/dev/null 2>&1 || echo "fuzz: cargo-fuzz could not be installed"
fi
exec bash scripts/fuzz-smoke.sh "${FUZZ_SECONDS:-15}"
