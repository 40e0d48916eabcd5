#!/bin/bash
# browse.sh - how the terminal browser (wstap -b) feels on a big capture,
# measured from outside as a user sees it: wstap in a detached tmux pane
# at 100x30, the screen read back with capture-pane every few ms.
#
#   bench/browse.sh WSTAP CAPTURE.pcap
#
# Prints: the time the same capture takes with -T summary (reading and
# analysis only); the time until the title no longer says "reading" with
# -b (so the browser's own cost is the difference); the latency of single
# keys (PgDn, G, g, j) from send-keys to the changed screen, median and
# worst of 20; and the browser's RSS.  A capture with about 10,000 legs:
#   /usr/bin/python3 bench/gen_capture.py --mb 66 /tmp/b10k.pcap
# Needs tmux; the screen is polled, so figures are +-5 ms.
set -u
WSTAP=${1:?usage: browse.sh WSTAP CAPTURE}
CAP=${2:?usage: browse.sh WSTAP CAPTURE}
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
SOCK=wstap-bench-browse-$$
tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null' EXIT
now() { date +%s.%N; }
ms() { echo "($2 - $1) * 1000" | bc | cut -d. -f1; }

t0=$(now)
"$WSTAP" -q -r "$CAP" -T summary >/dev/null
t1=$(now)
legs=$("$WSTAP" -q -r "$CAP" -T summary | tail -1 | grep -oE '^[0-9]+ legs')
echo "capture: $CAP, $legs"
echo "-T summary (read and analyse, no UI): $(ms "$t0" "$t1") ms"

t0=$(now)
tm new-session -d -s b -x 100 -y 30 "TERM=screen LANG=C.UTF-8 '$WSTAP' -b -r '$CAP'; sleep 60"
until tm capture-pane -p -t b | head -1 | grep -q " legs"; do sleep 0.005; done
t1=$(now)
while tm capture-pane -p -t b | head -1 | grep -q "reading"; do sleep 0.005; done
t2=$(now)
echo "-b: first screen after $(ms "$t0" "$t1") ms (filling while reading);" \
	"reading done and the full list shown after $(ms "$t0" "$t2") ms"

# key_ms KEY: send one key, wait until the screen differs (with its
# attributes: j only moves the reverse-video selection).
key_ms() {
	local before after t s
	before=$(tm capture-pane -e -p -t b)
	t=$(now)
	tm send-keys -t b "$1"
	for _ in $(seq 2000); do
		after=$(tm capture-pane -e -p -t b)
		[ "$after" != "$before" ] && break
		sleep 0.002
	done
	s=$(now)
	ms "$t" "$s"
}
for k in NPage G g j; do
	vals=()
	for _ in $(seq 20); do
		# G and g each from the other end
		[ "$k" = G ] && key_ms g >/dev/null
		[ "$k" = g ] && key_ms G >/dev/null
		vals+=("$(key_ms "$k")")
	done
	sorted=$(printf '%s\n' "${vals[@]}" | sort -n)
	echo "key $k: median $(echo "$sorted" | sed -n 10p) ms, worst $(echo "$sorted" | tail -1) ms"
done
pid=$(tm display-message -p -t b '#{pane_pid}')
wpid=$(pgrep -P "$pid" -x wstap | head -1)
[ -n "$wpid" ] && echo "RSS: $(($(ps -o rss= -p "$wpid") / 1024)) MB"
