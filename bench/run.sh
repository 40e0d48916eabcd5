#!/bin/bash
# run.sh - the benchmark of issue 9: wstap against tshark on the same
# capture, in the same run.
#
#   WSTAP=path/to/wstap bench/run.sh [-n REPEAT] [-d DIR] [-r RESULTS.md]
#
# Builds (once, kept in DIR, default ./bench-data) a 256 MB capture and a
# four times longer one at the same concurrency with gen_capture.py, then
# times, each with /usr/bin/time:
#   wstap -q -r FILE -o /dev/null                 (summary)
#   wstap -q -T jsonl -r FILE -o /dev/null        (JSON Lines, payloads in)
#   tshark -r FILE -Y websocket -T fields -e tcp.stream \
#          -e websocket.opcode -e websocket.payload_length
# and prints MB/s, packets/s, peak RSS and the ratios to tshark.  Rates are
# given on CPU time (user + system), which a busy machine does not
# distort, and on wall-clock time.  wstap runs REPEAT times (best kept),
# tshark once.  Then peak RSS of both wstap modes on the 4x capture (it
# must stay flat), and instructions per packet from valgrind's callgrind
# on a fixed slice (the first 100000 packets, summary mode): repeatable
# on a noisy machine.  The figures are appended to RESULTS.md with the
# date and the commit.  BENCH_MB (256) and BENCH_CONCURRENCY (64) change
# the capture; BENCH_SKIP_TSHARK=1 and BENCH_SKIP_CALLGRIND=1 skip parts.
#
# Then the wss mix (issue 10): gen_capture.py --wss builds a capture of
# BENCH_WSS_MB (96) MB, mostly wss (TLS 1.2 and 1.3 through squid, from
# python3-websockets and Chromium), with the key log that opens every
# copy.  wstap runs on it without the key log (the wss legs are
# tls_encrypted) and with --keylog, in summary and -T jsonl, and the
# slowdown of decrypting is printed; the run fails loudly when fewer than
# 95% of the wss legs are decrypted.  BENCH_SKIP_WSS=1 skips this part,
# BENCH_ONLY_WSS=1 runs only it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
WSTAP=${WSTAP:-./wstap}
PY=/usr/bin/python3
repeat=3
dir=${BENCH_DIR:-$PWD/bench-data}
results=$here/RESULTS.md
while getopts "n:d:r:" opt; do
	case $opt in
	n) repeat=$OPTARG ;;
	d) dir=$OPTARG ;;
	r) results=$OPTARG ;;
	*) sed -n '2,33p' "$0"; exit 2 ;;
	esac
done
mb=${BENCH_MB:-256}
conc=${BENCH_CONCURRENCY:-64}
[ -x "$WSTAP" ] || { echo "bench: no wstap at $WSTAP (set WSTAP)"; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: needs /usr/bin/time (apt-get install time)"; exit 2; }
only_wss=${BENCH_ONLY_WSS:-0}
skip_wss=${BENCH_SKIP_WSS:-0}
wmb=${BENCH_WSS_MB:-96}
mkdir -p "$dir"
cap=$dir/bench_${mb}mb_c$conc.pcap
cap4=$dir/bench_$((mb * 4))mb_c$conc.pcap
wcap=$dir/bench_wss_${wmb}mb_c$conc.pcap
wkeys=$dir/bench_wss_${wmb}mb_c$conc.keys
specs="$cap:$mb $cap4:$((mb * 4))"
[ "$only_wss" = 1 ] && specs=
for spec in $specs; do
	f=${spec%:*} m=${spec##*:}
	if [ ! -s "$f" ] || [ "$here/gen_capture.py" -nt "$f" ]; then
		echo "== generating $f"
		"$PY" "$here/gen_capture.py" --mb "$m" --concurrency "$conc" "$f.tmp"
		mv "$f.tmp" "$f"
	fi
done
if [ "$skip_wss" != 1 ] && { [ ! -s "$wcap" ] || [ ! -s "$wkeys" ] ||
	[ "$here/gen_capture.py" -nt "$wcap" ]; }; then
	echo "== generating $wcap and $wkeys"
	"$PY" "$here/gen_capture.py" --wss --mb "$wmb" --concurrency "$conc" \
		--keys "$wkeys.tmp" "$wcap.tmp"
	mv "$wkeys.tmp" "$wkeys"
	mv "$wcap.tmp" "$wcap"
fi

# packets in a capture (classic pcap written by gen_capture.py)
count_packets() {
	"$PY" - "$1" <<'PYEOF'
import struct, sys
n = 0
with open(sys.argv[1], "rb") as f:
	f.read(24)
	while True:
		h = f.read(16)
		if len(h) < 16:
			break
		f.seek(struct.unpack("<IIII", h)[2], 1)
		n += 1
print(n)
PYEOF
}

# measure NAME CMD...: runs the command, sets T_WALL T_CPU T_RSS (KB)
measure() {
	local tf
	tf=$(mktemp)
	/usr/bin/time -f "%e %U %S %M" -o "$tf" "$@" >/dev/null 2>"$tf.err" || {
		echo "bench: failed: $*"; cat "$tf.err"; rm -f "$tf" "$tf.err"; exit 1; }
	read -r T_WALL u s T_RSS <"$tf"
	T_CPU=$(echo "$u + $s" | bc -l)
	rm -f "$tf" "$tf.err"
}

# best NAME REPEAT CMD...: the fastest (CPU) of REPEAT runs
best() {
	local n=$1 bw= bc= br=
	shift
	for _ in $(seq "$n"); do
		measure "$@"
		if [ -z "$bc" ] || [ "$(echo "$T_CPU < $bc" | bc -l)" = 1 ]; then
			bw=$T_WALL bc=$T_CPU br=$T_RSS
		fi
	done
	T_WALL=$bw T_CPU=$bc T_RSS=$br
}

rate() { # seconds -> "MB/s pkts/s"
	echo "$(echo "scale=1; $bytes / 1000000 / $1" | bc -l) $(echo "scale=0; $pkts / $1" | bc -l)"
}
line() { # label wall cpu rss
	read -r mbc ppc <<<"$(rate "$3")"
	read -r mbw ppw <<<"$(rate "$2")"
	printf '| %-14s | %7.2f | %7.2f | %8s | %9s | %8s | %9s | %7.1f |\n' \
		"$1" "$2" "$3" "$mbc" "$ppc" "$mbw" "$ppw" "$(echo "$4 / 1024" | bc -l)"
}

out=$(mktemp)
{
	echo "### $(date -u +%Y-%m-%d\ %H:%M) UTC, commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$here" diff --quiet HEAD -- 2>/dev/null || echo ' (with uncommitted changes)')"
	echo
} >"$out"

# The main capture: wstap's two modes, tshark, the 4x capture, callgrind.
main_bench() {
bytes=$(stat -c %s "$cap")
pkts=$(count_packets "$cap")
{
	echo "Capture: $(basename "$cap"), $bytes bytes, $pkts packets; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start; wstap best of $repeat, tshark once."
	echo
	echo "| tool | wall s | CPU s | MB/s CPU | pkts/s CPU | MB/s wall | pkts/s wall | peak RSS MB |"
	echo "|---|---|---|---|---|---|---|---|"
} >>"$out"

best "$repeat" "$WSTAP" -q -r "$cap" -o /dev/null
sw=$T_WALL sc=$T_CPU sr=$T_RSS
line "wstap summary" "$sw" "$sc" "$sr" >>"$out"
best "$repeat" "$WSTAP" -q -T jsonl -r "$cap" -o /dev/null
jw=$T_WALL jc=$T_CPU jr=$T_RSS
line "wstap jsonl" "$jw" "$jc" "$jr" >>"$out"
if [ "${BENCH_SKIP_TSHARK:-0}" != 1 ] && command -v tshark >/dev/null; then
	measure tshark -r "$cap" -Y websocket -T fields -e tcp.stream \
		-e websocket.opcode -e websocket.payload_length
	tw=$T_WALL tc=$T_CPU tr=$T_RSS
	line "tshark" "$tw" "$tc" "$tr" >>"$out"
	{
		echo
		printf 'Ratios to tshark (CPU time): summary %.1fx (target 50x), jsonl %.1fx (target 20x); wall clock: summary %.1fx, jsonl %.1fx; peak RSS: tshark %.0fx the summary'"'"'s.\n' \
			"$(echo "$tc / $sc" | bc -l)" "$(echo "$tc / $jc" | bc -l)" \
			"$(echo "$tw / $sw" | bc -l)" "$(echo "$tw / $jw" | bc -l)" \
			"$(echo "$tr / $sr" | bc -l)"
	} >>"$out"
else
	echo >>"$out"; echo "tshark skipped." >>"$out"
fi

measure "$WSTAP" -q -r "$cap4" -o /dev/null
s4=$T_RSS s4c=$T_CPU
measure "$WSTAP" -q -T jsonl -r "$cap4" -o /dev/null
j4=$T_RSS
flat() { # rss rss4 -> verdict: flat when within 10% + 2 MB
	[ "$(echo "$2 <= $1 * 1.10 + 2048" | bc -l)" = 1 ] && echo flat || echo GROWS
}
{
	echo
	printf 'Peak RSS on the 4x capture (%s, %s bytes): summary %.1f MB (%s; %.1f MB on 1x), jsonl %.1f MB (%s; %.1f MB on 1x); summary CPU %.2f s (%.2fx the 1x).\n' \
		"$(basename "$cap4")" "$(stat -c %s "$cap4")" \
		"$(echo "$s4 / 1024" | bc -l)" "$(flat "$sr" "$s4")" "$(echo "$sr / 1024" | bc -l)" \
		"$(echo "$j4 / 1024" | bc -l)" "$(flat "$jr" "$j4")" "$(echo "$jr / 1024" | bc -l)" \
		"$s4c" "$(echo "$s4c / $sc" | bc -l)"
} >>"$out"

if [ "${BENCH_SKIP_CALLGRIND:-0}" != 1 ] && command -v valgrind >/dev/null; then
	slice=100000
	for mode in summary jsonl; do
		fmt=
		[ "$mode" = jsonl ] && fmt="-T jsonl"
		# shellcheck disable=SC2086
		ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
			"$WSTAP" -q $fmt -c $slice -r "$cap" -o /dev/null 2>&1 |
			sed -nE 's/.*Collected : ([0-9]+).*/\1/p')
		printf 'Instructions per packet (callgrind, first %d packets, %s): %d.\n' \
			"$slice" "$mode" "$((ir / slice))" >>"$out"
	done
fi
}

# tally FILE LABEL: the count of LABEL in the summary's last line
# ("N legs: ok 3, tls_encrypted 2, ...; P packets, B bytes"), 0 if absent.
tally() {
	tail -1 "$1" | sed -nE "s/.*[:,] $2 ([0-9]+).*/\1/p" | grep . || echo 0
}

# The wss mix with its key log (issue 10): the cost of decrypting.
wss_bench() {
bytes=$(stat -c %s "$wcap")
pkts=$(count_packets "$wcap")
local nk cw cc cr kw kc kr jw jc jr qw qc qr tf wss enc dec recs
nk=$(grep -vc '^#' "$wkeys")
# The check first: nearly every wss leg must open with the key log (a
# generator that breaks the keys would otherwise time a run that
# decrypts nothing).  wss legs: tls_encrypted in the summary without the
# key log; decrypted: "decrypted":true in the JSON Lines with it.
tf=$(mktemp)
env -u SSLKEYLOGFILE "$WSTAP" -q -r "$wcap" >"$tf"
wss=$(tally "$tf" tls_encrypted)
"$WSTAP" -q --keylog "$wkeys" -r "$wcap" >"$tf"
enc=$(tally "$tf" tls_encrypted)
read -r dec recs <<<"$("$WSTAP" -q -T jsonl --keylog "$wkeys" -r "$wcap" |
	"$PY" -c '
import json, sys
n = r = 0
for ln in sys.stdin:
	if ln.startswith("{\"type\":\"session\""):
		t = json.loads(ln)["tls"]
		if t and t.get("decrypted"):
			n += 1
			r += sum(t["records_decrypted"].values())
print(n, r)')"
rm -f "$tf"
if [ "$wss" -eq 0 ] || [ $((dec * 100)) -lt $((wss * 95)) ]; then
	echo "bench: FAILED: with $wkeys only $dec of the $wss wss legs of $wcap were decrypted (95% needed); $enc left tls_encrypted" >&2
	exit 1
fi

best "$repeat" env -u SSLKEYLOGFILE "$WSTAP" -q -r "$wcap" -o /dev/null
cw=$T_WALL cc=$T_CPU cr=$T_RSS
best "$repeat" "$WSTAP" -q --keylog "$wkeys" -r "$wcap" -o /dev/null
kw=$T_WALL kc=$T_CPU kr=$T_RSS
best "$repeat" env -u SSLKEYLOGFILE "$WSTAP" -q -T jsonl -r "$wcap" -o /dev/null
jw=$T_WALL jc=$T_CPU jr=$T_RSS
best "$repeat" "$WSTAP" -q -T jsonl --keylog "$wkeys" -r "$wcap" -o /dev/null
qw=$T_WALL qc=$T_CPU qr=$T_RSS
{
	[ "$only_wss" = 1 ] || echo
	echo "wss mix: $(basename "$wcap"), $bytes bytes, $pkts packets, $wss wss legs (TLS 1.2 and 1.3); key log $(basename "$wkeys"), $nk lines. With it $dec of the $wss wss legs decrypted ($(echo "scale=1; $dec * 100 / $wss" | bc -l)%), $recs TLS records, $enc left tls_encrypted; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); wstap best of $repeat."
	echo
	echo "| wstap on the wss mix | wall s | CPU s | MB/s CPU | pkts/s CPU | MB/s wall | pkts/s wall | peak RSS MB |"
	echo "|---|---|---|---|---|---|---|---|"
	line "summary, no keys" "$cw" "$cc" "$cr"
	line "summary, keylog" "$kw" "$kc" "$kr"
	line "jsonl, no keys" "$jw" "$jc" "$jr"
	line "jsonl, keylog" "$qw" "$qc" "$qr"
	echo
	printf 'Slowdown from decrypting (CPU time with the key log / without): summary %.2fx, jsonl %.2fx.\n' \
		"$(echo "$kc / $cc" | bc -l)" "$(echo "$qc / $jc" | bc -l)"
} >>"$out"
if [ "${BENCH_SKIP_CALLGRIND:-0}" != 1 ] && command -v valgrind >/dev/null; then
	local slice=50000 irn irk
	[ "$pkts" -lt $slice ] && slice=$pkts
	irn=$(env -u SSLKEYLOGFILE valgrind --tool=callgrind \
		--callgrind-out-file=/dev/null "$WSTAP" -q -c "$slice" -r "$wcap" \
		-o /dev/null 2>&1 | sed -nE 's/.*Collected : ([0-9]+).*/\1/p')
	irk=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		"$WSTAP" -q --keylog "$wkeys" -c "$slice" -r "$wcap" -o /dev/null \
		2>&1 | sed -nE 's/.*Collected : ([0-9]+).*/\1/p')
	printf 'Instructions per packet (callgrind, first %d packets of the wss mix, summary): %d without the key log, %d with it (%.2fx; the key log load included).\n' \
		"$slice" "$((irn / slice))" "$((irk / slice))" \
		"$(echo "$irk / $irn" | bc -l)" >>"$out"
fi
}

[ "$only_wss" = 1 ] || main_bench
[ "$skip_wss" = 1 ] || wss_bench
echo >>"$out"
cat "$out"
cat "$out" >>"$results"
rm -f "$out"
echo "(appended to $results)"
