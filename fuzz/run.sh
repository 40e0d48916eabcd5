#!/bin/bash
# run.sh - builds the libFuzzer harnesses with clang (AddressSanitizer and
# UndefinedBehaviorSanitizer on) and runs each for a bounded time.
#
#   fuzz/run.sh [-t SECONDS] [-o WORKDIR] [-b] [HARNESS...]
#
#   -t SECONDS  run time per harness (default $FUZZ_SECONDS, else 60)
#   -o WORKDIR  binaries, corpora and crash files (default ./fuzz-out)
#   -b          build only
#   HARNESS     http ws pmd tls_hello pcap (default: all)
#
# The corpus of each harness grows in WORKDIR/corpus/NAME across runs;
# the seeds come from samples/ (fuzz/make_seeds.py).  Crashes land in
# WORKDIR/crashes/NAME/.  Prints one line per harness (executions, edges
# covered, corpus size, crashes) and "N passed, M failed" (a harness
# fails when it crashed).  Needs clang and libclang-rt-14-dev (Debian);
# skips with a message when they are missing.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
secs=${FUZZ_SECONDS:-60}
work=${FUZZ_OUT:-$PWD/fuzz-out}
build_only=0
while getopts "t:o:b" opt; do
	case $opt in
	t) secs=$OPTARG ;;
	o) work=$OPTARG ;;
	b) build_only=1 ;;
	*) sed -n '2,20p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
names=${*:-http ws pmd tls_hello pcap}
CC=${FUZZ_CC:-clang}
PY=${PYTHON:-/usr/bin/python3}

if ! command -v "$CC" >/dev/null; then
	echo "fuzz: SKIP: $CC not found (apt-get install clang libclang-rt-14-dev)"
	echo "0 passed, 0 failed"
	exit 0
fi
echo 'int LLVMFuzzerTestOneInput(const char *d, long n){(void)d;(void)n;return 0;}' \
	>"${TMPDIR:-/tmp}/fuzz-probe.$$.c"
if ! "$CC" -fsanitize=fuzzer "${TMPDIR:-/tmp}/fuzz-probe.$$.c" \
	-o "${TMPDIR:-/tmp}/fuzz-probe.$$" 2>/dev/null; then
	rm -f "${TMPDIR:-/tmp}/fuzz-probe.$$"*
	echo "fuzz: SKIP: $CC cannot link -fsanitize=fuzzer (apt-get install libclang-rt-14-dev)"
	echo "0 passed, 0 failed"
	exit 0
fi
rm -f "${TMPDIR:-/tmp}/fuzz-probe.$$"*

# The library's sources as Makefile.am lists them (one truth).
lib=$(sed -n '/^libwstap_a_SOURCES/,/^$/p' "$src/Makefile.am" |
	tr ' \t\\' '\n\n\n' | grep '\.c$')
libs="$(pkg-config --libs libpcap zlib 2>/dev/null || echo -lpcap -lz)"
pkg-config --exists libcrypto 2>/dev/null && libs="$libs $(pkg-config --libs libcrypto)"
flags="-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
	-I$src/analyzer -I$src/dissectors -I$src/ui"
[ -f "$PWD/config.h" ] && flags="$flags -I$PWD"

mkdir -p "$work/bin" "$work/obj" "$work/seeds"
# Library objects once, with fuzzer instrumentation but no main.
objflags=${flags/-fsanitize=fuzzer,/-fsanitize=fuzzer-no-link,}
# A header change can change any struct: when any source or header is
# newer than the last build, every object is rebuilt (in parallel).
stamp=$work/obj/.stamp
if [ ! -f "$stamp" ] || [ -n "$(find "$src/analyzer" "$src/dissectors" \
	"$src/ui" "$src/Makefile.am" -newer "$stamp" -print -quit)" ]; then
	touch "$stamp.new" # before: edits made during the build count next time
	rm -f "$work"/obj/*.o
	export CC objflags src work
	# shellcheck disable=SC2016
	printf '%s\n' $lib | xargs -P "$(nproc)" -I{} sh -c \
		'$CC $objflags -c "$src/{}" -o "$work/obj/$(echo {} | tr / _).o"' ||
		{ echo "fuzz: building the library failed"; exit 1; }
	mv "$stamp.new" "$stamp"
fi
objs=
for f in $lib; do
	objs="$objs $work/obj/$(echo "$f" | tr / _).o"
done
# An archive: each harness links only the objects it uses.
rm -f "$work/libfuzz.a"
# shellcheck disable=SC2086
ar rcs "$work/libfuzz.a" $objs
for n in $names; do
	# shellcheck disable=SC2086
	$CC $flags "$here/fuzz_$n.c" "$work/libfuzz.a" $libs -o "$work/bin/fuzz_$n" ||
		{ echo "fuzz: building fuzz_$n failed"; exit 1; }
done
"$PY" "$here/make_seeds.py" "$src/samples" "$work/seeds" >/dev/null
[ "$build_only" = 1 ] && { echo "fuzz: built in $work/bin"; exit 0; }

pass=0 fail=0
for n in $names; do
	corpus="$work/corpus/$n" crashes="$work/crashes/$n"
	mkdir -p "$corpus" "$crashes"
	log="$work/fuzz_$n.log"
	# -rss_limit_mb: the harness must stay small whatever the input;
	# -timeout: one input must not take seconds (a hang is a bug).
	"$work/bin/fuzz_$n" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=512 -max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$crashes/" "$corpus" "$work/seeds/$n" \
		>"$log" 2>&1
	rc=$?
	execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log" | tail -1)
	rate=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+)/\1/p' "$log" | tail -1)
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
	ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
	# corp: libFuzzer's live corpus (units/bytes); the directory also
	# keeps the inputs later reductions replaced, so it holds more files.
	corp=$(grep -oE 'corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -1 | cut -d' ' -f2)
	ncrash=$(find "$crashes" -type f | wc -l)
	echo "fuzz_$n: ${secs}s, ${execs:-0} executions (${rate:-0}/s), cov ${cov:-0} edges, ft ${ft:-0}, corp ${corp:-0}, corpus files $(find "$corpus" -type f | wc -l), crash files $ncrash, exit $rc"
	if [ "$rc" = 0 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		grep -m5 -E 'ERROR|SUMMARY|runtime error' "$log"
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
