#!/bin/sh
# Mangled captures: samples shuffled, duplicated, re-cut with overlaps (same
# and different bytes), sequence-wrapped, IP-fragmented, picked up midstream,
# with a segment lost, and cut by a snaplen, against the clean analysis.
here=$(dirname "$0")
exec "${PYTHON:-python3}" "$here/check_mangle.py" "${WSTAP:-./wstap}" "${SAMPLES:-$here/../../samples}"
