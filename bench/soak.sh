#!/bin/bash
# Soak benchmark for live capture (not part of make check; root, about
# DURATION + 30 s): a real squid and a python3-websockets echo server on
# loopback, bench/soak_client.py opening and closing WebSocket sessions
# through squid at a steady RATE, and wstap sniffing lo the whole time
# (-i lo -T jsonl -v).  Every 10 s it samples wstap's RSS.  At the end it
# stops wstap with SIGINT and checks that no session was lost: each
# session the client completed must appear as two legs (client-squid and
# squid-server) with verdict ok; it reports the kernel's drops (pcap_stats)
# and the RSS series, and flags RSS growth after the first minute.
#
#   bench/soak.sh [WSTAP]         (environment: DURATION=600 RATE=20)
#
# Exit status: 0 all sessions accounted for and RSS flat, 1 otherwise.
set -u
WSTAP=$(realpath "${1:-./wstap}")
DURATION=${DURATION:-600}
RATE=${RATE:-20}
HERE=$(cd "$(dirname "$0")" && pwd)
LAB=$HERE/../tests/lab
PY=/usr/bin/python3
W=$(mktemp -d /tmp/wstap-soak.XXXXXX)
PIDS=()

die() { echo "soak: $*" >&2; exit 1; }
cleanup() {
	local i
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		kill -TERM "${PIDS[i]}" 2>/dev/null
	done
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		wait "${PIDS[i]}" 2>/dev/null
	done
	echo "soak: work files in $W (remove when done)" >&2
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || die "needs root (capturing on lo)"
[ -x "$WSTAP" ] || die "$WSTAP is not an executable; build wstap first"
command -v squid >/dev/null || die "squid not installed (apt-get install squid)"
"$PY" -c 'import websockets' 2>/dev/null || die "$PY lacks websockets (apt-get install python3-websockets)"

free_port() {
	"$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_port() {
	local i
	for ((i = 0; i < 100; i++)); do
		"$PY" -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 0.2).close()" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

PROXY=$(free_port)
# ws_server.py listens on base..base+6: find a free run of ports.
SRV=$("$PY" - <<'EOF'
import random, socket
for _ in range(200):
	base = random.randrange(20000, 59000)
	try:
		socks = []
		for p in range(base, base + 7):
			s = socket.socket(); s.bind(("127.0.0.1", p)); socks.append(s)
	except OSError:
		continue
	finally:
		for s in socks:
			s.close()
	print(base)
	break
EOF
)
chmod 755 "$W"
mkdir -m 1777 "$W/var"
cat >"$W/squid.conf" <<EOF
http_port 127.0.0.1:$PROXY
acl localhost_src src 127.0.0.1/32
http_access allow localhost_src
http_access deny all
cache deny all
cache_mem 8 MB
max_filedescriptors 8192
pid_filename $W/var/squid.pid
cache_log $W/var/cache.log
access_log none
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
wait_port "$PROXY" && wait_port "$SRV" || die "squid or the echo server did not start (see $W/var)"

"$WSTAP" -i lo -f "tcp port $PROXY or tcp port $SRV" -T jsonl -o "$W/soak.jsonl" \
	-v 2>"$W/wstap.err" &
WPID=$!
PIDS+=($WPID)
for ((i = 0; i < 100; i++)); do
	grep -q 'listening on' "$W/wstap.err" && break
	sleep 0.1
done
grep -q 'listening on' "$W/wstap.err" || die "wstap did not start: $(cat "$W/wstap.err")"

echo "soak: squid $(squid -v | sed -n '1s/.*Version //p') on :$PROXY, echo server on :$SRV," \
	"$RATE sessions/s for $DURATION s; wstap pid $WPID" >&2
"$PY" "$HERE/soak_client.py" --proxy "127.0.0.1:$PROXY" --target "127.0.0.1:$SRV" \
	--rate "$RATE" --duration "$DURATION" --out "$W/client.json" \
	>"$W/client.out" 2>&1 &
CPID=$!
PIDS+=($CPID)

# RSS every 10 s while the client runs (kB, from /proc).
: >"$W/rss"
t=0
while kill -0 "$CPID" 2>/dev/null; do
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$WPID/status" 2>/dev/null)
	echo "$t ${rss:-0}" >>"$W/rss"
	sleep 10
	t=$((t + 10))
done
wait "$CPID"
# Ended legs are reported 5 s after their last packet: let them out.
sleep 8
rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$WPID/status" 2>/dev/null)
echo "$t ${rss:-0}" >>"$W/rss"
kill -INT "$WPID"
wait "$WPID"
wrc=$?

"$PY" - "$W" "$PROXY" "$SRV" "$wrc" <<'EOF'
import json, re, sys
w, proxy, srv, wrc = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
client = json.load(open(w + "/client.json"))
legs = {proxy: {}, srv: {}}
linked = 0
other = 0
with open(w + "/soak.jsonl", encoding="utf-8") as f:
	for line in f:
		if '"type":"session"' not in line:
			continue
		r = json.loads(line)
		port = r["server"].rsplit(":", 1)[1]
		if port not in legs:
			other += 1
			continue
		legs[port][r["verdict"]] = legs[port].get(r["verdict"], 0) + 1
		if r.get("linked") is not None:
			linked += 1
err = open(w + "/wstap.err").read()
cap = re.search(r"(\d+) packets captured, (\d+) received by filter, (\d+) dropped by kernel, (\d+) dropped by interface", err)
rss = [tuple(map(int, l.split())) for l in open(w + "/rss") if l.strip()]
after1 = [kb for t, kb in rss if t >= 60]
growth = (after1[-1] - after1[0]) / 1024 if len(after1) > 1 else 0.0
ok_sessions = client["ok"]
lost_c = ok_sessions - legs[proxy].get("ok", 0)
lost_s = ok_sessions - legs[srv].get("ok", 0)
print("## Soak: %d sessions/s for %d s through squid, wstap -i lo -T jsonl" %
	(client["rate"], client["elapsed_s"]))
print()
print("- sessions driven: %d started, %d completed, %d failed%s" % (
	client["started"], ok_sessions, client["failed"],
	(" (" + "; ".join(client["errors"][:3]) + ")") if client["errors"] else ""))
print("- client-squid legs (:%s): %s" % (proxy, json.dumps(legs[proxy], sort_keys=True)))
print("- squid-server legs (:%s): %s" % (srv, json.dumps(legs[srv], sort_keys=True)))
print("- legs linked to their other side: %d; other legs: %d" % (linked, other))
print("- sessions lost (completed but no ok leg): client side %d, server side %d" % (lost_c, lost_s))
if cap:
	print("- capture: %s packets captured, %s received by filter, %s dropped by kernel, %s dropped by interface" % cap.groups())
else:
	print("- capture: no statistics line from wstap")
print("- wstap exit status after SIGINT: %d" % wrc)
print("- wstap RSS every 10 s (MiB, VmRSS): " + " ".join("%.1f" % (kb / 1024) for _, kb in rss))
print("- RSS from the 60 s sample to the last: %+.1f MiB" % growth)
bad = lost_c or lost_s or client["failed"] or wrc != 0 or growth > 10 or not cap
sys.exit(1 if bad else 0)
EOF
