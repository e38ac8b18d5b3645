#!/usr/bin/env bash
# Installs what the browser tests (tests/e2e) need, if it is missing: Debian's Chromium and a
# CJK font (without one every Chinese character renders as a box in screenshots).
# Idempotent: does nothing when both are there. Playwright drives /usr/bin/chromium; never run
# `playwright install` (it downloads its own browser).
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
if ! { command -v fc-list >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi 'wqy'; } \
  && ! dpkg-query -W -f='${Status}' fonts-wqy-microhei 2>/dev/null | grep -q 'ok installed'; then
  missing+=(fonts-wqy-microhei)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "browser tests need: ${missing[*]}" >&2
  echo "install them as root: sudo apt-get install -y ${missing[*]}  (or run this script as root)" >&2
  exit 1
fi
echo "installing browser test packages: ${missing[*]}"
apt-get -o DPkg::Lock::Timeout=600 update -qq
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >/dev/null
echo "installed: ${missing[*]}"
