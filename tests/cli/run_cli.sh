#!/bin/bash
# Command-line behaviour: exit codes 0/1/2, one-line errors naming the
# thing, damaged captures, stdin, -o, -c, -s, filters, terminal safety.
# Prints one line per check and ends with "N passed, M failed".
set -u
WSTAP=${WSTAP:-./wstap}
S=${SAMPLES:-$(dirname "$0")/../../samples}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0

ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }

# expect NAME RC CMD...: runs CMD, checks the exit code; out/err kept.
expect() {
	local name=$1 want=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	local rc=$?
	if [ "$rc" = "$want" ]; then ok "$name (exit $rc)"; else bad "$name" "exit $rc, want $want; stderr: $(head -c 300 "$T/err")"; fi
}
# one_line NAME PATTERN: stderr is exactly one line matching PATTERN.
one_line() {
	local n
	n=$(wc -l <"$T/err")
	if [ "$n" = 1 ] && grep -qE -- "$2" "$T/err"; then ok "$1"; else bad "$1" "stderr ($n lines): $(head -c 300 "$T/err")"; fi
}
has() { if grep -qE -- "$3" "$2"; then ok "$1"; else bad "$1" "no /$3/ in $(head -c 300 "$2")"; fi; }
hasnt() { if grep -qE -- "$3" "$2"; then bad "$1" "found /$3/"; else ok "$1"; fi; }

expect "not a capture" 1 "$WSTAP" -r "$S/not_a_capture.pcap"
one_line "not a capture: one line naming the file" "not_a_capture.pcap: not a readable pcap"
expect "missing file" 1 "$WSTAP" -r "$T/none.pcap"
one_line "missing file: one line" "none.pcap: cannot open: No such file"
expect "damaged capture" 1 "$WSTAP" -r "$S/seed_truncated.pcap"
has "damaged capture: sessions before the cut reported" "$T/out" "^leg 1 .*\[ok\]"
one_line "damaged capture: warning names the offset" "record of packet 15 at file offset 1946 is damaged"
expect "no input" 2 "$WSTAP"
one_line "no input: one line" "no input: give a capture with -r FILE"
expect "unknown format" 2 "$WSTAP" -r "$S/seed_connect.pcap" -T xml
one_line "unknown format: one line" "-T 'xml': unknown format"
expect "unknown option" 2 "$WSTAP" -Z
expect "missing option value" 2 "$WSTAP" -r
expect "bad count" 2 "$WSTAP" -r "$S/seed_connect.pcap" -c zero
expect "bad size" 2 "$WSTAP" -r "$S/seed_connect.pcap" --max-message 12Q
expect "stray argument" 2 "$WSTAP" -r "$S/seed_connect.pcap" extra
expect "bad filter" 2 "$WSTAP" -r "$S/seed_connect.pcap" -f "tcp port"
one_line "bad filter: one line naming it" "filter 'tcp port'"
expect "help" 0 "$WSTAP" -h
has "help lists -r and -T" "$T/out" "-T FORMAT"
expect "version" 0 "$WSTAP" -V
has "version names libpcap and zlib" "$T/out" "libpcap.*"
has "version names zlib" "$T/out" "^zlib "

expect "stdin" 0 sh -c "\"$WSTAP\" -r - < \"$S/seed_connect.pcap\""
has "stdin: the leg is read" "$T/out" "^1 legs: ok 1"
expect "-o FILE" 0 "$WSTAP" -r "$S/seed_connect.pcap" -T jsonl -o "$T/o.jsonl"
if [ ! -s "$T/out" ] && grep -q '"type":"stats"' "$T/o.jsonl"; then ok "-o writes the file, not stdout"; else bad "-o" "stdout not empty or file lacks stats"; fi
expect "-c 6" 0 "$WSTAP" -r "$S/seed_connect.pcap" -c 6 -T jsonl
has "-c 6 reads 6 packets" "$T/out" '"type":"stats","packets":6,'
expect "-f filter" 0 "$WSTAP" -r "$S/squid_connect_ws.pcap" -f "tcp port 3128"
has "-f keeps the proxy leg" "$T/out" "^1 legs: ok 1"
expect "-s 2" 0 "$WSTAP" -r "$S/squid_connect_ws.pcap" -s 2 -T jsonl
if [ "$(grep -c '"type":"session"' "$T/out")" = 1 ] && grep -q '"type":"session","id":2,' "$T/out"; then ok "-s reports only that leg"; else bad "-s" "$(grep -c '"type":"session"' "$T/out") session records"; fi

# Terminal safety: a capture whose HTTP head and message carry escape
# sequences must not put a raw ESC on the terminal in any format.
"${PYTHON:-python3}" "$(dirname "$0")/make_hostile.py" "$T/hostile.pcap"
for fmt in summary transcript jsonl; do
	expect "hostile bytes, -T $fmt" 0 "$WSTAP" -r "$T/hostile.pcap" -T $fmt
	if LC_ALL=C grep -q $'\x1b' "$T/out"; then bad "no raw ESC in -T $fmt" "found"; else ok "no raw ESC in -T $fmt"; fi
done
expect "hostile transcript" 0 "$WSTAP" -r "$T/hostile.pcap" -T transcript
has "escapes are shown as \\x1b" "$T/out" '\\x1b\[2J'

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
