# Latchkey's two everyday commands:
#   make run    build and serve on the embedded store (127.0.0.1:7480, ./latchkey-data)
#   make test   the whole test suite, exactly what CI runs
GO ?= go

.PHONY: build run test deps fuzz-long crash-long

build:
	CGO_ENABLED=0 $(GO) build -o bin/latchkey ./cmd/latchkey

run: build
	./bin/latchkey serve

# deps checks the real clients the end-to-end tests drive and installs what
# can be installed from the machine's registries.
deps:
	./scripts/test-deps.sh

test: deps
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 40m ./...
	./scripts/fuzz.sh

# The long runs: twenty million executions a fuzz target, 100 crash-kills.
fuzz-long:
	FUZZTIME=20000000x ./scripts/fuzz.sh

crash-long:
	$(GO) test -count=1 -run TestCrashSafety ./e2e -crash.kills=100 -v
