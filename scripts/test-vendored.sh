#!/usr/bin/env bash
# The vendored crates' checks of Vitrine's changes, natively and as WebAssembly with SIMD in
# Node: their simd128 paths run only there, and only there can they be told apart from the
# scalar ones.
#   - jpeg-encoder: its own tests (each change checked against the published code);
#   - png: tests/vitrine_paeth.rs (Paeth rows against the specification's predictor). Its
#     upstream tests need files and dev-dependencies (rand) that do not build for
#     wasm32-unknown-unknown, so the copy drops its dev-dependencies and runs that test alone.
# Each crate is copied out of the workspace first: cargo will not build an excluded package
# inside it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
repo=$PWD
copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
export CARGO_TARGET_DIR="$repo/target/vendored"
unset RUSTFLAGS
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128"

# Builds the tests named by "$@" for wasm32 and runs the binary in Node.
run_as_wasm() {
  local wasm
  wasm=$(cargo test --release -q "$@" --target wasm32-unknown-unknown --no-run --message-format=json |
    node -e 'let out = ""; process.stdin.on("data", (d) => (out += d)).on("end", () => {
      const built = out.split("\n").filter(Boolean).map(JSON.parse).filter((m) => m.executable);
      console.log(built.at(-1).executable);
    })')
  node "$repo/scripts/run-wasm-tests.mjs" "$wasm"
}

cp -r pipeline/vendor/jpeg-encoder pipeline/vendor/png "$copy/"

(
  cd "$copy/jpeg-encoder"
  cargo test --release -q
  run_as_wasm --lib
)

(
  cd "$copy/png"
  # Every [dev-dependencies.*] and [target.*.dev-dependencies.*] table, up to the next table.
  awk '/^\[/ { skip = /dev-dependencies/ } !skip' Cargo.toml > Cargo.toml.tested
  mv Cargo.toml.tested Cargo.toml
  cargo test --release -q --test vitrine_paeth
  run_as_wasm --test vitrine_paeth
)
