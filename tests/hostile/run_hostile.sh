#!/bin/sh
# The hostile-capture set (truncated files, absurd pcap and pcapng
# lengths, a frame of 2^63 bytes, endless 1-byte fragments, a million
# tiny legs, 126-byte control frames, invalid UTF-8, deflate bombs): each
# generated into a temp dir and run through wstap under a time and memory
# bound, its anomaly checked (tests/hostile/run_hostile.py).
here=$(dirname "$0")
exec "${PYTHON:-python3}" "$here/run_hostile.py" "${WSTAP:-./wstap}"
