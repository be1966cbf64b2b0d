#!/usr/bin/env bash
# Veikart's writes next to a peer's: PocketBase, on the same machine, the
# same wrk, the same number of documents of the same size.
#
#   scripts/load/peer.sh          (make load-peer)
#
# 1. Builds bin/veikart, and bin/pocketbase (PocketBase's own examples/base,
#    the program its releases ship) from the Go module proxy unless it is
#    there; PocketBase v0.40.4 needs Go 1.27, which the go command fetches
#    as GOTOOLCHAIN=go1.27.3 for this build only.
# 2. Seeds and starts Veikart as run.sh does (1 000 roadmaps, 1 000 owners)
#    and measures one roadmap as its owner reads it (GET, in bytes).
# 3. Starts PocketBase on a temp data dir on loopback, with a superuser made
#    by its CLI; through its REST API turns its request log off (Veikart's
#    is off too), creates a base collection "roadmaps" (text fields, an
#    owner relation and a JSON field "doc") whose update rule lets only the
#    owner change a record, one user who owns all 1 000 records, and the
#    records, each holding that Veikart roadmap as its "doc"; signs the user
#    in for the token that wrk sends.
# 4. Runs Veikart's write scenario (write.lua: one area.update) and
#    PocketBase's PATCH of one record (pocketbase.lua: a body of the same
#    size, the area and a new text), interleaved three times, one server
#    loaded at a time, and reads each server's CPU time from /proc around
#    its run. Prints a table; raw output goes to tmp/load/.
#
# Env: LOAD_DURATION (15s), LOAD_WARMUP (5s), LOAD_THREADS (2), LOAD_CONNS
#      (32), LOAD_PEER_DOCS (1000), LOAD_PEER_RUNS (3), LOAD_PORT, VEIKART_BIN,
#      POCKETBASE_BIN (skip the build and use this binary).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
here=$root/scripts/load

threads=${LOAD_THREADS:-2}
conns=${LOAD_CONNS:-32}
duration=${LOAD_DURATION:-15s}
warmup=${LOAD_WARMUP:-5s}
ndocs=${LOAD_PEER_DOCS:-1000}
runs=${LOAD_PEER_RUNS:-3}
pb_version=v0.40.4
coll=roadmaps

command -v wrk >/dev/null || "$root/scripts/setup.sh" load

out=$root/tmp/load/peer-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
work=$(mktemp -d /tmp/veikart-peer.XXXXXX)
# shellcheck source=scripts/load/lib.sh
. "$here/lib.sh"
vk_pid='' pb_pid=''
stop_both() {
	for p in $vk_pid $pb_pid; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}
trap 'stop_both; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# Binaries.
if [[ -n ${VEIKART_BIN:-} ]]; then
	vk_bin=$VEIKART_BIN
else
	log "building bin/veikart"
	go build -o bin/veikart ./cmd/veikart
	vk_bin=$root/bin/veikart
fi
if [[ -n ${POCKETBASE_BIN:-} ]]; then
	pb_bin=$POCKETBASE_BIN
else
	pb_bin=$root/bin/pocketbase
	# go install names the binary after its package (base), and a binary
	# built so says "version (untracked)": the stamp says which it is.
	if [[ ! -x $pb_bin || $(cat "$pb_bin.version" 2>/dev/null) != "$pb_version" ]]; then
		log "building PocketBase $pb_version (go install, Go 1.27 for it alone)"
		gobin=$(mktemp -d)
		(cd "$gobin" && GOTOOLCHAIN=go1.27.3 GOFLAGS=-mod=mod GOBIN=$gobin \
			go install "github.com/pocketbase/pocketbase/examples/base@$pb_version")
		mv "$gobin/base" "$pb_bin"
		rm -rf "$gobin"
		echo "$pb_version" >"$pb_bin.version"
	fi
fi

# Veikart: 1 000 roadmaps with their owners, as run.sh seeds them.
pick_port
vk_base=$base
vk_env=(VEIKART_DATA_DIR="$work/vk" VEIKART_ADDR="127.0.0.1:$port" VEIKART_DEV=1 VEIKART_LOG_LEVEL=warn
	VEIKART_RATE_IP=0 VEIKART_RATE_USER=0)
log "seeding Veikart: $ndocs roadmaps"
env "${vk_env[@]}" "$vk_bin" seed -roadmaps "$ndocs" -tokens "$ndocs" -out "$work/vk-tokens.tsv" >"$out/seed.log" 2>&1 ||
	{ cat "$out/seed.log" >&2; exit 1; }
env "${vk_env[@]}" "$vk_bin" serve >"$out/serve-veikart.log" 2>&1 &
vk_pid=$!
wait_ready "$vk_base" "$vk_pid" || { tail -n 30 "$out/serve-veikart.log" >&2; exit 1; }

# The size of a roadmap as its owner reads it: PocketBase's records hold
# this very JSON.
IFS=$'\t' read -r rid rtok _ <"$work/vk-tokens.tsv"
curl -fsS -H "Authorization: Bearer $rtok" "$vk_base/api/v1/roadmaps/$rid" -o "$work/roadmap.json"
doc_bytes=$(wc -c <"$work/roadmap.json")
log "a Veikart roadmap as its owner reads it: $doc_bytes bytes"

# PocketBase: superuser by its CLI (before serve, as its docs do it), the
# rest through its REST API.
pick_port # Veikart listens on its port by now, so this is another
pb_base=$base
pb_dir=$work/pb_data
admin=load@example.test
pass=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
"$pb_bin" superuser upsert "$admin" "$pass" --dir "$pb_dir" >"$out/pb-superuser.log" 2>&1 ||
	{ cat "$out/pb-superuser.log" >&2; exit 1; }
"$pb_bin" serve --http "127.0.0.1:$port" --dir "$pb_dir" --hooksDir "$work/pb_hooks" \
	--migrationsDir "$work/pb_migrations" --publicDir "$work/pb_public" >"$out/serve-pocketbase.log" 2>&1 &
pb_pid=$!
wait_ready "$pb_base" "$pb_pid" /api/health || { tail -n 30 "$out/serve-pocketbase.log" >&2; exit 1; }

# pb METHOD PATH TOKEN [BODY]: one call to PocketBase's API; fails on non-2xx.
pb() {
	local args=(-fsS -X "$1" "$pb_base$2" -H 'Content-Type: application/json')
	[[ -n $3 ]] && args+=(-H "Authorization: $3")
	[[ $# -ge 4 ]] && args+=(--data-binary "$4")
	curl "${args[@]}" || { log "PocketBase: $1 $2 failed"; return 1; }
}
json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

su_token=$(pb POST /api/collections/_superusers/auth-with-password "" \
	"{\"identity\":\"$admin\",\"password\":\"$pass\"}" | json_field token)
# Its request log (on by default, written to a second SQLite database) off:
# Veikart runs without its access log here too.
pb PATCH /api/settings "$su_token" '{"logs":{"maxDays":0}}' >/dev/null
# One user who owns every record; the rule checks ownership on each write,
# as Veikart checks the owner's access on each operation.
user_pass=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
uid=$(pb POST /api/collections/users/records "$su_token" \
	"{\"email\":\"owner@example.test\",\"password\":\"$user_pass\",\"passwordConfirm\":\"$user_pass\"}" | json_field id)
users_id=$(pb GET /api/collections/users "$su_token" | json_field id)
pb POST /api/collections "$su_token" "$(
	cat <<JSON
{"name":"$coll","type":"base",
 "fields":[
  {"name":"title","type":"text","max":200},
  {"name":"owner","type":"relation","collectionId":"$users_id","maxSelect":1,"required":true},
  {"name":"opId","type":"text"},
  {"name":"type","type":"text"},
  {"name":"areaId","type":"text"},
  {"name":"baseVersion","type":"number"},
  {"name":"now","type":"text","max":2000},
  {"name":"doc","type":"json","maxSize":2000000}
 ],
 "listRule":"owner = @request.auth.id","viewRule":"owner = @request.auth.id",
 "createRule":"owner = @request.auth.id","updateRule":"owner = @request.auth.id","deleteRule":null}
JSON
)" >/dev/null
user_token=$(pb POST /api/collections/users/auth-with-password "" \
	"{\"identity\":\"owner@example.test\",\"password\":\"$user_pass\"}" | json_field token)

log "creating $ndocs PocketBase records of $doc_bytes bytes of JSON each"
python3 - "$work/roadmap.json" "$uid" >"$work/record.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
print(json.dumps({"title": doc.get("title", ""), "owner": sys.argv[2], "doc": doc}, ensure_ascii=False))
PY
# One curl process for all of them, over one kept-alive connection.
sep=
for _ in $(seq 1 "$ndocs"); do
	printf '%surl = "%s/api/collections/%s/records"\nrequest = "POST"\nheader = "Authorization: %s"\nheader = "Content-Type: application/json"\ndata-binary = "@%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' \
		"$sep" "$pb_base" "$coll" "$user_token" "$work/record.json"
	sep=$'next\n'
done >"$work/create.curl"
created=$(curl -sS -K "$work/create.curl" | grep -c '^200$' || true)
[[ $created == "$ndocs" ]] || { log "PocketBase created $created of $ndocs records"; exit 1; }
pb GET "/api/collections/$coll/records?perPage=$ndocs&fields=id&skipTotal=1" "$user_token" |
	python3 -c 'import json,sys; [print(r["id"] + "\t" + sys.argv[1]) for r in json.load(sys.stdin)["items"]]' "$user_token" >"$work/pb-tokens.tsv"
[[ $(wc -l <"$work/pb-tokens.tsv") == "$ndocs" ]] || { log "PocketBase listed $(wc -l <"$work/pb-tokens.tsv") records"; exit 1; }
pb_rec_bytes=$(curl -fsS -H "Authorization: $user_token" "$pb_base/api/collections/$coll/records/$(head -n1 "$work/pb-tokens.tsv" | cut -f1)" | wc -c)
log "a PocketBase record as its owner reads it: $pb_rec_bytes bytes"

# The two bodies, for the record: write.lua's and pocketbase.lua's formats
# with the same numbers.
vk_body=$(printf '{"operations":[{"opId":"w%s-%d-%d","type":"area.update","areaId":"%s","baseVersion":%d,"set":{"now":"Lasttest %d"}}]}' 123456789 1 1234 housing 12 1234 | wc -c)
pb_body=$(printf '{"opId":"w%s-%d-%d","type":"area.update","areaId":"%s","baseVersion":%d,"now":"Lasttest %d"}' 123456789 1 1234 housing 12 1234 | wc -c)

clk_tck=$(getconf CLK_TCK)
results=()
# measure SERVER PID NAME SCRIPT TOKENS [ARGS...]: one loaded run; appends
# "server rps p50 p99 non2xx cpu_ms_per_1000" to results.
measure() {
	local server=$1 spid=$2 name=$3 script=$4 tokens=$5
	shift 5
	local t0 t1 r requests
	t0=$(cpu_ticks "$spid")
	r=$(bench "$name" "$script" "$tokens" "$@")
	t1=$(cpu_ticks "$spid")
	requests=$(grep '^LOADRESULT' "$out/$name.txt" | tail -n1 | cut -f2)
	read -ra r <<<"$r"
	results+=("$server ${r[0]} ${r[1]} ${r[2]} ${r[3]} $(awk -v d=$((t1 - t0)) -v hz="$clk_tck" -v n="$requests" 'BEGIN { printf "%.0f", d / hz * 1000 / (n / 1000) }')")
	log "  $server: ${r[0]} writes/s, p99 ${r[2]} ms"
}

# Warm-ups, then the interleaved runs.
base=$vk_base
versions "$work/vk-tokens.tsv" "$work/vk-versions.tsv"
log "warming up Veikart ($warmup of writes)"
wrk -t"$threads" -c"$conns" -d"$warmup" -s "$here/write.lua" "$base" -- "$work/vk-versions.tsv" "$threads" "warm$$" >"$out/warmup-veikart.txt" 2>&1
base=$pb_base
log "warming up PocketBase ($warmup of writes)"
wrk -t"$threads" -c"$conns" -d"$warmup" -s "$here/pocketbase.lua" "$base" -- "$work/pb-tokens.tsv" "$threads" "warm$$" "$coll" >"$out/warmup-pocketbase.txt" 2>&1
for i in $(seq 1 "$runs"); do
	log "run $i of $runs: wrk -t$threads -c$conns -d$duration"
	base=$vk_base
	# Each roadmap's version as the last run left it: a write names its base.
	versions "$work/vk-tokens.tsv" "$work/vk-versions.tsv"
	measure veikart "$vk_pid" "veikart-$i" write.lua "$work/vk-versions.tsv" "r$i$$"
	base=$pb_base
	measure pocketbase "$pb_pid" "pocketbase-$i" pocketbase.lua "$work/pb-tokens.tsv" "r$i$$" "$coll"
done

{
	machine
	echo "PocketBase $pb_version (examples/base, go install); wrk -t$threads -c$conns -d$duration --latency, one server loaded at a time; $(date -u +%Y-%m-%d)"
	echo "Documents: $ndocs; a Veikart roadmap as read: $doc_bytes bytes; a PocketBase record as read: $pb_rec_bytes bytes."
	echo "Write bodies: Veikart $vk_body bytes (one area.update), PocketBase $pb_body bytes (PATCH of the same fields, flat); PocketBase as a user whose update rule is checked (owner = @request.auth.id), request log off."
	echo
	echo "| run | server | writes/s | p50 ms | p99 ms | non-2xx | CPU ms per 1 000 writes |"
	echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: |"
	for k in "${!results[@]}"; do
		read -ra r <<<"${results[$k]}"
		echo "| $((k / 2 + 1)) | ${r[0]} | ${r[1]} | ${r[2]} | ${r[3]} | ${r[4]} | ${r[5]} |"
	done
	echo
	printf '%s\n' "${results[@]}" | awk '
		$1 == "veikart" { v[++nv] = $2; vc[nv] = $6 }
		$1 == "pocketbase" { p[++np] = $2; pc[np] = $6 }
		function median(a, n,   i, j, t, b) {
			for (i = 1; i <= n; i++) b[i] = a[i]
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (b[j] < b[i]) { t = b[i]; b[i] = b[j]; b[j] = t }
			return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
		}
		END {
			for (i = 1; i <= nv && i <= np; i++) ratio[i] = v[i] / p[i]
			printf "Medians: Veikart %.0f writes/s (%.0f CPU ms per 1 000), PocketBase %.0f writes/s (%.0f CPU ms per 1 000).\n", median(v, nv), median(vc, nv), median(p, np), median(pc, np)
			printf "Median of the %d runs'"'"' ratios Veikart/PocketBase (writes/s): %.2f\n", nv, median(ratio, nv)
		}'
} | tee "$out/summary.md"
log "raw wrk output and server logs in $out"
