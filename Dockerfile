# Loa in a container: a static binary on a small Debian with time zones, running as a
# non-root user, its embedded database in a volume. Set LOA_MONGODB_URI to use an
# external MongoDB instead.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/loa ./app

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/loa --create-home loa
COPY --from=build /out/loa /usr/local/bin/loa
USER loa:loa
ENV LOA_ADDR=0.0.0.0:8080 \
    LOA_DATA_DIR=/var/lib/loa \
    TZ=Asia/Ho_Chi_Minh
VOLUME ["/var/lib/loa"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["/usr/local/bin/loa"]
