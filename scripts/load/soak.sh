#!/usr/bin/env bash
# Soak test: `veikart serve` on a freshly seeded embedded store, driven for a
# long time with a working day's request mix, with memory watched and
# reminders sent to a push service on loopback.
#
#   scripts/load/soak.sh                        search for the rate, hold 60 % of it for 10 minutes
#   SOAK_DURATION=60s SOAK_RATE=300 scripts/load/soak.sh     a short run at a given rate
#
# What it does: builds bin/veikart and the driver (scripts/load/soak); seeds
# SOAK_ROADMAPS roadmaps with tokens for SOAK_OWNERS owners; starts the
# server (development mode for the demo agency and its sign-in, metrics on,
# loopback push endpoints allowed); then the driver (see its doc comment)
# signs in caseworkers, has owners share roadmaps with the agency, searches
# for the highest rate at which every kind of request keeps p99 under
# 100 ms, sets up reminders due during the hold, holds the rate for
# SOAK_DURATION and judges latency, failures, memory and reminders. Exits 1
# if any of those fails. Output in tmp/soak/<time>/: summary.md (also
# printed), samples.csv, the server's log.
#
# Env: SOAK_DURATION (10m), SOAK_RATE (empty: search), SOAK_HOLD_FRACTION (0.6),
#      SOAK_FIND_STEP (15s), SOAK_FIND_START (200), SOAK_FIND_FACTOR (1.25), SOAK_WARMUP (60s, or a sixth of a shorter run),
#      SOAK_SAMPLE (10s), SOAK_MEM_TOLERANCE (0.10), SOAK_ROADMAPS (10000),
#      SOAK_OWNERS (1000), SOAK_SHARED (300), SOAK_CASEWORKERS (100),
#      SOAK_REMINDERS_PER_MINUTE (30), SOAK_MIX (driver's default), SOAK_P99 (100ms),
#      SOAK_PORT (18180, or the next free one), VEIKART_BIN (use this binary).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

say() { printf 'soak: %s\n' "$*" >&2; }
die() {
	say "$*"
	exit 1
}

# seconds DURATION: 90s, 10m, 1h, or a bare number of seconds.
seconds() {
	case $1 in
	*h) echo $((${1%h} * 3600)) ;;
	*m) echo $((${1%m} * 60)) ;;
	*s) echo "${1%s}" ;;
	*[!0-9]* | '') die "not a duration: $1 (use 90s, 10m or 1h)" ;;
	*) echo "$1" ;;
	esac
}

duration=${SOAK_DURATION:-10m}
dur_s=$(seconds "$duration")
((dur_s >= 30)) || die "SOAK_DURATION must be at least 30s"
warmup=${SOAK_WARMUP:-$((dur_s >= 360 ? 60 : dur_s / 6))s}
roadmaps=${SOAK_ROADMAPS:-10000}
owners=${SOAK_OWNERS:-1000}

out=$root/tmp/soak/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
work=$(mktemp -d /tmp/veikart-soak.XXXXXX)
pid=
cleanup() {
	if [[ -n $pid ]]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_busy() { (: >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
	local p=$1
	while port_busy "$p"; do p=$((p + 1)); done
	echo "$p"
}

if [[ -n ${VEIKART_BIN:-} ]]; then
	bin=$VEIKART_BIN
else
	say "building bin/veikart"
	go build -o bin/veikart ./cmd/veikart
	bin=$root/bin/veikart
fi
go build -o bin/soak ./scripts/load/soak

# Reminders may only be set for 08:00-20:59 local time and are held back in
# quiet hours (21-08). Europe/Oslo when the whole run falls in its day, else
# a fixed-offset zone where it is about noon now (Etc/GMT-N is UTC+N).
total_min=$((dur_s / 60 + 15)) # the search, the setup and the wait for the last reminder
oslo_min=$((10#$(TZ=Europe/Oslo date +%H) * 60 + 10#$(TZ=Europe/Oslo date +%M)))
if ((oslo_min >= 8 * 60 && oslo_min + total_min < 21 * 60)); then
	tz=Europe/Oslo
else
	off=$((12 - 10#$(date -u +%H)))
	if ((off > 0)); then tz=Etc/GMT-$off; elif ((off < 0)); then tz=Etc/GMT+$((-off)); else tz=Etc/UTC; fi
	say "Oslo is outside 08-21 for this run: reminders use VEIKART_TIMEZONE=$tz (local time about noon)"
fi

port=$(free_port "${SOAK_PORT:-18180}")
mport=$(free_port $((port + 1)))
ttl=$((dur_s + 3600))s # the search and setup come on top of the hold
# Every request comes from 127.0.0.1 here, so the per-address limit is off;
# the per-person limit stays at its default (each owner and caseworker makes
# a few requests a second at most).
env=(VEIKART_DATA_DIR="$work/data" VEIKART_ADDR="127.0.0.1:$port" VEIKART_DEV=1 VEIKART_LOG_LEVEL=warn
	VEIKART_METRICS_ADDR="127.0.0.1:$mport" VEIKART_PUSH_LOOPBACK=1 VEIKART_TIMEZONE="$tz" VEIKART_ACCESS_TTL="$ttl"
	VEIKART_RATE_IP=0 VEIKART_PPROF=1)

say "seeding $roadmaps roadmaps, tokens for $owners owners"
t0=$(date +%s)
env "${env[@]}" "$bin" seed -roadmaps "$roadmaps" -tokens "$owners" -token-ttl "$ttl" -out "$work/tokens.tsv" >"$out/seed.log" 2>&1 ||
	{
		cat "$out/seed.log" >&2
		die "seed failed"
	}
say "seeded in $(($(date +%s) - t0)) s ($(du -sh "$work/data" | cut -f1) on disk)"

env "${env[@]}" "$bin" serve >"$out/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
	kill -0 "$pid" 2>/dev/null || {
		tail -n 30 "$out/serve.log" >&2
		die "the server exited during start-up"
	}
	curl -fs -o /dev/null "http://127.0.0.1:$port/health/ready" && break
	sleep 0.2
done
curl -fs -o /dev/null "http://127.0.0.1:$port/health/ready" || die "the server was not ready after 120 s"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
say "server pid $pid on 127.0.0.1:$port (metrics :$mport); load average before: $load_before"
args=(-base "http://127.0.0.1:$port" -metrics "http://127.0.0.1:$mport/metrics" -pid "$pid"
	-tokens "$work/tokens.tsv" -out "$out" -tz "$tz" -duration "$duration" -warmup "$warmup"
	-sample "${SOAK_SAMPLE:-10s}" -find-step "${SOAK_FIND_STEP:-15s}" -find-start "${SOAK_FIND_START:-200}"
	-find-factor "${SOAK_FIND_FACTOR:-1.25}" -hold-fraction "${SOAK_HOLD_FRACTION:-0.6}"
	-mem-tolerance "${SOAK_MEM_TOLERANCE:-0.10}" -shared "${SOAK_SHARED:-300}" -caseworkers "${SOAK_CASEWORKERS:-100}"
	-reminders-per-minute "${SOAK_REMINDERS_PER_MINUTE:-30}" -p99 "${SOAK_P99:-100ms}")
[[ -n ${SOAK_RATE:-} ]] && args+=(-rate "$SOAK_RATE")
[[ -n ${SOAK_MIX:-} ]] && args+=(-mix "$SOAK_MIX")

set +e
"$root/bin/soak" "${args[@]}"
rc=$?
set -e
kill -0 "$pid" 2>/dev/null || {
	tail -n 30 "$out/serve.log" >&2
	die "the server died during the run"
}
mem=$(awk '/^MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
{
	echo
	echo "Machine: $(nproc) CPUs, $mem RAM, $(uname -sr); $(go version | cut -d' ' -f3). Driver and server share the machine."
	echo "Store: embedded, $roadmaps roadmaps seeded, $owners owners active, $(du -sh "$work/data/db" | cut -f1) on disk at the end. VEIKART_TIMEZONE=$tz."
	echo "Load average before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg)."
} | tee -a "$out/summary.md"
if grep -q '"level":"ERROR"' "$out/serve.log"; then
	say "the server logged errors:"
	grep '"level":"ERROR"' "$out/serve.log" | head -n 10 >&2
fi
say "summary, samples and server log in ${out#"$root"/}"
((rc == 0)) || die "soak failed (see the FAIL lines above)"
say "passed"
