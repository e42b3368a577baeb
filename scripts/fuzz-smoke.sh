#!/usr/bin/env bash
# Runs each portcullis-policy fuzz target for a short time (a smoke test, not a campaign).
# Usage: scripts/fuzz-smoke.sh [seconds-per-target]     (default 20; env FUZZ_SECONDS too)
# Needs: a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`); without them it
# prints why it skips and exits 0, so it is safe to call from any test run.
# Crashes fail the script; libFuzzer leaves the input in crates/policy/fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-${FUZZ_SECONDS:-20}}"
fuzz_dir="crates/policy/fuzz"
fixtures="${PORTCULLIS_FIXTURES:-../shared/fixtures}"
targets=(device_filter_parse policy_import strength_combination_parse)

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz-smoke: SKIPPED - no nightly toolchain (rustup toolchain install nightly)"
  exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz-smoke: SKIPPED - cargo-fuzz is not installed (cargo install cargo-fuzz)"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for target in "${targets[@]}"; do
  corpus="$work/$target"
  mkdir -p "$corpus"
  cp "$fuzz_dir/seeds/$target/"* "$corpus/" 2>/dev/null || true
  # Real Entra exports (UTF-16LE and UTF-8 with BOM) make the best import seeds.
  if [ "$target" = policy_import ] && [ -d "$fixtures/conditional-access" ]; then
    find "$fixtures/conditional-access" -name '*.json' -size -64k -print0 |
      while IFS= read -r -d '' file; do cp "$file" "$corpus/$(basename "$file" | tr -c 'A-Za-z0-9.\n' '_')"; done
  fi
  echo "== fuzz $target for ${seconds}s ($(ls "$corpus" | wc -l) seeds)"
  log="$work/$target.log"
  status=0
  (cd "$fuzz_dir" && cargo +nightly fuzz run "$target" "$corpus" -- \
    -max_total_time="$seconds" -max_len=8192 -print_final_stats=1) >"$log" 2>&1 || status=$?
  grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' "$log" || true
  if [ "$status" -ne 0 ]; then
    tail -n 40 "$log"
    echo "fuzz-smoke: $target FAILED (exit $status) - input saved in $fuzz_dir/artifacts/$target/"
    exit 1
  fi
done
echo "== fuzz-smoke: all targets ran without findings"
