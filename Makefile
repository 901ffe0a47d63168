# Crescent: `make run` starts the server on the embedded default (SQLite and
# files in ./data); `make test` runs every test.

GO       ?= go
BIN      := bin/crescent
VERSION  := $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
ADDR     ?= 127.0.0.1:8080
DATA_DIR ?= ./data
# PostgreSQL for the tests: the local server when it answers.
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable

.PHONY: all build run test test-deps test-postgres lint fuzz eval train clean bench

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/crescent

run: build
	@echo "Starting Crescent on http://$(ADDR) (data in $(DATA_DIR))."
	@echo "Create your first API key in another terminal with:"
	@echo "  $(BIN) keys create --name admin --all-scopes --data-dir $(DATA_DIR)"
	@echo
	$(BIN) serve --addr $(ADDR) --data-dir $(DATA_DIR)

# test-deps installs what the tests need and is missing (Debian packages).
test-deps:
	@./scripts/test-deps.sh

# test runs every test. PostgreSQL suites run when a server answers at
# PG_TEST_URL (CI sets CRESCENT_TEST_DATABASE_URL and requires it).
test: test-deps
	@if [ -z "$$CRESCENT_TEST_DATABASE_URL" ] && command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then \
		export CRESCENT_TEST_DATABASE_URL='$(PG_TEST_URL)'; \
	fi; \
	echo "PostgreSQL for tests: $${CRESCENT_TEST_DATABASE_URL:-none (PostgreSQL suites skipped)}"; \
	$(GO) test -count=1 -timeout 15m ./...

# test-postgres runs the suites that touch the database, on PostgreSQL only.
test-postgres:
	CRESCENT_TEST_DATABASE_URL='$(PG_TEST_URL)' $(GO) test -count=1 -run '/postgres' ./...

lint:
	gofmt -l . | tee /dev/stderr | (! read -r _)
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@latest ./...

# eval prints precision, recall and F1 per field on ../shared/corpus, with
# embedded e-invoice data used and ignored, then the text-only
# generalization tables (families held out, addresses, line items,
# calibration; docs/extraction.md explains them), and checks that the
# extractor's source names no corpus value.
eval:
	$(GO) test -count=1 -run 'TestCorpusEval|TestLearningGain|TestLineItemsSplit' -v ./internal/pipeline | grep -v '^=== '
	$(GO) test -count=1 -run TestNoCorpusStringsInSource -v ./internal/extract | grep -v '^=== '

# train fits the learned candidate scorer on the visible corpus invoices
# (text only, read through the real readers), writes
# internal/extract/model/scorer.json and prints the training figures and
# the leave-one-family-out comparison with the hand-written rules.
train:
	CRESCENT_TRAIN_SCORER=1 $(GO) test -count=1 -run TestTrainScorer -v ./internal/pipeline | grep -v '^=== '

# fuzz runs every fuzz target for FUZZTIME each, then the generated-layout
# property test on LAYOUTS layouts (make test runs 5,000).
FUZZTIME ?= 20s
LAYOUTS  ?= 200000
fuzz:
	$(GO) test ./internal/auth -run '^$$' -fuzz FuzzParseAuthorization -fuzztime $(FUZZTIME)
	$(GO) test ./internal/filetype -run '^$$' -fuzz FuzzInspect -fuzztime $(FUZZTIME)
	$(GO) test ./internal/einvoice -run '^$$' -fuzz FuzzParseXML -fuzztime $(FUZZTIME)
	$(GO) test ./internal/ocr -run '^$$' -fuzz FuzzParseTSV -fuzztime $(FUZZTIME)
	$(GO) test ./internal/extract -run '^$$' -fuzz FuzzParseDate -fuzztime $(FUZZTIME)
	$(GO) test ./internal/extract -run '^$$' -fuzz FuzzParseAmount -fuzztime $(FUZZTIME)
	$(GO) test ./internal/extract -run '^$$' -fuzz 'FuzzExtract$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/extract -run '^$$' -fuzz FuzzExtractWords -fuzztime $(FUZZTIME)
	CRESCENT_LAYOUTS=$(LAYOUTS) $(GO) test -count=1 -timeout 60m ./internal/extract -run TestGeneratedLayouts -v

clean:
	rm -rf bin

# bench builds the server, runs it on a loopback port with a fresh data dir
# and prints the performance report (docs/performance.md), also written to
# bench/results/latest.json. BENCH_FLAGS=-quick for a short run;
# BENCH_FLAGS='-database-url postgres://…' for PostgreSQL (a fresh schema).
BENCH_FLAGS ?=
bench:
	$(GO) run ./cmd/crescent-bench $(BENCH_FLAGS)
