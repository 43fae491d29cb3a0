#!/usr/bin/env bash
# The vendored jpeg-encoder's own tests (pipeline/vendor/jpeg-encoder: each change checked
# against the published code), natively and as WebAssembly with SIMD in Node: its simd128
# paths run only there, and only there can they be told apart from the scalar ones. The crate
# is copied out of the workspace first: cargo will not build an excluded package inside it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
repo=$PWD
copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
cp -r pipeline/vendor/jpeg-encoder "$copy/"
cd "$copy/jpeg-encoder"
export CARGO_TARGET_DIR="$repo/target/vendored"
unset RUSTFLAGS
cargo test --release -q
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128"
wasm=$(cargo test --release -q --lib --target wasm32-unknown-unknown --no-run --message-format=json |
  node -e 'let out = ""; process.stdin.on("data", (d) => (out += d)).on("end", () => {
    const built = out.split("\n").filter(Boolean).map(JSON.parse).filter((m) => m.executable);
    console.log(built.at(-1).executable);
  })')
node "$repo/scripts/run-wasm-tests.mjs" "$wasm"
