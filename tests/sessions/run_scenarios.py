#!/usr/bin/env python3
"""run_scenarios.py - runs the multi-step session scenarios through
`agentvisor check --batch` and reports per attack class and per chain rule.

usage: run_scenarios.py AGENTVISOR SCENARIO_DIR [--min-caught F]
           [--min-session-caught F] [--max-session-interrupted F]
           [--max-interrupted F] [--show-misses]

All scenarios go through ONE batch run, their actions interleaved round
robin, so the run also shows that sessions are kept apart (each scenario is
its own session id; state lives in a fresh --state directory).

Figures:
  harmful caught          the last attack step is stopped (review or block)
  harmful session-caught  a session rule (chain.*) with review or block fired
                          on an attack step after the first
  benign interrupted      some action got review or block (any rule)
  benign session-int.     a session rule gave review or block
Exit 0 when every floor holds, 1 otherwise, 2 on a usage or run error.
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile

STOP = {"review", "block"}


def load(d):
    out = []
    for f in sorted(os.listdir(d)):
        if f.endswith(".json"):
            with open(os.path.join(d, f)) as fh:
                out.append(json.load(fh))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("agentvisor")
    ap.add_argument("dir")
    ap.add_argument("--min-caught", type=float, default=0.0)
    ap.add_argument("--min-session-caught", type=float, default=0.0)
    ap.add_argument("--max-session-interrupted", type=float, default=1.0)
    ap.add_argument("--max-interrupted", type=float, default=1.0)
    ap.add_argument("--min-scenarios", type=int, default=0)
    ap.add_argument("--show-misses", action="store_true")
    a = ap.parse_args()

    scen = load(a.dir)
    if len(scen) < a.min_scenarios:
        print(f"only {len(scen)} scenarios, wanted {a.min_scenarios}")
        return 1
    lines = []
    order = []
    longest = max(len(s["actions"]) for s in scen)
    for i in range(longest):
        for s in scen:
            if i < len(s["actions"]):
                act = dict(s["actions"][i])
                act["id"] = f"{s['name']}#{i}"
                act["session"] = s["name"]
                act["context"] = s["context"]
                lines.append(json.dumps(act))
                order.append((s["name"], i))
    with tempfile.TemporaryDirectory() as state:
        os.chmod(state, 0o700)
        p = subprocess.run([a.agentvisor, "check", "--batch", "--state", state],
                           input="\n".join(lines) + "\n", capture_output=True, text=True,
                           env=dict(os.environ, AGENTVISOR_AUDIT_FSYNC="never"))
    if p.returncode != 0:
        print(f"agentvisor check --batch exited {p.returncode}: {p.stderr[:2000]}")
        return 2
    outs = p.stdout.splitlines()
    if len(outs) != len(lines):
        print(f"{len(lines)} actions in, {len(outs)} verdicts out")
        return 2
    verdicts = collections.defaultdict(dict)
    errors = 0
    for (name, i), line in zip(order, outs):
        v = json.loads(line)
        if v.get("error"):
            errors += 1
            print(f"error on {name}#{i}: {v['error']}")
        verdicts[name][i] = v

    by_class = collections.defaultdict(lambda: collections.Counter())
    chain_fires = collections.defaultdict(lambda: collections.Counter())
    misses = []
    totals = collections.Counter()
    for s in scen:
        vs = verdicts[s["name"]]
        chains_here = set()
        session_stop = False
        for i, v in vs.items():
            for f in v["findings"]:
                if f["rule"].startswith("chain.") or f["rule"].startswith("session."):
                    chains_here.add(f["rule"])
                    if f["verdict"] in STOP:
                        steps = s["attack_steps"]
                        if s["label"] == "benign" or (i in steps and (i != steps[0] or len(steps) == 1)):
                            session_stop = True
        for c in chains_here:
            chain_fires[c][s["label"]] += 1
        c = by_class[(s["label"], s["class"])]
        c["n"] += 1
        totals[s["label"]] += 1
        if s["label"] == "harmful":
            last = s["attack_steps"][-1]
            caught = vs[last]["verdict"] in STOP
            c["caught"] += caught
            c["session"] += session_stop
            totals["caught"] += caught
            totals["session"] += session_stop
            if not session_stop:
                misses.append((s["name"], "no session rule stopped an attack step",
                               [(i, vs[i]["verdict"], [f["rule"] for f in vs[i]["findings"]])
                                for i in s["attack_steps"]], s))
        else:
            inter = [i for i, v in vs.items() if v["verdict"] in STOP]
            c["interrupted"] += bool(inter)
            c["session_int"] += session_stop
            totals["interrupted"] += bool(inter)
            totals["session_int"] += session_stop
            if session_stop or inter:
                misses.append((s["name"], "benign session interrupted",
                               [(i, vs[i]["verdict"], [f["rule"] for f in vs[i]["findings"]
                                                       if f["verdict"] in STOP]) for i in inter], s))

    print(f"{len(scen)} scenarios, {len(lines)} actions, {errors} errors")
    print(f"{'label':8} {'class':24} {'n':>3} {'caught':>7} {'session':>8} {'interr.':>8} {'sess-int':>8}")
    for (label, cls), c in sorted(by_class.items()):
        if label == "harmful":
            print(f"{label:8} {cls:24} {c['n']:3} {c['caught']:7} {c['session']:8} {'':>8} {'':>8}")
        else:
            print(f"{label:8} {cls:24} {c['n']:3} {'':>7} {'':>8} {c['interrupted']:8} {c['session_int']:8}")
    print("\nper chain rule: sessions where it fired (harmful / benign)")
    for ch, c in sorted(chain_fires.items()):
        print(f"  {ch:36} {c['harmful']:4} / {c['benign']}")
    nh, nb = max(totals["harmful"], 1), max(totals["benign"], 1)
    caught = totals["caught"] / nh
    sess = totals["session"] / nh
    inter = totals["interrupted"] / nb
    sint = totals["session_int"] / nb
    print(f"\nharmful: {totals['harmful']}, last step stopped {caught:.1%}, "
          f"stopped by a session rule {sess:.1%}")
    print(f"benign: {totals['benign']}, interrupted {inter:.1%}, by a session rule {sint:.1%}")
    if a.show_misses:
        for name, why, detail, s in misses:
            print(f"\n{name}: {why}")
            for i, verdict, rules in detail:
                act = s["actions"][i]
                text = act["input"].get("command") or json.dumps(act["input"])[:120]
                print(f"   #{i} {verdict:6} {text[:100]}  {rules}")
    ok = (errors == 0 and caught >= a.min_caught and sess >= a.min_session_caught
          and sint <= a.max_session_interrupted and inter <= a.max_interrupted)
    print("PASS" if ok else "FAIL (floors: caught >= %.2f, session-caught >= %.2f, "
          "session-interrupted <= %.2f, interrupted <= %.2f)" % (
              a.min_caught, a.min_session_caught, a.max_session_interrupted, a.max_interrupted))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
