#!/usr/bin/env bash
# Runs every fuzz target in the repo for FUZZTIME (default 15s) each. Targets
# are found by grep, so a new Fuzz* function is picked up without editing this.
# A failing input is written to the package's testdata/fuzz/ by go test; commit
# it with the fix so that it stays a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-15s}

n=0
while IFS=: read -r file name; do
	pkg=./$(dirname "$file")
	echo "fuzz: $name in $pkg for $fuzztime"
	go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg" </dev/null
	n=$((n + 1))
done < <(grep -rHoE --include='*_test.go' --exclude-dir=node_modules --exclude-dir=.git \
	'^func Fuzz[A-Za-z0-9_]*\(' . | sed 's/^\.\///; s/^\(.*\):func \(Fuzz[A-Za-z0-9_]*\)(/\1:\2/' | sort -u)
echo "fuzz: $n targets run"
