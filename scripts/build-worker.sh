#!/usr/bin/env bash
# Builds the image-pipeline Web Worker into public/worker/ (served at /worker/): the Rust
# pipeline for wasm32 with SIMD (simd128), its wasm-bindgen glue and js/worker.js; and beside
# it the HEIC module (the same pipeline with the HEIC decoder, feature `heif`), which
# worker.js loads only when a HEIC photo is picked. Always optimised, even for tests: a debug
# pipeline takes minutes per photo. Run before `cargo leptos build`, which copies public/ into
# the site.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
out=public/worker
# RUSTFLAGS would override the per-target flags below (and is meant for the host build).
unset RUSTFLAGS
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128"
wasm=target/wasm32-unknown-unknown/worker/vitrine_worker.wasm
rm -rf "$out" && mkdir -p "$out"
cargo build -p worker --lib --target wasm32-unknown-unknown --profile worker
wasm-bindgen --target web --no-typescript --out-dir "$out" "$wasm"
cargo build -p worker --lib --target wasm32-unknown-unknown --profile worker --features heif
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name vitrine_worker_heic "$wasm"
cp worker/js/worker.js "$out/"
echo "worker: $(du -h "$out/vitrine_worker_bg.wasm" | cut -f1), HEIC module: $(du -h "$out/vitrine_worker_heic_bg.wasm" | cut -f1) in $out"
