#!/bin/sh
# Records Debian cron's verdict on every schedule of expressions.txt into debian-cron.tsv:
# each expression, followed by ` /bin/true`, is the one line of a user crontab that
# `crontab -u USER FILE` installs (accept) or refuses (reject), for a throwaway user made and
# removed here. Needs root and Debian's `cron` package (apt-get install cron); run it again
# after a change to expressions.txt:
#
#   sudo tests/cron-agreement/record.sh
#
# tests/cron_agreement.rs holds deploylint's crontab parser to the table (it needs no cron).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
command -v crontab >/dev/null || { echo "record.sh: no crontab; apt-get install cron" >&2; exit 2; }
user="dlcronprobe$$"
tmp=$(mktemp)
out=$(mktemp)
cleanup() {
  crontab -u "$user" -r 2>/dev/null || true
  userdel "$user" 2>/dev/null || true
  rm -f "$tmp" "$out"
}
trap cleanup EXIT
useradd --no-create-home --shell /usr/sbin/nologin "$user"
version=$(dpkg-query -W -f='${Version}' cron 2>/dev/null || echo unknown)
printf '# schedule\tverdict of Debian cron %s (`crontab -u USER FILE`, the line followed by ` /bin/true`)\n' "$version" >"$out"
while IFS= read -r expr; do
  [ -n "$expr" ] || continue
  printf '%s /bin/true\n' "$expr" >"$tmp"
  if crontab -u "$user" "$tmp" >/dev/null 2>&1; then verdict=accept; else verdict=reject; fi
  printf '%s\t%s\n' "$expr" "$verdict" >>"$out"
done <"$here/expressions.txt"
cp "$out" "$here/debian-cron.tsv"
echo "record.sh: $(grep -c '	accept$' "$out") accepted, $(grep -c '	reject$' "$out") refused" >&2
