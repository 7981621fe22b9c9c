# syntax=docker/dockerfile:1
# Multi-stage build: compile with the committed query cache (no database needed), ship a slim image
# with one binary (templates, translations and static files are embedded in it).

FROM rust:1.95-bookworm AS build
WORKDIR /src
ENV SQLX_OFFLINE=true
COPY Cargo.toml Cargo.lock ./
COPY .cargo .cargo
COPY .sqlx .sqlx
COPY migrations migrations
COPY locales locales
COPY static static
COPY templates templates
COPY src src
COPY tests tests
RUN cargo build --release --locked --bin relasi

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /nonexistent relasi
COPY --from=build /src/target/release/relasi /usr/local/bin/relasi
USER relasi
ENV RELASI_LISTEN=0.0.0.0:8080 \
    RELASI_LOG_FORMAT=json
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/relasi"]
CMD ["serve"]
