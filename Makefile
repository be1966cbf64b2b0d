# Veikart: `make run` to run it, `make test` for everything CI runs.
# Recipes are small; the logic lives in scripts/ so it can be run alone.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

GO       ?= go
FUZZTIME ?= 15s

# The steps of `make test` must run in the order listed, even under -j.
.NOTPARALLEL:

.PHONY: help run build test setup vet deploy-check race fuzz external-db faults soak-short browser bench load load-peer soak clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

build: ## build bin/veikart
	$(GO) build -o bin/veikart ./cmd/veikart

run: build ## run the server in development mode on the embedded store in ./data
	VEIKART_DEV=1 VEIKART_ADDR=127.0.0.1:8080 VEIKART_PUBLIC_URL=http://localhost:8080 VEIKART_DATA_DIR=./data bin/veikart serve

test: setup vet deploy-check race fuzz external-db faults soak-short browser ## everything CI runs, in order
	@echo "make test: all passed"

# Under `make test` the cluster test (two replicas, the database away) runs
# once, in `faults`, not also at the end of `external-db`.
test: export VEIKART_SKIP_CLUSTER := 1

setup: ## install what the tests need (apt, npm); quick when already installed
	scripts/setup.sh

vet: ## go vet
	$(GO) vet ./...

deploy-check: ## the Dockerfile, compose file and Kubernetes manifests, checked without Docker or a cluster
	scripts/deploy-check.sh

race: ## unit, storage and API tests with the race detector, on the embedded store
	$(GO) test -race -count=1 -timeout 20m ./...

fuzz: ## a short fuzz pass over every Fuzz* function in the repo
	FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

external-db: ## storage and API tests against FerretDB on PostgreSQL over TCP
	scripts/external-db.sh

faults: ## a full disk and its recovery, kill -9 during writes x20, then two replicas with a SIGKILL and the database away for 30 s; numbers printed
	$(GO) test -count=1 -run '^TestServe_DiskFull$$' ./cmd/veikart/
	scripts/faults/kill.sh 20
	scripts/faults/outage.sh

browser: ## browser tests in pwa/tests, if there are any
	scripts/browser-tests.sh

bench: ## Go benchmarks of the backend
	$(GO) test -run '^$$' -bench . -benchtime 2s ./backend/...

load: ## wrk load test at 1000 and 100000 roadmaps, and the ceiling
	scripts/load/run.sh 1000 100000

load-peer: ## Veikart's writes and PocketBase's, interleaved three times on this machine (builds PocketBase)
	scripts/load/peer.sh

soak: ## 10 minutes of a realistic mix at the highest rate with p99 < 100 ms; memory and reminders checked (SOAK_DURATION=)
	scripts/load/soak.sh

# In CI: a minute at a fixed, modest rate. It cannot show a slow leak (make
# soak can), so only a fast one fails it; it does show a failed request or a
# reminder missing or sent twice under mixed load. Its latency is reported, not
# judged against the 100 ms target: a CI machine shared with others once ran it
# at a worst p99 of 155 ms where a quiet one gives 36. The 1 s bound still
# catches a request queued behind a lock, which takes seconds. The speed target
# is make soak's, run on a quiet machine (docs/benchmarks.md).
soak-short: ## the soak for one minute at 300 requests/s (part of make test)
	SOAK_DURATION=60s SOAK_RATE=300 SOAK_MEM_TOLERANCE=0.25 SOAK_P99=1s scripts/load/soak.sh

clean: ## remove build and test output
	rm -rf bin tmp
