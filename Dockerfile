# Vitrine in a container: the release site (page WebAssembly, photo worker, CSS) and the
# `vitrine` binary, built as `make run` builds them, then copied alone into a small Debian image
# that runs as a non-root user. `vitrine serve` applies migrations on start and listens on
# $PORT when the host sets it (Koyeb, Render, Railway, Heroku), else on 0.0.0.0:3000.
# Not built by CI (no Docker there); the build steps are the same scripts CI runs.

FROM rust:1.95-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN scripts/install-tools.sh --release \
 && scripts/build-worker.sh \
 && PATH="/src/scripts/binaryen/node_modules/.bin:$PATH" cargo leptos build --release --precompress --split

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --create-home --home-dir /app vitrine
WORKDIR /app
COPY --from=build /src/target/release/vitrine /app/vitrine
# On PATH, so a host's console runs `vitrine doctor`, `vitrine user add` … as README says (it
# still finds hash.txt beside /app/vitrine: the link is resolved).
RUN ln -s /app/vitrine /usr/local/bin/vitrine
# The page files' content hashes, read beside the binary (server/src/site_files.rs).
COPY --from=build /src/target/release/hash.txt /app/hash.txt
COPY --from=build /src/target/site /app/site
# Leptos reads these instead of Cargo.toml, which the image does not carry.
ENV LEPTOS_OUTPUT_NAME=vitrine \
    LEPTOS_SITE_ROOT=site \
    LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_SITE_ADDR=0.0.0.0:3000 \
    LEPTOS_ENV=PROD \
    VITRINE_DATA_DIR=/app/data
RUN mkdir -p /app/data && chown vitrine:vitrine /app/data
USER vitrine
EXPOSE 3000
# No HEALTHCHECK: the image has no HTTP client, and hosts probe GET /healthz (and /readyz) themselves.
CMD ["/app/vitrine", "serve"]
