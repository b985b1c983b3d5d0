#!/usr/bin/env bash
# The main job, end to end: set up, check the host, then `msf run` on its built-in default matrix
# (Debian 11, 12 and 13 built from the archive, each booted in QEMU, the mail stack deployed and
# every check run over the wire). Ends with the matrix and where the report is.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH" # Node 24 and msf

msf doctor
msf run
