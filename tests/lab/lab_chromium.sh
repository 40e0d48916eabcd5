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
#   ws://127.0.0.1:9002/   an echo server that accepts Chromium's
#                          permessage-deflate offer (client_max_window_bits)

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
LAB_NAME=lab_chromium
# shellcheck source=lab_common.sh
. "$HERE/lab_common.sh"

CHROMIUM=$(command -v chromium || true)
[ -n "$CHROMIUM" ] || die "chromium is missing: apt-get install chromium"

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
$(squid_common_conf)
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
for p in $PROXY_PORT 9001 9002 9006 9007 9008 $WEB_PORT; do wait_port $p; done
log "squid, echo servers and the page server are up"

chromium_page() {
	local name=$1 page=$2
	# As the environment notes say: no background networking, a fresh
	# profile, and the proxy used for loopback too (<-loopback>).
	SSLKEYLOGFILE="$WORK/var/keys-$name.txt" \
	timeout 40 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--user-data-dir="$WORK/profile-$name" \
		--proxy-server="http://127.0.0.1:$PROXY_PORT" \
		--proxy-bypass-list='<-loopback>' --ignore-certificate-errors \
		--virtual-time-budget=30000 --dump-dom "$page" \
		>"$WORK/var/dom-$name.html" 2>"$WORK/var/chromium-$name.log"
}

# capture NAME URL EXPECTED_TITLE [SUBPROTOCOL]: the page's title says how
# its WebSocket ended; a run that did not get there (a slow machine, the
# browser giving up early) is taken again, since the truth file states what
# the page sends in a complete run.
capture() {
	local name=$1 url=$2 want=$3 proto=${4:-} try title
	local page="http://127.0.0.1:$WEB_PORT/ws.html?url=$url${proto:+&proto=$proto}"
	for try in 1 2 3 4 5 6; do
		lab_capture "$name" "tcp port $PROXY_PORT or tcp portrange 9001-9008" \
			chromium_page "$name" "$page"
		title=$(sed -n 's/.*<title>\(.*\)<\/title>.*/\1/p' "$WORK/var/dom-$name.html")
		log "$name: page title: $title"
		# an empty EXPECTED_TITLE takes any run (wss: the verdict rests
		# on the TLS records, whatever the page saw)
		[ -z "$want" ] || [ "$title" = "$want" ] && { DONE+=("$name"); return 0; }
	done
	# the sample already in SAMPLES_DIR (if any) stays as it was
	log "$name: the page never ended with '$want'; not retaken"
	git -C "$ROOT" checkout -q -- "samples/$name.pcap" 2>/dev/null || true
	return 0
}
DONE=()

capture chromium_ws "ws://127.0.0.1:9001/" "closed 1000"
capture chromium_deflate "ws://127.0.0.1:9002/" "closed 1000"
capture chromium_wss "wss://127.0.0.1:9006/" "closed 1000"
# Chromium writes its TLS secrets where SSLKEYLOGFILE says: kept beside the
# capture for decrypting it (--keylog).
if [[ " ${DONE[*]} " == *" chromium_wss "* ]]; then
	cp "$WORK/var/keys-chromium_wss.txt" "$SAMPLES/chromium_wss.keys" ||
		die "chromium wrote no key log"
fi
capture chromium_subprotocol "ws://127.0.0.1:9007/" "closed 1006" chat.v1
# (wss to the deflating TLS server on 9008 is not captured: headless
# Chromium never completed that page here, six tries in a row.)
chmod 644 "$SAMPLES"/chromium_*.keys 2>/dev/null || true

"$PY" - "$SAMPLES" "$PROXY_PORT" "${DONE[@]}" <<'PYEOF'
import base64, json, sys
samples, pport = sys.argv[1], int(sys.argv[2])
done = set(sys.argv[3:])  # the captures taken in this run
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
	"chromium_wss": ("wss via squid from headless Chromium: CONNECT, then TLS inside the tunnel; with Chromium's own key log (SSLKEYLOGFILE, chromium_wss.keys) the same messages as ws.",
		[leg("client-proxy", pport, "127.0.0.1:9006", "tls_encrypted", "connect", [], proxy_status=200, linked_with=1,
		     sent_encrypted=msgs()),
		 leg("proxy-server", 9006, None, "tls_encrypted", "direct", [], linked_with=0,
		     sent_encrypted=msgs())]),
	"chromium_deflate": ("ws via squid from headless Chromium to a server accepting its permessage-deflate offer (Chromium offers client_max_window_bits): the messages inflate to what the page sent.",
		[leg("client-proxy", pport, "127.0.0.1:9002", "ok", "connect", msgs(), proxy_status=200, linked_with=1, deflate=True),
		 leg("proxy-server", 9002, None, "ok", "direct", msgs(), linked_with=0, deflate=True)]),
	"chromium_subprotocol": ("Chromium offers subprotocol chat.v1; the server's 101 selects none, so Chromium fails the connection without a close frame.",
		[leg("client-proxy", pport, "127.0.0.1:9007", "subprotocol_mismatch", "connect", [], proxy_status=200, linked_with=1,
		     explanation_contains=["chat.v1"]),
		 leg("proxy-server", 9007, None, "subprotocol_mismatch", "direct", [], linked_with=0)]),
}
for name, (desc, legs) in cases.items():
	if name not in done:
		continue
	t = {"capture": name + ".pcap", "description": desc,
	     "generated_by": "tests/lab/lab_chromium.sh", "legs": legs}
	if name == "chromium_wss":
		t["keylog"] = name + ".keys"
	open("%s/%s.truth.json" % (samples, name), "w").write(json.dumps(t, indent=1, ensure_ascii=False) + "\n")
PYEOF
log "done"
