# lab_common.sh - sourced by the lab scripts (lab_nginx.sh,
# lab_chromium.sh): a work directory removed on success, process cleanup,
# port waiting, tcpdump capture around a command, and the squid settings
# every lab squid shares.  Set LAB_NAME before sourcing.

WORK=$(mktemp -d "/tmp/wstap-$LAB_NAME.XXXXXX")
chmod 755 "$WORK"
mkdir -m 1777 "$WORK/var"
PIDS=()

log() { printf '%s: %s\n' "$LAB_NAME" "$*" >&2; }
die() { log "error: $*"; exit 1; }

lab_cleanup() {
	local rc=$? i
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		kill -TERM "${PIDS[i]}" 2>/dev/null || true
		wait "${PIDS[i]}" 2>/dev/null || true
	done
	if [ "$rc" -eq 0 ]; then rm -rf "$WORK"; else log "failed; logs in $WORK"; fi
}
trap lab_cleanup EXIT INT TERM

wait_port() {
	local i
	for ((i = 0; i < 100; i++)); do
		ss -Hltn "sport = :$1" | grep -q . && return 0
		sleep 0.1
	done
	die "nothing listens on port $1"
}

# lab_capture NAME FILTER CMD...: runs CMD with tcpdump writing
# $SAMPLES/NAME.pcap (immediate mode and a big buffer: no packet may be
# lost when tcpdump is stopped).
lab_capture() {
	local name=$1 filter=$2 td i
	shift 2
	touch "$WORK/var/td-$name.log"
	tcpdump -i lo --immediate-mode -U -B 16384 -s 0 -w "$SAMPLES/$name.pcap" \
		"$filter" >"$WORK/var/td-$name.log" 2>&1 &
	td=$!
	for ((i = 0; i < 50; i++)); do
		grep -q 'listening on' "$WORK/var/td-$name.log" && break
		sleep 0.1
	done
	sleep 0.2
	"$@" || true
	sleep 0.5
	kill -INT "$td"
	wait "$td" || true
	# tcpdump drops to its own user before it creates the file
	chown --reference="$SAMPLES" "$SAMPLES/$name.pcap"
}

# squid_common_conf (squid_conf.sh): the settings every lab squid shares
# shellcheck source=squid_conf.sh
. "$(dirname "${BASH_SOURCE[0]}")/squid_conf.sh"
