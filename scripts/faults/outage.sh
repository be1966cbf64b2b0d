#!/usr/bin/env bash
# The database away for 30 seconds (and a replica killed), with numbers:
# cmd/veikart's TestCluster alone, through scripts/external-db.sh, which
# starts PostgreSQL and FerretDB's server over TCP for it. Two `veikart serve`
# replicas share the database; the test kills one with SIGKILL under load,
# then stops the database for VEIKART_OUTAGE (30s) and watches the other:
# readiness must fail, every API request must get a 503 problem document,
# and it must recover by itself once the database is back.
#
#   scripts/faults/outage.sh
#
# Prints the test's numbers as a table. Exits 1 if the test failed.
set -euo pipefail
cd "$(dirname "$0")/../.."

log=$(mktemp /tmp/veikart-outage.XXXXXX)
# shellcheck source=scripts/faults/group.sh
source scripts/faults/group.sh
# external-db.sh stops what it started on TERM; the test's own children are
# in the same process group.
trap 'stop_group; rm -f "$log"' EXIT
trap 'exit 130' INT TERM

echo "outage: two replicas, a SIGKILL, the database away for ${VEIKART_OUTAGE:-30s} (cmd/veikart TestCluster)"
run_group "$log" env VEIKART_CLUSTER_ONLY=1 scripts/external-db.sh
grep -E '^(external-db:|=== RUN|--- |\s+--- |\s+cluster_test)' "$log" || true

kill_line=$(grep 'replica killed:' "$log" || true)
away_line=$(grep 'database away' "$log" || true)
# num PATTERN LINE: the part of LINE that PATTERN's \(...\) matches.
num() { sed -n "s/$1/\\1/p" <<<"$2"; }
if [[ -n $away_line ]]; then
	echo
	echo "| fault | measured |"
	echo "| --- | --- |"
	if [[ -n $kill_line ]]; then
		echo "| replica B killed (SIGKILL) under 8 clients | $(num '.*replica killed: \([0-9]* writes acknowledged and [0-9]* reads\).*' "$kill_line") in 6 s, $(num '.*, \([0-9]* requests retried\).*' "$kill_line") on replica A, 0 errors seen by clients, every write there once |"
	fi
	echo "| database stopped for | $(num '.*database away \([0-9.]* s\).*' "$away_line") |"
	echo "| /health/ready answers 503 after | $(num '.*ready 503 after \([0-9.]* s\).*' "$away_line") |"
	echo "| API requests during the outage (2 a second) | $(num '.*outage \([0-9]* of [0-9]*\) API requests.*' "$away_line") answered 503 \`application/problem+json\` (\`/problems/unavailable\`); the rest were still waiting when it came back and got 200 |"
	echo "| time to that 503 | $(num '.*, in \([0-9]* ms median and [0-9]* ms at most\).*' "$away_line") |"
	echo "| readiness probes during the outage | $(num '.*, \([0-9]* readiness probes of [0-9]*\) answered.*' "$away_line") answered 503 |"
	echo "| ready and answering again after the database is back | $(num '.*answering \([0-9.]* s\) after.*' "$away_line"), same process, no restart |"
fi
echo
if ((rc != 0)); then
	echo "outage: FAILED after $secs s; the output:"
	cat "$log"
	exit 1
fi
echo "outage: passed in $secs s"
