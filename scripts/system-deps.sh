#!/usr/bin/env bash
# Install the Debian packages the test suite needs, where missing (apt-get update only then).
# With arguments, only those packages.
#   postgresql       the throwaway database (scripts/pg-throwaway.sh)
#   chromium         browser tests (Playwright drives /usr/bin/chromium)
#   fonts-noto-cjk   Japanese glyphs in the browser and in PDFs
#   poppler-utils    pdftotext/pdftoppm to read the PDFs tsunagi makes
#   libpango*, libharfbuzz-subset0   WeasyPrint's system libraries
set -euo pipefail

packages=(postgresql chromium fonts-noto-cjk poppler-utils
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
[[ $# -gt 0 ]] && packages=("$@")

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=()
for pkg in "${packages[@]}"; do
  installed "$pkg" || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
  echo "system-deps: missing Debian packages: ${missing[*]}" >&2
  echo "system-deps: install them as root: apt-get install ${missing[*]}" >&2
  exit 1
fi

echo "system-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
