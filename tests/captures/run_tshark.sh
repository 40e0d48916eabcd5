#!/bin/sh
# TLS decryption cross-checked with tshark: for every sample whose truth
# names a key log ("keylog"), tshark and `wstap --keylog` must find the
# same WebSocket messages on every connection (tests/lab/tshark_check.py).
# Skipped (exit 77) when tshark is not installed.
here=$(dirname "$0")
samples=${SAMPLES:-$here/../../samples}
py=${PYTHON:-python3}
if ! command -v tshark >/dev/null 2>&1; then
	echo "run_tshark: tshark is not installed (apt-get install tshark); skipped"
	echo "0 passed, 0 failed"
	exit 77
fi
pass=0 fail=0
for truth in "$samples"/*.truth.json; do
	# capture, key log and the ports of TLS servers reached directly
	set -- $("$py" - "$truth" <<'PYEOF'
import json, sys
t = json.load(open(sys.argv[1], encoding="utf-8"))
if "keylog" in t:
	ports = sorted({str(l["match"]["server_port"]) for l in t["legs"]
		if l.get("via") == "direct"})
	print(t["capture"], t["keylog"], *ports)
PYEOF
)
	[ $# -ge 2 ] || continue
	cap=$1 keys=$2
	shift 2
	if "$py" "$here/../lab/tshark_check.py" "${WSTAP:-./wstap}" \
		"$samples/$cap" "$samples/$keys" "$@"; then
		echo "ok $cap: tshark agrees"
		pass=$((pass + 1))
	else
		echo "FAIL $cap: tshark and wstap differ"
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
