#!/usr/bin/env bash
# Idempotent set-up for a fresh machine: host tools (apt-get, when root and missing), pnpm (the
# version package.json pins), and the workspace's dependencies (Node 24 among them, from npm).
set -euo pipefail
cd "$(dirname "$0")/.."

# command:package pairs; msf doctor checks the runtime ones (gpg, curl, extlinux, sshd, chromium, redis-server and
# systemd-analyze serve the tests and benchmarks).
HOST_TOOLS=(
  qemu-system-x86_64:qemu-system-x86
  qemu-img:qemu-utils
  mmdebstrap:mmdebstrap
  mke2fs:e2fsprogs
  xorriso:xorriso
  ssh:openssh-client
  timeout:coreutils
  gpgv:gpgv
  gpg:gnupg
  xz:xz-utils
  dpkg-deb:dpkg
  openssl:openssl
  curl:curl
  debconf-set-selections:debconf
  cloud-init:cloud-init
  xmllint:libxml2-utils
  extlinux:extlinux
  flock:util-linux
  /usr/sbin/sshd:openssh-server
  /usr/bin/chromium:chromium
  redis-server:redis-server
  systemd-analyze:systemd
)
missing=()
for pair in "${HOST_TOOLS[@]}"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing host packages: ${missing[*]}"
    timeout 600 apt-get update -qq || echo "setup: apt-get update reported errors; trying the install anyway" >&2
    # Servers the tests start themselves (sshd) must not start system-wide when installed.
    own_policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && own_policy=1
    fi
    DEBIAN_FRONTEND=noninteractive timeout 1200 apt-get install -y -qq --no-install-recommends "${missing[@]}" || status=$?
    [ -z "$own_policy" ] || rm -f /usr/sbin/policy-rc.d
    [ "${status:-0}" = 0 ] || exit "$status"
  else
    echo "setup: missing host packages (run as root, or: sudo apt-get install -y ${missing[*]})" >&2
  fi
fi

pnpm_version=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ "$(pnpm --version 2>/dev/null || true)" != "$pnpm_version" ]; then
  echo "setup: installing pnpm $pnpm_version"
  timeout 300 npm install --global --no-fund --no-audit "pnpm@$pnpm_version"
fi

if [ "${CI:-}" = "true" ]; then
  timeout 900 pnpm install --frozen-lockfile --reporter=append-only
else
  timeout 900 pnpm install --reporter=append-only
fi
