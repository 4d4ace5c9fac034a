#!/usr/bin/env python3
"""Self-test of run_spec.py's comparison, technique table and gate, with a
fake analyzer whose answers are fixed, against real bash in the oracle.

  selftest_run_spec.py        (ctest: shell.run_spec_selftest)

Checks: a right claim counts as agree; a wrong claim in a known-gap case is
WRONG and fails the gate unless --gaps-may-be-wrong; a wrong claim in an
exact case fails either way; opaque answers are not resolved; `## inner:`
commands are expected after the interpreter; --json writes the table;
--update-gaps rewrites `## analyzer:` lines. Prints "N passed, N failed".
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
RUN_SPEC = os.path.join(HERE, "run_spec.py")

SPEC = """\
### right claim
ls /tmp/a
## technique: one
## analyzer: exact
## bash: ["ls", "/tmp/a"]

### wrong claim documented as a gap
chmod 600 /tmp/b
## technique: one
## analyzer: known-gap the fake analyzer gets the path wrong
## bash: ["chmod", "600", "/tmp/b"]

### opaque answer
$X d
## technique: two
## analyzer: opaque
## bash: ["d"]

### interpreter with an inner command
python3 -c 'import os; os.system("ls /tmp/e")'
## technique: two
## analyzer: exact
## inner: ["ls", "/tmp/e"]
## bash: ["python3", "-c", "import os; os.system(\\"ls /tmp/e\\")"]
"""

# The fake analyzer's answers, by command text; WRONG_EXACT switches the
# first case to a wrong claim.
FAKE = r'''#!/usr/bin/env python3
import json, os, sys
answers = {
    "ls /tmp/a": [{"argv": ["ls", "/tmp/a"]}],
    "chmod 600 /tmp/b": [{"argv": ["chmod", "600", "/tmp/c"]}],
    "$X d": [{"argv": ["$X", "d"], "opaque": "unknown variable"}],
    "python3 -c 'import os; os.system(\"ls /tmp/e\")'": [
        {"argv": ["python3", "-c", "import os; os.system(\"ls /tmp/e\")"]},
        {"argv": ["ls", "/tmp/e"], "depth": 1}],
}
if os.environ.get("WRONG_EXACT"):
    answers["ls /tmp/a"] = [{"argv": ["ls", "/tmp/z"]}]
for line in sys.stdin:
    cmd = json.loads(line)["input"]["command"]
    print(json.dumps({"verdict": "allow", "commands": answers[cmd]}))
'''


def run(args, env=None):
    e = dict(os.environ)
    e.update(env or {})
    r = subprocess.run([sys.executable, RUN_SPEC] + args, capture_output=True,
                       text=True, env=e, timeout=300)
    return r.returncode, r.stdout + r.stderr


def main():
    tmp = tempfile.mkdtemp(prefix="av-selftest-")
    ok = bad = 0

    def check(name, cond, out=""):
        nonlocal ok, bad
        if cond:
            ok += 1
            print("ok   " + name)
        else:
            bad += 1
            print("FAIL " + name)
            for line in out.splitlines()[-25:]:
                print("     " + line)

    try:
        spec = os.path.join(tmp, "self.test")
        with open(spec, "w") as f:
            f.write(SPEC)
        fake = os.path.join(tmp, "fake-analyzer")
        with open(fake, "w") as f:
            f.write(FAKE)
        os.chmod(fake, 0o755)
        table = os.path.join(tmp, "t.json")

        code, out = run(["--bash-only", spec])
        check("bash-only: the pins hold", code == 0, out)

        code, out = run(["--analyzer", fake, "--json", table, spec])
        check("strict gate fails on a WRONG known gap", code == 1 and "gate FAILED" in out, out)
        t = json.load(open(table))
        one, two = t["techniques"]["one"], t["techniques"]["two"]
        check("table: technique one", (one["cases"], one["resolved"], one["agree"], one["wrong"],
                                       one["gap_wrong"]) == (2, 2, 1, 1, 1), json.dumps(one))
        check("table: technique two (opaque, inner)",
              (two["cases"], two["resolved"], two["agree"], two["opaque"], two["wrong"])
              == (2, 1, 1, 1, 0), json.dumps(two))
        check("table: agreement on resolved", t["agreement_on_resolved"] == 0.6667, json.dumps(t))

        code, out = run(["--analyzer", fake, "--gaps-may-be-wrong", spec])
        check("documented gaps tolerated with --gaps-may-be-wrong", code == 0, out)

        code, out = run(["--analyzer", fake, "--gaps-may-be-wrong", spec], {"WRONG_EXACT": "1"})
        check("a wrong exact claim fails even with --gaps-may-be-wrong",
              code == 1 and "FAIL" in out, out)

        code, out = run(["--analyzer", fake, "--gaps-may-be-wrong", "--update-gaps", spec],
                        {"WRONG_EXACT": "1"})
        text = open(spec).read()
        check("--update-gaps marks the failing exact case",
              "## analyzer: known-gap analyzer lists: ls /tmp/z" in text, text)
        code, out = run(["--analyzer", fake, "--gaps-may-be-wrong", "--update-gaps", spec])
        text = open(spec).read()
        check("--update-gaps restores it once it matches",
              text.count("## analyzer: exact") == 2, text)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (ok, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
