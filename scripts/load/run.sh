#!/usr/bin/env bash
# Load test of bin/veikart on the embedded store, with wrk.
#
#   scripts/load/run.sh ROADMAPS [ROADMAPS ...]    e.g. scripts/load/run.sh 1000 100000
#   scripts/load/run.sh                            only the ceiling
#
# For each size: build bin/veikart, seed a fresh temp data dir with ROADMAPS
# roadmaps and TOKENS owner tokens (every roadmap shared with one agency of
# CASEWORKERS caseworkers), start `veikart serve`, warm up, then run wrk for
# reads (GET a roadmap) as many different owners, for the same reads as the
# caseworkers, and for writes (one area.update operation) as the owners.
# Then one more store of 1 000 roadmaps of which 300 are shared, for the
# agency's inbox (GET /api/v1/shared as its caseworkers). Last, the same read
# run against the ceiling program (scripts/load/ceiling: Fiber + EdDSA JWT
# check + 4 KB from memory). Prints the machine and a markdown table; raw wrk
# output goes to tmp/load/.
#
# Env: LOAD_THREADS (2), LOAD_CONNS (32), LOAD_DURATION (30s), LOAD_WARMUP (5s),
#      LOAD_TOKENS (1000), LOAD_CASEWORKERS (100), LOAD_INBOX (1; 0 skips the
#      inbox), LOAD_PORT (18080, or the next free one), VEIKART_BIN (skip the
#      build and use this binary), LOAD_CEILING (1; 0 skips the ceiling run).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
here=$root/scripts/load

threads=${LOAD_THREADS:-2}
conns=${LOAD_CONNS:-32}
duration=${LOAD_DURATION:-30s}
warmup=${LOAD_WARMUP:-5s}
ntokens=${LOAD_TOKENS:-1000}
ncaseworkers=${LOAD_CASEWORKERS:-100}
inbox=300

command -v wrk >/dev/null || "$root/scripts/setup.sh" load

out=$root/tmp/load/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
work=$(mktemp -d /tmp/veikart-load.XXXXXX)
# shellcheck source=scripts/load/lib.sh
. "$here/lib.sh"
trap 'stop_server; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# Binaries.
if (($# == 0)); then
	:
elif [[ -n ${VEIKART_BIN:-} ]]; then
	bin=$VEIKART_BIN
else
	log "building bin/veikart"
	go build -o bin/veikart ./cmd/veikart
	bin=$root/bin/veikart
fi
if [[ ${LOAD_CEILING:-1} == 1 ]]; then
	go build -o bin/ceiling ./scripts/load/ceiling
fi

rows=()
row() { # SCENARIO ROADMAPS "rps p50 p99 non2xx conflicts sockerr"
	local r
	read -ra r <<<"$3"
	rows+=("| $1 | $2 | ${r[0]} | ${r[1]} | ${r[2]} | ${r[3]} | ${r[4]} | ${r[5]} |")
}

# start_store NAME ROADMAPS TOKENS SHARE: seed a fresh data dir (owner tokens
# in $work/tokens-NAME.tsv, caseworker tokens in $work/cw-NAME.tsv, the first
# SHARE roadmaps shared with the seeder's agency) and start `veikart serve`.
start_store() {
	local name=$1 n=$2 k=$3 share=$4 data=$work/data-$1 t0
	log "seeding $n roadmaps, $k owner tokens, $ncaseworkers caseworkers sharing $share"
	t0=$(date +%s)
	# Seed and serve get the same environment: the tokens' issuer and audience
	# come from VEIKART_ADDR (via the public URL), so the port is chosen first.
	pick_port
	# Rate limits off: this measures capacity, with every request from one
	# address and each owner making tens of requests a second.
	local env=(VEIKART_DATA_DIR="$data" VEIKART_ADDR="127.0.0.1:$port" VEIKART_DEV=1 VEIKART_LOG_LEVEL=warn
		VEIKART_RATE_IP=0 VEIKART_RATE_USER=0)
	env "${env[@]}" "$bin" seed -roadmaps "$n" -tokens "$k" -out "$work/tokens-$name.tsv" \
		-caseworkers "$ncaseworkers" -caseworker-out "$work/cw-$name.tsv" -share "$share" >"$out/seed-$name.log" 2>&1 ||
		{ cat "$out/seed-$name.log" >&2; exit 1; }
	log "seeded in $(($(date +%s) - t0))s ($(du -sh "$data" | cut -f1) on disk)"

	env "${env[@]}" "$bin" serve >"$out/serve-$name.log" 2>&1 &
	pid=$!
	wait_ready "$base" "$pid" || { tail -n 30 "$out/serve-$name.log" >&2; exit 1; }
	curl -fsS -o /dev/null "$base/.well-known/jwks.json" || log "warning: no /.well-known/jwks.json"
}

# warm NAME SCRIPT TOKENS: LOAD_WARMUP of wrk, output kept apart.
warm() {
	log "warming up ($warmup of $2)"
	wrk -t"$threads" -c"$conns" -d"$warmup" -s "$here/$2" "$base" -- "$3" "$threads" >"$out/warmup-$1.txt" 2>&1 ||
		{ cat "$out/warmup-$1.txt" >&2; exit 1; }
}

declare -A owner_rps cw_rps
for n in "$@"; do
	tokens=$work/tokens-$n.tsv
	start_store "$n" "$n" "$ntokens" "$n"

	warm "$n" read.lua "$tokens"
	log "read: wrk -t$threads -c$conns -d$duration"
	res=$(bench "read-$n" read.lua "$tokens")
	row read "$n" "$res"
	owner_rps[$n]=${res%% *}

	# The same reads as caseworkers: each of the first $ntokens roadmaps by
	# one of the agency's caseworkers, every caseworker on many roadmaps.
	warm "cw-$n" read.lua "$work/cw-$n.tsv"
	log "caseworker read: wrk -t$threads -c$conns -d$duration"
	res=$(bench "cw-read-$n" read.lua "$work/cw-$n.tsv")
	row "caseworker read" "$n" "$res"
	cw_rps[$n]=${res%% *}

	versions "$tokens" "$work/versions-$n.tsv"
	log "write: wrk -t$threads -c$conns -d$duration"
	row write "$n" "$(bench "write-$n" write.lua "$work/versions-$n.tsv" "$RANDOM$$")"

	stop_server
	log "raw wrk output and server log in $out"
done

# The inbox: an agency with exactly $inbox households, listed by its
# caseworkers. A store of its own (the stores above share every roadmap),
# of 1 000 roadmaps of which the first $inbox are shared.
if (($# > 0)) && [[ ${LOAD_INBOX:-1} == 1 ]]; then
	start_store inbox 1000 "$inbox" "$inbox"
	warm inbox shared.lua "$work/cw-inbox.tsv"
	log "inbox ($inbox): wrk -t$threads -c$conns -d$duration"
	row "inbox ($inbox)" 1000 "$(bench inbox shared.lua "$work/cw-inbox.tsv")"
	stop_server
fi

# The ceiling twice: verifying every token, and remembering verified tokens
# as backend/auth does (so "read" above compares with the cached variant).
if [[ ${LOAD_CEILING:-1} == 1 ]]; then
	for variant in verify cache; do
		log "ceiling ($variant): Fiber + EdDSA JWT + 4 KB from memory"
		flags=()
		[[ $variant == cache ]] && flags=(-cache)
		pick_port
		"$root/bin/ceiling" -addr "127.0.0.1:$port" -tokens "$work/ceiling.tsv" "${flags[@]}" >"$out/ceiling-$variant.log" 2>&1 &
		pid=$!
		wait_ready "$base" "$pid"
		wrk -t"$threads" -c"$conns" -d"$warmup" -s "$here/read.lua" "$base" -- "$work/ceiling.tsv" "$threads" >"$out/warmup-ceiling-$variant.txt" 2>&1 ||
			{ cat "$out/warmup-ceiling-$variant.txt" >&2; exit 1; }
		row "ceiling read, $variant" - "$(bench "ceiling-$variant" read.lua "$work/ceiling.tsv")"
		stop_server
	done
fi

{
	machine
	echo "wrk -t$threads -c$conns -d$duration --latency on the same machine; $ntokens distinct owners; $ncaseworkers caseworkers; $(date -u +%Y-%m-%d)"
	echo
	echo "| scenario | roadmaps | requests/s | p50 ms | p99 ms | non-2xx | of which 409 | socket errors |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	printf '%s\n' "${rows[@]}"
	(($# > 0)) && echo
	for n in "$@"; do
		awk -v n="$n" -v c="${cw_rps[$n]}" -v o="${owner_rps[$n]}" \
			'BEGIN { if (o > 0) printf "caseworker/owner read ratio at %s roadmaps: %.2f (%d / %d requests/s)\n", n, c / o, c, o }'
	done
} | tee "$out/summary.md"
