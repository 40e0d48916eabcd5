#!/bin/bash
# Installation and documentation: `make install` into a DESTDIR and into
# another prefix, the installed binary run on a sample, the installed man
# page rendered without warnings, the bash completion installed and
# working, `make uninstall` leaving no files; and the option table in
# ui/wstap.c checked against the man page, --help and the completion so
# that they cannot drift apart.  Ends with "N passed, M failed".
#
# Run by `make check` (Makefile.am passes WSTAP_MAKE, WSTAP_BUILDDIR,
# WSTAP_SRCDIR, WSTAP_VERSION and the install directories).
set -u
WSTAP=${WSTAP:-./wstap}
S=${SAMPLES:-$(dirname "$0")/../../samples}
SRC=${WSTAP_SRCDIR:-$(dirname "$0")/../..}
BUILD=${WSTAP_BUILDDIR:-.}
MK=${WSTAP_MAKE:-make}
case $WSTAP in /*) ;; *) WSTAP=$PWD/$WSTAP ;; esac
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0

ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }
skip() { echo "skip $1: $2"; }
# same NAME A B: two space-separated word lists hold the same words.
same() {
	local a b
	a=$(printf '%s\n' $2 | sort -u | tr '\n' ' ')
	b=$(printf '%s\n' $3 | sort -u | tr '\n' ' ')
	if [ "$a" = "$b" ]; then ok "$1"; else bad "$1" "[$a] vs [$b]"; fi
}

# ---- the option table, read from the source ------------------------
# Short options: the getopt_long string; long ones: the `longs` table.
# A letter followed by ':' takes a value, as does required_argument.
code=$SRC/ui/wstap.c
optstring=$(sed -n 's/.*getopt_long([^"]*"\([^"]*\)".*/\1/p' "$code" | head -1)
longs=$(awk '/struct option longs\[\]/ { on = 1; next }
	on && /^[ \t]*};/ { on = 0 }
	on && match($0, /\{ *"[^"]+"/) {
		name = substr($0, RSTART, RLENGTH); sub(/\{ *"/, "", name)
		sub(/"$/, "", name)
		print name (index($0, "required_argument") ? "=" : "")
	}' "$code")
table=()     # every flag, "-x" or "--name"
valued=" "   # flags that take a value
s=${optstring#:}
while [ -n "$s" ]; do
	c=${s:0:1}
	s=${s:1}
	table+=("-$c")
	if [ "${s:0:1}" = ":" ]; then
		valued+="-$c "
		s=${s:1}
	fi
done
for l in $longs; do
	table+=("--${l%=}")
	[ "$l" != "${l%=}" ] && valued+="--${l%=} "
done
if [ ${#table[@]} -gt 10 ]; then ok "option table read from ui/wstap.c (${#table[@]} flags)"
else bad "option table" "only '${table[*]}' found in $code"; fi

# A flag in the table that the program refuses with "not in this build"
# is not offered yet: it must not be documented until it works.
live=() refused=()
for f in "${table[@]}"; do
	# (output not to a terminal, and a time limit: -b or -i must
	# refuse or give up, not wait for keys or packets; in a scratch
	# directory, since -o x and -w x write there)
	mkdir -p "$T/probe"
	if [[ $valued == *" $f "* ]]; then
		(cd "$T/probe" && timeout 10 "$WSTAP" "$f" x -r "$S/seed_connect.pcap") >/dev/null 2>"$T/err" </dev/null
	else
		(cd "$T/probe" && timeout 10 "$WSTAP" "$f" -r "$S/seed_connect.pcap") >/dev/null 2>"$T/err" </dev/null
	fi
	if grep -q 'not in this build' "$T/err"; then refused+=("$f"); else live+=("$f"); fi
done
echo "# flags working: ${live[*]}"
echo "# flags refused as not in this build: ${refused[*]:-none}"

# ---- man page against the table ------------------------------------
# The tags of the .TP entries under OPTIONS ("\-\-max\-message" etc.).
man_src=$SRC/docs/wstap.1
man_flags=$(awk '/^\.SH/ { opts = ($0 ~ /^\.SH OPTIONS/) }
	opts && tag { print; tag = 0; next }
	opts && /^\.TP/ { tag = 1 }' "$man_src" |
	sed 's/\\-/-/g' | grep -oE '(^|[ "])--?[A-Za-z][a-z-]*' | tr -d ' "' | sort -u)
same "man page OPTIONS list exactly the working flags" "${live[*]}" "$man_flags"
for f in "${refused[@]}"; do
	if sed 's/\\-/-/g' "$man_src" | grep -qE -- "(^|[^a-z-])$f([^a-z-]|$)"; then
		bad "man page does not mention refused $f" "found"
	fi
done
th_version=$(sed -n 's/^\.TH .*"wstap \([^"]*\)".*/\1/p' "$man_src")
if [ "$th_version" = "${WSTAP_VERSION:-}" ]; then ok "man page .TH names version $th_version"
else bad "man page version" ".TH says '$th_version', configure says '${WSTAP_VERSION:-?}'"; fi

# ---- --help against the table --------------------------------------
"$WSTAP" --help >"$T/help" 2>&1
help_flags=$(grep -oE '(^|[ ,])--?[A-Za-z][a-z-]*' "$T/help" | tr -d ' ,' | sort -u)
same "--help lists exactly the working flags" "${live[*]}" "$help_flags"
if grep -q 'wstap(1)\|man wstap' "$T/help"; then ok "--help names the man page"
else bad "--help names the man page" "no 'man wstap' in it"; fi
if [ "$(wc -l <"$T/help")" -le 40 ]; then ok "--help fits a screen ($(wc -l <"$T/help") lines)"
else bad "--help fits a screen" "$(wc -l <"$T/help") lines"; fi

# ---- output formats: --help, man page, completion, the program -----
help_formats=$(sed -n 's/^ *-T FORMAT *//p' "$T/help" | sed 's/(default)//g; s/|/ /g')
man_formats=$(awk '/^\.SH/ { on = ($0 ~ /^\.SH OUTPUT FORMATS/) }
	on && tag { print $2; tag = 0; next }
	on && /^\.TP/ { tag = 1 }' "$man_src")
same "man page OUTPUT FORMATS match --help's -T list" "$help_formats" "$man_formats"
comp_src=$SRC/completion/wstap
comp_formats=$(sed -n "s/^[[:space:]]*local formats='\([^']*\)'.*/\1/p" "$comp_src")
same "completion offers the -T formats of --help" "$help_formats" "$comp_formats"
for fmt in $help_formats; do
	if "$WSTAP" -r "$S/seed_connect.pcap" -T "$fmt" >/dev/null 2>"$T/err"; then ok "-T $fmt accepted"
	else bad "-T $fmt accepted" "$(head -c 200 "$T/err")"; fi
done
comp_flags=$(sed -n "s/^[[:space:]]*local flags='\([^']*\)'.*/\1/p" "$comp_src")
same "completion offers exactly the working flags" "${live[*]}" "$comp_flags"

# ---- the progress line on a terminal -------------------------------
# A pseudo-terminal (script(1)) shows both stderr and stdout, as when a
# user runs wstap by hand.  The capture arrives through a pipe that
# stalls for 1.5 s, so the progress line (shown after one second) must
# appear, be cut to the 50 columns, count megabytes although a pipe has
# no file position, and be erased before any output reaches the screen.
gen=$SRC/bench/gen_capture.py
PY=${PYTHON:-python3}
if ! command -v script >/dev/null; then
	skip "progress line" "script(1) is missing (Debian package bsdutils)"
elif [ ! -f "$gen" ]; then
	skip "progress line" "no $gen to build a capture"
elif ! "$PY" "$gen" --mb 3 --samples "$S" "$T/big.pcap" >"$T/gen.log" 2>&1; then
	bad "progress line: building a 3 MB capture" "$(tail -2 "$T/gen.log")"
else
	feed="{ head -c 1000000 '$T/big.pcap'; sleep 1.5; tail -c +1000001 '$T/big.pcap'; }"
	script -qec "stty cols 50; $feed | '$WSTAP' -r -" "$T/tty1" >/dev/null 2>&1
	script -qec "stty cols 50; $feed | '$WSTAP' -q -r -" "$T/tty2" >/dev/null 2>&1
	script -qec "stty cols 50; $feed | '$WSTAP' -r - -T jsonl -o '$T/o.jsonl'" "$T/tty3" >/dev/null 2>&1
	"$PY" - "$T/tty1" "$T/tty2" "$T/tty3" "$T/o.jsonl" >"$T/progress" 2>&1 <<'PYEOF'
import re, sys
tty1, tty2, tty3, out = (open(p, 'rb').read() for p in sys.argv[1:])
line = re.compile(rb'\r(\d+ packets, [\d.]+ MB, \d+ legs, [\d.]+ MB/s)?[^\r\n]*\x1b\[K')
shown = [m for m in line.finditer(tty1) if m.group(0) != b'\r\x1b[K']
def say(ok, what, why=''):
    print(('ok ' if ok else 'FAIL ') + what + ('' if ok else ': ' + why))
say(bool(shown), 'progress line shown on a terminal after a second',
    repr(tty1[-300:]))
say(all(m.group(1) or len(m.group(0)) - 4 == 49 for m in shown) and
    any(m.group(1) and not m.group(1).startswith(b'0 ') for m in shown),
    'progress line names packets, MB (from a pipe), legs, rate',
    repr([m.group(0) for m in shown][:3]))
say(all(len(m.group(0)) - 4 <= 49 for m in shown),
    'progress line cut to the terminal width',
    repr([m.group(0) for m in shown][:3]))
# After each progress line the next bytes rewrite or erase it: output
# never lands on the same screen line.
after = [tty1[m.end():m.end() + 4] for m in shown]
say(all(a.startswith(b'\r') for a in after),
    'output on the same terminal erases the progress line first',
    repr(after[:3]))
say(b'legs:' in tty1, 'the summary reaches the terminal', repr(tty1[-200:]))
say(not any(m.group(1) for m in line.finditer(tty2)), '-q: no progress line',
    repr(tty2[-200:]))
say(bool(line.search(tty3)) and b'packets,' not in out and b'\r' not in out,
    '-o FILE: progress on the terminal, none in the file', repr(out[:100]))
PYEOF
	while read -r verdict rest; do
		case $verdict in
		ok) ok "$rest" ;;
		FAIL) bad "${rest%%: *}" "${rest#*: }" ;;
		*) bad "progress check" "$verdict $rest" ;;
		esac
	done <"$T/progress"
fi

# ---- make install into a DESTDIR -----------------------------------
D=$T/dest
bindir=${WSTAP_BINDIR:-/usr/local/bin}
man1dir=${WSTAP_MAN1DIR:-/usr/local/share/man/man1}
compdir=${WSTAP_COMPLETIONSDIR:-/usr/local/share/bash-completion/completions}
if (cd "$BUILD" && $MK install DESTDIR="$D") >"$T/install.log" 2>&1; then ok "make install DESTDIR=..."
else bad "make install DESTDIR=..." "$(tail -5 "$T/install.log")"; fi
inst=$D$bindir/wstap
if [ -x "$inst" ]; then ok "binary installed in \$DESTDIR$bindir"
else bad "binary installed" "no $inst"; fi
"$inst" -r "$S/seed_connect.pcap" >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" = 0 ] && grep -q '^1 legs: ok 1' "$T/out"; then ok "installed binary reads a sample"
else bad "installed binary reads a sample" "exit $rc: $(head -c 200 "$T/err")"; fi
"$inst" -V >"$T/out" 2>&1
if [ "$(head -1 "$T/out")" = "wstap ${WSTAP_VERSION:-?}" ]; then ok "installed -V says wstap ${WSTAP_VERSION:-?}"
else bad "installed -V" "first line '$(head -1 "$T/out")'"; fi
for lib in libpcap zlib ncurses; do
	if grep -qi "^$lib" "$T/out"; then ok "-V names $lib"; else bad "-V names $lib" "$(tr '\n' '|' <"$T/out")"; fi
done
if grep -q '^#define HAVE_LIBCRYPTO 1' "$BUILD/config.h" 2>/dev/null; then
	if grep -q '^OpenSSL' "$T/out"; then ok "-V names OpenSSL"; else bad "-V names OpenSSL" "$(tr '\n' '|' <"$T/out")"; fi
fi

man1=$D$man1dir/wstap.1
if cmp -s "$man1" "$man_src"; then ok "man page installed in \$DESTDIR$man1dir"
else bad "man page installed" "no $man1 or it differs from docs/wstap.1"; fi
if ! command -v man >/dev/null; then
	skip "man page renders without warnings" "'man' is not installed (apt-get install man-db groff)"
else
	# man-db's seccomp sandbox fails inside some containers; it guards
	# against untrusted pages, and this one is ours.
	MANWIDTH=80 MAN_DISABLE_SECCOMP=1 man --warnings -l "$man1" >"$T/man.txt" 2>"$T/man.err"
	rc=$?
	if [ "$rc" = 0 ] && [ ! -s "$T/man.err" ]; then ok "man --warnings -l renders it without warnings"
	else bad "man --warnings -l" "exit $rc: $(head -c 500 "$T/man.err")"; fi
	if grep -q '^NAME' "$T/man.txt" && grep -q 'EXIT STATUS' "$T/man.txt"; then ok "rendered page has NAME and EXIT STATUS"
	else bad "rendered page" "$(head -c 200 "$T/man.txt")"; fi
	long=$(awk 'length > 80' "$T/man.txt" | head -1)
	if [ -z "$long" ]; then ok "rendered page fits 80 columns"
	else bad "rendered page fits 80 columns" "$long"; fi
fi

comp=$D$compdir/wstap
if cmp -s "$comp" "$comp_src"; then ok "completion installed in \$DESTDIR$compdir"
else bad "completion installed" "no $comp or it differs from completion/wstap"; fi
# complete WORDS...: what the completion offers for the last word.
complete_words() {
	bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_wstap; printf "%s\n" "${COMPREPLY[@]}"' _ "$comp" "$@" 2>&1 | sort | tr '\n' ' '
}
got=$(complete_words wstap -T j)
if [ "$got" = "jsonl " ]; then ok "completion: -T j -> jsonl"; else bad "completion: -T j" "[$got]"; fi
got=$(complete_words wstap --max-)
if [ "$got" = "--max-inflate --max-message " ]; then ok "completion: --max- -> --max-inflate --max-message"
else bad "completion: --max-" "[$got]"; fi
mkdir -p "$T/cwd" && : >"$T/cwd/cap one.pcap"
got=$(cd "$T/cwd" && complete_words wstap -r cap)
if [ "$got" = "cap one.pcap " ]; then ok "completion: -r completes file names"
else bad "completion: -r cap" "[$got]"; fi
mkdir "$T/cwd/legs" && : >"$T/cwd/legs.txt"
got=$(cd "$T/cwd" && complete_words wstap -w leg)
if [ "$got" = "legs " ]; then ok "completion: -w completes directories only"
else bad "completion: -w leg" "[$got]"; fi
got=$(complete_words wstap -r "$S/seed_connect.pcap" -)
if [[ " $got" == *" -T "* && " $got" == *" --max-message "* ]]; then ok "completion: - lists the flags"
else bad "completion: -" "[$got]"; fi

# ---- make uninstall ------------------------------------------------
if (cd "$BUILD" && $MK uninstall DESTDIR="$D") >"$T/uninstall.log" 2>&1; then ok "make uninstall DESTDIR=..."
else bad "make uninstall DESTDIR=..." "$(tail -5 "$T/uninstall.log")"; fi
left=$(find "$D" ! -type d | head -5)
if [ -z "$left" ]; then ok "uninstall leaves no files in the DESTDIR"
else bad "uninstall leaves no files" "$left"; fi

# ---- another prefix ------------------------------------------------
P=$T/prefix
(cd "$BUILD" && $MK install prefix="$P") >"$T/install2.log" 2>&1
found=$(cd "$P" 2>/dev/null && find . ! -type d | sort | tr '\n' ' ')
want="./bin/wstap ./share/bash-completion/completions/wstap ./share/doc/wstap/README.md ./share/doc/wstap/caps.md ./share/doc/wstap/jsonl.md ./share/man/man1/wstap.1 "
if [ "$found" = "$want" ]; then ok "make install prefix=DIR puts exactly the binary, manual, completion and docs there"
else bad "make install prefix=DIR" "found [$found] want [$want]; $(tail -3 "$T/install2.log")"; fi
"$P/bin/wstap" -r "$S/seed_connect.pcap" -q -T jsonl >"$T/out" 2>&1
if grep -q '"type":"stats"' "$T/out"; then ok "binary in the other prefix runs"
else bad "binary in the other prefix runs" "$(head -c 200 "$T/out")"; fi
(cd "$BUILD" && $MK uninstall prefix="$P") >"$T/uninstall2.log" 2>&1
left=$(find "$P" ! -type d 2>/dev/null | head -5)
if [ -z "$left" ]; then ok "make uninstall prefix=DIR leaves no files"
else bad "make uninstall prefix=DIR" "$left"; fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
