#!/usr/bin/env bash
# Load test of bin/veikart on the embedded store, with wrk.
#
#   scripts/load/run.sh ROADMAPS [ROADMAPS ...]    e.g. scripts/load/run.sh 1000 100000
#   scripts/load/run.sh                            only the ceiling
#
# For each size: build bin/veikart, seed a fresh temp data dir with ROADMAPS
# roadmaps and TOKENS owner tokens, start `veikart serve`, warm up, then run
# wrk for reads (GET a roadmap) and for writes (one area.update operation),
# each as many different owners. Last, the same read run against the ceiling
# program (scripts/load/ceiling: Fiber + EdDSA JWT check + 4 KB from memory).
# Prints the machine and a markdown table; raw wrk output goes to tmp/load/.
#
# Env: LOAD_THREADS (2), LOAD_CONNS (32), LOAD_DURATION (30s), LOAD_WARMUP (5s),
#      LOAD_TOKENS (1000), LOAD_PORT (18080, or the next free one), VEIKART_BIN (skip the build and
#      use this binary), LOAD_CEILING (1; 0 skips the ceiling run).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
here=$root/scripts/load

threads=${LOAD_THREADS:-2}
conns=${LOAD_CONNS:-32}
duration=${LOAD_DURATION:-30s}
warmup=${LOAD_WARMUP:-5s}
ntokens=${LOAD_TOKENS:-1000}
port=
base=

command -v wrk >/dev/null || "$root/scripts/setup.sh" load

out=$root/tmp/load/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
work=$(mktemp -d /tmp/veikart-load.XXXXXX)
pid=
stop_server() {
	if [[ -n $pid ]]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		pid=
	fi
}
trap 'stop_server; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

log() { printf '%s\n' "$*" >&2; }

# pick_port: the first free loopback port from LOAD_PORT (other servers may
# be running on a shared machine); sets port and base.
pick_port() {
	port=${LOAD_PORT:-18080}
	while (: >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
	base=http://127.0.0.1:$port
}

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

wait_ready() { # URL PID
	for _ in $(seq 1 600); do
		if ! kill -0 "$2" 2>/dev/null; then
			log "server exited during start-up"
			return 1
		fi
		if curl -fs -o /dev/null "$1/health/ready"; then return 0; fi
		sleep 0.2
	done
	log "server not ready after 120 s"
	return 1
}

# versions TOKENS OUT: append each roadmap's current version (from its ETag
# "vN") to the token file, so that write.lua starts from the true base. One
# curl process for all of them, over one kept-alive connection.
versions() {
	local id token sep=
	while IFS=$'\t' read -r id token _; do
		printf '%surl = "%s/api/v1/roadmaps/%s"\nheader = "Authorization: Bearer %s"\noutput = "/dev/null"\nwrite-out = "%s\\t%s\\t%%header{etag}\\n"\n' \
			"$sep" "$base" "$id" "$token" "$id" "$token"
		sep=$'next\n'
	done <"$1" >"$work/versions.curl"
	curl -sS -K "$work/versions.curl" | sed 's/\t\(W\/\)\{0,1\}"v\([0-9]*\)"$/\t\2/; s/\t$/\t0/' >"$2"
}

# bench NAME SCRIPT TOKENS [ARGS...]: one wrk run; prints "rps p50 p99 non2xx conflicts sockerr".
bench() {
	local name=$1 script=$2 tokens=$3
	shift 3
	wrk -t"$threads" -c"$conns" -d"$duration" --latency -s "$here/$script" "$base" -- "$tokens" "$threads" "$@" >"$out/$name.txt" 2>&1
	local line
	line=$(grep '^LOADRESULT' "$out/$name.txt" | tail -n1)
	[[ -n $line ]] || { log "wrk gave no result; see $out/$name.txt"; cat "$out/$name.txt" >&2; return 1; }
	cut -f3- <<<"$line" | tr '\t' ' '
}

rows=()
row() { # SCENARIO ROADMAPS "rps p50 p99 non2xx conflicts sockerr"
	local r
	read -ra r <<<"$3"
	rows+=("| $1 | $2 | ${r[0]} | ${r[1]} | ${r[2]} | ${r[3]} | ${r[4]} | ${r[5]} |")
}

for n in "$@"; do
	data=$work/data-$n
	tokens=$work/tokens-$n.tsv
	log "seeding $n roadmaps, $ntokens tokens"
	t0=$(date +%s)
	# Seed and serve get the same environment: the tokens' issuer and audience
	# come from VEIKART_ADDR (via the public URL), so the port is chosen first.
	pick_port
	# Rate limits off: this measures capacity, with every request from one
	# address and each owner making tens of requests a second.
	env=(VEIKART_DATA_DIR="$data" VEIKART_ADDR="127.0.0.1:$port" VEIKART_DEV=1 VEIKART_LOG_LEVEL=warn
		VEIKART_RATE_IP=0 VEIKART_RATE_USER=0)
	env "${env[@]}" "$bin" seed -roadmaps "$n" -tokens "$ntokens" -out "$tokens" >"$out/seed-$n.log" 2>&1 ||
		{ cat "$out/seed-$n.log" >&2; exit 1; }
	seed_secs=$(($(date +%s) - t0))
	log "seeded in ${seed_secs}s ($(du -sh "$data" | cut -f1) on disk)"

	env "${env[@]}" "$bin" serve >"$out/serve-$n.log" 2>&1 &
	pid=$!
	wait_ready "$base" "$pid" || { tail -n 30 "$out/serve-$n.log" >&2; exit 1; }
	curl -fsS -o /dev/null "$base/.well-known/jwks.json" || log "warning: no /.well-known/jwks.json"

	log "warming up ($warmup of reads over all $ntokens owners)"
	wrk -t"$threads" -c"$conns" -d"$warmup" -s "$here/read.lua" "$base" -- "$tokens" "$threads" >"$out/warmup-$n.txt" 2>&1 ||
		{ cat "$out/warmup-$n.txt" >&2; exit 1; }

	log "read: wrk -t$threads -c$conns -d$duration"
	row read "$n" "$(bench "read-$n" read.lua "$tokens")"

	versions "$tokens" "$work/versions-$n.tsv"
	log "write: wrk -t$threads -c$conns -d$duration"
	row write "$n" "$(bench "write-$n" write.lua "$work/versions-$n.tsv" "$RANDOM$$")"

	stop_server
	log "raw wrk output and server log in $out"
done

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

mem=$(awk '/^MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
{
	echo "Machine: $(nproc) CPUs ($cpu), $mem RAM, $(uname -sr); $(go version | cut -d' ' -f3); $(wrk --version 2>&1 | head -n1 | cut -d' ' -f1-2)"
	echo "wrk -t$threads -c$conns -d$duration --latency on the same machine; $ntokens distinct owners; $(date -u +%Y-%m-%d)"
	echo
	echo "| scenario | roadmaps | requests/s | p50 ms | p99 ms | non-2xx | of which 409 | socket errors |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	printf '%s\n' "${rows[@]}"
} | tee "$out/summary.md"
