#!/usr/bin/env bash
# Installs the build tools Vitrine needs, pinned to versions known to build on Rust 1.95
# here (see ../shared/TOOLCHAIN.md). Safe to run again: each step is skipped when done.
#   scripts/install-tools.sh          wasm target, cargo-leptos, wasm-bindgen-cli
#   scripts/install-tools.sh --release   also wasm-opt (release builds only; put
#                                        scripts/binaryen/node_modules/.bin first in PATH)
#   scripts/install-tools.sh --test      also Chromium, PostgreSQL and the Playwright packages
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
# The CLI must equal the wasm-bindgen crate in Cargo.lock, or the browser gets a broken module.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)

want_release=0; want_test=0
for arg in "$@"; do
  case "$arg" in
    --release) want_release=1 ;;
    --test) want_test=1 ;;
    *) echo "usage: $0 [--release] [--test]" >&2; exit 2 ;;
  esac
done

step() { printf '\033[1m==> %s\033[0m\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  step "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 12 minutes on 2 cores, once)"
  cargo install --locked --features no_downloads cargo-leptos --version "$CARGO_LEPTOS_VERSION"
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (matches Cargo.lock)"
  # Not --locked: its lock file names a webpki-roots release this registry lacks.
  cargo install --force wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if [ "$want_release" = 1 ] && [ ! -x scripts/binaryen/node_modules/.bin/wasm-opt ]; then
  # Not `cargo install wasm-opt`: its binaryen 116 cannot parse the table.fill that wasm-bindgen
  # emits, and Debian's 108 breaks hydration. binaryen's npm build is current and installs in seconds.
  step "installing wasm-opt (binaryen, npm)"
  (cd scripts/binaryen && npm ci --no-audit --no-fund)
fi

if [ "$want_test" = 1 ]; then
  need_apt=()
  [ -x /usr/bin/chromium ] || need_apt+=(chromium)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
  if [ ${#need_apt[@]} -gt 0 ]; then
    step "installing ${need_apt[*]} from Debian"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
  fi
  if [ ! -d end2end/node_modules/@playwright/test ]; then
    step "installing the Playwright packages (no browser download: Debian's Chromium is used)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  fi
fi
