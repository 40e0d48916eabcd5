#!/bin/bash
# Exports checked against what consumes them: every JSON Lines record of
# every sample against docs/jsonl.schema.json (python3-jsonschema) and read
# by jq; every HAR against docs/har.schema.json, by the npm har-validator
# when it is installed, and against the JSONL of the same capture; -w
# per-leg pcap and pcapng files read back by capinfos, mergecap and wstap
# (tests/exports/check_split.py); more legs open at once than files may be
# open; wstap's HAR against the one Chromium's DevTools protocol gave for
# the same page load (tests/exports/check_devtools_har.py).  Prints one
# line per check and ends with "N passed, M failed".
set -u
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ in the source tree
WSTAP=${WSTAP:-./wstap}
S=${SAMPLES:-$(dirname "$0")/../../samples}
D=$(cd "$(dirname "$0")" && pwd)
DOCS=$D/../../docs
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0 skip=0

ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }
skipped() { echo "skip $1"; skip=$((skip + 1)); }
# Runs a checker printing ok/FAIL lines and adds them up.
tally() {
	local out
	out=$("$@" 2>&1)
	echo "$out"
	pass=$((pass + $(grep -c '^ok ' <<<"$out")))
	fail=$((fail + $(grep -c '^FAIL ' <<<"$out")))
	if [ -z "$out" ]; then bad "$*" "printed nothing"; fi
}

# Debian's python3 has python3-jsonschema; the python3 first on PATH may not.
PY=
for p in /usr/bin/python3 "${PYTHON:-python3}"; do
	if "$p" -c 'import jsonschema; jsonschema.Draft202012Validator' 2>/dev/null; then PY=$p; break; fi
done
[ -n "$PY" ] || skipped "schema validation: python3-jsonschema is missing (apt-get install python3-jsonschema)"
PYANY=${PY:-${PYTHON:-python3}}
HAVE_JQ=; command -v jq >/dev/null && HAVE_JQ=1
[ -n "$HAVE_JQ" ] || skipped "jq checks: jq is missing (apt-get install jq)"
# npm's har-validator: HAR_VALIDATOR_DIR, or a global npm install.
HV=
for d in "${HAR_VALIDATOR_DIR:-}" "$(npm root -g 2>/dev/null)"; do
	if [ -n "$d" ] && [ -d "$d/har-validator" ] && command -v node >/dev/null; then HV=$d; break; fi
done
[ -n "$HV" ] || skipped "har-validator: not installed (npm install -g har-validator)"

captures=()
jsonls=()
hars=()
for f in "$S"/*.pcap "$S"/*.pcapng; do
	case $f in *not_a_capture*) continue ;; esac
	captures+=("$f")
done

for f in "${captures[@]}"; do
	b=$(basename "$f")
	"$WSTAP" -q -r "$f" -T jsonl -o "$T/$b.jsonl" 2>"$T/err"
	rc=$?
	if [ "$rc" -gt 1 ]; then bad "$b: -T jsonl" "exit $rc"; continue; fi
	jsonls+=("$T/$b.jsonl")
	if [ -n "$HAVE_JQ" ]; then
		if jq -e -s 'length > 0 and (.[-1].type == "stats") and (map(select(.type == "session")) | length) == .[-1].legs_reported' "$T/$b.jsonl" >/dev/null 2>"$T/jqerr"; then
			ok "$b: jq reads every line; stats last; one session per reported leg"
		else
			bad "$b: jq" "$(head -c 200 "$T/jqerr")"
		fi
	fi

	"$WSTAP" -q -r "$f" -T har -o "$T/$b.har" 2>"$T/err"
	rc=$?
	if [ "$rc" -gt 1 ]; then bad "$b: -T har" "exit $rc: $(head -c 200 "$T/err")"; continue; fi
	tally "$PYANY" "$D/check_har.py" "$DOCS/har.schema.json" "$T/$b.har" "$T/$b.jsonl"
	hars+=("$T/$b.har")

	for fmt in pcap pcapng; do
		rm -rf "$T/split"
		opt=; [ $fmt = pcapng ] && opt=--pcapng
		"$WSTAP" -q -r "$f" -T jsonl -o "$T/$b.w.jsonl" -w "$T/split" $opt 2>"$T/err"
		rc=$?
		if [ "$rc" -gt 1 ]; then bad "$b: -w $fmt" "exit $rc: $(head -c 200 "$T/err")"; continue; fi
		if cmp -s "$T/$b.jsonl" "$T/$b.w.jsonl"; then
			ok "$b: -w $fmt leaves the -T jsonl output as it was"
		else
			bad "$b: -w $fmt" "the jsonl output changed with -w"
		fi
		tally "$PYANY" "$D/check_split.py" "$WSTAP" "$f" "$T/split" "$T/$b.jsonl" $opt
	done
done

if [ -n "$PY" ]; then
	tally "$PY" - "$DOCS/jsonl.schema.json" "$DOCS/jsonl.md" "${jsonls[@]}" <<'PYEOF'
import json, sys, jsonschema
schema, doc = sys.argv[1:3]
full = json.load(open(schema))
# Each record against its own kind, so an error names the key at fault.
kind = {t: jsonschema.Draft202012Validator({"$ref": f"#/$defs/{t}", "$defs": full["$defs"]})
        for t in ("http", "message", "session", "stats")}
root = jsonschema.Draft202012Validator(full)
documented = open(doc, encoding="utf-8").read()
for path in sys.argv[3:]:
  n = bad = 0
  kinds = set()
  undocumented = set()
  for i, line in enumerate(open(path, encoding="utf-8"), 1):
      rec = json.loads(line)
      n += 1
      kinds.add(rec.get("type"))
      undocumented |= {k for k in rec if f"`{k}`" not in documented}
      errs = list(root.iter_errors(rec))
      if errs and bad < 3:
          e = jsonschema.exceptions.best_match(kind[rec["type"]].iter_errors(rec)) \
              if rec.get("type") in kind else errs[0]
          print(f"FAIL {path.rsplit('/', 1)[-1]} line {i} ({rec.get('type')}): {e.message[:300]} "
                f"at {list(e.absolute_path)} (a new key needs docs/jsonl.md and docs/jsonl.schema.json)")
      bad += bool(errs)
  if not bad:
      print(f"ok {path.rsplit('/', 1)[-1]}: all {n} records ({', '.join(sorted(kinds))}) match docs/jsonl.schema.json")
  if undocumented:
      print(f"FAIL {path.rsplit('/', 1)[-1]}: keys not in docs/jsonl.md: {', '.join(sorted(undocumented))}")
  else:
      print(f"ok {path.rsplit('/', 1)[-1]}: every key is named in docs/jsonl.md")
PYEOF
fi

if [ -n "$HV" ]; then
	NODE_PATH=$HV node -e '
		const hv = require("har-validator"), fs = require("fs");
		(async () => {
			for (const f of process.argv.slice(1)) {
				const name = f.split("/").pop();
				try {
					await hv.har(JSON.parse(fs.readFileSync(f, "utf8")));
					console.log("ok " + name + ": npm har-validator accepts the HAR");
				} catch (e) {
					console.log("FAIL " + name + ": npm har-validator: " +
						JSON.stringify(e.errors || e.message).slice(0, 300));
				}
			}
		})();' "${hars[@]}" >"$T/hv.out" 2>&1
	cat "$T/hv.out"
	pass=$((pass + $(grep -c '^ok ' "$T/hv.out")))
	fail=$((fail + $(grep -c '^FAIL ' "$T/hv.out")))
	[ "$(grep -c '^ok \|^FAIL ' "$T/hv.out")" = "${#hars[@]}" ] || bad "har-validator" "$(head -c 300 "$T/hv.out")"
fi

# The HAR against Chromium's own: for every sample with NAME.devtools.har
# (lab_chromium.sh records the page load through the DevTools protocol
# while tcpdump captures it), wstap's HAR of NAME.pcap (with NAME.keys when
# there is one) must hold the same WebSocket handshake and messages, in
# the same order, at the same times (tests/exports/check_devtools_har.py).
# No browser needed: both sides are committed.
ndt=0
for dt in "$S"/*.devtools.har; do
	[ -e "$dt" ] || continue
	stem=${dt%.devtools.har}
	b=$(basename "$stem")
	ndt=$((ndt + 1))
	if [ ! -f "$stem.pcap" ] || [ ! -f "$stem.devtools.json" ]; then
		bad "$b: DevTools comparison" "$b.pcap or $b.devtools.json is missing"
		continue
	fi
	keys=(); [ -f "$stem.keys" ] && keys=(--keylog "$stem.keys")
	"$WSTAP" -q -r "$stem.pcap" "${keys[@]}" -T har -o "$T/$b.dt.har" 2>"$T/err"
	rc=$?
	if [ "$rc" != 0 ]; then bad "$b: -T har${keys:+ --keylog}" "exit $rc: $(head -c 200 "$T/err")"; continue; fi
	tally "$PYANY" "$D/check_devtools_har.py" "$T/$b.dt.har" "$dt" "$stem.devtools.json"
done
[ "$ndt" -gt 0 ] || bad "DevTools comparison" "no samples/*.devtools.har"

# More legs open at once than files may be open: under `ulimit -n 24`
# wstap keeps at most 4 per-leg files open (64 without a low limit),
# closes the least recently used and reopens it to append; every leg's
# file must still hold all its packets.
gen=$D/../../bench/gen_capture.py
if [ -f "$gen" ] && "$PYANY" "$gen" --mb 1 --concurrency 100 --samples "$S" "$T/many.pcap" >"$T/gen.out" 2>&1; then
	(ulimit -n 24 && exec "$WSTAP" -q -r "$T/many.pcap" -T jsonl -o "$T/many.jsonl" -w "$T/many") 2>"$T/err"
	rc=$?
	[ "$rc" = 0 ] || bad "many legs under ulimit -n 24" "exit $rc: $(head -c 200 "$T/err")"
	peak=$(grep -oE 'peak[^,;]*' "$T/gen.out" | head -1)
	out=$("$PYANY" "$D/check_split.py" "$WSTAP" "$T/many.pcap" "$T/many" "$T/many.jsonl" 2>&1)
	n=$(ls "$T/many" | wc -l)
	nf=$(grep -c '^FAIL ' <<<"$out")
	if [ "$n" -gt 100 ] && [ "$nf" = 0 ] && grep -q '^ok ' <<<"$out"; then
		ok "many legs ($n files, $peak) with 4 files open at most: $(grep -c '^ok ' <<<"$out") checks pass"
	else
		bad "many legs" "$n files, $nf failures: $(grep '^FAIL ' <<<"$out" | head -3)"
	fi
else
	skipped "many legs: bench/gen_capture.py did not run: $(head -c 200 "$T/gen.out" 2>/dev/null)"
fi

# Usage: -w needs a directory; --pcapng needs -w.
touch "$T/plain"
"$WSTAP" -r "${captures[0]}" -w "$T/plain" >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" = 1 ] && [ "$(wc -l <"$T/err")" = 1 ] && grep -q "not a directory" "$T/err"; then ok "-w FILE: exit 1, one line: not a directory"; else bad "-w FILE" "exit $rc: $(cat "$T/err")"; fi
"$WSTAP" -r "${captures[0]}" --pcapng >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" = 2 ] && grep -q -- "--pcapng.*-w DIR" "$T/err"; then ok "--pcapng alone: usage error"; else bad "--pcapng alone" "exit $rc: $(cat "$T/err")"; fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
