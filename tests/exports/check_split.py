"""check_split.py WSTAP CAPTURE SPLITDIR ORIG.JSONL [--pcapng]

Checks what `wstap -r CAPTURE -w SPLITDIR -T jsonl` wrote: one file per
leg, named NNNN_client-server.pcap(ng) by the leg's id and endpoints;
each file holds exactly that leg's packets (as many as its session record
counts), every one byte for byte and with the timestamp of a packet of the
original capture; capinfos reads each file and counts the same; `wstap -r`
on each file alone tells the same story (verdict, endpoints, handshake,
messages with their times and payloads); with --pcapng, the last packet of
each file carries the verdict as a comment; and mergecap of all files
gives back exactly the union of the legs' packets.
Prints "ok ..." / "FAIL ...: why" lines."""
import collections
import glob
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapread  # noqa: E402

wstap, capture, split, orig_jsonl = sys.argv[1:5]
pcapng = "--pcapng" in sys.argv[5:]
name = os.path.basename(capture)
ext = "pcapng" if pcapng else "pcap"


def ok(what):
    print(f"ok {name}: {what}")


def bad(what, why):
    print(f"FAIL {name}: {what}: {why}")


def records(path_or_text, text=False):
    lines = path_or_text.splitlines() if text else open(path_or_text, encoding="utf-8")
    return [json.loads(l) for l in lines if l.strip()]


def ep_name(ep):
    host, port = ep.rsplit(":", 1)
    host = host.strip("[]")
    return re.sub(r"[^A-Za-z0-9.\-]", "_", host) + "." + port


def msg_key(m):
    return (m["dir"], m["ts"], m["opcode"], m["length"], m.get("text"),
            m.get("data"), m.get("code"), m["truncated"])


# The parts of a session record that do not depend on other legs or on
# packet numbering (explanations, notes and stages cite packet numbers;
# linking needs the other leg).
SAME = ("client", "server", "via", "target", "proxy_status", "tls", "ws",
        "messages", "close", "verdict", "packets", "bytes", "gaps",
        "midstream")

orig = records(orig_jsonl)
sessions = {r["id"]: r for r in orig if r["type"] == "session"}
messages = collections.defaultdict(list)
for r in orig:
    if r["type"] == "message":
        messages[r["session"]].append(msg_key(r))

original = collections.Counter((p[0], p[1], p[4]) for p in pcapread.read(capture))
files = sorted(glob.glob(os.path.join(split, "*")))
by_id = {}
for f in files:
    m = re.fullmatch(r"(\d{4,})_(.+)-(.+)\." + ext, os.path.basename(f))
    if not m:
        bad("file name", f"unexpected file {os.path.basename(f)}")
        continue
    by_id[int(m.group(1))] = (f, m.group(2), m.group(3))

want = {i for i, s in sessions.items() if s["packets"] > 0}
if set(by_id) == want:
    ok(f"one file per leg ({len(want)})")
else:
    bad("one file per leg", f"files for legs {sorted(by_id)}, legs {sorted(want)}")

union = collections.Counter()
for i in sorted(set(by_id) & want):
    f, c, s = by_id[i]
    sess = sessions[i]
    base = os.path.basename(f)
    if (c, s) != (ep_name(sess["client"]), ep_name(sess["server"])):
        bad(base, f"named {c}-{s}, leg is {sess['client']} > {sess['server']}")
    try:
        pk = pcapread.read(f)
    except ValueError as e:
        bad(base, f"unreadable: {e}")
        continue
    if len(pk) != sess["packets"]:
        bad(base, f"{len(pk)} packets, the leg has {sess['packets']}")
    else:
        ok(f"{base}: the leg's {len(pk)} packets")
    keys = collections.Counter((p[0], p[1], p[4]) for p in pk)
    extra = keys - original
    if extra:
        bad(base, f"{sum(extra.values())} packets not in the original (bytes or time differ)")
    else:
        ok(f"{base}: every packet byte for byte with its original timestamp")
    union += keys
    if [p[0] for p in pk] != sorted(p[0] for p in pk):
        bad(base, "packets out of time order")
    if shutil.which("capinfos"):
        out = subprocess.run(["capinfos", "-M", "-c", "-T", f], capture_output=True, text=True)
        cnt = out.stdout.strip().splitlines()[-1].split("\t")[-1] if out.returncode == 0 and out.stdout.strip() else None
        if out.returncode == 0 and cnt == str(len(pk)):
            ok(f"{base}: capinfos reads {cnt} packets")
        else:
            bad(base, f"capinfos exit {out.returncode}, count {cnt!r}: {out.stderr.strip()[:200]}")
    if pcapng:
        comments = [p[5] for p in pk]
        last = comments[-1] if comments else ()
        if (len(last) == 1 and f"verdict {sess['verdict']}:" in last[0]
                and f"wstap leg {i}:" in last[0] and not any(comments[:-1])):
            ok(f"{base}: the last packet carries the verdict comment")
        else:
            bad(base, f"comments {comments[-2:]!r}")
    run = subprocess.run([wstap, "-q", "-r", f, "-T", "jsonl"], capture_output=True, text=True)
    if run.returncode != 0:
        bad(base, f"wstap -r exit {run.returncode}: {run.stderr.strip()[:200]}")
        continue
    again = records(run.stdout, text=True)
    ss = [r for r in again if r["type"] == "session"]
    if len(ss) != 1:
        bad(base, f"wstap -r finds {len(ss)} legs")
        continue
    # Whether a leg is `reverse` or `direct` is told with the linked leg's
    # help (a Via header alone does not say which side of the proxy).
    same = SAME
    if (sess.get("tls") or {}).get("decrypted"):
        # Keys embedded in the original pcapng (Decryption Secrets Block)
        # are not copied into the per-leg files: alone, the leg stays
        # encrypted.  Compare what does not need the keys.
        print(f"skip {name}: {base}: decrypted with keys the per-leg file "
              "does not carry; TLS details and messages not compared")
        same = tuple(k for k in SAME if k not in ("tls", "messages", "close", "verdict", "ws"))
    diff = [k for k in same if ss[0].get(k) != sess.get(k)
            and not (k == "via" and sess["linked"]
                     and {ss[0][k], sess[k]} == {"direct", "reverse"})]
    if diff:
        bad(base, "wstap -r differs in " + ", ".join(
            f"{k}: {ss[0].get(k)!r} vs {sess.get(k)!r}" for k in diff)[:400])
    else:
        ok(f"{base}: wstap -r gives the same session record")
    ms = [msg_key(r) for r in again if r["type"] == "message"]
    if same is not SAME:
        pass
    elif ms == messages[i]:
        ok(f"{base}: wstap -r gives the same {len(ms)} messages")
    else:
        bad(base, f"{len(ms)} messages vs {len(messages[i])} in the original, or they differ")

if shutil.which("mergecap") and by_id:
    merged = os.path.join(split, "..", f"merged-{name}.{ext}")
    out = subprocess.run(["mergecap", "-F", "pcapng", "-w", merged] + [v[0] for v in by_id.values()],
                         capture_output=True, text=True)
    if out.returncode != 0:
        bad("mergecap", out.stderr.strip()[:200])
    else:
        mk = collections.Counter((p[0], p[1], p[4]) for p in pcapread.read(merged))
        if mk == union and not (mk - original):
            ok(f"mergecap of all files = the legs' {sum(mk.values())} original packets")
        else:
            bad("mergecap", "merged packets differ from the legs' packets")
        os.unlink(merged)
