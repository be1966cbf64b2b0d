# shellcheck shell=bash disable=SC2154
# Shared by run.sh and peer.sh; sourced, not run. The caller sets root, here
# (scripts/load), threads, conns, duration, out (raw output) and work (temp
# files) before calling these.

pid=
port=
base=

log() { printf '%s\n' "$*" >&2; }

stop_server() {
	if [[ -n $pid ]]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		pid=
	fi
}

# pick_port: the first free loopback port from LOAD_PORT (other servers may
# be running on a shared machine); sets port and base.
pick_port() {
	port=${LOAD_PORT:-18080}
	while (: >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
	base=http://127.0.0.1:$port
}

wait_ready() { # URL PID [PATH]
	local path=${3:-/health/ready}
	for _ in $(seq 1 600); do
		if ! kill -0 "$2" 2>/dev/null; then
			log "server exited during start-up"
			return 1
		fi
		if curl -fs -o /dev/null "$1$path"; then return 0; fi
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

# bench NAME SCRIPT TOKENS [ARGS...]: one wrk run against $base; prints
# "rps p50 p99 non2xx conflicts sockerr".
bench() {
	local name=$1 script=$2 tokens=$3
	shift 3
	wrk -t"$threads" -c"$conns" -d"$duration" --latency -s "$here/$script" "$base" -- "$tokens" "$threads" "$@" >"$out/$name.txt" 2>&1
	local line
	line=$(grep '^LOADRESULT' "$out/$name.txt" | tail -n1)
	[[ -n $line ]] || { log "wrk gave no result; see $out/$name.txt"; cat "$out/$name.txt" >&2; return 1; }
	cut -f3- <<<"$line" | tr '\t' ' '
}

# cpu_ticks PID: the process's user + system CPU time so far, in clock
# ticks (fields 14 and 15 of /proc/PID/stat, counted after the command
# name, which may hold spaces).
cpu_ticks() {
	local stat
	stat=$(<"/proc/$1/stat")
	stat=${stat##*) }
	awk '{print $12 + $13}' <<<"$stat"
}

# machine: one line about this machine, the Go toolchain and wrk.
machine() {
	local mem cpu
	mem=$(awk '/^MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
	echo "Machine: $(nproc) CPUs ($cpu), $mem RAM, $(uname -sr); $(go version | cut -d' ' -f3); $(wrk --version 2>&1 | head -n1 | cut -d' ' -f1-2)"
}
