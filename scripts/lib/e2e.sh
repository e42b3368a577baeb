# shellcheck shell=bash
# Installs what the end-to-end tests need, only when missing: Node.js and npm, Debian's
# Chromium, oathtool, tmux, and the pinned npm packages of e2e/ (package-lock.json).

ensure_e2e_dependencies() {
  local missing=()
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v oathtool >/dev/null || missing+=(oathtool)
  # The Portcullis Authenticator test drives the app's terminal screen through tmux.
  command -v tmux >/dev/null || missing+=(tmux)
  if [ ${#missing[@]} -gt 0 ]; then
    apt_install "${missing[@]}"
  fi
  if [ ! -d e2e/node_modules ] || [ e2e/package-lock.json -nt e2e/node_modules ]; then
    (cd e2e && npm ci --no-audit --no-fund --loglevel=error </dev/null)
  fi
}
