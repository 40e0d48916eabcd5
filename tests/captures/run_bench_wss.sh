#!/bin/sh
# The bench's wss mix (bench/gen_capture.py --wss, issue 10) at ~1 MB:
# wstap decrypts every wss leg with the generated key log and reads the
# samples' messages (tests/captures/check_bench_wss.py).
here=$(dirname "$0")
exec "${PYTHON:-python3}" "$here/check_bench_wss.py" "${WSTAP:-./wstap}" "${SAMPLES:-$here/../../samples}"
