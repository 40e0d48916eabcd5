"""check_har.py SCHEMA HAR JSONL

Checks a HAR that wstap wrote against the JSONL records wstap wrote for
the same capture: the HAR validates against docs/har.schema.json (HAR 1.2
from the spec, with DevTools' _webSocketMessages); entries are in time
order; each entry's time is the sum of its timings; there is one entry per
request head, with the method, httpVersion, headers (name and value, in
order) and headersSize of that head; each response carries its status
line and headers; every WebSocket leg's text and binary messages appear
in its websocket entry in order, with `time` the capture time, `opcode`
1 or 2 and `data` the text or the base64 payload, as DevTools writes
them.  Prints "ok ..." / "FAIL ...: why" lines."""
import base64
import collections
import json
import os
import sys

schema_path, har_path, jsonl_path = sys.argv[1:4]
name = os.path.basename(har_path)


def ok(what):
    print(f"ok {name}: {what}")


def bad(what, why):
    print(f"FAIL {name}: {what}: {why}")


try:
    import jsonschema
except ImportError:
    jsonschema = None

har = json.load(open(har_path, encoding="utf-8"))
if jsonschema:
    v = jsonschema.Draft202012Validator(json.load(open(schema_path)))
    errs = sorted(v.iter_errors(har), key=lambda e: list(e.absolute_path))
    if errs:
        e = errs[0]
        bad("HAR 1.2 schema", f"{len(errs)} errors, first at {list(e.absolute_path)}: {e.message[:200]}")
    else:
        ok("validates against docs/har.schema.json")
else:
    print(f"skip {name}: python3-jsonschema missing (apt-get install python3-jsonschema)")

recs = [json.loads(l) for l in open(jsonl_path, encoding="utf-8") if l.strip()]
entries = har["log"]["entries"]
starts = [e["startedDateTime"] for e in entries]
if starts == sorted(starts):
    ok(f"{len(entries)} entries in time order")
else:
    bad("order", "entries not sorted by startedDateTime")

for i, e in enumerate(entries):
    t = e["timings"]
    s = sum(max(t.get(k, -1), 0) for k in ("blocked", "dns", "connect", "send", "wait", "receive"))
    if abs(s - e["time"]) > 0.002:
        bad(f"entry {i} time", f"{e['time']} != sum of timings {s}")
        break
else:
    ok("each entry's time is the sum of its timings")


def parse_head(head):
    lines = head.split("\r\n") if "\r\n" in head else head.split("\n")
    fields = []
    for line in lines[1:]:
        if line == "":
            break
        if line[0] in " \t" and fields:
            fields[-1] = (fields[-1][0], fields[-1][1] + " " + line.strip(" \t"))
            continue
        if ":" not in line:
            continue
        n, v = line.split(":", 1)
        fields.append((n.rstrip(" \t"), v.strip(" \t")))
    return lines[0], fields


by_leg = collections.defaultdict(list)
for e in entries:
    by_leg[int(e["connection"])].append(e)
reqs = collections.defaultdict(list)
resps = collections.defaultdict(list)
msgs = collections.defaultdict(list)
for r in recs:
    if r["type"] == "http":
        (reqs if r["kind"] == "request" else resps)[r["session"]].append(r)
    elif r["type"] == "message" and r["opcode"] in ("text", "binary"):
        msgs[r["session"]].append(r)

problems = 0
for leg, rq in reqs.items():
    es = by_leg.get(leg, [])
    if len(es) != len(rq):
        bad(f"leg {leg}", f"{len(es)} entries for {len(rq)} requests")
        problems += 1
        continue
    finals = [r for r in resps[leg] if not (100 <= r["status"] < 200 and r["status"] != 101)]
    for k, (e, r) in enumerate(zip(es, rq)):
        line, fields = parse_head(r["head"])
        method, target, version = (line.split(" ", 2) + ["", ""])[:3]
        hv = [(h["name"], h["value"]) for h in e["request"]["headers"]]
        if (e["request"]["method"], e["request"]["httpVersion"]) != (method, version):
            bad(f"leg {leg} entry {k}", f"request line {e['request']['method']} {e['request']['httpVersion']} vs {line!r}")
            problems += 1
        if hv != fields:
            bad(f"leg {leg} entry {k}", f"request headers {hv[:3]} vs {fields[:3]}")
            problems += 1
        if not r["head_truncated"] and e["request"]["headersSize"] != len(r["head"].encode("utf-8")):
            bad(f"leg {leg} entry {k}", "request headersSize is not the head's length")
            problems += 1
        if method == "CONNECT" and e["request"]["url"] not in ("http://" + target, "https://" + target):
            bad(f"leg {leg} entry {k}", f"CONNECT url {e['request']['url']!r} for target {target!r}")
            problems += 1
        if k < len(finals):
            sline, sfields = parse_head(finals[k]["head"])
            hv = [(h["name"], h["value"]) for h in e["response"]["headers"]]
            if e["response"]["status"] != finals[k]["status"] or hv != sfields:
                bad(f"leg {leg} entry {k}", f"response {e['response']['status']} vs {sline!r}")
                problems += 1
        elif e["response"]["status"] != 0:
            bad(f"leg {leg} entry {k}", "a response where the capture has none")
            problems += 1
if not problems:
    ok(f"one entry per request with its heads ({sum(len(v) for v in reqs.values())} requests)")

for leg, ms in msgs.items():
    ws = [e for e in by_leg.get(leg, []) if e.get("_resourceType") == "websocket"]
    if not reqs.get(leg):
        continue  # handshake not in the capture: said in the log comment
    if len(ws) != 1:
        bad(f"leg {leg}", f"{len(ws)} websocket entries")
        continue
    got = ws[0]["_webSocketMessages"]
    want = []
    for m in ms:
        data = m.get("text") if m["opcode"] == "text" else m.get("data")
        want.append({"type": "send" if m["dir"] == "client" else "receive",
                     "opcode": 1 if m["opcode"] == "text" else 2,
                     "data": data if data is not None else "",
                     "time": m["ts"]})
    same = len(got) == len(want) and all(
        g["type"] == w["type"] and g["opcode"] == w["opcode"] and g["data"] == w["data"]
        and abs(g["time"] - w["time"]) < 2e-6 for g, w in zip(got, want))
    if same:
        ok(f"leg {leg}: the {len(got)} text/binary messages, in order, as DevTools writes them")
    else:
        bad(f"leg {leg}", f"{len(got)} messages in the HAR, {len(want)} text/binary in jsonl, or they differ")
    for g in got:
        if g["opcode"] == 2:
            base64.b64decode(g["data"], validate=True)
