#!/usr/bin/env bash
# kill -9 during writes, twenty times: `veikart serve` on the embedded store
# as a real process, four clients writing, SIGKILL 300-1500 ms in, a restart
# on the same data directory, and every acknowledged write checked.
#
#   scripts/faults/kill.sh [ROUNDS]        default 20
#
# Runs cmd/veikart's TestServe_KillNineKeepsAcknowledgedWrites with
# VEIKART_KILL_ROUNDS=ROUNDS (its doc comment says what it checks) and prints
# its per-round numbers as a table: writes acknowledged before the kill,
# writes found after the restart (the roadmap's version counts them), SQLite's
# integrity check of the files as the kill left them, and the time from
# starting the server again until it answered ready. Exits 1 if any round
# failed.
set -euo pipefail
cd "$(dirname "$0")/../.."

rounds=${1:-20}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || {
	echo "usage: $0 [ROUNDS]" >&2
	exit 2
}
log=$(mktemp /tmp/veikart-kill.XXXXXX)
# shellcheck source=scripts/faults/group.sh
source scripts/faults/group.sh
# The test and the servers it starts are one process group.
trap 'stop_group; rm -f "$log" "$log.test"' EXIT
trap 'exit 130' INT TERM

echo "kill: $rounds rounds of SIGKILL during writes (cmd/veikart TestServe_KillNineKeepsAcknowledgedWrites)"
go test -c -o "$log.test" ./cmd/veikart
run_group "$log" env VEIKART_KILL_ROUNDS="$rounds" "$log.test" -test.count=1 -test.v \
	-test.run '^TestServe_KillNineKeepsAcknowledgedWrites$' -test.timeout 30m

echo
echo "| round | writes acknowledged | found after restart | lost | integrity check | ready again ms |"
echo "| ---: | ---: | ---: | ---: | --- | ---: |"
sed -n 's/.*round *\([0-9]*\): acknowledged *\([0-9]*\), found *\([0-9]*\), lost \([0-9]*\), integrity \([a-z]*\), clean log, ready again in *\([0-9]*\) ms.*/| \1 | \2 | \3 | \4 | \5 | \6 |/p' "$log"
echo
sed -n 's/.*summary: /kill: /p' "$log"
if ((rc != 0)); then
	echo "kill: FAILED after $secs s; the test's output:"
	cat "$log"
	exit 1
fi
echo "kill: passed, $rounds rounds in $secs s"
