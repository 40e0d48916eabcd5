#!/bin/bash
# lab_chromium.sh: what a browser really does through a proxy.  Headless
# Chromium (Debian's chromium) with --proxy-server pointing at a real
# squid on loopback loads a page from a local web server (the page itself
# goes through squid as plain proxied HTTP) whose script opens, in turn:
#   ws://127.0.0.1:9001/   an echo server: messages and a clean close
#   wss://127.0.0.1:9006/  the same over TLS (Chromium speaks TLS inside
#                          the CONNECT tunnel)
#   ws://127.0.0.1:9007/   with subprotocol "chat.v1", which that server
#                          does not select: Chromium fails the connection
# One capture per case: samples/chromium_ws.pcap, chromium_wss.pcap,
# chromium_subprotocol.pcap, each with its truth file (the messages are
# the page's own constants; the echo server sends them back).
#
# Usage: tests/lab/lab_chromium.sh [SAMPLES_DIR]  (root; chromium, squid,
# tcpdump, openssl, /usr/bin/python3 with python3-websockets)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SAMPLES=$(mkdir -p "${1:-$ROOT/samples}" && cd "${1:-$ROOT/samples}" && pwd)
PY=/usr/bin/python3
PROXY_PORT=3130
WEB_PORT=8000
WORK=$(mktemp -d /tmp/wstap-chromium.XXXXXX)
chmod 755 "$WORK"
mkdir -m 1777 "$WORK/var"
PIDS=()

log() { printf 'lab_chromium: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
cleanup() {
	local rc=$? i
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		kill -TERM "${PIDS[i]}" 2>/dev/null || true
		wait "${PIDS[i]}" 2>/dev/null || true
	done
	[ "$rc" -eq 0 ] && rm -rf "$WORK" || log "failed; logs in $WORK"
}
trap cleanup EXIT INT TERM

CHROMIUM=$(command -v chromium || true)
[ -n "$CHROMIUM" ] || die "chromium is missing: apt-get install chromium"
wait_port() {
	for ((i = 0; i < 100; i++)); do
		ss -Hltn "sport = :$1" | grep -q . && return 0
		sleep 0.1
	done
	die "nothing listens on port $1"
}

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-days 7 -subj "/CN=wss.lab.test" \
	-addext "subjectAltName=DNS:wss.lab.test,IP:127.0.0.1" \
	-keyout "$WORK/wss.key" -out "$WORK/wss.crt" 2>/dev/null

cat >"$WORK/squid.conf" <<CONF
http_port 127.0.0.1:$PROXY_PORT
acl localhost_src src 127.0.0.1/32
http_upgrade_request_protocols websocket allow all
http_access allow localhost_src
http_access deny all
cache deny all
cache_mem 8 MB
pid_filename $WORK/var/squid.pid
cache_log $WORK/var/cache.log
access_log $WORK/var/access.log
cache_store_log none
netdb_filename none
coredump_dir $WORK/var
pinger_enable off
dns_nameservers 127.0.0.1
icp_port 0
htcp_port 0
shutdown_lifetime 0 seconds
CONF

# The page: opens the WebSocket named in the query, sends the fixed
# messages, closes 1000, and writes what happened into the title.
mkdir -p "$WORK/www"
cat >"$WORK/www/ws.html" <<'HTML'
<!doctype html><meta charset="utf-8"><title>start</title><script>
const q = new URLSearchParams(location.search);
const proto = q.get("proto");
const ws = proto ? new WebSocket(q.get("url"), [proto]) : new WebSocket(q.get("url"));
ws.binaryType = "arraybuffer";
let got = 0;
ws.onopen = () => {
	ws.send("hello from chromium");
	ws.send(new Uint8Array([1, 2, 3, 250]));
	ws.send("κόσμε through the proxy");
};
ws.onmessage = () => { if (++got === 3) ws.close(1000, "bye"); };
ws.onclose = (e) => { document.title = "closed " + e.code; };
ws.onerror = () => { document.title = "error"; };
</script>
HTML

squid -N -f "$WORK/squid.conf" >"$WORK/var/squid.out" 2>&1 &
PIDS+=($!)
"$PY" "$HERE/ws_server.py" --host 127.0.0.1 --base-port 9001 \
	--tls-cert "$WORK/wss.crt" --tls-key "$WORK/wss.key" >"$WORK/var/ws.log" 2>&1 &
PIDS+=($!)
(cd "$WORK/www" && exec "$PY" -m http.server $WEB_PORT --bind 127.0.0.1) \
	>"$WORK/var/http.log" 2>&1 &
PIDS+=($!)
for p in $PROXY_PORT 9001 9006 9007 $WEB_PORT; do wait_port $p; done
log "squid, echo servers and the page server are up"

capture() {
	local name=$1 url=$2 proto=${3:-}
	touch "$WORK/var/td-$name.log"
	tcpdump -i lo --immediate-mode -U -B 16384 -s 0 -w "$SAMPLES/$name.pcap" \
		"tcp port $PROXY_PORT or tcp portrange 9001-9007" \
		>"$WORK/var/td-$name.log" 2>&1 &
	local td=$!
	for ((i = 0; i < 50; i++)); do
		grep -q 'listening on' "$WORK/var/td-$name.log" && break
		sleep 0.1
	done
	sleep 0.2
	local page="http://127.0.0.1:$WEB_PORT/ws.html?url=$url${proto:+&proto=$proto}"
	# As the environment notes say: no background networking, a fresh
	# profile, and the proxy used for loopback too (<-loopback>).
	timeout 40 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--user-data-dir="$WORK/profile-$name" \
		--proxy-server="http://127.0.0.1:$PROXY_PORT" \
		--proxy-bypass-list='<-loopback>' --ignore-certificate-errors \
		--virtual-time-budget=8000 --dump-dom "$page" \
		>"$WORK/var/dom-$name.html" 2>"$WORK/var/chromium-$name.log" || true
	sleep 0.5
	kill -INT $td
	wait $td || true
	chown --reference="$SAMPLES" "$SAMPLES/$name.pcap"
	log "$name: page title: $(sed -n 's/.*<title>\(.*\)<\/title>.*/\1/p' "$WORK/var/dom-$name.html")"
}

capture chromium_ws "ws://127.0.0.1:9001/"
capture chromium_wss "wss://127.0.0.1:9006/"
capture chromium_subprotocol "ws://127.0.0.1:9007/" chat.v1

"$PY" - "$SAMPLES" "$PROXY_PORT" <<'PYEOF'
import base64, json, sys
samples, pport = sys.argv[1], int(sys.argv[2])
texts = ["hello from chromium", "κόσμε through the proxy"]
def msgs():
	out = []
	for d in ("client", "server"):
		out.append({"dir": d, "opcode": "text", "length": len(texts[0].encode()), "text": texts[0]})
		out.append({"dir": d, "opcode": "binary", "length": 4, "data": base64.b64encode(bytes([1, 2, 3, 250])).decode()})
		out.append({"dir": d, "opcode": "text", "length": len(texts[1].encode()), "text": texts[1]})
	out.append({"dir": "client", "opcode": "close", "length": 5, "code": 1000, "reason": "bye"})
	out.append({"dir": "server", "opcode": "close", "length": 5, "code": 1000, "reason": "bye"})
	return out
def leg(role, port, target, verdict, via, messages, **kw):
	l = {"role": role, "match": {"server_port": port, "target": target}, "via": via,
	     "verdict": verdict, "messages": messages}
	if target is None:
		l["match"] = {"server_port": port, "nth": 0}
	l.update(kw)
	return l
cases = {
	"chromium_ws": ("ws via squid from headless Chromium: CONNECT, Upgrade, three messages each way (text, binary, non-ASCII text), close 1000 'bye'.",
		[leg("client-proxy", pport, "127.0.0.1:9001", "ok", "connect", msgs(), proxy_status=200, linked_with=1),
		 leg("proxy-server", 9001, None, "ok", "direct", msgs(), linked_with=0)]),
	"chromium_wss": ("wss via squid from headless Chromium: CONNECT, then TLS inside the tunnel (not decrypted here).",
		[leg("client-proxy", pport, "127.0.0.1:9006", "tls_encrypted", "connect", [], proxy_status=200, linked_with=1),
		 leg("proxy-server", 9006, None, "tls_encrypted", "direct", [], linked_with=0)]),
	"chromium_subprotocol": ("Chromium offers subprotocol chat.v1; the server's 101 selects none, so Chromium fails the connection without a close frame.",
		[leg("client-proxy", pport, "127.0.0.1:9007", "subprotocol_mismatch", "connect", [], proxy_status=200, linked_with=1,
		     explanation_contains=["chat.v1"]),
		 leg("proxy-server", 9007, None, "subprotocol_mismatch", "direct", [], linked_with=0)]),
}
for name, (desc, legs) in cases.items():
	t = {"capture": name + ".pcap", "description": desc,
	     "generated_by": "tests/lab/lab_chromium.sh", "legs": legs}
	open("%s/%s.truth.json" % (samples, name), "w").write(json.dumps(t, indent=1, ensure_ascii=False) + "\n")
PYEOF
log "done"
