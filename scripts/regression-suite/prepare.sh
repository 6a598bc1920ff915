#!/usr/bin/env bash
# Prepares PostgreSQL's own regression suite (src/test/regress of the PostgreSQL source) for
# RegressionSuiteThroughExodusTest and for runs by hand (docs/regression-suite.md): the SQL scripts, their expected
# output, the data files, parallel_schedule and resultmap from Debian's source package of the server's major
# version, and regress.so, refint.so and autoinc.so (the C functions the scripts load) compiled against Debian's
# server headers of the same release.
#
# Usage: scripts/regression-suite/prepare.sh SERVER_VERSION      e.g. 15.19
# The last line printed is the prepared folder, <cache>/postgresql-<release>, holding regress/ and lib/.
#
# The release is the one closest to SERVER_VERSION among those Debian offers (exact first, then older, then newer):
# the suite of one minor release runs against a server of another, and where their outputs legitimately differ the
# test carries an alternative expected output (integration-tests/src/test/resources/regression-suite/).
# Cache: $EXODUS_REGRESS_CACHE, by default ${XDG_CACHE_HOME:-$HOME/.cache}/exodus-regress. A release prepared once is
# used again without any download, so a rerun needs no network.
# Needs: apt-get with Debian's deb-src entries (.ci/run adds them), dpkg-deb, tar and bzip2, gcc and libc6-dev.
set -euo pipefail

die() { printf 'prepare.sh: %s\n' "$*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: $0 SERVER_VERSION (e.g. 15.19)"
readonly SERVER_VERSION="$1" MAJOR="${1%%.*}"
readonly CACHE="${EXODUS_REGRESS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/exodus-regress}"
readonly SOURCE_PACKAGE="postgresql-$MAJOR" HEADERS_PACKAGE="postgresql-server-dev-$MAJOR"

# Releases ("15.18") best first for SERVER_VERSION: the same, then older ones newest first, then newer ones.
by_preference() {
    local minor="${SERVER_VERSION#*.}"
    awk -F. -v major="$MAJOR" -v minor="$minor" '$1 == major {
            m = $2 + 0; rank = (m == minor) ? 0 : (m < minor) ? 1000 - m : 2000 + m; print rank, $0 }' |
        sort -n | cut -d' ' -f2 | uniq
}

ready() { [ -f "$CACHE/postgresql-$1/READY" ]; }

cached=$(ls "$CACHE" 2>/dev/null | sed -n 's/^postgresql-\([0-9][0-9.]*\)$/\1/p' | by_preference || true)
for release in $cached; do
    if ready "$release"; then
        echo "$CACHE/postgresql-$release"
        exit 0
    fi
done

command -v apt-get >/dev/null || die "apt-get is needed to fetch Debian's $SOURCE_PACKAGE source package"
command -v gcc >/dev/null || die "gcc is needed to compile regress.so (apt-get install gcc libc6-dev)"
command -v bzip2 >/dev/null || die "bzip2 is needed to unpack the source (apt-get install bzip2)"
debian_versions=$(apt-cache showsrc "$SOURCE_PACKAGE" 2>/dev/null | sed -n 's/^Version: //p')
[ -n "$debian_versions" ] || die "apt knows no source package $SOURCE_PACKAGE: add Debian's deb-src entries and run
apt-get update (.ci/run does both on Debian)"
releases=$(printf '%s\n' "$debian_versions" | sed 's/-.*//' | by_preference)

mkdir -p "$CACHE"
work=$(mktemp -d "$CACHE/.prepare-XXXXXX")
trap 'rm -rf "$work"' EXIT
# apt's unprivileged downloader writes into this folder when apt runs as root.
chmod 0777 "$work"
cd "$work"

for release in $releases; do
    debian_version=$(printf '%s\n' "$debian_versions" | grep -m1 "^$release-")
    printf 'prepare.sh: fetching %s %s for a %s server\n' "$SOURCE_PACKAGE" "$debian_version" "$SERVER_VERSION" >&2
    # Some releases are listed but no longer downloadable (superseded security updates): try the next one.
    if apt-get source --download-only -qq "$SOURCE_PACKAGE=$debian_version" >apt-source.log 2>&1; then
        break
    fi
    sed 's/^/  /' apt-source.log >&2
    rm -f ./*.orig.tar.* ./*.dsc ./*.debian.tar.*
    debian_version=
done
[ -n "${debian_version:-}" ] || die "no release of $SOURCE_PACKAGE could be downloaded"
release="${debian_version%%-*}"

tar -xf ./*.orig.tar.* --wildcards '*/src/test/regress/*' '*/contrib/spi/refint.c' '*/contrib/spi/autoinc.c'
top=$(ls -d postgresql-*/ | head -1)

# Server headers: those of the same Debian version when still downloadable, else the current ones; either fits, as
# the server's ABI does not change within a major version.
apt-get download -qq "$HEADERS_PACKAGE=$debian_version" >apt-download.log 2>&1 ||
    apt-get download -qq "$HEADERS_PACKAGE" >>apt-download.log 2>&1 ||
    { sed 's/^/  /' apt-download.log >&2; die "could not download $HEADERS_PACKAGE"; }
dpkg-deb -x ./"$HEADERS_PACKAGE"_*.deb headers
include="headers/usr/include/postgresql/$MAJOR/server"
[ -f "$include/postgres.h" ] || die "$HEADERS_PACKAGE has no $include/postgres.h"

out=prepared
mkdir -p "$out/regress" "$out/lib"
for item in sql expected data parallel_schedule resultmap; do
    cp -r "$top/src/test/regress/$item" "$out/regress/"
done
# The flags PostgreSQL's own build gives shared libraries; REFINT_VERBOSE as contrib/spi's Makefile sets it, since
# the expected output of the triggers test has refint's verbose notices.
cflags=(-O2 -fPIC -shared -fno-strict-aliasing -fwrapv -fexcess-precision=standard -I "$include")
gcc "${cflags[@]}" -o "$out/lib/regress.so" "$top/src/test/regress/regress.c"
gcc "${cflags[@]}" -DREFINT_VERBOSE -o "$out/lib/refint.so" "$top/contrib/spi/refint.c"
gcc "${cflags[@]}" -o "$out/lib/autoinc.so" "$top/contrib/spi/autoinc.c"
printf '%s\n' "$debian_version" > "$out/DEBIAN_VERSION"
touch "$out/READY"

rm -rf "${CACHE:?}/postgresql-$release"
mv "$out" "$CACHE/postgresql-$release"
echo "$CACHE/postgresql-$release"
