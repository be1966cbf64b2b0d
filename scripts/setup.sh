#!/usr/bin/env bash
# Installs what `make test` and `make load` need beyond Go itself, on a Debian
# machine like the CI one: gcc (race detector), PostgreSQL (external-database
# run), wrk (load test), the npm packages of the push service that the
# backend/push tests send to (tools/push-testing), the OpenID provider the
# sign-in tests log in with (tools/oidc-provider), the deployment checks'
# tools (docker-compose, caddy, shellcheck, busybox, tools/dockerfile-lint)
# and, when browser tests exist, Chromium, speech-dispatcher with espeak-ng
# (read-aloud) and their npm packages. Quick when everything is already
# there: it asks apt only about what is missing.
#
#   scripts/setup.sh          everything
#   scripts/setup.sh load     only what `make load` needs
set -euo pipefail
cd "$(dirname "$0")/.."

want=()
need() { # need COMMAND-OR-PATH PACKAGE
	if [[ $1 == /* ]]; then
		compgen -G "$1" >/dev/null || want+=("$2")
	else
		command -v "$1" >/dev/null || want+=("$2")
	fi
}

case "${1:-all}" in
load)
	need wrk wrk
	;;
all)
	need gcc gcc
	need /usr/include/stdio.h libc6-dev
	need '/usr/lib/postgresql/*/bin/initdb' postgresql
	need wrk wrk
	need npm npm # tools/push-testing: the push service backend/push tests use
	need npm npm # tools/oidc-provider: the OpenID provider backend/oidc/oidctest runs
	# scripts/deploy-check.sh: compose config without an engine, the Caddyfile,
	# the shell scripts, keys-init.sh under the init image's shell, and
	# tools/dockerfile-lint (npm). Debian's caddy package starts no server
	# where there is no systemd (containers, CI).
	need docker-compose docker-compose
	need caddy caddy
	need shellcheck shellcheck
	need busybox busybox
	if [[ -f pwa/tests/package.json ]]; then
		need npm npm
		command -v chromium >/dev/null || command -v chromium-browser >/dev/null || want+=(chromium)
		need zbarimg zbar-tools # reads the invitation QR code off the screen, independently of our encoder
		# specs/poster.test.mjs: the printed poster's PDF as images and text,
		# read by OCR (Norwegian and Arabic) and its fonts listed
		need pdftoppm poppler-utils
		need tesseract tesseract-ocr
		need /usr/share/tesseract-ocr/*/tessdata/nor.traineddata tesseract-ocr-nor
		need /usr/share/tesseract-ocr/*/tessdata/ara.traineddata tesseract-ocr-ara
		need fc-list fontconfig
		need /usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf fonts-noto-core # Arabic and Ge'ez script
		# specs/readaloud.test.mjs: real voices for speechSynthesis. Chromium
		# (started with --enable-speech-dispatcher) speaks through
		# speech-dispatcher, which starts espeak-ng's module; the audio plugins
		# let it play into ALSA's null device on a machine with no sound.
		need speech-dispatcher speech-dispatcher
		need /usr/lib/speech-dispatcher-modules/sd_espeak-ng speech-dispatcher-espeak-ng
		need "/usr/lib/*/speech-dispatcher/spd_alsa.so" speech-dispatcher-audio-plugins
		need espeak-ng espeak-ng
	fi
	;;
*)
	echo "usage: $0 [all|load]" >&2
	exit 2
	;;
esac

if ((${#want[@]})); then
	sudo=()
	((EUID == 0)) || sudo=(sudo)
	echo "setup: installing ${want[*]}"
	export DEBIAN_FRONTEND=noninteractive
	"${sudo[@]}" apt-get update -qq
	"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
fi

# npm ci only when the lock file changed since the last install, so that a
# second `make test` does not reinstall.
if [[ ${1:-all} == all && -f pwa/tests/package.json ]]; then
	(
		cd pwa/tests
		if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
			echo "setup: npm ci in pwa/tests"
			if [[ -f package-lock.json ]]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
		fi
	)
fi
# web-push-testing, the independent push service that backend/push tests
# send to; same rule: only when missing or the lock file changed.
if [[ ${1:-all} == all ]]; then
	lock=tools/push-testing/package-lock.json
	if [[ ! -d tools/push-testing/node_modules || $lock -nt tools/push-testing/node_modules/.package-lock.json ]]; then
		echo "setup: npm ci in tools/push-testing"
		npm ci --prefix tools/push-testing --no-audit --no-fund
	fi
fi
# oidc-provider, the OpenID provider configured like ID-porten that
# backend/oidc/oidctest runs for the sign-in tests; same rule.
if [[ ${1:-all} == all ]]; then
	lock=tools/oidc-provider/package-lock.json
	if [[ ! -d tools/oidc-provider/node_modules || $lock -nt tools/oidc-provider/node_modules/.package-lock.json ]]; then
		echo "setup: npm ci in tools/oidc-provider"
		npm ci --prefix tools/oidc-provider --no-audit --no-fund
	fi
fi
# dockerfile-utils, the Dockerfile linter scripts/deploy-check.sh runs; same rule.
if [[ ${1:-all} == all ]]; then
	lock=tools/dockerfile-lint/package-lock.json
	if [[ ! -d tools/dockerfile-lint/node_modules || $lock -nt tools/dockerfile-lint/node_modules/.package-lock.json ]]; then
		echo "setup: npm ci in tools/dockerfile-lint"
		npm ci --prefix tools/dockerfile-lint --no-audit --no-fund
	fi
fi
echo "setup: ok"
