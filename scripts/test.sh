#!/usr/bin/env bash
# Every test: builds the site (debug), then Rust tests (unit + integration on SQLite and
# PostgreSQL), clippy on the server crates, and the Playwright suite in Debian's Chromium
# against the real binary; then builds the release site `make run` serves (wasm-release,
# wasm-opt) and runs the Playwright suite again against it, so a fault that only optimisation
# brings out cannot land.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
step() { printf '\033[1m==> %s\033[0m\n' "$*"; }

step "building the image-pipeline worker (WebAssembly, optimised)"
scripts/build-worker.sh

step "building the site (server + WebAssembly)"
cargo leptos build --split

step "Rust tests (SQLite and a throwaway PostgreSQL)"
# cargo-leptos builds with this cfg and output name; using them here too avoids rebuilding
# every crate.
RUSTFLAGS="--cfg erase_components" LEPTOS_OUTPUT_NAME=vitrine scripts/with-postgres.sh \
  cargo test -p app -p domain -p pipeline -p backend -p migrations -p server -p worker
# The HEIC decoder is only in the worker's HEIC module (feature `heif`): its tests, and the
# corpus again with it, need the feature.
RUSTFLAGS="--cfg erase_components" LEPTOS_OUTPUT_NAME=vitrine \
  cargo test -p pipeline --features heif --test heif --test corpus
# The vendored JPEG encoder's and PNG reader's checks of our changes, natively and as WebAssembly.
scripts/test-vendored.sh

step "clippy on the server's crates (warnings fail; transactions begin only through backend::db::begin)"
cargo clippy --version >/dev/null 2>&1 || { echo "clippy is missing: rustup component add clippy" >&2; exit 1; }
RUSTFLAGS="--cfg erase_components" LEPTOS_OUTPUT_NAME=vitrine \
  cargo clippy -q -p backend -p server --all-targets -- -D warnings

step "Playwright end-to-end tests in Chromium, against the debug build"
(cd end2end && npx playwright test)

step "building the release site (what make run serves)"
PATH="$PWD/scripts/binaryen/node_modules/.bin:$PATH" cargo leptos build --release --precompress --split

step "Playwright end-to-end tests in Chromium, against the release build"
VITRINE_BIN="$PWD/target/release/vitrine" bash -c "cd end2end && npx playwright test"
