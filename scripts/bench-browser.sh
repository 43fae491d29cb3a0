#!/usr/bin/env bash
# Browser benchmark: vitrine's WebAssembly pipeline vs browser-image-compression vs the browser's
# canvas, in headless Chromium (see end2end/bench/README.md). Builds what it measures first:
# the worker, and the SSIM tool the report scores outputs with. Arguments go to browser.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
scripts/build-worker.sh
cargo build --release -p pipeline --example ssim
(cd end2end && npm ci --silent && node bench/browser.mjs "$@")
