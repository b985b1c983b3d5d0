#!/usr/bin/env bash
# The main job, end to end: set up, check the host, build (or reuse) a Debian 12 image from the
# archive, boot it, deploy the mail stack, run every acceptance check, and power it off.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH" # Node 24 and msf

msf doctor
msf vm up debian-12
trap 'msf vm down debian-12' EXIT # whatever happens below, the VM does not outlive the job
msf deploy debian-12
msf test debian-12
