# shellcheck shell=bash
# Debian's Caddy for the forward-auth end-to-end tests (`forward_auth`). Installed through
# apt only when missing; the tests start their own instance (foreground, temporary
# config and data directories, loopback only).

ensure_caddy() {
  if command -v caddy >/dev/null 2>&1; then
    return 0
  fi
  echo "installing Debian's caddy"
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q caddy >/dev/null ||
      { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q caddy >/dev/null; }
  else
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q caddy >/dev/null
  fi
  # The package may start a system Caddy on port 80; the tests need none.
  if command -v systemctl >/dev/null 2>&1; then systemctl stop caddy >/dev/null 2>&1 || true; fi
  command -v caddy >/dev/null
}
