#!/usr/bin/env bash
# Runs the browser tests in pwa/tests (npm ci, then npm test), or says why not.
# scripts/setup.sh has installed Debian's Chromium; its path is passed as
# CHROME_PATH / PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH, because no browser build
# can be downloaded at install time here.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -f pwa/tests/package.json ]]; then
	echo "browser: skipped, no pwa/tests/package.json"
	exit 0
fi
chrome=$(command -v chromium || command -v chromium-browser || true)
export CHROME_PATH=${CHROME_PATH:-$chrome}
export PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH=${PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH:-$chrome}
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1
cd pwa/tests
if [[ ! -d node_modules || (-f package-lock.json && package-lock.json -nt node_modules/.package-lock.json) ]]; then
	if [[ -f package-lock.json ]]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
fi
npm test
