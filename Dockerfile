# One image for every role: the compose file runs it as `serve`, `worker` and `migrate`.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/tarjuma ./cmd/tarjuma

FROM alpine:3.22
# wget (busybox) serves the compose health checks; ca-certificates the MT engines' TLS.
RUN apk add --no-cache ca-certificates tzdata && adduser -D -u 10001 tarjuma
COPY --from=build /out/tarjuma /usr/local/bin/tarjuma
USER tarjuma
WORKDIR /home/tarjuma
EXPOSE 8080 9090
ENTRYPOINT ["/usr/local/bin/tarjuma"]
CMD ["serve"]
