#!/usr/bin/env python3
"""Hostile shell inputs through `agentvisor check` (issue 3 section 5).

  hostile_run.py AGENTVISOR WORKDIR [--timeout S] [--json FILE]

Generates the inputs with bench/make_hostile.py into WORKDIR (a build
directory: some are megabytes), runs each one as `agentvisor check --json
--action FILE` with a wall-clock timeout, and prints per input its size,
wall time, exit status and verdict. Fails (exit 1) when any input is
allowed or only warned about, crashes the CLI, hangs past the timeout, or
answers something that is not a verdict. Never runs the inputs in a shell.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ACCEPT = ("review", "block")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("agentvisor")
    ap.add_argument("workdir")
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("--json", dest="json_out")
    args = ap.parse_args()
    args.workdir = os.path.abspath(args.workdir)
    inputs = os.path.join(args.workdir, "inputs")
    # A fresh state directory per run: the audit log records every input
    # (megabytes each) and would otherwise grow with every run.
    state = os.path.join(args.workdir, "state")
    shutil.rmtree(state, ignore_errors=True)
    os.makedirs(state)
    r = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "make_hostile.py"), inputs],
                       capture_output=True, text=True)
    if r.returncode != 0:
        print("hostile_run: make_hostile.py failed:\n" + r.stderr)
        return 1
    names = sorted(f[:-5] for f in os.listdir(inputs) if f.endswith(".json"))
    rows, failed = [], 0
    print("%-20s %9s %9s %5s %-7s %s" % ("input", "bytes", "wall ms", "exit", "verdict", "why"))
    for name in names:
        path = os.path.join(inputs, name + ".json")
        size = os.path.getsize(os.path.join(inputs, name + ".sh"))
        t0 = time.monotonic()
        problem, verdict, code, why = None, "-", None, ""
        try:
            p = subprocess.run([args.agentvisor, "check", "--json", "--fsync", "never",
                                "--state", state, "--action", path],
                               capture_output=True, timeout=args.timeout)
            code = p.returncode
            try:
                v = json.loads(p.stdout.decode("utf-8", "replace"))
                verdict = v.get("verdict", "-")
                if v.get("error"):
                    why = "error %s: %s" % (v["error"].get("code"), v["error"].get("message", ""))
                elif v.get("findings"):
                    why = ", ".join(sorted({f.get("rule", "?") for f in v["findings"]}))
            except ValueError:
                problem = "no verdict JSON (exit %d): %s" % (code, p.stderr.decode()[:200])
            if code < 0:
                problem = "killed by signal %d" % -code
        except subprocess.TimeoutExpired:
            problem = "no answer within %.1f s" % args.timeout
        wall = (time.monotonic() - t0) * 1000
        if problem is None and verdict not in ACCEPT:
            problem = "verdict %s (want review or block)" % verdict
        if problem:
            failed += 1
        rows.append({"input": name, "bytes": size, "wall_ms": round(wall, 1), "exit": code,
                     "verdict": verdict, "why": why, "problem": problem})
        print("%-20s %9d %9.1f %5s %-7s %s%s" % (name, size, wall, code if code is not None else "-",
                                                verdict, why[:70],
                                                ("  FAIL: " + problem) if problem else ""))
    worst = max(rows, key=lambda x: x["wall_ms"]) if rows else None
    if worst:
        print("worst case: %s, %.1f ms" % (worst["input"], worst["wall_ms"]))
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"inputs": rows, "timeout_s": args.timeout}, f, indent=1)
            f.write("\n")
    print("%d passed, %d failed" % (len(rows) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
