#!/bin/sh
# The keys every replica must share, put in place before any replica starts.
# Runs in the `init` image (busybox and /veikart); POSIX sh.
#
#   keys-init.sh make DIR       make what is missing in DIR, and nothing else:
#                               a signing key and vapid.json (veikart keys),
#                               pid.key (32 random bytes, base64). Run on every
#                               start (compose): existing keys are never
#                               touched, so replicas never disagree.
#   keys-init.sh copy SRC DST   copy the keys from SRC (a Kubernetes Secret
#                               volume, whose files are root's or group
#                               readable) into DST with mode 0600, owned by
#                               the user running this (65532), which is what
#                               the server accepts. Fails if any is missing:
#                               a replica must never make its own.
set -eu
umask 077
veikart=${VEIKART_BIN:-/veikart}

die() {
	echo "keys-init: $*" >&2
	exit 1
}

has_signing_key() {
	for f in "$1"/signing-*.pem; do
		[ -f "$f" ] && return 0
	done
	return 1
}

case "${1:-}" in
make)
	dir=${2:?usage: keys-init.sh make DIR}
	mkdir -p "$dir"
	if ! has_signing_key "$dir" || [ ! -f "$dir/vapid.json" ]; then
		VEIKART_KEYS_DIR=$dir "$veikart" keys
	fi
	if [ ! -f "$dir/pid.key" ]; then
		# Aside, then linked: link fails if a pid.key appeared meanwhile,
		# and nobody reads half a file. This key must never change.
		tmp=$(mktemp "$dir/.pid.key.XXXXXX")
		head -c 32 /dev/urandom | base64 >"$tmp"
		if ln "$tmp" "$dir/pid.key" 2>/dev/null; then
			echo "keys-init: created pid.key in $dir (back it up: it must never change)"
		fi
		rm -f "$tmp"
	fi
	chmod 0600 "$dir"/signing-*.pem "$dir/vapid.json" "$dir/pid.key"
	echo "keys-init: $dir ready"
	;;
copy)
	src=${2:?usage: keys-init.sh copy SRC DST}
	dst=${3:?usage: keys-init.sh copy SRC DST}
	has_signing_key "$src" || die "no signing-*.pem in $src (make them with veikart keys; see deploy/runbooks/first-start.md)"
	[ -f "$src/vapid.json" ] || die "no vapid.json in $src"
	[ -f "$src/pid.key" ] || die "no pid.key in $src"
	mkdir -p "$dst"
	# A key taken out of the Secret must not live on here.
	rm -f "$dst"/signing-*.pem
	# Only the plain names: a Secret volume also holds ..data and the
	# timestamped directory its files link into.
	n=0
	for f in "$src"/signing-*.pem "$src/vapid.json" "$src/pid.key"; do
		cat "$f" >"$dst/${f##*/}"
		chmod 0600 "$dst/${f##*/}"
		n=$((n + 1))
	done
	echo "keys-init: copied $n keys into $dst"
	;;
*)
	echo "usage: keys-init.sh make DIR | copy SRC DST" >&2
	exit 2
	;;
esac
