#!/usr/bin/env bash
# Runs the storage and API tests against a separately started server over TCP:
# FerretDB's own server binary on a throwaway PostgreSQL cluster, the same
# wire path a real MongoDB deployment takes (no in-process shortcuts, no
# exclusive-writer cache). Everything it starts lives in a temp dir and is
# stopped and removed on exit.
#
#   scripts/external-db.sh [go test args...]   default: -count=1 -timeout 25m ./backend/..., then
#                                              cmd/veikart's TestCluster (two replicas,
#                                              a SIGKILL, the database away for 30 s)
#   VEIKART_CLUSTER_ONLY=1 scripts/external-db.sh   only the cluster test (scripts/faults/outage.sh)
#   VEIKART_SKIP_CLUSTER=1 scripts/external-db.sh   all but the cluster test (make test runs
#                                              it in its faults step instead)
#
# Env: FERRETDB_PORT (default: first free from 27018), PG_PORT (from 54329).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

say() { printf 'external-db: %s\n' "$*"; }

port_busy() { (: >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
	local p=$1
	while port_busy "$p"; do p=$((p + 1)); done
	echo "$p"
}

# 1. PostgreSQL binaries.
newest_pgbin() { printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n1 | grep -v '\*' || true; }
pgbin=$(newest_pgbin)
if [[ -z $pgbin ]]; then
	say "installing postgresql"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends postgresql >/dev/null
	pgbin=$(newest_pgbin)
fi

# 2. FerretDB's server binary, at the version go.mod requires. Built from a
# writable copy of the module because its build/version package panics at
# start-up without a version.txt, which only its own release build writes.
fdb_version=$(go list -m -f '{{.Version}}' github.com/FerretDB/FerretDB)
fdb=$root/bin/ferretdb
if [[ ! -x $fdb ]] || [[ $("$fdb" --version 2>/dev/null | sed -n 's/^version: *//p') != "$fdb_version" ]]; then
	say "building FerretDB $fdb_version server into bin/ferretdb"
	src=$(go mod download -json "github.com/FerretDB/FerretDB@$fdb_version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	build=$(mktemp -d)
	cp -r "$src" "$build/src"
	chmod -R u+w "$build/src"
	echo "$fdb_version" >"$build/src/build/version/version.txt"
	mkdir -p "$root/bin"
	# The PostgreSQL handler is in the default build; no tags needed.
	(cd "$build/src" && GOFLAGS='' go build -buildvcs=false -o "$fdb" ./cmd/ferretdb)
	rm -rf "$build"
fi

# 3. A throwaway PostgreSQL cluster, owned by a non-root user (initdb and
# postgres refuse to run as root).
tmp=$(mktemp -d /tmp/veikart-extdb.XXXXXX)
chmod 755 "$tmp"
pid_fdb=
pg_started=
phase=setup
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local rc=$?
	set +e
	if [[ -n $pid_fdb ]]; then
		kill "$pid_fdb" 2>/dev/null
		wait "$pid_fdb" 2>/dev/null
	fi
	if [[ -n $pg_started ]]; then
		as_pg "$pgbin/pg_ctl" -D "$tmp/pg" -m fast -w stop >/dev/null 2>&1
	fi
	# Server logs only help when the servers themselves failed; FerretDB's
	# also logs every failed command a test provokes on purpose.
	if ((rc != 0)) && [[ $phase == setup ]]; then
		for f in "$tmp"/initdb.log "$tmp"/postgres.log "$tmp"/ferretdb.log; do
			[[ -f $f ]] || continue
			echo "--- last lines of $(basename "$f")"
			tail -n 20 "$f"
		done
	fi
	rm -rf "$tmp"
	say "stopped and cleaned up"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ((EUID == 0)); then
	id -u postgres >/dev/null 2>&1 || useradd --system --home-dir "$tmp" --shell /usr/sbin/nologin postgres
	as_pg() { runuser -u postgres -- "$@"; }
	chown postgres "$tmp"
else
	as_pg() { "$@"; }
fi

pg_port=$(free_port "${PG_PORT:-54329}")
as_pg "$pgbin/initdb" -D "$tmp/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1
# Durability off: a test cluster that dies is thrown away anyway.
as_pg "$pgbin/pg_ctl" -D "$tmp/pg" -l "$tmp/postgres.log" -w -t 60 start \
	-o "-c listen_addresses=127.0.0.1 -p $pg_port -k $tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
pg_started=1
as_pg "$pgbin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres ferretdb
say "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port (data $tmp/pg)"

# 4. FerretDB on loopback only (it has no authentication here).
fdb_port=$(free_port "${FERRETDB_PORT:-27018}")
"$fdb" \
	--handler=postgresql \
	--postgresql-url="postgres://postgres@127.0.0.1:$pg_port/ferretdb" \
	--listen-addr="127.0.0.1:$fdb_port" \
	--debug-addr="127.0.0.1:0" \
	--state-dir="$tmp" \
	--telemetry=disable \
	--log-level=warn \
	>"$tmp/ferretdb.log" 2>&1 &
pid_fdb=$!

ready=
for _ in $(seq 1 100); do
	if ! kill -0 "$pid_fdb" 2>/dev/null; then break; fi
	if port_busy "$fdb_port"; then
		ready=1
		break
	fi
	sleep 0.1
done
if [[ -z $ready ]]; then
	say "FerretDB did not start"
	exit 1
fi
uri="mongodb://127.0.0.1:$fdb_port/"
say "server: FerretDB $("$fdb" --version | sed -n 's/^version: *//p') (postgresql handler) at $uri"

# A database of its own for cmd/veikart's cluster test, which starts and
# stops its own FerretDB server on it (two API replicas, a database outage).
as_pg "$pgbin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres cluster

# 5. The tests, against that server.
phase=tests
args=("$@")
default=
((${#args[@]})) || { args=(-count=1 -timeout 25m ./backend/...); default=1; }
say "VEIKART_TEST_MONGODB_URI=$uri go test ${args[*]}"
set +e
if [[ -n ${VEIKART_CLUSTER_ONLY:-} ]]; then
	rc=0 # just the cluster test below (while working on it)
else
	VEIKART_TEST_MONGODB_URI=$uri go test "${args[@]}"
	rc=$?
fi
set -e
say "go test against FerretDB/PostgreSQL at $uri exited $rc"
# Then, by default, the cluster test: two API processes on a FerretDB
# server of its own, one killed mid-load, the database away for 30 s.
if [[ -n $default && $rc == 0 && ( -n ${VEIKART_CLUSTER_ONLY:-} || -z ${VEIKART_SKIP_CLUSTER:-} ) ]]; then
	say "cluster: two replicas, a SIGKILL, a database outage (cmd/veikart TestCluster)"
	set +e
	# How the test stops and starts PostgreSQL under FerretDB (the last
	# of its faults; nothing else uses the cluster by then).
	pg_ctl_cmd="runuser -u postgres -- $pgbin/pg_ctl -D $tmp/pg"
	((EUID == 0)) || pg_ctl_cmd="$pgbin/pg_ctl -D $tmp/pg"
	VEIKART_TEST_PG_STOP="$pg_ctl_cmd -m fast -w stop" \
		VEIKART_TEST_PG_START="$pg_ctl_cmd -l $tmp/postgres.log -w -t 60 start -o '-c listen_addresses=127.0.0.1 -p $pg_port -k $tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off'" \
		VEIKART_TEST_FERRETDB_BIN=$fdb VEIKART_TEST_PG_URL="postgres://postgres@127.0.0.1:$pg_port/cluster" \
		go test -count=1 -run '^TestCluster$' -v ./cmd/veikart/ 2>&1 | grep -E '^(=== RUN|--- |\s+--- |ok|FAIL|PASS|\s+cluster_test)' 
	rc=${PIPESTATUS[0]}
	set -e
	say "cluster test exited $rc"
fi
exit "$rc"
