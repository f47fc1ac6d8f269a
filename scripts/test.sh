#!/usr/bin/env bash
# The whole test suite, as the README's second command runs it:
#   type check → unit and integration tests (embedded PGlite; also a PostgreSQL server when
#   PFTIS_TEST_DATABASE_URL is set) → web build → browser tests in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

chromium_bin="${PFTIS_CHROMIUM:-/usr/bin/chromium}"
# poppler-utils: pdfsig and pdftotext check the signed report PDFs.
if [ ! -x "$chromium_bin" ] || ! fc-list 2>/dev/null | grep -qi "noto sans cjk" || ! command -v pdfsig >/dev/null; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing chromium, fonts-noto-cjk and poppler-utils for the browser and PDF tests (apt-get)…"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk poppler-utils >/dev/null
  else
    echo "The browser tests need Chromium at $chromium_bin and a CJK font: apt-get install chromium fonts-noto-cjk poppler-utils (as root), or set PFTIS_CHROMIUM." >&2
    exit 1
  fi
fi

mkdir -p .tmp && rm -f .tmp/*-results.json
if [ -n "${PFTIS_TEST_DATABASE_URL:-}" ]; then
  echo "Database tests run on PGlite and on ${PFTIS_TEST_DATABASE_URL%%\?*}"
else
  echo "Database tests run on PGlite (set PFTIS_TEST_DATABASE_URL to also run them on a PostgreSQL server)"
fi

npm run typecheck
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.tmp/unit-results.json || status=$?
if [ "$status" = "0" ]; then
  npm run build
  npx vitest run --config vitest.e2e.config.ts --reporter=default --reporter=json --outputFile.json=.tmp/e2e-results.json || status=$?
fi
node scripts/test-summary.mjs .tmp/unit-results.json .tmp/e2e-results.json
exit "$status"
