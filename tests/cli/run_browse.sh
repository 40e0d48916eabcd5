#!/bin/bash
# The terminal browser end to end: the real binary in a detached tmux
# pane at a fixed size, driven with send-keys, the screen read back with
# capture-pane.  Checks what a user sees: failures on the first screen,
# a 407's explanation two keys away, panes, search, help, export, resize,
# the terminal restored after q, and no captured escape sequence acting
# on the terminal.  Ends with "N passed, M failed"; skips (exit 77) when
# tmux is missing.
set -u
WSTAP=${WSTAP:-./wstap}
S=${SAMPLES:-$(dirname "$0")/../../samples}
HERE=$(cd "$(dirname "$0")" && pwd)
if ! command -v tmux >/dev/null 2>&1; then
	echo "SKIP: tmux is not installed (apt-get install tmux)"
	echo "0 passed, 0 failed"
	exit 77
fi
T=$(mktemp -d)
SOCK="wstap-browse-$$"
tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$T"' EXIT
pass=0 fail=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }

screen() { tm capture-pane -p -t t; }
# wait_for PATTERN: up to 5 s for the screen to show it.
wait_for() {
	for _ in $(seq 50); do
		screen >"$T/screen" 2>/dev/null
		grep -qE -- "$1" "$T/screen" && return 0
		sleep 0.1
	done
	return 1
}
# expect NAME PATTERN: the screen shows PATTERN (waits for it).
expect() {
	if wait_for "$2"; then ok "$1"; else bad "$1" "no /$2/ on screen:
$(cat "$T/screen")"; fi
}
# keys K...: one key at a time.  Esc gets time of its own: a terminal
# cannot tell Esc followed quickly by a key from an Alt- sequence.
keys() {
	local k
	for k in "$@"; do
		tm send-keys -t t "$k"
		if [ "$k" = Escape ]; then sleep 0.4; else sleep 0.1; fi
	done
}

# start FILE COLS ROWS: wstap -b in a fresh pane; when it exits the pane
# prints its exit code and the terminal modes, then waits.
start() {
	tm kill-session -t t 2>/dev/null
	tm new-session -d -s t -x "$2" -y "$3" \
		"cd '$T' && TERM=screen TZ=UTC LANG=C.UTF-8 NO_COLOR= '$WSTAP' -b -r '$1'; echo EXIT=\$?; stty -a | tr ' ' '\n' | grep -xE -- '-?(icanon|echo)' | tr '\n' ' '; echo; sleep 60"
	tm set-option -t t -g status off >/dev/null
}

# 1. squid_407 at 100x30: the failure is on the first screen.
start "$S/squid_407.pcap" 100 30
expect "first screen: title counts legs and failures" "squid_407.pcap +3 legs, 1 failed"
expect "first screen: the failed leg and its verdict" "^ +1 [0-9:]+ +proxy_auth_required +connect"
expect "first screen: linked legs grouped" "└ 127\.0\.0\.1:[0-9]+ → 127\.0\.0\.1:9001"
# 2. two keys: f (failures only), Enter: the 407's explanation and realm
keys f
expect "f: failures only" "sort time +failures"
keys Enter
expect "Enter: the 407 explained" "demanded authentication for CONNECT"
expect "Enter: the realm" 'realm="wstap-lab"'
expect "detail: timeline with packet numbers" "#6 +proxy answered 407"
keys Tab
expect "Tab: messages pane" "\[messages\]"
keys Escape
keys Escape
keys f
expect "Esc Esc f: back to all legs" "^ +2 [0-9:]+ +ok"
# 3. search payloads
keys / h e l l o Enter
expect "/hello: found in a leg" "found in leg [23]"
keys Enter
keys n
expect "n: the matching message selected" "message [0-9]+/[0-9]+ .*text"
keys Escape Escape
expect "Esc Esc: back to the list" "Enter open  f failures"
# 4. help lists the keys
keys '?'
expect "?: help" "wstap: keys"
expect "?: help lists Tab and export" "export the selected leg"
keys Escape
# 5. export the selected (first) leg with the prompt's default name
keys g x
expect "x: prompt with a file name" "export to: wstap-leg-[0-9]+\.txt"
keys Enter
expect "x: written" "leg [0-9]+ written to wstap-leg-[0-9]+\.txt \(transcript"
id=$(grep -oE 'wstap-leg-[0-9]+' "$T/screen" | head -1 | grep -oE '[0-9]+$')
if [ -n "$id" ] && [ -s "$T/wstap-leg-$id.txt" ]; then
	# the same transcript -T transcript -s gives, but for the final tally
	"$WSTAP" -r "$S/squid_407.pcap" -T transcript -s "$id" | sed '$d' >"$T/want"
	sed '$d' "$T/wstap-leg-$id.txt" >"$T/got"
	if cmp -s "$T/want" "$T/got"; then ok "export equals -T transcript -s $id"; else bad "export" "$(diff "$T/want" "$T/got" | head -20)"; fi
else
	bad "export" "no file wstap-leg-$id.txt"
fi
# 6. resize: re-laid out at 80x24
tm resize-window -t t -x 80 -y 24
expect "resize: 80 columns layout (short via names)" "^ +1 [0-9:]+ +proxy_auth_required conn "
wide=0
while IFS= read -r line; do
	[ "$(printf '%s' "$line" | LC_ALL=C.UTF-8 wc -m)" -le 80 ] || wide=1
done <"$T/screen"
if [ "$wide" = 0 ]; then ok "resize: no line wider than 80"; else bad "resize" "a line is wider than 80"; fi
# 7. q quits and the terminal is back as it was
keys q
expect "q: wstap exits 0" "^EXIT=0"
if grep -qE '(^| )icanon( |$)' "$T/screen" && grep -qE '(^| )echo( |$)' "$T/screen"; then ok "terminal restored (icanon, echo)"; else bad "terminal restored" "$(grep -E 'icanon|echo' "$T/screen")"; fi

# 8. hostile bytes: escape sequences in a head, messages and a close
# reason are shown escaped and never act on the terminal.
"${PYTHON:-python3}" "$HERE/make_hostile.py" "$T/hostile.pcap"
start "$T/hostile.pcap" 100 30
expect "hostile: listed" "1 legs?, "
keys Enter G
expect "hostile: the header shown escaped" 'X-Evil: \\x1b\[2J\\x1b\]0;pwned\\x07\\u\{202e\}'
keys Tab
expect "hostile: the message shown escaped" '\\x1b\[31mred\\u\{202e\}\\u\{009b\}'
title=$(tm display-message -p -t t '#{pane_title}')
case "$title" in
*pwned*) bad "hostile: no OSC reached the terminal" "pane title '$title'" ;;
*) ok "hostile: no OSC reached the terminal" ;;
esac
if LC_ALL=C grep -q $'\x1b' "$T/screen"; then bad "hostile: no raw ESC on screen" "found"; else ok "hostile: no raw ESC on screen"; fi
keys q q q
expect "hostile: exits 0" "^EXIT=0"

# 9. not a terminal: a one-line error, exit 2
"$WSTAP" -b -r "$S/squid_407.pcap" >"$T/out" 2>"$T/err" </dev/null
rc=$?
if [ "$rc" = 2 ] && grep -q "needs a terminal" "$T/err"; then ok "-b without a terminal: exit 2, one line"; else bad "-b without a terminal" "exit $rc: $(cat "$T/err")"; fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
