#!/usr/bin/env bash
# Each crate's integration tests are one binary (`tests/integration/main.rs`), so a test
# file beside main.rs that main.rs does not declare would never be compiled or run.
# Lists every such file and fails when there is one.
check_integration_test_modules() {
  local missing=0 main entry name
  for main in crates/*/tests/integration/main.rs; do
    for entry in "$(dirname "$main")"/*; do
      name="$(basename "$entry")"
      case "$name" in
        main.rs | *.proptest-regressions) continue ;;
        *.rs) name="${name%.rs}" ;;
      esac
      if ! grep -qE "^mod ${name};" "$main"; then
        echo "not declared in $main: $entry" >&2
        missing=1
      fi
    done
  done
  return "$missing"
}
