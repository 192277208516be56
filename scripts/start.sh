#!/usr/bin/env bash
# Installs whatever is missing, builds GSV Studio and opens it.
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"
gsv_bootstrap

cd "$GSV_ROOT"
say "Building and starting GSV Studio"
npm run tauri -- dev
