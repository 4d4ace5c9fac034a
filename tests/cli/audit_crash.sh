#!/usr/bin/env bash
# Crash test: a `check --batch --fsync always` writer is killed with SIGKILL
# at random moments, many times, on one log. Every verdict the writer
# printed (an acknowledged record) must be in the log afterwards, and the
# log must verify (after the next writer recovered any torn tail).
set -uo pipefail
AV=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME=/home/tester AGENTVISOR_WORKSPACE=/home/tester/project
export AGENTVISOR_STATE="$tmp/state"
python3 - "$AV" "$tmp" "${AUDIT_CRASH_ROUNDS:-40}" <<'PY'
import json, os, random, signal, subprocess, sys, time
av, tmp, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
random.seed(6)
acked = []
n = 0
for r in range(rounds):
    p = subprocess.Popen([av, "check", "--batch", "--fsync", "always"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    kill_after = random.randint(0, 60)
    for i in range(kill_after):
        ident = f"r{r}-{i}"
        p.stdin.write((json.dumps({"id": ident, "kind": "shell",
                                    "input": {"command": f"echo {n}"}}) + "\n").encode())
        n += 1
        line = p.stdout.readline()
        if not line:
            break
        assert json.loads(line)["id"] == ident
        acked.append(ident)
    # one more line in flight, then the kill lands at a random moment
    p.stdin.write((json.dumps({"id": f"r{r}-x", "kind": "shell",
                                "input": {"command": "ls"}}) + "\n").encode())
    time.sleep(random.random() * 0.002)
    p.send_signal(signal.SIGKILL)
    p.wait()
# The next writer recovers (a torn tail is truncated with a note).
subprocess.run([av, "check", "true"], stdout=subprocess.DEVNULL, check=False)
v = subprocess.run([av, "audit", "verify"], capture_output=True, text=True)
print(v.stdout.strip())
if v.returncode != 0:
    sys.exit(f"FAIL: verify exit {v.returncode}: {v.stdout} {v.stderr}")
exp = subprocess.run([av, "audit", "export", "--type", "decision"], capture_output=True,
                     text=True, check=True)
logged = {json.loads(l)["record"]["id"] for l in exp.stdout.splitlines()}
missing = [a for a in acked if a not in logged]
if missing:
    sys.exit(f"FAIL: {len(missing)} acknowledged records missing, e.g. {missing[:5]}")
print(f"audit crash: {rounds} kills, {len(acked)} acknowledged records all present")
PY
