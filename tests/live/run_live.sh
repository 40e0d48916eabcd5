#!/bin/bash
# Live capture tests (wstap -i, and wstap -b -i in browse_live.sh):
# option errors anyone can check; as root, the interface errors (no such
# interface, bad filter, no permission, interface down); and end to end on loopback with a real squid and a
# python3-websockets echo server: wstap sniffs lo while
# tests/lab/ws_client.py talks through squid, and its JSONL records are
# compared with the truth the client wrote (check_samples.py --jsonl).
# Also: idle legs expire and are reported while the capture runs, records
# reach a file as they complete, SIGINT ends the capture with the open
# legs reported as incomplete and exit 0, and the capture statistics.
#
# Parts that need root, squid or python3-websockets are skipped with a
# message when those are missing.  Last line: "N passed, M failed".
set -u
WSTAP=${WSTAP:-./wstap}
HERE=$(cd "$(dirname "$0")" && pwd)
LAB=$HERE/../lab
CHECK=$HERE/../captures/check_samples.py
PY=/usr/bin/python3           # the one with Debian's python3-websockets
CHECKPY=${PYTHON:-python3}
pass=0 fail=0
PIDS=()
W=$(mktemp -d /tmp/wstap-live.XXXXXX)

cleanup() {
	local i
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		kill -TERM "${PIDS[i]}" 2>/dev/null
	done
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		wait "${PIDS[i]}" 2>/dev/null
	done
	ip netns del wstap-live-down 2>/dev/null
	if [ "$fail" -eq 0 ] && [ "${KEEP_LIVE:-0}" != 1 ]; then
		rm -rf "$W"
	else
		echo "work files kept in $W"
	fi
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); echo "ok $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1${2:+: $2}"; }
# check DESC COMMAND...: passes when the command succeeds.
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}
# run WANT_RC DESC ARGS...: wstap's exit status and a one-line stderr.
run() {
	local want=$1 d=$2 rc lines
	shift 2
	timeout 20 "$WSTAP" "$@" >"$W/out" 2>"$W/err"
	rc=$?
	lines=$(wc -l <"$W/err")
	if [ "$rc" = "$want" ] && [ "$lines" = 1 ]; then
		ok "$d (exit $rc: $(cat "$W/err"))"
	else
		bad "$d" "exit $rc (want $want), $lines stderr line(s): $(head -c 400 "$W/err")"
	fi
}
has() { grep -qF -- "$2" "$1"; }

# --- option errors: no root needed ------------------------------------------
run 2 "-a duration:0 is refused" -i lo -a duration:0
run 2 "-a with an unknown condition is refused" -i lo -a filesize:10
run 2 "-a duration applies to live capture only" -r /dev/null -a duration:5
check "  ... and says so" has "$W/err" "live capture (-i)"
run 2 "-r and -i together are refused" -r /dev/null -i lo
run 2 "-B below 256 KiB is refused" -i lo -B 10
run 2 "--idle needs seconds" -i lo --idle soon

if [ "$(id -u)" != 0 ]; then
	echo "skip: the live capture tests need root (capturing on lo); run make check as root"
	finish
fi

# --- interface errors -------------------------------------------------------
timeout 10 "$WSTAP" -D >"$W/out" 2>"$W/err"
rc=$?
if [ "$rc" = 0 ] && grep -qE '^[0-9]+\.lo \[.*Loopback' "$W/out"; then
	ok "-D lists lo as tcpdump -D does"
else
	bad "-D lists lo as tcpdump -D does" "exit $rc: $(head -c 300 "$W/out" "$W/err")"
fi
run 1 "no such interface" -i wstap-nosuch0
check "  ... and names the interfaces there are" has "$W/err" "lo"
run 2 "a filter that does not compile" -i lo -f "tcp prot 80"
check "  ... shows the filter and libpcap's reason" \
	grep -qE 'tcp prot 80.*syntax error' "$W/err"
run 2 "a filter naming a port out of range" -i lo -f "tcp port 70000"
check "  ... says which number" has "$W/err" "70000"

if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
	mkdir -m 755 "$W/bin"
	cp "$WSTAP" "$W/bin/wstap"
	chmod 755 "$W" "$W/bin/wstap"
	timeout 10 setpriv --reuid=nobody --regid=nogroup --clear-groups \
		--inh-caps=-all "$W/bin/wstap" -i lo -a duration:1 >"$W/out" 2>"$W/err"
	rc=$?
	if [ "$rc" = 1 ] && [ "$(wc -l <"$W/err")" = 1 ] &&
		has "$W/err" "CAP_NET_RAW" && has "$W/err" "setcap cap_net_raw,cap_net_admin=eip $W/bin/wstap"; then
		ok "without privileges: says what is needed and how to grant it"
	else
		bad "without privileges: says what is needed" "exit $rc: $(head -c 400 "$W/err")"
	fi
else
	echo "skip: setpriv or user nobody missing; the no-permission case is not tested"
fi

if ip netns add wstap-live-down 2>/dev/null; then
	# A new network namespace's lo is down.
	timeout 10 ip netns exec wstap-live-down "$WSTAP" -i lo >"$W/out" 2>"$W/err"
	rc=$?
	if [ "$rc" = 1 ] && has "$W/err" "down" && has "$W/err" "ip link set lo up"; then
		ok "interface down: says so and how to bring it up"
	else
		bad "interface down" "exit $rc: $(head -c 300 "$W/err")"
	fi
	ip netns del wstap-live-down
else
	echo "skip: no network namespaces here; the interface-down case is not tested"
fi

# --- end to end through squid ----------------------------------------------
if ! command -v squid >/dev/null; then
	echo "skip: squid is not installed (apt-get install squid); the end-to-end live tests did not run"
	finish
fi
if ! "$PY" -c 'import websockets' 2>/dev/null; then
	echo "skip: $PY lacks websockets (apt-get install python3-websockets); the end-to-end live tests did not run"
	finish
fi

# free_ports N: a base port with N free ports after it on 127.0.0.1.
free_ports() {
	"$PY" - "$1" <<'EOF'
import random, socket, sys
n = int(sys.argv[1])
for _ in range(200):
	base = random.randrange(20000, 60000 - n)
	socks = []
	try:
		for p in range(base, base + n):
			s = socket.socket()
			s.bind(("127.0.0.1", p))
			socks.append(s)
	except OSError:
		continue
	finally:
		for s in socks:
			s.close()
	print(base)
	sys.exit(0)
sys.exit(1)
EOF
}
wait_port() {
	local i
	for ((i = 0; i < 100; i++)); do
		"$PY" -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 0.2).close()" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
wait_line() { # FILE TEXT: up to 10 s
	local i
	for ((i = 0; i < 100; i++)); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

PROXY=$(free_ports 1) && SRV=$(free_ports 7) || { bad "free ports on loopback"; finish; }
# squid drops to its own user: it must reach its files.
chmod 755 "$W"
mkdir -m 1777 "$W/var"
cat >"$W/squid.conf" <<EOF
# wstap live test: loopback only, CONNECT to any port from localhost.
http_port 127.0.0.1:$PROXY
acl localhost_src src 127.0.0.1/32
http_access allow localhost_src
http_access deny all
cache deny all
cache_mem 8 MB
pid_filename $W/var/squid.pid
cache_log $W/var/cache.log
access_log $W/var/access.log
cache_store_log none
netdb_filename none
coredump_dir $W/var
pinger_enable off
dns_nameservers 127.0.0.1
icp_port 0
htcp_port 0
shutdown_lifetime 0 seconds
EOF
squid -N -f "$W/squid.conf" >"$W/var/squid.out" 2>&1 &
PIDS+=($!)
"$PY" "$LAB/ws_server.py" --base-port "$SRV" >"$W/var/ws_server.out" 2>&1 &
PIDS+=($!)
if ! wait_port "$PROXY" || ! wait_port "$SRV"; then
	bad "squid and the echo server start" "$(tail -c 400 "$W/var/cache.log" "$W/var/ws_server.out" 2>/dev/null)"
	finish
fi
FILTER="tcp port $PROXY or tcp port $SRV"

# wstap A: the whole scenario, to a file, stopped by -a duration.
DUR=16
start=$(date +%s)
"$WSTAP" -i lo -f "$FILTER" -T jsonl -o "$W/live.jsonl" -a duration:$DUR \
	--idle 2 -v -w "$W/legs" 2>"$W/live.err" &
WA=$!
PIDS+=($WA)
check "wstap says it is listening" wait_line "$W/live.err" "listening on lo"

if "$PY" "$LAB/ws_client.py" --capture live --out "$W/truth.json" \
	--proxy "127.0.0.1:$PROXY" --target "127.0.0.1:$SRV" \
	--description "live capture test" >"$W/client.out" 2>&1; then
	ok "the client talked to the echo server through squid"
else
	bad "the client talked to the echo server through squid" "$(tail -c 400 "$W/client.out")"
fi
# A client that goes quiet for 8 s: with --idle 2, its legs are reported
# while it is quiet (ended legs wait 5 s for their other side before
# they are reported).
"$PY" "$HERE/ws_hold.py" --proxy "127.0.0.1:$PROXY" --target "127.0.0.1:$SRV" \
	--hold 8 >"$W/hold.out" 2>&1
check "the quiet client finished" has "$W/hold.out" "holding"
cp "$W/live.jsonl" "$W/during.jsonl"
if kill -0 "$WA" 2>/dev/null; then
	ok "wstap still running after the clients (duration $DUR s)"
	# Written as they completed, not at exit.
	n=$(grep -c '"type":"session"' "$W/during.jsonl")
	check "session records reached the file while capturing ($n)" test "$n" -ge 2
	if "$CHECKPY" - "$W/during.jsonl" "$PROXY" <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
exp = [r for r in recs if r.get("type") == "session" and
	r.get("server", "").endswith(":" + sys.argv[2]) and
	r.get("verdict") == "incomplete" and
	"stopped following" in r.get("explanation", "") and
	any(n.get("code") == "idle_expired" for n in r.get("notes", []))]
sys.exit(0 if exp else 1)
EOF
	then
		ok "the quiet client's leg expired (--idle 2) and was reported as incomplete, saying why"
	else
		bad "the quiet client's leg expired and was reported" "$(grep -F '"type":"session"' "$W/during.jsonl" | tail -c 900)"
	fi
else
	bad "wstap still running after the clients" "$(tail -c 300 "$W/live.err")"
fi
wait "$WA"
rc=$?
took=$(($(date +%s) - start))
check "wstap -a duration:$DUR exits 0" test "$rc" = 0
check "  ... after about $DUR s (took $took s)" test "$took" -ge $((DUR - 1)) -a "$took" -le $((DUR + 4))
check "  ... with the capture statistics on stderr" \
	grep -qE 'lo: [0-9]+ packets captured, [0-9]+ received by filter, [0-9]+ dropped by kernel, [0-9]+ dropped by interface' "$W/live.err"
check "  ... and, with -v, a stats line every 10 s" \
	grep -qE 'stats after 10 s: [0-9]+ packets, [0-9]+ legs open, [0-9]+ legs done, RSS [0-9.]+ MB' "$W/live.err"
if [ -s "$W/truth.json" ]; then
	"$CHECKPY" "$CHECK" --jsonl "$W/live.jsonl" "$W/truth.json" >"$W/check.out" 2>&1
	sed 's/^/  /' "$W/check.out" | grep -v '^  ok ' | grep -v 'passed, .* failed'
	line=$(tail -1 "$W/check.out")
	if [[ "$line" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		pass=$((pass + BASH_REMATCH[1]))
		fail=$((fail + BASH_REMATCH[2]))
		echo "check_samples --jsonl: $line"
	else
		bad "check_samples --jsonl ran" "$(tail -c 300 "$W/check.out")"
	fi
fi

# -w while live: one capture file per leg, each readable again.
nleg=$(grep -c '"type":"session"' "$W/live.jsonl")
npcap=$(find "$W/legs" -name '*.pcap' 2>/dev/null | wc -l)
check "-w wrote one capture file per leg ($npcap files, $nleg legs)" test "$npcap" = "$nleg" -a "$npcap" -ge 2
first=$(find "$W/legs" -name '*.pcap' 2>/dev/null | sort | head -1)
if [ -n "$first" ] && "$WSTAP" -r "$first" -T jsonl >"$W/reread.jsonl" 2>"$W/reread.err" &&
	grep -q '"type":"session"' "$W/reread.jsonl"; then
	ok "  ... and wstap reads one back"
else
	bad "  ... and wstap reads one back" "$first: $(head -c 300 "$W/reread.err")"
fi

# wstap B: interrupted with SIGINT while a WebSocket is open.
"$WSTAP" -i lo -f "$FILTER" -T jsonl -o "$W/int.jsonl" 2>"$W/int.err" &
WB=$!
PIDS+=($WB)
check "wstap B says it is listening" wait_line "$W/int.err" "listening on lo"
"$PY" "$HERE/ws_hold.py" --proxy "127.0.0.1:$PROXY" --target "127.0.0.1:$SRV" \
	--hold 60 >"$W/hold2.out" 2>&1 &
HOLD=$!
PIDS+=($HOLD)
check "a client holds a WebSocket open" wait_line "$W/hold2.out" "holding"
sleep 0.5
kill -INT "$WB"
wait "$WB"
rc=$?
check "SIGINT: wstap exits 0" test "$rc" = 0
check "  ... says it was interrupted, with the statistics" \
	grep -qE 'lo: [0-9]+ packets captured, .*dropped by kernel.* \(interrupted\)' "$W/int.err"
if "$CHECKPY" - "$W/int.jsonl" "$PROXY" "$SRV" <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
ses = [r for r in recs if r.get("type") == "session"]
for port in sys.argv[2:]:
	legs = [r for r in ses if r.get("server", "").endswith(":" + port)]
	if not legs or legs[0].get("verdict") != "incomplete" or \
		"still open when the capture ended" not in legs[0].get("explanation", ""):
		sys.exit(1)
sys.exit(0 if any(r.get("type") == "stats" for r in recs) else 1)
EOF
then
	ok "  ... the open legs (both sides of squid) are reported as incomplete, then the stats record"
else
	bad "  ... the open legs are reported as incomplete" "$(tail -c 900 "$W/int.jsonl")"
fi
kill -TERM "$HOLD" 2>/dev/null
wait "$HOLD" 2>/dev/null

# The terminal browser over the live capture (wstap -b -i), under tmux.
. "$HERE/browse_live.sh"

finish
