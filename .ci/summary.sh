#!/bin/bash
# Adds up the results of every test program's log into one final line,
# "N passed, M failed", so a run that tested nothing shows it.
pass=0 fail=0
unit=tests/unit/unit_tests.log
if [ -f "$unit" ]; then
	line=$(grep -E '^unit: [0-9]+ tests run, [0-9]+ failures' "$unit" | tail -1)
	echo "${line:-unit: no summary (the unit test program did not finish)}"
	run=$(echo "$line" | sed -nE 's/^unit: ([0-9]+) tests run.*/\1/p')
	bad=$(echo "$line" | sed -nE 's/.* ([0-9]+) failures.*/\1/p')
	[ -n "$run" ] || { run=0; bad=1; }
	pass=$((pass + run - bad))
	fail=$((fail + bad))
else
	echo "unit: no log"
	fail=$((fail + 1))
fi
for log in tests/captures/run_captures.sh.log tests/captures/run_splits.sh.log \
	tests/captures/run_tshark.sh.log tests/captures/run_bench_wss.sh.log \
	tests/captures/run_mangle.sh.log \
	tests/cli/run_cli.sh.log tests/install/run_install.sh.log \
	tests/cli/run_browse.sh.log tests/exports/run_exports.sh.log \
	tests/live/run_live.sh.log tests/hostile/run_hostile.sh.log \
	$(ls deb-check.log 2>/dev/null); do
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" 2>/dev/null | tail -1)
	echo "$(basename "$(basename "$log" .sh.log)" .log): ${line:-no summary}"
	if [ -n "$line" ]; then
		pass=$((pass + $(echo "$line" | cut -d' ' -f1)))
		fail=$((fail + $(echo "$line" | cut -d' ' -f3)))
	else
		fail=$((fail + 1))
	fi
done
if [ -f fuzz.log ]; then
	echo "fuzz (reported, not counted): $(grep -E '^[0-9]+ passed, [0-9]+ failed$' fuzz.log | tail -1)"
fi
# The suite again under AddressSanitizer and UBSan (.ci/run builds it in
# _asan): this script run there gives its total, shown on a line of its
# own and counted in the final one.  Each sanitizer report (a file in
# _asan/san-reports, or a test log holding UBSan's "runtime error:")
# is one more failure, even when its test program passed.
if [ -d _asan ] && [ -z "${SUMMARY_IN_ASAN:-}" ]; then
	self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
	line=$(cd _asan && SUMMARY_IN_ASAN=1 bash "$self" | tail -1)
	reports=$(find _asan/san-reports -type f 2>/dev/null | wc -l)
	ub=$(grep -rlE 'runtime error:|ERROR: (Address|Leak)Sanitizer' _asan/tests \
		--include='*.log' 2>/dev/null | wc -l)
	echo "asan+ubsan (make check again, -fsanitize=address,undefined): $line; sanitizer reports $((reports + ub))"
	pass=$((pass + $(echo "$line" | cut -d' ' -f1)))
	fail=$((fail + $(echo "$line" | cut -d' ' -f3) + reports + ub))
fi
echo "$pass passed, $fail failed"
