# Veikart: `make run` to run it, `make test` for everything CI runs.
# Recipes are small; the logic lives in scripts/ so it can be run alone.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

GO       ?= go
FUZZTIME ?= 15s

# The steps of `make test` must run in the order listed, even under -j.
.NOTPARALLEL:

.PHONY: help run build test setup vet deploy-check race fuzz external-db browser bench load clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

build: ## build bin/veikart
	$(GO) build -o bin/veikart ./cmd/veikart

run: build ## run the server in development mode on the embedded store in ./data
	VEIKART_DEV=1 VEIKART_ADDR=127.0.0.1:8080 VEIKART_PUBLIC_URL=http://localhost:8080 VEIKART_DATA_DIR=./data bin/veikart serve

test: setup vet deploy-check race fuzz external-db browser ## everything CI runs, in order
	@echo "make test: all passed"

setup: ## install what the tests need (apt, npm); quick when already installed
	scripts/setup.sh

vet: ## go vet
	$(GO) vet ./...

deploy-check: ## the Dockerfile, compose file and Kubernetes manifests, checked without Docker or a cluster
	scripts/deploy-check.sh

race: ## unit, storage and API tests with the race detector, on the embedded store
	$(GO) test -race -count=1 ./...

fuzz: ## a short fuzz pass over every Fuzz* function in the repo
	FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

external-db: ## storage and API tests against FerretDB on PostgreSQL over TCP
	scripts/external-db.sh

browser: ## browser tests in pwa/tests, if there are any
	scripts/browser-tests.sh

bench: ## Go benchmarks of the backend
	$(GO) test -run '^$$' -bench . -benchtime 2s ./backend/...

load: ## wrk load test at 1000 and 100000 roadmaps, and the ceiling
	scripts/load/run.sh 1000 100000

clean: ## remove build and test output
	rm -rf bin tmp
