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

# TLS decryption: --keylog, $SSLKEYLOGFILE, pcapng secrets, bad lines,
# the wrong key and a key log without this session.
unset SSLKEYLOGFILE
G=$S/wss_tls12_gcm
expect "--keylog missing file" 2 "$WSTAP" -r "$G.pcap" --keylog "$T/none.keys"
one_line "--keylog missing file: one line" "cannot read the key log .*none.keys: No such file"
expect "--keylog" 0 "$WSTAP" -r "$G.pcap" --keylog "$G.keys" -T jsonl
has "--keylog: decrypted" "$T/out" '"decrypted":true,"cipher":"0xc02b"'
has "--keylog: the certificate" "$T/out" '"cert":\{"subject":"wss.lab.test","san":"wss.lab.test, 127.0.0.1","issuer":"wss.lab.test"'
has "--keylog: stats count decrypted legs" "$T/out" '"tls_decrypted_legs":2'
expect "SSLKEYLOGFILE" 0 env SSLKEYLOGFILE="$G.keys" "$WSTAP" -r "$G.pcap" -T jsonl
has "SSLKEYLOGFILE is the default key log" "$T/out" '"verdict":"ok"'
expect "SSLKEYLOGFILE unreadable" 0 env SSLKEYLOGFILE="$T/none.keys" "$WSTAP" -r "$G.pcap" -T jsonl
one_line "SSLKEYLOGFILE unreadable: a warning" "warning: SSLKEYLOGFILE=.*none.keys cannot be read"
has "SSLKEYLOGFILE unreadable: not decrypted" "$T/out" '"verdict":"tls_encrypted"'
{ echo "garbage"; cat "$G.keys"; echo "CLIENT_RANDOM 00"; } >"$T/bad.keys"
expect "key log with bad lines" 0 "$WSTAP" -r "$G.pcap" --keylog "$T/bad.keys" -T jsonl
one_line "bad lines: counted, first named" "bad.keys: 2 line\(s\) are not key log lines \(the first is line 1\)"
has "bad lines: the rest still decrypts" "$T/out" '"decrypted":true'
sed -E 's/ (.)([0-9a-f]{95})$/ f\2/; s/ f([0-9a-f]{95})$/ 0\1/' "$G.keys" >"$T/wrong.keys"
if cmp -s "$G.keys" "$T/wrong.keys"; then bad "wrong key made" "identical"; fi
expect "wrong key" 0 "$WSTAP" -r "$G.pcap" --keylog "$T/wrong.keys" -T jsonl
has "wrong key: tls_encrypted" "$T/out" '"verdict":"tls_encrypted"'
has "wrong key: said in the explanation" "$T/out" 'failed to decrypt it \(authentication failed\)'
has "wrong key: a note, not garbage" "$T/out" '"code":"tls_decrypt_failed"'
hasnt "wrong key: no messages" "$T/out" '"type":"message"'
expect "key log of another session" 0 "$WSTAP" -r "$G.pcap" --keylog "$S/wss_tls12_chacha.keys" -T jsonl
R=$(awk '!/^#/ {print $2; exit}' "$G.keys")
has "no key: the explanation names the client random" "$T/out" "has no line for its client random $R"
has "no key: keys missing" "$T/out" '"keys":"missing"'
expect "pcapng secrets" 0 "$WSTAP" -r "$S/wss_tls12_gcm_dsb.pcapng" -T jsonl
has "pcapng secrets: decrypted without --keylog" "$T/out" '"tls_decrypted_legs":2'
expect "KeyUpdate" 0 "$WSTAP" -r "$S/wss_tls13_keyupdate.pcap" --keylog "$S/wss_tls13_keyupdate.keys" -T jsonl
has "KeyUpdate: both directions followed" "$T/out" '"key_updates":\{"client":1,"server":1\}'
has "KeyUpdate: the message after it" "$T/out" '"text":"and once more"'

# Terminal safety: a capture whose HTTP head and message carry escape
# sequences must not put a raw ESC on the terminal in any format.
"${PYTHON:-python3}" "$(dirname "$0")/make_hostile.py" "$T/hostile.pcap"
for fmt in summary transcript jsonl har; do
	expect "hostile bytes, -T $fmt" 0 "$WSTAP" -r "$T/hostile.pcap" -T $fmt
	if LC_ALL=C grep -q $'\x1b' "$T/out"; then bad "no raw ESC in -T $fmt" "found"; else ok "no raw ESC in -T $fmt"; fi
done
expect "hostile transcript" 0 "$WSTAP" -r "$T/hostile.pcap" -T transcript
has "escapes are shown as \\x1b" "$T/out" '\\x1b\[2J'
# HAR and -w (tests/exports/run_exports.sh checks them in depth).
expect "-T har" 0 "$WSTAP" -r "$S/squid_connect_ws.pcap" -T har
has "-T har: CONNECT is an entry" "$T/out" '"method":"CONNECT","url":"http://127.0.0.1:9001"'
has "-T har: DevTools' websocket entry" "$T/out" '"_resourceType":"websocket","_webSocketMessages":\[\{"type":"send","time":[0-9.]+,"opcode":1,"data":"hello"\}'
has "-T har: binary as base64" "$T/out" '"opcode":2,"data":"AAECf4D\+/w=="'
expect "-w with -T summary" 0 "$WSTAP" -r "$S/squid_connect_ws.pcap" -w "$T/w"
has "-w: the summary is still written" "$T/out" "^2 legs: ok 2"
if [ -s "$T/w/0001_127.0.0.1.37142-127.0.0.1.3128.pcap" ] && [ -s "$T/w/0002_127.0.0.1.53508-127.0.0.1.9001.pcap" ] && [ "$(ls "$T/w" | wc -l)" = 2 ]; then ok "-w: one file per leg, named by id and endpoints"; else bad "-w files" "$(ls "$T/w")"; fi
expect "-w reads back" 0 "$WSTAP" -r "$T/w/0002_127.0.0.1.53508-127.0.0.1.9001.pcap"
has "-w: the leg's file tells the same story" "$T/out" "^1 legs: ok 1"
expect "--pcapng without -w" 2 "$WSTAP" -r "$S/squid_connect_ws.pcap" --pcapng
one_line "--pcapng without -w: one line" "--pcapng.*give -w DIR"

# --linked: both legs of the proxy in one block, in time order: the
# client's Upgrade (leg 1) before the proxy's onward copy (leg 2), which
# comes before the server's 101 (leg 2) and its relay to the client (leg 1).
expect "--linked transcript" 0 "$WSTAP" -r "$S/squid_connect_ws.pcap" -T transcript --linked
if grep -q '^=== leg 1: .*(linked to leg 2) ===$' "$T/out" &&
   [ "$(grep -A1 '^=== leg 1:' "$T/out" | tail -1 | cut -c1-10)" = "=== leg 2:" ]; then
	ok "--linked: both headings together"
else
	bad "--linked" "headings not paired: $(grep '^===' "$T/out" | head -3)"
fi
order=$(grep -E '^\[leg [12]\] (client > proxy|client > server|server > client|proxy > client)$' "$T/out" | head -6 | tr '\n' '|')
want='[leg 1] client > proxy|[leg 1] proxy > client|[leg 1] client > proxy|[leg 2] client > server|[leg 2] server > client|[leg 1] proxy > client|'
if [ "$order" = "$want" ]; then ok "--linked: heads in time order across legs"; else bad "--linked order" "$order"; fi
n1=$(grep -c '^\[leg 1\] client > server  ' "$T/out")
n2=$(grep -c '^\[leg 2\] client > server  ' "$T/out")
if [ "$n1" -gt 0 ] && [ "$n1" = "$n2" ]; then ok "--linked: every client message on both legs ($n1)"; else bad "--linked messages" "$n1 vs $n2"; fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
