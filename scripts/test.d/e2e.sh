#!/usr/bin/env bash
# End-to-end tests: the real `portcullis` binary, headless Chromium (playwright-core),
# openid-client, nginx and Caddy, all on loopback. Each test file starts its own server.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/deps.sh
source scripts/lib/e2e.sh
for lib in scripts/lib/nginx.sh scripts/lib/caddy.sh; do
  [ -e "$lib" ] && source "$lib"
done
ensure_e2e_dependencies
if declare -F ensure_nginx >/dev/null; then ensure_nginx; fi
if declare -F ensure_caddy >/dev/null; then ensure_caddy; fi

cargo build -p portcullis --bin portcullis -p portcullis-authenticator --bin portcullis-authenticator
PORTCULLIS_BIN="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug/portcullis"
export PORTCULLIS_BIN
export PORTCULLIS_AUTHENTICATOR_BIN="${PORTCULLIS_BIN}-authenticator"

cd e2e
# One file at a time: each starts a server and a browser, and the machine has 2 cores.
node --test --test-concurrency=1 --test-timeout=300000 tests/*.test.mjs
