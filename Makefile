# Vigía developer tasks. Plain go commands; see README.md.

STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: test lint run build

test:
	go test -race -timeout 20m ./...

lint:
	@out="$$(gofmt -l .)"; if [ -n "$$out" ]; then echo "gofmt: these files need formatting:"; echo "$$out"; exit 1; fi
	go vet ./...
	VIGIA_CROSS_BUILD=1 go test -count=1 -run 'TestBuildsForOtherSystems$$' .
	go run $(STATICCHECK) ./...

run:
	go run . demo

build:
	CGO_ENABLED=0 go build -trimpath -o bin/vigia .
