#!/usr/bin/env bash
# Installs what the kit needs from the operating system: a CJK font, so Chinese renders in plots
# and HTML handouts; Chromium, which the tests use to open lessons and handouts as a browser
# would; the PostgreSQL server, which the gradebook tests start on loopback (tests/postgres.py); and
# bubblewrap, which `kit grade` runs every trainee kernel in (namespaces; docs/grading.md).
# As root on Debian/Ubuntu it installs them; otherwise it says what to install.
set -euo pipefail

need=()
fc-list :lang=zh family 2>/dev/null | grep -q . || need+=(fonts-noto-cjk)
command -v fc-list >/dev/null || need+=(fontconfig)
[ -x /usr/bin/chromium ] || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v bwrap >/dev/null || need+=(bubblewrap)

[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing system packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "Missing system packages: ${need[*]}" >&2
  echo "Install them with:  sudo apt-get install ${need[*]}   (Debian/Ubuntu)" >&2
  echo "  or on macOS/Windows install any CJK font, e.g. Noto Sans CJK SC or Source Han Sans." >&2
  echo "The kit still runs without them, but Chinese text in plots shows as empty boxes," >&2
  echo "the browser tests are skipped without Chromium, and the PostgreSQL gradebook tests without postgresql;" >&2
  echo "without bubblewrap, kit grade refuses untrusted submissions (see docs/grading.md)." >&2
fi
