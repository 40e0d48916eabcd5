#!/bin/bash
# run_lab.sh: regenerate the sample captures in samples/ from a real lab.
#
# Starts, on loopback only, squid (open port 3128, basic-auth port 3129,
# CONNECT to port 9005 denied), tinyproxy (8888) and the lab WebSocket
# servers (tests/lab/ws_server.py, 9001-9004, TLS 9006, subprotocol
# 9007; squid also forwards absolute-form WebSocket Upgrades), then runs one client
# scenario per capture under tcpdump.  The client writes the truth file
# from what was really sent and received.  Everything it starts is
# stopped by the trap; the configs, logs and pid files live in a temp
# directory that is removed at the end (KEEP_LAB=1 keeps it).
#
# Needs root (tcpdump, network namespaces), squid, tinyproxy, tcpdump,
# htpasswd, openssl, /usr/bin/python3 with python3-websockets; editcap
# and tshark are optional.  Run it again at any time: it overwrites the samples.
#
# Usage: tests/lab/run_lab.sh [SAMPLES_DIR]      (default: samples/)
# Set NETNS=0 to skip the network-namespace (IPv6, 802.1Q) scenarios.

set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SAMPLES=$(mkdir -p "${1:-$ROOT/samples}" && cd "${1:-$ROOT/samples}" && pwd)
PY=/usr/bin/python3
NETNS=${NETNS:-1}
# Every port the lab uses; 9 is the closed port for the 503 case, 9005
# the port squid refuses to CONNECT to.
FILTER='tcp portrange 3128-3129 or tcp port 8888 or tcp portrange 9001-9007 or tcp port 9'
NS_C=wstap-lab-c
NS_S=wstap-lab-s
START=$(date +%s)

WORK=$(mktemp -d /tmp/wstap-lab.XXXXXX)
# squid drops to its own user; it must reach the logs and the htpasswd.
chmod 755 "$WORK"
mkdir -m 1777 "$WORK/var"
PIDS=()

log() { printf 'run_lab: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

cleanup() {
	local rc=$? i
	trap - EXIT INT TERM
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		kill -TERM "${PIDS[i]}" 2>/dev/null || true
	done
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		wait "${PIDS[i]}" 2>/dev/null || true
	done
	ip netns del "$NS_C" 2>/dev/null || true
	ip netns del "$NS_S" 2>/dev/null || true
	if [ "$rc" -ne 0 ]; then
		log "failed (rc $rc); logs kept in $WORK"
	elif [ "${KEEP_LAB:-0}" = 1 ]; then
		log "lab directory kept: $WORK"
	else
		rm -rf "$WORK"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for t in squid tinyproxy tcpdump htpasswd openssl; do
	command -v "$t" >/dev/null || die "$t not installed (apt-get install squid tinyproxy tcpdump apache2-utils openssl)"
done
[ -x /usr/lib/squid/basic_ncsa_auth ] || die "/usr/lib/squid/basic_ncsa_auth missing (squid package)"
"$PY" -c 'import websockets' 2>/dev/null || die "$PY lacks websockets (apt-get install python3-websockets)"
[ "$(id -u)" = 0 ] || die "needs root for tcpdump"

# A port still in use means a previous lab (or something else) is running.
for p in 3128 3129 8888 9001 9002 9003 9004 9006 9007; do
	if ss -Hltn "sport = :$p" | grep -q .; then
		die "port $p is already in use; stop whatever listens there"
	fi
done

# wait_port PORT: until something listens on 127.0.0.1:PORT (10 s).
wait_port() {
	local i
	for ((i = 0; i < 100; i++)); do
		ss -Hltn "sport = :$1" | grep -q . && return 0
		sleep 0.1
	done
	die "nothing listens on port $1 after 10 s (see $WORK)"
}

# --- configs ---------------------------------------------------------------
htpasswd -bc "$WORK/htpasswd" labuser labpass 2>/dev/null
chmod 644 "$WORK/htpasswd"
# The wss server's certificate: self-signed, P-256, for the name the
# client sends as SNI (a .test name, RFC 2606) and 127.0.0.1.  Made
# afresh every run, so nothing secret is kept in the tree; the client
# of squid_connect_wss trusts it, the one of squid_tls_rejected not.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-days 7 -subj "/CN=wss.lab.test" \
	-addext "subjectAltName=DNS:wss.lab.test,IP:127.0.0.1" \
	-keyout "$WORK/wss.key" -out "$WORK/wss.crt" 2>"$WORK/openssl.log" ||
	die "openssl could not make the lab certificate (see $WORK/openssl.log)"

# shellcheck source=squid_conf.sh
. "$HERE/squid_conf.sh"
cat >"$WORK/squid.conf" <<EOF
# wstap lab squid: loopback only, no cache, no DNS beyond loopback.
http_port 127.0.0.1:3128 name=open
http_port 127.0.0.1:3129 name=auth
auth_param basic program /usr/lib/squid/basic_ncsa_auth $WORK/htpasswd
auth_param basic realm wstap-lab
acl open_port myportname open
acl auth_port myportname auth
acl authed proxy_auth REQUIRED
acl localhost_src src 127.0.0.1/32
acl CONNECT method CONNECT
acl denied_port port 9005
# Squid 5 strips the Upgrade header of forwarded (non-CONNECT) requests
# unless a rule allows the protocol; the name is compared case-
# sensitively with the client's token, and clients send "websocket".
http_upgrade_request_protocols websocket allow all
http_access deny CONNECT denied_port
http_access allow open_port localhost_src
http_access allow auth_port localhost_src authed
http_access deny all
$(squid_common_conf)
EOF

cat >"$WORK/tinyproxy.conf" <<EOF
User nobody
Group nogroup
Port 8888
Listen 127.0.0.1
Timeout 30
MaxClients 20
LogFile "$WORK/var/tinyproxy.log"
LogLevel Info
PidFile "$WORK/var/tinyproxy.pid"
Allow 127.0.0.1
DisableViaHeader Yes
ConnectPort 9001
ConnectPort 9002
ConnectPort 9003
ConnectPort 9004
EOF

# --- daemons ---------------------------------------------------------------
squid -N -f "$WORK/squid.conf" >"$WORK/var/squid.out" 2>&1 &
PIDS+=($!)
tinyproxy -d -c "$WORK/tinyproxy.conf" >"$WORK/var/tinyproxy.out" 2>&1 &
PIDS+=($!)
"$PY" "$HERE/ws_server.py" --tls-cert "$WORK/wss.crt" --tls-key "$WORK/wss.key" \
	>"$WORK/var/ws_server.out" 2>&1 &
PIDS+=($!)
for p in 3128 3129 8888 9001 9002 9003 9004 9006 9007; do
	wait_port "$p"
done
log "daemons up: squid $(squid -v | sed -n '1s/.*Version //p'), $(tinyproxy -v 2>&1), websockets $("$PY" -c 'import websockets; print(websockets.__version__)')"

# capture NAME [tcpdump options --] CLIENT ARGS...: one scenario.
# Runs the client under tcpdump; the capture goes to samples/NAME.pcap
# and the truth to samples/NAME.truth.json.
capture() {
	local name=$1 opts=(-i lo) nsexec=() td i
	shift
	CAPTURE_ARGS=("$@")
	if [ "${1:-}" = "--tcpdump" ]; then
		opts=()
		shift
		while [ "$1" != "--" ]; do opts+=("$1"); shift; done
		shift
	fi
	if [ "${1:-}" = "--ns" ]; then
		nsexec=(ip netns exec "$2")
		shift 2
	fi
	rm -f "$SAMPLES/$name.pcap" "$SAMPLES/$name.truth.json"
	# --immediate-mode: without it packets still in a TPACKET_V3 block
	# are lost when tcpdump is interrupted.  -B (KiB): with the default
	# 2 MB ring, "-i any" captures lost a packet or two to the kernel
	# ("packets dropped by kernel") on a busy 2-core machine.
	# The log exists before tcpdump starts, so the wait below can read it.
	: >"$WORK/var/td-$name.log"
	"${nsexec[@]}" tcpdump "${opts[@]}" --immediate-mode -U -s 0 -B 16384 \
		-w "$SAMPLES/$name.pcap" "${TD_FILTER:-$FILTER}" \
		>"$WORK/var/td-$name.log" 2>&1 &
	td=$!
	PIDS+=($td)
	for ((i = 0; i < 50; i++)); do
		grep -q 'listening on' "$WORK/var/td-$name.log" && break
		sleep 0.1
	done
	sleep 0.2
	if ! "${nsexec[@]}" timeout 30 "$PY" "${LAB_CLIENT:-$HERE/ws_client.py}" \
		--capture "$name.pcap" --out "$SAMPLES/$name.truth.json" "$@"; then
		kill -INT "$td" 2>/dev/null || true
		die "scenario $name failed"
	fi
	# Let the proxies finish closing both legs, then flush.
	sleep 0.4
	kill -INT "$td"
	wait "$td" || true
	# tcpdump drops to its own user before it creates the file.
	chown --reference="$SAMPLES" "$SAMPLES/$name.pcap"
	unset 'PIDS[${#PIDS[@]}-1]'
	log "$name: $(sed -n 's/ packets captured/ packets/p' "$WORK/var/td-$name.log")"
	# tcpdump on 'any' sometimes loses packets when it is stopped; a
	# sample must hold everything the truth file says was sent, so a
	# capture with lost segments is taken again.
	if command -v tshark >/dev/null && [ -n "$(tshark -r "$SAMPLES/$name.pcap" \
		-Y 'tcp.analysis.lost_segment || tcp.analysis.ack_lost_segment' 2>/dev/null | head -1)" ]; then
		CAPTURE_TRIES=$((${CAPTURE_TRIES:-0} + 1))
		[ "$CAPTURE_TRIES" -lt 4 ] || die "scenario $name: capture keeps losing packets"
		log "$name: the capture lost segments; taking it again"
		capture "$name" "${CAPTURE_ARGS[@]}"
		return
	fi
	CAPTURE_TRIES=0
}

SQ=127.0.0.1:3128
SQA=127.0.0.1:3129
TP=127.0.0.1:8888

capture squid_connect_ws --proxy $SQ --target 127.0.0.1:9001 \
	--description "CONNECT through squid to a websockets echo server (no extensions): text incl. non-ASCII UTF-8, binary, ping/pong, a fragmented text, a 300-byte binary (16-bit length), an empty text, close 1000. Both legs (client-squid, squid-server) are in the capture."
capture squid_connect_deflate --proxy $SQ --target 127.0.0.1:9002 \
	--deflate --msgset deflate \
	--description "CONNECT through squid to a websockets echo server with permessage-deflate negotiated (websockets' defaults on both sides); the basic message set plus a 18 KB compressible text. Lengths are after inflate."
capture tinyproxy_connect_ws --proxy $TP --target 127.0.0.1:9001 \
	--description "CONNECT through tinyproxy (HTTP/1.0 200 answer) to the echo server; basic message set, close 1000."
capture squid_407 --proxy $SQA --target 127.0.0.1:9001 \
	--auth labuser:labpass --msgset one \
	--description "CONNECT without credentials to squid's basic-auth port: 407 with Proxy-Authenticate: Basic realm=\"wstap-lab\"; then a new connection with Proxy-Authorization that succeeds and exchanges one message each way."
capture squid_403 --proxy $SQ --target 127.0.0.1:9005 --expect proxy_denied \
	--description "CONNECT to a port squid's ACL denies: 403 with squid's ERR_ACCESS_DENIED page."
capture squid_503 --proxy $SQ --target 127.0.0.1:9 --expect proxy_error \
	--description "CONNECT to a closed port on 127.0.0.1: squid's connection is refused (SYN/RST on port 9 in the capture) and it answers 503 with X-Squid-Error: ERR_CONNECT_FAIL 111."
capture squid_accept_mismatch --proxy $SQ --target 127.0.0.1:9003 \
	--expect accept_mismatch \
	--description "Tunnel through squid to a broken server that answers the Upgrade with 101 and a wrong Sec-WebSocket-Accept; the client drops the connection."
capture squid_upgrade_rejected --proxy $SQ --target 127.0.0.1:9004 \
	--expect handshake_rejected \
	--description "Tunnel through squid (200) to a server that answers the Upgrade with 404 Not Found."
capture squid_connect_wss --proxy $SQ --target 127.0.0.1:9006 \
	--tls trust --cafile "$WORK/wss.crt" --sni wss.lab.test \
	--keylog "$SAMPLES/squid_connect_wss.keys" --expect tls_encrypted \
	--description "CONNECT through squid to a TLS (wss) echo server with a self-signed certificate the client trusts; TLS (1.3, SNI wss.lab.test) completes and the basic message set is exchanged inside it, close 1000. wstap cannot decrypt yet, so messages is empty and what was sent is in sent_encrypted. The client's TLS secrets are in squid_connect_wss.keys (NSS key log)."
chown --reference="$SAMPLES" "$SAMPLES/squid_connect_wss.keys"
capture squid_tls_rejected --proxy $SQ --target 127.0.0.1:9006 \
	--tls reject --sni wss.lab.test --expect tls_failed \
	--description "CONNECT through squid to the TLS server; the client forces TLS 1.2 and verifies the certificate against the system CAs only, so it refuses the self-signed certificate and sends a cleartext fatal alert, then closes."
# TLS decryption (--keylog): wss through squid with each suite family,
# the client's NSS key log beside each capture ("keylog" in the truth).
# The lab certificate is ECDSA, hence the ECDSA suites for TLS 1.2.
TLS_ARGS=(--proxy $SQ --target 127.0.0.1:9006 --tls trust
	--cafile "$WORK/wss.crt" --sni wss.lab.test --expect tls_encrypted)
tls_sample() {
	local name=$1 what=$2
	shift 2
	capture "$name" "${TLS_ARGS[@]}" --keylog "$SAMPLES/$name.keys" "$@" \
		--description "CONNECT through squid to the TLS echo server, $what; basic message set, close 1000. Without keys the verdict is tls_encrypted; with $name.keys (the client's NSS key log) wstap decrypts both legs (squid relays the same TLS bytes) and the messages are sent_encrypted."
	chown --reference="$SAMPLES" "$SAMPLES/$name.keys"
}
tls_sample wss_tls12_gcm "TLS 1.2 with ECDHE-ECDSA-AES128-GCM-SHA256" \
	--tls-max 1.2 --ciphers ECDHE-ECDSA-AES128-GCM-SHA256
tls_sample wss_tls12_chacha "TLS 1.2 with ECDHE-ECDSA-CHACHA20-POLY1305" \
	--tls-max 1.2 --ciphers ECDHE-ECDSA-CHACHA20-POLY1305
tls_sample wss_tls12_cbc "TLS 1.2 with ECDHE-ECDSA-AES256-SHA384 (AES-CBC with HMAC-SHA384, encrypt-then-MAC as OpenSSL negotiates it)" \
	--tls-max 1.2 --ciphers ECDHE-ECDSA-AES256-SHA384
# Python cannot choose TLS 1.3 suites; OpenSSL's configuration can.
printf '%s\n' 'openssl_conf = openssl_init' '[openssl_init]' \
	'ssl_conf = ssl_sect' '[ssl_sect]' \
	'system_default = system_default_sect' '[system_default_sect]' \
	'Ciphersuites = TLS_CHACHA20_POLY1305_SHA256' >"$WORK/chacha.cnf"
OPENSSL_CONF="$WORK/chacha.cnf" tls_sample wss_tls13_chacha \
	"TLS 1.3 with TLS_CHACHA20_POLY1305_SHA256 (the client's OpenSSL configured to offer only it)"
LAB_CLIENT="$HERE/tls_keyupdate.py" capture wss_tls13_keyupdate \
	--proxy $SQ --target 127.0.0.1:9006 --cafile "$WORK/wss.crt" \
	--sni wss.lab.test --keylog "$SAMPLES/wss_tls13_keyupdate.keys" \
	--description "openssl s_client -proxy through squid to the TLS echo server, TLS 1.3; the Upgrade and frames written by hand (tests/lab/tls_keyupdate.py); after the first echo s_client sends a KeyUpdate asking for one back (its 'K' command), so both directions change keys; two more messages, close 1000. Keys in wss_tls13_keyupdate.keys."
chown --reference="$SAMPLES" "$SAMPLES/wss_tls13_keyupdate.keys"

capture squid_subprotocol_mismatch --proxy $SQ --target 127.0.0.1:9007 \
	--subprotocol chat.v1 --msgset pair --expect subprotocol_mismatch \
	--description "CONNECT through squid to a websockets server that speaks only subprotocol chat.v2; the client offers chat.v1 and websockets 10.4 answers 101 without Sec-WebSocket-Protocol (no overlap). The websockets client accepts that and exchanges a text and a binary message, close 1000; a browser would fail the connection."
capture squid_forward_upgrade --proxy $SQ --forward --target 127.0.0.1:9001 \
	--description "Forward-proxy WebSocket without CONNECT: 'GET http://127.0.0.1:9001/ HTTP/1.1' with Upgrade: websocket to squid, which forwards the Upgrade (http_upgrade_request_protocols websocket allow all) and relays the 101; basic message set, close 1000."
capture direct_ws --target 127.0.0.1:9001 --msgset big \
	--description "Client straight to the echo server, no proxy; basic message set plus a 70000-byte binary (64-bit extended length)."
capture any_sll --tcpdump -i any -y LINUX_SLL -- --proxy $SQ \
	--target 127.0.0.1:9001 \
	--description "As squid_connect_ws, captured with tcpdump -i any -y LINUX_SLL (Linux cooked v1 headers)."
capture any_sll2 --tcpdump -i any -y LINUX_SLL2 -- --proxy $TP \
	--target 127.0.0.1:9001 \
	--description "As tinyproxy_connect_ws, captured with tcpdump -i any -y LINUX_SLL2 (Linux cooked v2 headers)."

if command -v editcap >/dev/null; then
	editcap -F pcapng "$SAMPLES/squid_connect_ws.pcap" \
		"$SAMPLES/squid_connect_ws.pcapng"
	"$PY" - "$SAMPLES" <<'EOF'
import json, sys
d = sys.argv[1]
t = json.load(open(d + "/squid_connect_ws.truth.json", encoding="utf-8"))
t["capture"] = "squid_connect_ws.pcapng"
t["description"] = "squid_connect_ws.pcap converted with editcap -F pcapng. " + t["description"]
with open(d + "/squid_connect_ws.pcapng.truth.json", "w", encoding="utf-8") as f:
	json.dump(t, f, indent=1, ensure_ascii=False)
	f.write("\n")
EOF
	log "squid_connect_ws.pcapng: converted with editcap"
	# The key log inside the capture: a pcapng Decryption Secrets Block.
	editcap --inject-secrets "tls,$SAMPLES/wss_tls12_gcm.keys" \
		"$SAMPLES/wss_tls12_gcm.pcap" "$SAMPLES/wss_tls12_gcm_dsb.pcapng"
	"$PY" - "$SAMPLES" <<'EOF'
import json, sys
d = sys.argv[1]
t = json.load(open(d + "/wss_tls12_gcm.truth.json", encoding="utf-8"))
t["capture"] = "wss_tls12_gcm_dsb.pcapng"
t["description"] = ("wss_tls12_gcm.pcap with its key log injected as a pcapng "
	"Decryption Secrets Block (editcap --inject-secrets tls,wss_tls12_gcm.keys): "
	"wstap decrypts without --keylog. " + t["description"])
del t["keylog"]
for leg in t["legs"]:
	leg["messages"] = leg.pop("sent_encrypted")
	leg["verdict"] = "ok"
	leg.pop("explanation_contains", None)
with open(d + "/wss_tls12_gcm_dsb.pcapng.truth.json", "w", encoding="utf-8") as f:
	json.dump(t, f, indent=1, ensure_ascii=False)
	f.write("\n")
EOF
	chown --reference="$SAMPLES" "$SAMPLES/wss_tls12_gcm_dsb.pcapng"
	log "wss_tls12_gcm_dsb.pcapng: key log injected with editcap"
else
	log "editcap not installed: squid_connect_ws.pcapng skipped"
fi

# --- network namespaces: IPv6 documentation addresses, 802.1Q ------------
# Two namespaces joined by a veth pair carrying 2001:db8::1 (client) and
# 2001:db8::2 (server); the capture is taken on the client's veth, so the
# frames are real Ethernet + IPv6.  The kernels this lab was written on
# lack 8021q (no VLAN subinterfaces), so netns_vlan_v6.pcap is derived
# from that capture by pcap_add_vlan.py, which inserts an 802.1Q tag
# (VLAN 100) into every frame; the description in its truth says so.
if [ "$NETNS" = 1 ]; then
	ip netns del "$NS_C" 2>/dev/null || true
	ip netns del "$NS_S" 2>/dev/null || true
	ip netns add "$NS_C"
	ip netns add "$NS_S"
	ip link add veth-wc netns "$NS_C" type veth peer name veth-ws netns "$NS_S"
	for ns in "$NS_C" "$NS_S"; do
		ip -n "$ns" link set lo up
	done
	ip -n "$NS_C" link set veth-wc address 00:00:5e:00:53:01 up
	ip -n "$NS_S" link set veth-ws address 00:00:5e:00:53:02 up
	ip -n "$NS_C" addr add 2001:db8::1/64 dev veth-wc nodad
	ip -n "$NS_S" addr add 2001:db8::2/64 dev veth-ws nodad
	ip netns exec "$NS_S" "$PY" "$HERE/ws_server.py" --host 2001:db8::2 \
		>"$WORK/var/ws_server_ns.out" 2>&1 &
	PIDS+=($!)
	for ((i = 0; i < 100; i++)); do
		ip netns exec "$NS_S" ss -Hltn 'sport = :9001' | grep -q . && break
		sleep 0.1
	done
	TD_FILTER='tcp portrange 9001-9004' capture netns_v6 \
		--tcpdump -i veth-wc -- --ns "$NS_C" --target '[2001:db8::2]:9001' \
		--description "Client in one network namespace, echo server in another, joined by a veth pair; IPv6 2001:db8::1 -> [2001:db8::2]:9001, no proxy; basic message set. Captured on the client's veth: Ethernet + IPv6."
	"$PY" "$HERE/pcap_add_vlan.py" 100 "$SAMPLES/netns_v6.pcap" \
		"$SAMPLES/netns_vlan_v6.pcap"
	"$PY" - "$SAMPLES" <<'EOF2'
import json, sys
d = sys.argv[1]
t = json.load(open(d + "/netns_v6.truth.json", encoding="utf-8"))
t["capture"] = "netns_vlan_v6.pcap"
t["description"] = ("netns_v6.pcap with an 802.1Q tag (VLAN 100, priority 0) "
	"inserted into every frame by tests/lab/pcap_add_vlan.py (this kernel "
	"has no 8021q, so the tag could not be put on the wire). " +
	t["description"])
with open(d + "/netns_vlan_v6.truth.json", "w", encoding="utf-8") as f:
	json.dump(t, f, indent=1, ensure_ascii=False)
	f.write("\n")
EOF2
	chown --reference="$SAMPLES" "$SAMPLES/netns_vlan_v6.pcap"
	log "netns_vlan_v6: 802.1Q tag added to netns_v6.pcap"
fi

# --- synthetic captures ----------------------------------------------------
"$PY" "$HERE/make_seed.py" "$SAMPLES"
# permessage-deflate: websockets with parameters, a bomb, crafted cases.
bash "$HERE/run_deflate_lab.sh" "$SAMPLES"

# Every capture must stay small enough to commit.
for f in "$SAMPLES"/*.pcap "$SAMPLES"/*.pcapng; do
	[ -e "$f" ] || continue
	sz=$(stat -c %s "$f")
	[ "$sz" -lt 204800 ] || die "$(basename "$f") is $sz bytes (limit 200 KB)"
done
log "done in $(($(date +%s) - START)) s; samples in $SAMPLES"
