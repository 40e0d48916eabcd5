"""check_devtools_har.py WSTAP_HAR DEVTOOLS_HAR DEVTOOLS_EVENTS [TOLERANCE_S]

Compares the HAR wstap wrote from a capture with what Chromium itself
said about the same page load (tests/lab/lab_chromium.sh records both at
once: tcpdump on loopback, and the DevTools protocol events of the page,
DEVTOOLS_EVENTS, turned into DEVTOOLS_HAR by npm's chrome-har-capturer).

For Chromium's one WebSocket entry, wstap must have an entry on the
browser's own connection (the client-proxy leg, the one that also holds
the CONNECT) and one on the proxy-server leg, and:
  - the same URL, method, status 101, status text and HTTP version;
  - the same request and response header fields (name case-insensitive,
    value exact; the protocol gives them as an unordered map, so compared
    as multisets), Sec-WebSocket-Key and Sec-WebSocket-Accept included:
    the same handshake, not merely a similar one;
  - in `_webSocketMessages`, on both legs, the same messages in the same
    order: `type` (send/receive), `opcode` (1 text, 2 binary) and `data`
    (the text, or base64 of the payload, as DevTools writes it, after
    permessage-deflate).  The lab's page sends in lock-step (each message
    once the previous came back): Chromium reports a send when the page
    calls send(), so with a burst its order and the wire's may differ;
  - `time` in seconds since the epoch, as DevTools' own HAR export writes
    it (chrome-har-capturer leaves the protocol's monotonic clock): wstap's
    times never go backwards, each is within TOLERANCE_S (default 0.025) of
    Chromium's counted from the first message, and within TOLERANCE_S of
    the wall time DevTools derives for it (handshake wallTime + frame
    timestamp - handshake timestamp, from DEVTOOLS_EVENTS).  The browser
    timestamps a send when the page calls send() and a receive when the
    page is told, so a few milliseconds either side of the wire are
    expected;
  - DEVTOOLS_HAR holds exactly the frames of DEVTOOLS_EVENTS (the files
    belong together).
Prints "ok ..." / "FAIL ...: why" lines.
"""
import collections
import json
import os
import sys

wstap_path, dt_path, ev_path = sys.argv[1:4]
tol = float(sys.argv[4]) if len(sys.argv) > 4 else 0.025
name = os.path.basename(dt_path)


def ok(what):
    print(f"ok {name}: {what}")


def bad(what, why):
    print(f"FAIL {name}: {what}: {why}")


def short(v, n=80):
    s = json.dumps(v, ensure_ascii=True)
    return s if len(s) <= n else s[:n] + "..."


wh = json.load(open(wstap_path, encoding="utf-8"))["log"]["entries"]
dh = json.load(open(dt_path, encoding="utf-8"))["log"]["entries"]
events = json.load(open(ev_path, encoding="utf-8"))

dws = [e for e in dh if e.get("_resourceType") == "websocket"]
if len(dws) != 1:
    bad("DevTools HAR", f"{len(dws)} websocket entries, want 1")
    sys.exit(0)
d = dws[0]
url = d["request"]["url"]

# wstap: the websocket entries for the same URL, by leg; the browser's leg
# is the one whose entries include the CONNECT.
legs = collections.defaultdict(list)
for e in wh:
    legs[e["connection"]].append(e)
wws = [e for e in wh if e.get("_resourceType") == "websocket" and e["request"]["url"] == url]
client = [e for e in wws if any(x["request"]["method"] == "CONNECT" for x in legs[e["connection"]])]
server = [e for e in wws if e not in client]
if len(client) != 1 or len(server) != 1:
    bad("wstap HAR", f"{len(client)} client-leg and {len(server)} server-leg websocket entries for {url}, want 1 each "
        f"(websocket URLs: {short([e['request']['url'] for e in wh if e.get('_resourceType') == 'websocket'])})")
    sys.exit(0)
ok(f"one websocket entry for {url} on each leg (client leg {client[0]['connection']}, server leg {server[0]['connection']})")

# DevTools' wall time for each frame, as its HAR export computes it
hs = [e["params"] for e in events if e["method"] == "Network.webSocketWillSendHandshakeRequest"]
frames = [e for e in events if e["method"] in ("Network.webSocketFrameSent", "Network.webSocketFrameReceived")]
dmsgs = d["_webSocketMessages"]
same_src = len(hs) == 1 and len(frames) == len(dmsgs) and all(
    m["type"] == ("send" if f["method"].endswith("Sent") else "receive")
    and m["opcode"] == f["params"]["response"]["opcode"]
    and m["data"] == f["params"]["response"]["payloadData"]
    and m["time"] == f["params"]["timestamp"] for m, f in zip(dmsgs, frames))
if same_src:
    ok(f"the DevTools HAR holds the {len(frames)} frames of the protocol events, in order")
else:
    bad("DevTools files", f"{len(frames)} frame events, {len(dmsgs)} HAR messages, {len(hs)} handshakes: they differ")
    sys.exit(0)
wall = [hs[0]["wallTime"] - hs[0]["timestamp"] + f["params"]["timestamp"] for f in frames]


def fields(hlist):
    return collections.Counter((h["name"].lower(), h["value"]) for h in hlist)


for leg, w in (("client", client[0]), ("server", server[0])):
    what = f"{leg} leg"
    r, dr = w["request"], d["request"]
    s, ds = w["response"], d["response"]
    got = (r["method"], r["url"], s["status"], s["statusText"], s["httpVersion"])
    want = (dr["method"], dr["url"], ds["status"], ds["statusText"], ds["httpVersion"])
    if got == want and s["status"] == 101:
        ok(f"{what}: {r['method']} {r['url']}, {s['status']} {s['statusText']}, {s['httpVersion']} as Chromium saw it")
    else:
        bad(f"{what} request/status", f"wstap {got}, Chromium {want}")
    for side, a, b in (("request", r["headers"], dr["headers"]), ("response", s["headers"], ds["headers"])):
        fa, fb = fields(a), fields(b)
        if fa == fb:
            keys = [v for (n, v) in fa if n in ("sec-websocket-key", "sec-websocket-accept")]
            ok(f"{what}: the {len(a)} {side} header fields are Chromium's ({short(keys, 60)})")
        else:
            bad(f"{what} {side} headers", f"only wstap: {short(sorted(fa - fb), 200)}; only Chromium: {short(sorted(fb - fa), 200)}")

    wm = w["_webSocketMessages"]
    key = [(m["type"], m["opcode"], m["data"]) for m in wm]
    dkey = [(m["type"], m["opcode"], m["data"]) for m in dmsgs]
    if key == dkey:
        kinds = collections.Counter((t, o) for t, o, _ in key)
        ok(f"{what}: the {len(key)} messages equal Chromium's, in order "
           f"(type, opcode, data: {', '.join(f'{n} {t} op{o}' for (t, o), n in sorted(kinds.items()))})")
    else:
        i = next((i for i, (a, b) in enumerate(zip(key, dkey)) if a != b), min(len(key), len(dkey)))
        bad(f"{what} messages", f"wstap {len(key)}, Chromium {len(dkey)}; first difference at {i}: "
            f"wstap {short(key[i] if i < len(key) else None)}, Chromium {short(dkey[i] if i < len(dkey) else None)}")
        continue

    times = [m["time"] for m in wm]
    if all(b >= a for a, b in zip(times, times[1:])):
        ok(f"{what}: message times never go backwards")
    else:
        bad(f"{what} times", "not monotonic")
    rel = [(t - times[0]) - (m["time"] - dmsgs[0]["time"]) for t, m in zip(times, dmsgs)]
    ab = [t - x for t, x in zip(times, wall)]
    worst_rel = max(abs(x) for x in rel)
    worst_ab = max(abs(x) for x in ab)
    if worst_rel <= tol:
        ok(f"{what}: times from the first message within {worst_rel * 1000:.1f} ms of Chromium's (limit {tol * 1000:.0f})")
    else:
        bad(f"{what} relative times", f"up to {worst_rel * 1000:.1f} ms from Chromium's (limit {tol * 1000:.0f})")
    if worst_ab <= tol:
        ok(f"{what}: epoch times within {worst_ab * 1000:.1f} ms of DevTools' wall times (limit {tol * 1000:.0f})")
    else:
        bad(f"{what} epoch times", f"up to {worst_ab * 1000:.1f} ms from DevTools' wall times (limit {tol * 1000:.0f}): "
            "is `time` in seconds since the epoch?")
