# syntax=docker/dockerfile:1

# Build a static binary with the Go version go.mod asks for.
FROM golang:1.26-bookworm AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOFLAGS=-buildvcs=false
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -trimpath -ldflags="-s -w" -o /out/vigia . && mkdir -p /out/spool

# Run it with no shell, no package manager, as a non-root user.
# distroless/static has CA certificates (for api.telegram.org) and tzdata.
FROM gcr.io/distroless/static-debian12:nonroot
# On the image's PATH, so that operators' commands run by name:
# docker compose exec vigia vigia rotate-key (or reset-2fa).
COPY --from=build /out/vigia /usr/local/bin/vigia
# The outage spool (VIGIA_SPOOL_DIR); mount a volume here.
COPY --from=build --chown=65532:65532 /out/spool /spool
ENV VIGIA_SPOOL_DIR=/spool
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/vigia"]
CMD ["serve"]
