#!/usr/bin/env bash
# Checks the deployment artifacts in deploy/ on a machine with no Docker
# engine and no cluster (this one, CI):
#
#   1. deploy/compose.yaml       docker-compose (v1, Debian) parses and
#                                validates it against the compose schema
#   2. deploy/compose/Caddyfile  caddy validates it (Debian's caddy)
#   3. deploy/Dockerfile         dockerfile-utils lints it (tools/dockerfile-lint)
#   4. every shell script        shellcheck (.ci/run, deploy/, scripts/)
#   5. the Go tests in deploy/   (a module of its own): the Dockerfile through
#                                BuildKit's parser and build checks and its
#                                rules, the .dockerignore context, the build
#                                stage replayed and its static binary served,
#                                keys-init.sh, the compose file's shape, and
#                                the Kubernetes manifests decoded strictly
#                                against the API types with their properties
#
# What this cannot do: build or run the image, start the compose stack, or
# apply the manifests to a cluster (deploy/README.md says so too).
# scripts/setup.sh installs the tools.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'deploy-check: %s\n' "$*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

say "docker-compose config (deploy/compose.yaml)"
# Placeholder secrets, and an empty env file in place of any deploy/.env:
# the compose file must stand on its own.
: >"$tmp/empty.env"
MONGO_ROOT_PASSWORD=placeholder MONGO_VEIKART_PASSWORD=placeholder \
	docker-compose --env-file "$tmp/empty.env" -f deploy/compose.yaml config -q

say "caddy validate (deploy/compose/Caddyfile)"
# Caddy makes its local CA while validating `tls internal`: in a throwaway home.
HOME=$tmp XDG_DATA_HOME=$tmp/data XDG_CONFIG_HOME=$tmp/config \
	caddy validate --adapter caddyfile --config deploy/compose/Caddyfile >"$tmp/caddy.log" 2>&1 ||
	{
		cat "$tmp/caddy.log" >&2
		exit 1
	}
if grep -q '"level":"warn"' "$tmp/caddy.log"; then
	grep '"level":"warn"' "$tmp/caddy.log" >&2
	say "caddy warns about the Caddyfile"
	exit 1
fi

say "dockerfile-utils lint (deploy/Dockerfile)"
tools/dockerfile-lint/node_modules/.bin/dockerfile-utils lint deploy/Dockerfile

say "shellcheck"
shellcheck .ci/run deploy/*.sh scripts/*.sh scripts/faults/*.sh scripts/load/*.sh

say "go vet and go test in deploy/"
(
	cd deploy
	go vet ./...
	go test -count=1 ./...
)
say "all passed"
