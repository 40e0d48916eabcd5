#!/bin/sh
# Split tests: samples re-segmented (1-byte, 5-byte, shuffled and
# duplicated 3-byte TCP segments) must be analysed exactly as the originals.
here=$(dirname "$0")
exec "${PYTHON:-python3}" "$here/compare_split.py" "${WSTAP:-./wstap}" "${SAMPLES:-$here/../../samples}"
