# shellcheck shell=bash
# Sourced by the fault scripts. run_group OUT CMD... runs CMD in a process
# group of its own (setsid), with its output in OUT, and sets rc to its exit
# status and secs to how long it ran. stop_group, called from the script's
# EXIT trap, stops the whole group (CMD and every server it started) if
# the script is stopped while CMD runs.

group_pid=

stop_group() {
	if [[ -n $group_pid ]] && kill -0 "$group_pid" 2>/dev/null; then
		kill -TERM -- "-$group_pid" 2>/dev/null || true
		wait "$group_pid" 2>/dev/null || true
	fi
}

# shellcheck disable=SC2034 # rc and secs are for the script that sources this
run_group() {
	local out=$1 t0
	shift
	t0=$(date +%s)
	setsid "$@" >"$out" 2>&1 &
	group_pid=$!
	set +e
	wait "$group_pid"
	rc=$?
	set -e
	group_pid=
	secs=$(($(date +%s) - t0))
}
