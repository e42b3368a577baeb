#!/usr/bin/env bash
# Runs every cargo-fuzz target of every crate (crates/*/fuzz) for a short time: a smoke
# test that each parser survives arbitrary input, not a campaign.
# Usage: scripts/fuzz-smoke.sh [seconds-per-target]     (default 20; env FUZZ_SECONDS too)
#        FUZZ_ONLY=oidc scripts/fuzz-smoke.sh            (only crates/oidc/fuzz)
# Needs: a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`); without them it
# prints why it skips and exits 0, so it is safe to call from any test run.
# Crashes fail the script; libFuzzer leaves the input in crates/<crate>/fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-${FUZZ_SECONDS:-20}}"
fixtures="${PORTCULLIS_FIXTURES:-../shared/fixtures}"

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz-smoke: SKIPPED - no nightly toolchain (rustup toolchain install nightly)"
  exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz-smoke: SKIPPED - cargo-fuzz is not installed (cargo install cargo-fuzz)"
  exit 0
fi

# One target directory for every fuzz crate, so the dependencies they share (serde, time,
# the crates under test) are built once, not once per crate.
fuzz_target_dir="${CARGO_TARGET_DIR:-target}/fuzz"
case "$fuzz_target_dir" in /*) ;; *) fuzz_target_dir="$(pwd)/$fuzz_target_dir" ;; esac
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Extra seeds for a target, beyond its checked-in seeds/ directory.
add_seeds() {
  local target="$1" corpus="$2"
  # Real Entra exports (UTF-16LE and UTF-8 with BOM) make the best import seeds.
  if [ "$target" = policy_import ] && [ -d "$fixtures/conditional-access" ]; then
    find "$fixtures/conditional-access" -name '*.json' -size -64k -print0 |
      while IFS= read -r -d '' file; do cp "$file" "$corpus/$(basename "$file" | tr -c 'A-Za-z0-9.\n' '_')"; done
  fi
}

for fuzz_dir in crates/*/fuzz; do
  [ -f "$fuzz_dir/Cargo.toml" ] || continue
  crate="$(basename "$(dirname "$fuzz_dir")")"
  if [ -n "${FUZZ_ONLY:-}" ] && [ "$crate" != "$FUZZ_ONLY" ]; then continue; fi
  for target in $(cd "$fuzz_dir" && cargo +nightly fuzz list); do
    corpus="$work/$crate-$target"
    mkdir -p "$corpus"
    cp "$fuzz_dir/seeds/$target/"* "$corpus/" 2>/dev/null || true
    add_seeds "$target" "$corpus"
    echo "== fuzz $crate/$target for ${seconds}s ($(ls "$corpus" | wc -l) seeds)"
    log="$work/$crate-$target.log"
    status=0
    (cd "$fuzz_dir" && cargo +nightly fuzz run --target-dir "$fuzz_target_dir" "$target" "$corpus" -- \
      -max_total_time="$seconds" -max_len=8192 -print_final_stats=1) >"$log" 2>&1 || status=$?
    grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' "$log" || true
    if [ "$status" -ne 0 ]; then
      tail -n 40 "$log"
      echo "fuzz-smoke: $crate/$target FAILED (exit $status) - input saved in $fuzz_dir/artifacts/$target/"
      exit 1
    fi
  done
done
echo "== fuzz-smoke: all targets ran without findings"
