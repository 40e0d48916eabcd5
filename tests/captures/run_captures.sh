#!/bin/sh
# Capture tests: every sample's truth file against `wstap -T jsonl`
# (and the seed's transcript), by tests/captures/check_samples.py.
here=$(dirname "$0")
exec "${PYTHON:-python3}" "$here/check_samples.py" "${WSTAP:-./wstap}" "${SAMPLES:-$here/../../samples}"
