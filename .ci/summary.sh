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
echo "$pass passed, $fail failed"
