#!/bin/bash
# lab_nginx.sh: reverse-proxy captures through a real nginx (Debian's
# nginx-light) in front of the lab's python3-websockets echo server, on
# loopback only.  Writes samples/nginx_reverse_ws.pcap (nginx forwards the
# Upgrade: both legs carry the same Sec-WebSocket-Key and every message)
# and samples/nginx_strip_upgrade.pcap (a location that forwards without
# the Upgrade headers, the classic misconfiguration: the backend refuses
# and nginx relays the refusal), each with its truth file.
#
# Usage: tests/lab/lab_nginx.sh [SAMPLES_DIR]   (root; needs nginx,
# tcpdump, /usr/bin/python3 with python3-websockets)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SAMPLES=$(mkdir -p "${1:-$ROOT/samples}" && cd "${1:-$ROOT/samples}" && pwd)
PY=/usr/bin/python3
NGINX_PORT=8081
WS_PORT=9001
LAB_NAME=lab_nginx
# shellcheck source=lab_common.sh
. "$HERE/lab_common.sh"

command -v nginx >/dev/null || die "nginx is missing: apt-get install nginx-light"
mkdir -p "$WORK/logs" "$WORK/tmp"
cat >"$WORK/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
error_log $WORK/logs/error.log info;
pid $WORK/nginx.pid;
events { worker_connections 64; }
http {
	access_log $WORK/logs/access.log;
	client_body_temp_path $WORK/tmp;
	proxy_temp_path $WORK/tmp;
	# the documented WebSocket proxying: Upgrade and Connection are
	# hop-by-hop (RFC 9110 7.6.1), so nginx must set them explicitly
	map \$http_upgrade \$connection_upgrade {
		default upgrade;
		''      close;
	}
	server {
		listen 127.0.0.1:$NGINX_PORT;
		location / {
			proxy_pass http://127.0.0.1:$WS_PORT;
			proxy_http_version 1.1;
			proxy_set_header Upgrade \$http_upgrade;
			proxy_set_header Connection \$connection_upgrade;
			proxy_set_header Host \$host;
			proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
			proxy_set_header Forwarded "for=\$remote_addr;proto=http";
		}
		# forgets the Upgrade headers: nginx drops them as hop-by-hop
		location /strip/ {
			proxy_pass http://127.0.0.1:$WS_PORT/;
			proxy_http_version 1.1;
			proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
		}
	}
}
CONF

"$PY" "$HERE/ws_server.py" --host 127.0.0.1 --base-port $WS_PORT \
	>"$WORK/logs/ws_server.log" 2>&1 &
PIDS+=($!)
nginx -c "$WORK/nginx.conf" -p "$WORK" >"$WORK/logs/nginx.out" 2>&1 &
PIDS+=($!)
wait_port $WS_PORT
wait_port $NGINX_PORT
log "nginx $(nginx -v 2>&1 | sed 's/.*\///') in front of the echo server"

capture() {
	local name=$1
	shift
	lab_capture "$name" "tcp port $NGINX_PORT or tcp port $WS_PORT" \
		timeout 30 "$PY" "$HERE/ws_client.py" --capture "$name.pcap" \
		--out "$WORK/$name.client.json" "$@"
}

capture nginx_reverse_ws --target 127.0.0.1:$NGINX_PORT \
	--description "Client to nginx (reverse proxy with the documented Upgrade/Connection settings, X-Forwarded-For and Forwarded) to the echo server; basic message set, close 1000."
capture nginx_strip_upgrade --target 127.0.0.1:$NGINX_PORT --path /strip/ \
	--expect handshake_rejected --msgset one \
	--description "nginx location that forwards without the Upgrade headers (hop-by-hop, dropped unless set explicitly): the backend refuses the plain GET and nginx relays the refusal."

# The client knows only its own leg; nginx's leg to the backend carries
# the same request (with X-Forwarded-For) and the same messages.
"$PY" - "$WORK" "$SAMPLES" $NGINX_PORT $WS_PORT <<'PYEOF'
import json, sys
work, samples, nport, wport = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
for name in ("nginx_reverse_ws", "nginx_strip_upgrade"):
	t = json.load(open("%s/%s.client.json" % (work, name)))
	front = t["legs"][0]
	front["role"] = "client-proxy"
	front["via"] = "reverse"
	back = json.loads(json.dumps(front))
	back["role"] = "proxy-server"
	back["match"] = {"server_port": wport, "nth": 0}
	back["via"] = "reverse"
	front["linked_with"], back["linked_with"] = 1, 0
	if name == "nginx_strip_upgrade":
		# the backend saw a plain GET: no WebSocket on its leg
		back["verdict"] = "not_websocket"
		back["messages"] = []
		back.pop("deflate", None)
		front["explanation_contains"] = ["Upgrade dropped"]
	t["legs"] = [front, back]
	t["capture"] = name + ".pcap"
	t["generated_by"] = "tests/lab/lab_nginx.sh"
	open("%s/%s.truth.json" % (samples, name), "w").write(json.dumps(t, indent=1) + "\n")
PYEOF
log "done: $(ls "$SAMPLES"/nginx_*.pcap | tr '\n' ' ')"
