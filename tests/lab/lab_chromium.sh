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
#   wss://127.0.0.1:9008/  the deflating echo server behind TLS: compressed
#                          messages inside TLS inside the CONNECT tunnel
# and, for chromium_har, the deflating ws server again with more messages
# while the DevTools protocol records the page load (tests/lab/cdp_har.js):
# Chromium's own view of the same conversation, as a HAR written by npm's
# chrome-har-capturer, for tests/exports/check_devtools_har.py.
#
# One capture per case: samples/chromium_ws.pcap, chromium_deflate.pcap,
# chromium_wss.pcap, chromium_subprotocol.pcap, chromium_wss_deflate.pcap,
# chromium_har.pcap, each with its truth file (the messages are the page's
# own constants; the echo server sends them back); the wss cases keep
# Chromium's key log (NAME.keys); chromium_har and chromium_wss_deflate,
# driven over the DevTools protocol, keep its events (NAME.devtools.json)
# and the HAR made of them (NAME.devtools.har).
#
# Usage: tests/lab/lab_chromium.sh [SAMPLES_DIR [CASE...]]  (root;
# chromium, squid, tcpdump, openssl, /usr/bin/python3 with
# python3-websockets; node and npm for chromium_har and
# chromium_wss_deflate: chrome-remote-interface and chrome-har-capturer
# are installed from npm into the work directory).  CASE names the captures to take (default: all); the
# others in SAMPLES_DIR are left as they are.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SAMPLES=$(mkdir -p "${1:-$ROOT/samples}" && cd "${1:-$ROOT/samples}" && pwd)
shift || true
ALL_CASES="chromium_ws chromium_deflate chromium_wss chromium_subprotocol chromium_wss_deflate chromium_har"
CASES=" ${*:-$ALL_CASES} "
for c in $CASES; do
	[[ " $ALL_CASES " == *" $c "* ]] || { echo "lab_chromium: unknown case $c (one of: $ALL_CASES)" >&2; exit 2; }
done
want_case() { [[ "$CASES" == *" $1 "* ]]; }
CDP_PORT=9222
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
# messages, closes 1000 once all came back, and writes what happened into
# the title.  With more=1 (chromium_har) it also sends an empty text, 300
# bytes 0..255,0..43 and 5120 bytes of "0123456789abcdef": a 16-bit
# extended length, and payloads that deflate well.  With step=1 (the
# DevTools cases) it sends each message once the previous one came back:
# the browser reports a send when the page calls send(), before the bytes
# leave, so only in lock-step is the order DevTools lists the one on the
# wire.
mkdir -p "$WORK/www"
cat >"$WORK/www/ws.html" <<'HTML'
<!doctype html><meta charset="utf-8"><title>start</title><script>
const q = new URLSearchParams(location.search);
const proto = q.get("proto");
const ws = proto ? new WebSocket(q.get("url"), [proto]) : new WebSocket(q.get("url"));
ws.binaryType = "arraybuffer";
const msgs = ["hello from chromium", new Uint8Array([1, 2, 3, 250]), "κόσμε through the proxy"];
if (q.get("more"))
	msgs.push("", Uint8Array.from({length: 300}, (_, i) => i & 255), "0123456789abcdef".repeat(320));
const step = q.get("step");
let got = 0, sent = 0;
const next = () => ws.send(msgs[sent++]);
ws.onopen = () => { if (step) next(); else for (const m of msgs) ws.send(m); };
ws.onmessage = () => {
	if (++got === msgs.length) ws.close(1000, "bye");
	else if (step) next();
};
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

# restore_sample NAME: a capture not retaken leaves the committed one as it
# was (only when writing into the tree's own samples/).
restore_sample() {
	[ "$SAMPLES" = "$ROOT/samples" ] || return 0
	git -C "$ROOT" checkout -q -- "samples/$1.pcap" 2>/dev/null || true
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
	restore_sample "$name"
	return 0
}
DONE=()

# chromium_cdp NAME PAGE WANT_TITLE: Chromium with its DevTools port open
# (loopback) instead of --dump-dom; tests/lab/cdp_har.js loads PAGE,
# records the Network and Page events and writes them and their HAR into
# $WORK/var; the HAR is there only when the page ended with WANT_TITLE.
chromium_cdp() {
	local name=$1 page=$2 want=$3 cpid
	rm -f "$WORK/var/$name.har"
	SSLKEYLOGFILE="$WORK/var/keys-$name.txt" \
	"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--user-data-dir="$WORK/profile-$name" \
		--proxy-server="http://127.0.0.1:$PROXY_PORT" \
		--proxy-bypass-list='<-loopback>' --ignore-certificate-errors \
		--remote-debugging-address=127.0.0.1 \
		--remote-debugging-port=$CDP_PORT about:blank \
		>"$WORK/var/chromium-$name.log" 2>&1 &
	cpid=$!
	NODE_PATH="$NPM_DIR/node_modules" timeout 60 node "$HERE/cdp_har.js" \
		$CDP_PORT "$page" "$WORK/var/$name.events.json" \
		"$WORK/var/$name.har" "$want" 30 2>>"$WORK/var/cdp-$name.log" || true
	kill -TERM "$cpid" 2>/dev/null || true
	wait "$cpid" 2>/dev/null || true
}

# capture_cdp NAME URL EXPECTED_TITLE QUERY [devtools]: as capture, through
# chromium_cdp, the page given &QUERY; with "devtools", keeps the protocol
# events and their HAR beside the capture.
#
# Why not --dump-dom here: with --virtual-time-budget, headless Chromium
# dumps the page as soon as no fetch is pending, and an open WebSocket is
# not one; a page whose WebSocket is slower to open (TLS, then
# permessage-deflate: the wss+deflate server on 9008) is dumped and closed
# (close 1001, its net-log shows the close frame right after CONNECTED)
# before onopen sent anything -- six tries in a row.  Over the DevTools
# protocol the lab waits for the page's own title instead.  capture_cdp
# needs NPM_DIR (set below).
capture_cdp() {
	local name=$1 url=$2 want=$3 query=$4 keep=${5:-} try
	local page="http://127.0.0.1:$WEB_PORT/ws.html?url=$url$query"
	for try in 1 2 3 4 5 6; do
		lab_capture "$name" "tcp port $PROXY_PORT or tcp portrange 9001-9008" \
			chromium_cdp "$name" "$page" "$want"
		if [ -s "$WORK/var/$name.har" ]; then
			if [ "$keep" = devtools ]; then
				cp "$WORK/var/$name.events.json" "$SAMPLES/$name.devtools.json"
				cp "$WORK/var/$name.har" "$SAMPLES/$name.devtools.har"
				chmod 644 "$SAMPLES/$name.devtools.json" "$SAMPLES/$name.devtools.har"
			fi
			DONE+=("$name")
			return 0
		fi
		log "$name: try $try: $(tail -1 "$WORK/var/cdp-$name.log")"
	done
	log "$name: the page never ended with '$want'; not retaken"
	restore_sample "$name"
	return 0
}

# keep_keys NAME: Chromium writes its TLS secrets where SSLKEYLOGFILE says;
# kept beside the capture for decrypting it (--keylog).
keep_keys() {
	[[ " ${DONE[*]} " == *" $1 "* ]] || return 0
	cp "$WORK/var/keys-$1.txt" "$SAMPLES/$1.keys" ||
		die "chromium wrote no key log for $1"
	chmod 644 "$SAMPLES/$1.keys"
}

if want_case chromium_ws; then capture chromium_ws "ws://127.0.0.1:9001/" "closed 1000"; fi
if want_case chromium_deflate; then capture chromium_deflate "ws://127.0.0.1:9002/" "closed 1000"; fi
if want_case chromium_subprotocol; then
	capture chromium_subprotocol "ws://127.0.0.1:9007/" "closed 1006" chat.v1
fi
if want_case chromium_wss || want_case chromium_wss_deflate || want_case chromium_har; then
	command -v node >/dev/null && command -v npm >/dev/null ||
		die "chromium_wss, chromium_wss_deflate and chromium_har need node and npm: apt-get install nodejs npm"
	# pinned: the committed HAR is what these versions wrote
	NPM_DIR=$WORK/npm
	npm install --silent --no-save --no-audit --no-fund --prefix "$NPM_DIR" \
		chrome-remote-interface@0.34.0 chrome-har-capturer@0.14.4 \
		>"$WORK/var/npm.log" 2>&1 || die "npm install failed: $(tail -3 "$WORK/var/npm.log")"
fi
# wss through the DevTools protocol too: --dump-dom lost the same race
# there (six tries in a row on a later run)
if want_case chromium_wss; then
	capture_cdp chromium_wss "wss://127.0.0.1:9006/" "closed 1000" ""
	keep_keys chromium_wss
fi
if want_case chromium_wss_deflate; then
	capture_cdp chromium_wss_deflate "wss://127.0.0.1:9008/" "closed 1000" "&step=1" devtools
	keep_keys chromium_wss_deflate
fi
if want_case chromium_har; then
	capture_cdp chromium_har "ws://127.0.0.1:9002/" "closed 1000" "&more=1&step=1" devtools
fi

"$PY" - "$SAMPLES" "$PROXY_PORT" "${DONE[@]}" <<'PYEOF'
import base64, json, sys
samples, pport = sys.argv[1], int(sys.argv[2])
done = set(sys.argv[3:])  # the captures taken in this run
texts = ["hello from chromium", "κόσμε through the proxy"]
def msgs(more=False):
	out = []
	for d in ("client", "server"):
		out.append({"dir": d, "opcode": "text", "length": len(texts[0].encode()), "text": texts[0]})
		out.append({"dir": d, "opcode": "binary", "length": 4, "data": base64.b64encode(bytes([1, 2, 3, 250])).decode()})
		out.append({"dir": d, "opcode": "text", "length": len(texts[1].encode()), "text": texts[1]})
		if more:  # the page's more=1 messages
			out.append({"dir": d, "opcode": "text", "length": 0, "text": ""})
			out.append({"dir": d, "opcode": "binary", "length": 300,
				"data": base64.b64encode(bytes(i & 255 for i in range(300))).decode()})
			out.append({"dir": d, "opcode": "text", "length": 5120, "text": "0123456789abcdef" * 320})
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
	"chromium_wss_deflate": ("wss via squid from headless Chromium to the TLS echo server that accepts its permessage-deflate offer: CONNECT, TLS inside the tunnel, compressed frames inside TLS. Without keys tls_encrypted; with Chromium's own key log (SSLKEYLOGFILE, chromium_wss_deflate.keys) both legs decrypt (squid relays the same TLS bytes) and the messages inflate to what the page sent.",
		[leg("client-proxy", pport, "127.0.0.1:9008", "tls_encrypted", "connect", [], proxy_status=200, linked_with=1,
		     sent_encrypted=msgs()),
		 leg("proxy-server", 9008, None, "tls_encrypted", "direct", [], linked_with=0,
		     sent_encrypted=msgs())]),
	"chromium_har": ("ws via squid from headless Chromium to the deflating echo server, six messages each way (text, binary, non-ASCII text, empty text, 300 bytes binary, 5120 bytes text), close 1000 'bye', recorded at the same time through the DevTools protocol: chromium_har.devtools.json holds Chromium's Network/Page events and chromium_har.devtools.har the HAR npm's chrome-har-capturer made of them (tests/exports/check_devtools_har.py compares wstap's HAR with it).",
		[leg("client-proxy", pport, "127.0.0.1:9002", "ok", "connect", msgs(True), proxy_status=200, linked_with=1, deflate=True),
		 leg("proxy-server", 9002, None, "ok", "direct", msgs(True), linked_with=0, deflate=True)]),
}
for name, (desc, legs) in cases.items():
	if name not in done:
		continue
	t = {"capture": name + ".pcap", "description": desc,
	     "generated_by": "tests/lab/lab_chromium.sh", "legs": legs}
	if name in ("chromium_wss", "chromium_wss_deflate"):
		t["keylog"] = name + ".keys"
	if name == "chromium_wss_deflate":
		for l in legs:
			l["deflate_decrypted"] = True  # ws.deflate once decrypted
	open("%s/%s.truth.json" % (samples, name), "w").write(json.dumps(t, indent=1, ensure_ascii=False) + "\n")
PYEOF
log "done"
