# shellcheck shell=bash
# Debian's nginx for the forward-auth end-to-end tests. Installed through apt only when
# missing; the tests start their own instance (non-daemon, temporary prefix, loopback).

ensure_nginx() {
  if command -v nginx >/dev/null 2>&1 && nginx -V 2>&1 | grep -q -- --with-http_auth_request_module; then
    return 0
  fi
  echo "installing Debian's nginx (auth_request module)"
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx >/dev/null ||
      { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx >/dev/null; }
  else
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx >/dev/null
  fi
  # The package starts a system nginx on port 80; the tests need none.
  if command -v systemctl >/dev/null 2>&1; then systemctl stop nginx >/dev/null 2>&1 || true; fi
  command -v nginx >/dev/null
}
