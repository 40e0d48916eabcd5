#!/bin/bash
# The Debian package, end to end, as root on Debian 12: builds the release
# tarball (make dist, from a configured build tree), unpacks it in a
# temporary directory, runs `dpkg-buildpackage -us -uc -b` there (the
# package's own `make check` included unless DEB_BUILD_OPTIONS=nocheck),
# runs lintian (errors fail), installs the .deb with apt-get, runs the
# installed wstap on a sample, reads its manual with man, removes it.
# Ends with "N passed, M failed".
#
#   .ci/deb.sh [BUILD_DIR]      BUILD_DIR: where configure ran (default .)
#
# Not part of .ci/run: it installs debhelper and lintian and takes a few
# minutes.  Never run configure in the source tree for it: the package is
# built from the tarball, out of the way.
set -u
export DEBIAN_FRONTEND=noninteractive
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-.}" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }
finish() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit; }

apt-get install -y -qq debhelper lintian man-db >"$T/apt.log" 2>&1 ||
	{ bad "apt-get install debhelper lintian" "$(tail -3 "$T/apt.log")"; finish; }

if (cd "$build" && make dist) >"$T/dist.log" 2>&1; then ok "make dist"
else bad "make dist" "$(tail -3 "$T/dist.log")"; finish; fi
tarball=$(ls -t "$build"/wstap-*.tar.gz | head -1)
tar -C "$T" -xzf "$tarball"
src=$(ls -d "$T"/wstap-*/)

if (cd "$src" && dpkg-buildpackage -us -uc -b) >"$T/build.log" 2>&1; then ok "dpkg-buildpackage -us -uc -b"
else bad "dpkg-buildpackage" "$(grep -E '^(FAIL|ERROR|dh_|make).*' "$T/build.log" | tail -5)"; finish; fi
deb=$(ls "$T"/wstap_*.deb)
dpkg-deb -f "$deb" Depends >"$T/depends"
for lib in libpcap libncursesw libssl zlib1g; do
	if grep -q "$lib" "$T/depends"; then ok "Depends names $lib"
	else bad "Depends names $lib" "$(cat "$T/depends")"; fi
done
dpkg-deb -c "$deb" >"$T/contents"
for f in usr/bin/wstap usr/share/man/man1/wstap.1.gz \
	usr/share/bash-completion/completions/wstap; do
	if grep -q " \./$f\$" "$T/contents"; then ok "package holds /$f"
	else bad "package holds /$f" "missing"; fi
done

# lintian refuses nothing as root but warns; E: lines are errors.
lintian --no-tag-display-limit "$T"/wstap_*.changes >"$T/lintian" 2>&1
if grep -q '^E:' "$T/lintian"; then bad "lintian: no errors" "$(grep '^E:' "$T/lintian" | head -5)"
else ok "lintian: no errors ($(grep -c '^[WIP]:' "$T/lintian") warnings/notes)"; fi

if apt-get install -y -qq "$deb" >"$T/inst.log" 2>&1; then ok "apt-get install ./wstap_*.deb"
else bad "apt-get install" "$(tail -3 "$T/inst.log")"; finish; fi
/usr/bin/wstap -r "$here/samples/seed_connect.pcap" >"$T/out" 2>&1
if grep -q '^1 legs: ok 1' "$T/out"; then ok "installed wstap -r samples/seed_connect.pcap"
else bad "installed wstap -r" "$(head -c 300 "$T/out")"; fi
# Docker images of Debian exclude /usr/share/man from packages (dpkg
# path-exclude); the manual is then checked from the .deb itself.
if [ -f /usr/share/man/man1/wstap.1.gz ]; then
	MANWIDTH=80 MAN_DISABLE_SECCOMP=1 man --warnings wstap >"$T/man" 2>"$T/man.err"
else
	dpkg-deb -x "$deb" "$T/x"
	MANWIDTH=80 MAN_DISABLE_SECCOMP=1 man --warnings -l "$T/x/usr/share/man/man1/wstap.1.gz" >"$T/man" 2>"$T/man.err"
fi
if [ ! -s "$T/man.err" ] && grep -q 'EXIT STATUS' "$T/man"; then ok "man wstap renders without warnings"
else bad "man wstap" "$(head -c 300 "$T/man.err")"; fi
apt-get remove -y -qq wstap >/dev/null 2>&1
if [ ! -e /usr/bin/wstap ]; then ok "apt-get remove wstap"; else bad "apt-get remove" "/usr/bin/wstap left"; fi
finish
