#!/usr/bin/env bash
# Installs the official AsyncAPI parser (npm @asyncapi/parser, pinned) into a cache folder, for
# the test that validates every service's /asyncapi.json (tests/support/asyncapi_validate.mjs).
# Idempotent: does nothing when the pinned version is there. Node.js and npm come from Debian
# (installed here when missing and run as root); the parser from the npm registry.
set -euo pipefail

VERSION="3.6.6"
DIR="${CPPCC_NODE_DIR:-${HOME}/.cache/cppcc/node}"
PACKAGE_JSON="${DIR}/node_modules/@asyncapi/parser/package.json"

if [ -f "$PACKAGE_JSON" ] && grep -q "\"version\": \"${VERSION}\"" "$PACKAGE_JSON"; then
  exit 0
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "the AsyncAPI test needs Node.js and npm: sudo apt-get install -y nodejs npm" >&2
    exit 1
  fi
  echo "installing nodejs and npm"
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq nodejs npm >/dev/null
fi
mkdir -p "$DIR"
[ -f "${DIR}/package.json" ] || echo '{"name": "cppcc-asyncapi-tools", "private": true}' > "${DIR}/package.json"
echo "installing @asyncapi/parser@${VERSION} into ${DIR}"
npm install --prefix "$DIR" --no-audit --no-fund --loglevel=error "@asyncapi/parser@${VERSION}" >/dev/null
echo "installed: @asyncapi/parser@${VERSION}"
