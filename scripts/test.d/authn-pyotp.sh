#!/usr/bin/env bash
# Cross-checks portcullis-authn's otpauth:// URIs and TOTP codes against PyPI's pyotp
# (an independent implementation), installed into a throwaway virtualenv under .tmp/.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=.tmp/pyotp-venv
if ! "$venv/bin/python" -c 'import pyotp' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet 'pyotp==2.12.0'
fi
PORTCULLIS_PYOTP_PYTHON="$PWD/$venv/bin/python" \
  cargo test -p portcullis-authn --locked --test integration pyotp_cross_check -- --nocapture
