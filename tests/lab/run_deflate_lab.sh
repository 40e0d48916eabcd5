#!/bin/bash
# run_deflate_lab.sh: permessage-deflate samples from python3-websockets
# (tests/lab/deflate_lab.py) on loopback under tcpdump, plus the crafted
# ones (tests/lab/make_deflate_cases.py).  run_lab.sh calls it; it can run
# alone (root, tcpdump, python3-websockets).
#
# Usage: tests/lab/run_deflate_lab.sh [SAMPLES_DIR]     (default: samples/)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SAMPLES=$(mkdir -p "${1:-$ROOT/samples}" && cd "${1:-$ROOT/samples}" && pwd)
PY=/usr/bin/python3
TD=""

log() { printf 'run_deflate_lab: %s\n' "$*" >&2; }
cleanup() {
	[ -n "$TD" ] && kill -INT "$TD" 2>/dev/null || true
	rm -f "${LOGF:-}"
}
trap cleanup EXIT

"$PY" -c 'import websockets' 2>/dev/null ||
	{ log "$PY lacks websockets (apt-get install python3-websockets)"; exit 1; }
command -v tcpdump >/dev/null || { log "tcpdump not installed"; exit 1; }
LOGF=$(mktemp /tmp/wstap-deflate-lab.XXXXXX)

for sc in nct_smallwin:deflate_nct_smallwin:9011 bomb:deflate_bomb_ws:9012; do
	IFS=: read -r scen name port <<<"$sc"
	rm -f "$SAMPLES/$name.pcap" "$SAMPLES/$name.truth.json"
	: >"$LOGF"
	tcpdump -i lo --immediate-mode -U -s 0 -B 16384 -w "$SAMPLES/$name.pcap" \
		"tcp port $port" >"$LOGF" 2>&1 &
	TD=$!
	for ((i = 0; i < 50; i++)); do
		grep -q 'listening on' "$LOGF" && break
		sleep 0.1
	done
	sleep 0.2
	timeout 60 "$PY" "$HERE/deflate_lab.py" --scenario "$scen" \
		--capture "$name.pcap" --out "$SAMPLES/$name.truth.json"
	sleep 0.4
	kill -INT "$TD"
	wait "$TD" || true
	TD=""
	chown --reference="$SAMPLES" "$SAMPLES/$name.pcap"
	log "$name: $(sed -n 's/ packets captured/ packets/p' "$LOGF")"
done

"$PY" "$HERE/make_deflate_cases.py" "$SAMPLES"
log "crafted deflate captures written"
