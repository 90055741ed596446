# Latchkey's two everyday commands:
#   make run    build and serve on the embedded store (127.0.0.1:7480, ./latchkey-data)
#   make test   the whole test suite, exactly what CI runs
GO ?= go

.PHONY: build run test deps fuzz-long crash-long

# bin/latchkey is the server; bin/latchkey-bench the load generator and
# comparisons of BENCHMARKS.md, which start bin/latchkey beside it.
build:
	CGO_ENABLED=0 $(GO) build -o bin/latchkey ./cmd/latchkey
	CGO_ENABLED=0 $(GO) build -o bin/latchkey-bench ./cmd/latchkey-bench

run: build
	./bin/latchkey serve

# deps checks the real clients the end-to-end tests drive and installs what
# can be installed from the machine's registries.
deps:
	./scripts/test-deps.sh

# -race needs cgo and a C compiler; without one the tests run without it
# (latchkey itself builds with CGO_ENABLED=0 either way).
RACE := $(shell CC="$$($(GO) env CC)"; [ "$$($(GO) env CGO_ENABLED)" = 1 ] && command -v "$${CC%% *}" >/dev/null 2>&1 && echo -race)

test: deps
	$(GO) vet ./...
	@[ -n "$(RACE)" ] || echo "make test: -race needs cgo and a C compiler (go env: CGO_ENABLED=$$($(GO) env CGO_ENABLED) CC=$$($(GO) env CC)); running the tests WITHOUT -race" >&2
	$(GO) test $(RACE) -count=1 -timeout 40m ./...
	./scripts/fuzz.sh

# The long runs: twenty million executions a fuzz target, 100 crash-kills.
fuzz-long:
	FUZZTIME=20000000x ./scripts/fuzz.sh

crash-long:
	$(GO) test -count=1 -run TestCrashSafety ./e2e -crash.kills=100 -v
