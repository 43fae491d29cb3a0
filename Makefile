# The two commands of README.md. Each installs what it needs first (pinned tools, Chromium,
# PostgreSQL, npm packages); running them again skips what is already there.
.PHONY: run test bench

## Run Vitrine on its embedded defaults (SQLite + built-in S3 store under ./data) at http://127.0.0.1:3000
run:
	scripts/install-tools.sh --release
	scripts/build-worker.sh
	PATH="$(CURDIR)/scripts/binaryen/node_modules/.bin:$$PATH" cargo leptos serve --release --precompress --split

## Run every test: Rust unit and integration tests (SQLite and PostgreSQL), and Playwright in Chromium against the debug build and the release build `make run` serves
test:
	scripts/install-tools.sh --release --test
	scripts/test.sh

## Benchmarks: the pipeline's stages natively (criterion) and a gallery's media URLs signed directly against the SDK's presigner, then in Chromium against the browser's own path, iPhone photos against heic-to (libheif), then the upload protocol under load (50 sellers x 20 photos, SQLite and PostgreSQL, embedded and external store), the first load of a product page on Slow 4G against the same build served as before, an old shop's import of 200 photos from a bucket against a folder, and begin_upload, pages and a 500-image gallery against /healthz under 200 sessions, against the release build
bench:
	scripts/install-tools.sh --release --test
	cargo bench -p pipeline --bench stages
	RUSTFLAGS="--cfg erase_components" LEPTOS_OUTPUT_NAME=vitrine cargo bench -p backend --bench signing
	scripts/bench-browser.sh
	scripts/build-worker.sh
	python3 -m venv target/heif-venv && target/heif-venv/bin/pip install -q pillow-heif
	target/heif-venv/bin/python scripts/make-heif-fixtures.py --bench target/bench-heic
	cargo build --release -p pipeline --example ssim
	cd end2end && node bench/heic.mjs
	PATH="$(CURDIR)/scripts/binaryen/node_modules/.bin:$$PATH" cargo leptos build --release --precompress --split
	cd end2end && node bench/first-load.mjs --bin ../target/release/vitrine
	RUSTFLAGS="--cfg erase_components" LEPTOS_OUTPUT_NAME=vitrine scripts/with-postgres.sh cargo run -q -p server --example load -- --bin target/release/vitrine
	RUSTFLAGS="--cfg erase_components" LEPTOS_OUTPUT_NAME=vitrine cargo run -q -p server --example load -- --bin target/release/vitrine --import 200
	LEPTOS_OUTPUT_NAME=vitrine scripts/with-postgres.sh cargo run --release -q -p server --example rate -- --bin target/release/vitrine
