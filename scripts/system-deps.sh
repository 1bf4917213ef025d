#!/usr/bin/env bash
# Installs the system packages the test suite runs for real (etcd, sshd, chromium, PostgreSQL, MariaDB), as root, once.
# Each component adds its package here; nothing is started as a service.
set -euo pipefail
need=()
for pkg in "$@"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "system-deps: need root to install: ${need[*]}" >&2
  exit 1
fi
echo "system-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
if [ ! -f /var/lib/apt/lists/.dorisctl-updated ] || [ -z "$(ls /var/lib/apt/lists/ 2>/dev/null | grep -v lock)" ]; then
  apt-get update -qq
  touch /var/lib/apt/lists/.dorisctl-updated
fi
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
