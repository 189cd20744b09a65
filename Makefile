# Shortcuts for the commands the README describes.
.PHONY: demo test test-integration bench build vet

demo:
	go run ./cmd/tarjuma demo

test:
	go test ./...

# The same tests against the real Redis and PostgreSQL on this machine, as CI runs them.
test-integration:
	bash .ci/run

bench:
	TARJUMA_TEST_REDIS_URL=redis://127.0.0.1:6379 \
	TARJUMA_TEST_DATABASE_URL='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' \
	go test -run '^$$' -bench . -benchtime 1x ./cmd/tarjuma

build:
	CGO_ENABLED=0 go build -trimpath -o tarjuma ./cmd/tarjuma

vet:
	gofmt -l .
	go vet ./...
