#!/usr/bin/env bash
# The main job, end to end: set up, check the host, build (or reuse) a Debian 12 image from the
# archive, boot it to a running system, prove SSH works, and power it off.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH" # Node 24 and msf

msf doctor
msf vm up debian-12
msf vm ssh debian-12 -- systemctl is-system-running
msf vm down debian-12
