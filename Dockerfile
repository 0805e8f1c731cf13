# Builds the portal with cgo (mattn/go-sqlite3) and runs it on a slim Debian.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/returns-portal ./cmd/returns-portal

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/returns-portal /usr/local/bin/returns-portal
# Fly mounts the volume at /data owned by root, so the process runs as root inside
# its own Firecracker VM; DATA_DIR is created with mode 0700.
ENV PORT=8080 DATA_DIR=/data
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/returns-portal"]
CMD ["serve"]
