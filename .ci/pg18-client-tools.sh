#!/usr/bin/env bash
# Installs PostgreSQL 18's pg_basebackup and pg_verifybackup into a private directory, for the
# integration tests of klio-backup. Debian 12 has no PostgreSQL 18 client, and Debian sid's
# postgresql-client-18 needs a newer libc (>= 2.38) and libraries than Debian 12 has, so the
# packages are NOT installed into the system: their files are extracted with dpkg-deb into
# $KLIO_PG18_CLIENT_DIR (default /opt/klio-pg18-client), and bin/<tool> wrappers run each binary
# through the extracted dynamic loader with the extracted libraries first on the search path.
#
# The package files are resolved and fetched by apt itself, against a private sources list and
# state directory for sid (the system's apt state is not touched), and their signatures are checked
# with the Debian archive keyring.
#
# Idempotent: when the tools are in place and answer with version 18, it returns at once.
# Usage: .ci/pg18-client-tools.sh            (as root, or with KLIO_PG18_CLIENT_DIR writable)
set -euo pipefail

dest=${KLIO_PG18_CLIENT_DIR:-/opt/klio-pg18-client}
mirror=${KLIO_DEBIAN_MIRROR:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
tools=(pg_basebackup pg_verifybackup)
# postgresql-client-18 and what it needs that Debian 12's versions cannot give (libc, libpq 18 and
# their newer dependencies); everything else (Kerberos, SASL, ncurses) is taken from the system
packages=(postgresql-client-18 libpq5 libc6 libssl3t64 libzstd1 liblz4-1 libxxhash0
  libreadline8t64 zlib1g libldap2)

installed() {
  local t
  for t in "${tools[@]}"; do
    "$1/bin/$t" --version 2>/dev/null | grep -q '(PostgreSQL) 18\.' || return 1
  done
}

if [[ -f $dest/.complete ]] && installed "$dest"; then
  echo "PostgreSQL 18 client tools: present in $dest"
  exit 0
fi

for cmd in apt-get dpkg-deb; do
  command -v "$cmd" >/dev/null || { echo "$0: needs $cmd (a Debian system)" >&2; exit 1; }
done
[[ -r $keyring ]] || { echo "$0: needs $keyring (apt-get install debian-archive-keyring)" >&2; exit 1; }
mkdir -p "$(dirname "$dest")"
[[ -w $(dirname "$dest") ]] || {
  echo "$0: cannot write $(dirname "$dest"); run as root or set KLIO_PG18_CLIENT_DIR" >&2
  exit 1
}

work=$(mktemp -d)
staging="$dest.new.$$"
trap 'rm -rf "$work" "$staging"' EXIT
mkdir -p "$work/state/lists/partial" "$work/cache/archives/partial" "$work/debs" "$work/prefs"
touch "$work/state/status"
echo "deb [signed-by=$keyring] $mirror sid main" >"$work/sources.list"
apt_opts=(
  -o "Dir::State=$work/state" -o "Dir::State::status=$work/state/status"
  -o "Dir::Cache=$work/cache" -o "Dir::Etc::SourceList=$work/sources.list"
  -o "Dir::Etc::SourceParts=/nonexistent" -o "Dir::Etc::Preferences=/nonexistent"
  -o "Dir::Etc::PreferencesParts=$work/prefs" -o "Acquire::Languages=none"
  -o "APT::Architecture=amd64" -o "APT::Architectures::=amd64"
)
# apt's download sandbox user cannot write into our temporary directory
[[ $(id -u) == 0 ]] && apt_opts+=(-o "APT::Sandbox::User=root")

echo "PostgreSQL 18 client tools: fetching ${packages[*]} from Debian sid"
apt-get "${apt_opts[@]}" -q -q update
(cd "$work/debs" && apt-get "${apt_opts[@]}" -q -q download "${packages[@]}")

mkdir -p "$staging/bin"
for deb in "$work"/debs/*.deb; do
  dpkg-deb -x "$deb" "$staging"
done
libdir=usr/lib/x86_64-linux-gnu
[[ -x $staging/$libdir/ld-linux-x86-64.so.2 ]] || {
  echo "$0: the extracted libc6 has no $libdir/ld-linux-x86-64.so.2" >&2
  exit 1
}
for t in "${tools[@]}"; do
  [[ -x $staging/usr/lib/postgresql/18/bin/$t ]] || {
    echo "$0: postgresql-client-18 has no usr/lib/postgresql/18/bin/$t" >&2
    exit 1
  }
  # every library must resolve, from the extracted tree or from the system
  missing=$("$staging/$libdir/ld-linux-x86-64.so.2" --library-path "$staging/$libdir" \
    --list "$staging/usr/lib/postgresql/18/bin/$t" | grep 'not found' || true)
  [[ -z $missing ]] || { echo "$0: $t: libraries not found:" >&2; echo "$missing" >&2; exit 1; }
  cat >"$staging/bin/$t" <<EOF
#!/bin/sh
# $t of PostgreSQL 18 (Debian sid), run with its own loader and libraries; see .ci/pg18-client-tools.sh
d='$dest'
exec "\$d/$libdir/ld-linux-x86-64.so.2" --library-path "\$d/$libdir:\$d/lib/x86_64-linux-gnu" \\
  "\$d/usr/lib/postgresql/18/bin/$t" "\$@"
EOF
  chmod 755 "$staging/bin/$t"
done
chmod -R a+rX "$staging"

rm -rf "$dest"
mv "$staging" "$dest"
installed "$dest" || { echo "$0: the installed tools do not run" >&2; exit 1; }
touch "$dest/.complete"
for t in "${tools[@]}"; do
  echo "PostgreSQL 18 client tools: $dest/bin/$t: $("$dest/bin/$t" --version)"
done
