#!/bin/bash
# lab_tinyproxy.sh: tinyproxy's refusals, as squid's are in run_lab.sh:
#   tinyproxy_407.pcap  BasicAuth required: 407, then a retry with
#                       Proxy-Authorization on a new connection that works
#   tinyproxy_403.pcap  CONNECT to a port outside its ConnectPort list
#   tinyproxy_connect_fail.pcap  CONNECT to a closed port on loopback (500)
# Each with its truth file, written by tests/lab/ws_client.py from what was
# really sent and answered.
#
# Usage: tests/lab/lab_tinyproxy.sh [SAMPLES_DIR]  (root; tinyproxy,
# tcpdump, /usr/bin/python3 with python3-websockets)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SAMPLES=$(mkdir -p "${1:-$ROOT/samples}" && cd "${1:-$ROOT/samples}" && pwd)
PY=/usr/bin/python3
LAB_NAME=lab_tinyproxy
# shellcheck source=lab_common.sh
. "$HERE/lab_common.sh"

command -v tinyproxy >/dev/null || die "tinyproxy is missing: apt-get install tinyproxy"
OPEN=8890 AUTH=8891

# tinyproxy config: $1 port, then extra lines
tp_conf() {
	local port=$1
	shift
	cat <<CONF
User nobody
Group nogroup
Port $port
Listen 127.0.0.1
Timeout 30
MaxClients 20
LogFile "$WORK/var/tinyproxy-$port.log"
LogLevel Info
PidFile "$WORK/var/tinyproxy-$port.pid"
Allow 127.0.0.1
ConnectPort 9001
ConnectPort 9
CONF
	printf '%s\n' "$@"
}
tp_conf $OPEN >"$WORK/open.conf"
tp_conf $AUTH "BasicAuth labuser labpass" >"$WORK/auth.conf"

"$PY" "$HERE/ws_server.py" --host 127.0.0.1 --base-port 9001 >"$WORK/var/ws.log" 2>&1 &
PIDS+=($!)
tinyproxy -d -c "$WORK/open.conf" >"$WORK/var/tp-open.out" 2>&1 &
PIDS+=($!)
tinyproxy -d -c "$WORK/auth.conf" >"$WORK/var/tp-auth.out" 2>&1 &
PIDS+=($!)
for p in 9001 $OPEN $AUTH; do wait_port $p; done
log "$(tinyproxy -v 2>&1) on $OPEN (open) and $AUTH (BasicAuth)"

FILTER="tcp port $OPEN or tcp port $AUTH or tcp portrange 9001-9005 or tcp port 9"
client() {
	local name=$1
	shift
	lab_capture "$name" "$FILTER" timeout 30 "$PY" "$HERE/ws_client.py" \
		--capture "$name.pcap" --out "$SAMPLES/$name.truth.json" "$@"
	[ -s "$SAMPLES/$name.truth.json" ] || die "$name: the client wrote no truth"
}

client tinyproxy_407 --proxy 127.0.0.1:$AUTH --target 127.0.0.1:9001 \
	--auth labuser:labpass --msgset one \
	--description "CONNECT without credentials to tinyproxy with BasicAuth: 407; then a new connection with Proxy-Authorization that succeeds and exchanges one message each way."
client tinyproxy_403 --proxy 127.0.0.1:$OPEN --target 127.0.0.1:9005 \
	--expect proxy_denied \
	--description "CONNECT to a port outside tinyproxy's ConnectPort list: 403."
client tinyproxy_connect_fail --proxy 127.0.0.1:$OPEN --target 127.0.0.1:9 \
	--expect proxy_error \
	--description "CONNECT through tinyproxy to a closed port on loopback: tinyproxy cannot connect and answers with an error status."
log "done"
