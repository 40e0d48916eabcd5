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
	*) sed -n '2,24p' "$0"; exit 2 ;;
	esac
done
mb=${BENCH_MB:-256}
conc=${BENCH_CONCURRENCY:-64}
[ -x "$WSTAP" ] || { echo "bench: no wstap at $WSTAP (set WSTAP)"; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: needs /usr/bin/time (apt-get install time)"; exit 2; }
mkdir -p "$dir"
cap=$dir/bench_${mb}mb_c$conc.pcap
cap4=$dir/bench_$((mb * 4))mb_c$conc.pcap
for spec in "$cap:$mb" "$cap4:$((mb * 4))"; do
	f=${spec%:*} m=${spec##*:}
	if [ ! -s "$f" ] || [ "$here/gen_capture.py" -nt "$f" ]; then
		echo "== generating $f"
		"$PY" "$here/gen_capture.py" --mb "$m" --concurrency "$conc" "$f.tmp"
		mv "$f.tmp" "$f"
	fi
done

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

bytes=$(stat -c %s "$cap")
pkts=$(count_packets "$cap")
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
	echo "Capture: $(basename "$cap"), $bytes bytes, $pkts packets; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start; wstap best of $repeat, tshark once."
	echo
	echo "| tool | wall s | CPU s | MB/s CPU | pkts/s CPU | MB/s wall | pkts/s wall | peak RSS MB |"
	echo "|---|---|---|---|---|---|---|---|"
} >"$out"

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
echo >>"$out"
cat "$out"
cat "$out" >>"$results"
rm -f "$out"
echo "(appended to $results)"
