# phoenix_lxc: build, test and lint. Go 1.26 must be on PATH
# (export PATH=/usr/local/go/bin:$PATH).

BIN      := plugins/modules/phoenix_lxc
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
BUDGET   := 10485760

.PHONY: all build test lint clean generate pctemu deps fuzz

FUZZTIME ?= 30s

all: lint build test

## deps: download the Go modules (needs network once)
deps:
	go mod download

## build: the static module binary, with its size (budget 10 MiB)
build:
	CGO_ENABLED=0 go build -trimpath -ldflags='$(LDFLAGS)' -o $(BIN) .
	@size=$$(stat -c %s $(BIN)); \
	  echo "$(BIN): $$size bytes ($$((size / 1024)) KiB, budget $$(($(BUDGET) / 1024)) KiB)"; \
	  test $$size -le $(BUDGET) || { echo "$(BIN) is over the 10 MiB budget" >&2; exit 1; }

## test: every package's tests
test:
	go test -count=1 ./...

## fuzz: each fuzz target for FUZZTIME (default 30s)
fuzz:
	@for t in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
	  for f in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$t/*_test.go | sed 's/func //'); do \
	    echo "fuzz $$t $$f"; go test $$t -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) || exit 1; \
	  done; \
	done

## lint: gofmt must list nothing, go vet must pass
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:" $$out >&2; exit 1; fi
	go vet ./...

## generate: rewrite the JSON Schemas under schema/ from the Go types
generate:
	go generate ./...

## pctemu: the pct emulator used by tests
pctemu:
	go build -o bin/pct ./tests/pctemu

clean:
	rm -f $(BIN)
	rm -rf bin
