# browse_live.sh - `wstap -b -i lo` end to end, sourced by run_live.sh
# once squid ($PROXY) and the echo server ($SRV) are up: the browser runs
# in a detached tmux pane at 100x30 while real clients talk through squid,
# and capture-pane shows what a user sees.  Checks that new legs appear
# with their verdicts and message counts, that a held WebSocket's row is
# updated in place when more traffic comes (and its selection stays on
# it), that a proxy failure is counted, that the status line gives the
# interface, packets and drops, that -c stops the capture and leaves the
# browser open, and that q and SIGINT (Ctrl-C) end it with exit 0 and the
# capture's figures on stderr.  Uses ok/bad/check, $W, $PY, $LAB, $HERE
# from run_live.sh.

if ! command -v tmux >/dev/null 2>&1; then
	echo "skip: tmux is not installed (apt-get install tmux); the live browser was not tested"
	return 0
fi

BSOCK="wstap-live-browse-$$"
btm() { tmux -L "$BSOCK" -f /dev/null "$@"; }
BN=0 # the current session is b$BN
bscreen() { btm capture-pane -p -t "b$BN"; }
bkeys() { btm send-keys -t "b$BN" "$@"; }
# bwait PATTERN [TENTHS]: the screen shows the ERE (default 15 s).
bwait() {
	local i
	for ((i = 0; i < ${2:-150}; i++)); do
		bscreen >"$W/bscreen" 2>/dev/null
		grep -qE -- "$1" "$W/bscreen" && return 0
		sleep 0.1
	done
	return 1
}
bexpect() {
	if bwait "$2" "${3:-150}"; then ok "$1"; else bad "$1" "no /$2/ on screen:
$(cat "$W/bscreen")"; fi
}
# bstart ARGS...: wstap -b ARGS in a fresh 100x30 pane; its stderr goes
# to $W/b.err, and when it exits the pane shows EXIT=code.  The session
# before it is killed after the new one exists, so the tmux server never
# exits between runs (a new session can race a server shutting down).
bstart() {
	BN=$((BN + 1))
	btm new-session -d -s "b$BN" -x 100 -y 30 \
		"TERM=screen TZ=UTC LANG=C.UTF-8 NO_COLOR= '$WSTAP' -b $* 2>'$W/b.err'; echo EXIT=\$?; sleep 60"
	btm set-option -t "b$BN" -g status off >/dev/null
	# run_live.sh's cleanup ends the tmux server too
	[ "$BN" = 1 ] && PIDS+=("$(btm display-message -p '#{pid}')")
	btm kill-session -t "b$((BN - 1))" 2>/dev/null
}
# the row of leg ID: "  ID hh:mm:ss verdict ..."
brow() { grep -E "^ *$1 [0-9:]{8} " "$W/bscreen" | head -1; }

not_open() { ! grep -qE '^ +1 [0-9:]{8} +open ' "$W/bscreen"; }
# A CONNECT that squid cannot open (nothing listens on $CLOSED): 503.
CLOSED=$(free_ports 1)
connect_refused() {
	"$PY" - "$PROXY" "$CLOSED" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
s.sendall(b"CONNECT 127.0.0.1:%s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n\r\n" %
	(sys.argv[2].encode(), sys.argv[2].encode()))
s.settimeout(5)
print(s.recv(200).split(b"\r\n")[0].decode())
s.close()
EOF
}

# 1. start on lo; the screen says it is capturing, the status line gives
#    the interface and its figures.
bstart -i lo -f "'$FILTER'" --idle 30
bexpect "live browser: the title says capturing" "wstap lo +0 legs, 0 failed, capturing"
bexpect "live browser: the status line gives the interface, packets, drops" \
	"live lo: [0-9]+ packets, 0 dropped *$"
bexpect "live browser: an empty list says so" "no legs yet"

# 2. a WebSocket through squid that stays open: its rows appear while it
#    is open, with the message counts (one text each way so far).
"$PY" "$HERE/ws_hold.py" --proxy "127.0.0.1:$PROXY" --target "127.0.0.1:$SRV" \
	--hold 4 >"$W/bhold.out" 2>&1 &
BHOLD=$!
PIDS+=($BHOLD)
bexpect "open WebSocket: both legs listed while open, 1 message each way" \
	"^ +[0-9]+ [0-9:]{8} +open +connect +127\.0\.0\.1:[0-9]+ → 127\.0\.0\.1:$PROXY → 127\.0\.0\.1:$SRV +1/1 "
bexpect "  ... and squid's onward leg, linked under it" \
	"└ 127\.0\.0\.1:[0-9]+ → 127\.0\.0\.1:$SRV +1/1 "
bexpect "  ... the packets counted in the status line" "live lo: [1-9][0-9]* packets"
held=$(grep -E "connect +127\.0\.0\.1:[0-9]+ → 127\.0\.0\.1:$PROXY" "$W/bscreen" |
	head -1 | awk '{print $1}')
# sort by verdict (s) and select the held leg (g: the first row): the
# legs that come next sort above it, an open leg being last
bkeys s g
bexpect "s: sorted by verdict" "sort verdict *$"

# 3. more traffic: the scripted client's session and a refused CONNECT
#    add rows; the held leg's counts update when it talks again and its
#    verdict once it closed (ended legs wait 5 s for their other side).
if "$PY" "$LAB/ws_client.py" --capture live-browse --out "$W/btruth.json" \
	--proxy "127.0.0.1:$PROXY" --target "127.0.0.1:$SRV" \
	--description "live browser test" >"$W/bclient.out" 2>&1; then
	ok "live browser: the scripted client talked through squid"
else
	bad "live browser: the scripted client talked through squid" "$(tail -c 300 "$W/bclient.out")"
fi
line=$(connect_refused 2>&1)
check "live browser: squid refused the CONNECT to a closed port ($line)" \
	test "${line#* }" != "${line}" -a "${line:9:3}" = 503
wait "$BHOLD" 2>/dev/null
bexpect "more traffic: the held leg's row updated to its verdict and 3 messages each way" \
	"^ +$held [0-9:]{8} +ok +connect +.* 3/3 " 150
bexpect "more traffic: the refused CONNECT is listed as proxy_error" \
	"^ +[0-9]+ [0-9:]{8} +proxy_error +connect +.*127\.0\.0\.1:$CLOSED " 150
bexpect "more traffic: the title counts the failure" "wstap lo +[0-9]+ legs, 1 failed, capturing"
nrows=$(grep -cE '^ +[0-9]+ [0-9:]{8} ' "$W/bscreen")
check "more traffic: rows were added ($nrows legs on screen)" test "$nrows" -ge 5
# the selection stayed on the held leg: Enter opens it
bkeys Enter
bexpect "the selection stayed on the held leg as rows arrived (Enter opens leg $held)" \
	"^ leg $held +ok +connect "
bexpect "  ... its detail has the messages, the status line the live figures" \
	"live lo: [0-9]+ packets, 0 dropped *$"
bkeys Escape
sleep 0.4
# 4. q stops the capture: exit 0, the figures on stderr as without -b
bkeys q
bexpect "q: the live browser exits 0" "^EXIT=0" 50
check "  ... with the capture's figures on stderr" \
	grep -qE '^wstap: lo: [0-9]+ packets captured, [0-9]+ received by filter, 0 dropped by kernel, 0 dropped by interface$' "$W/b.err"
check "  ... and nothing else on stderr" test "$(wc -l <"$W/b.err")" = 1

# 5. Ctrl-C (SIGINT) ends it cleanly too, saying it was interrupted.
bstart -i lo -f "'$FILTER'"
bexpect "Ctrl-C run: capturing" "capturing"
bkeys C-c
bexpect "Ctrl-C: the live browser exits 0" "^EXIT=0" 50
check "  ... the figures say (interrupted)" \
	grep -qE '^wstap: lo: [0-9]+ packets captured, .*\(interrupted\)$' "$W/b.err"

# 6. -c: the capture stops after COUNT packets, the browser stays open
#    with what it saw, its open legs ended (with a verdict, as without
#    -b: which one depends on where the 6 packets cut the exchange).
bstart -i lo -f "'$FILTER'" -c 6
bexpect "-c 6 run: capturing" "capturing"
"$PY" "$HERE/ws_hold.py" --proxy "127.0.0.1:$PROXY" --target "127.0.0.1:$SRV" \
	--hold 0 >"$W/bhold2.out" 2>&1
bexpect "-c 6: the capture stopped, the browser stays" \
	"wstap lo +[0-9]+ legs?, [0-9]+ failed, capture stopped"
bexpect "  ... the status line says stopped after 6 packets" "stopped lo: 6 packets, 0 dropped *$"
bexpect "  ... the leg cut by -c has ended (not open)" "^ +1 [0-9:]{8} +[a-z_]+ +connect "
check "  ... (its verdict is not 'open')" not_open

bkeys q
bexpect "-c 6: q exits 0" "^EXIT=0" 50

# 7. errors come before the screen is taken: a bad filter is exit 2.
bstart -i lo -f "'tcp prot 80'"
bexpect "a bad filter: exit 2" "^EXIT=2" 50
check "  ... with libpcap's reason on stderr" grep -q 'syntax error' "$W/b.err"
btm kill-server 2>/dev/null
