#!/usr/bin/env python3
"""Differential spec runner: the analyzer's prediction against real bash.

  run_spec.py --analyzer build/agentvisor [FILES or DIRS]   compare (shell.spec)
  run_spec.py --bash-only [FILES or DIRS]                     check the spec
                       itself against bash: pinned ## bash: lines, stdout,
                       status, timeouts (shell.oracle_self)
  run_spec.py --pin FILES                                     add ## bash: lines
                       from the oracle to cases that have none (review them!)

Options: -k SUBSTR (only cases whose name contains it), -t TECHNIQUE (only
that technique), -j N (parallel sandboxes), -v (show each case's lists),
--show-gaps (details for known-gap cases too), --json FILE (the
per-technique table as JSON), --gaps-may-be-wrong (leave documented known
gaps out of the WRONG / agreement gate). Default paths: tests/shell/spec.
The file format, techniques and the normalization are in docs/ORACLE.md.

Compare mode prints a per-technique table: cases; resolved (the analyzer
marked nothing opaque: it claims its list is what runs); agree (resolved
and equal to bash); opaque; known-gap (cases documented as such); WRONG
(resolved but different from bash: a wrong claim), and the agreement on
resolved cases.

Exit status: 0 when every exact/opaque case agrees and (compare) no case
is WRONG and the agreement on resolved cases is at least 99%, or (bash-only)
every pinned expectation holds; 1 otherwise; 2 when the sandbox cannot be
built (the runner never runs bash unsandboxed).
"""
import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

# bash 5.2 builtins and reserved words: bash runs these itself, so the oracle
# never records them; the analyzer's entries for them are dropped.
BUILTINS = set(""". : [ alias bg bind break builtin caller cd command compgen
complete compopt continue declare dirs disown echo enable eval exec exit export
false fc fg getopts hash help history jobs kill let local logout mapfile popd
printf pushd pwd read readarray readonly return set shift shopt source suspend
test times trap true type typeset ulimit umask unalias unset wait
if then else elif fi case esac for select while until do done in function
time { } ! [[ ]] coproc""".split())
PURE = set(oracle.PURE)
BIN_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
# Programs whose inner commands the default oracle never sees (it records
# them and runs nothing inside): language interpreters, and launchers the
# sandbox does not run for real (GTFOBins shapes). `## inner:` lines name
# what they would run (docs/ORACLE.md, "Nested interpreters").
INTERPRETERS = set("""python python2 python3 perl ruby node nodejs php lua
tclsh taskset setarch unshare script tar zip run-parts start-stop-daemon
capsh busybox vim""".split())
# Agreement on resolved cases below this fails the run (issue 3 section 3).
MIN_AGREEMENT = 0.99
TECHNIQUE_RE = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
CONTEXT = {"cwd": oracle.HOME, "workspace": oracle.HOME, "home": oracle.HOME, "user": "u"}


class Case:
    def __init__(self, path, line, name):
        self.path, self.line, self.name = path, line, name
        self.script_lines = []
        self.analyzer = None       # (mode, reason)
        self.bash = None           # list of argv lists, or None when not pinned
        self.stdout = None
        self.status = None
        self.timed_out = False
        self.order_any = False
        self.unpinned = False
        self.inner = []            # argv lists run inside an interpreter
        self.technique = None      # defaults to the file's stem
        self.errors = []

    @property
    def script(self):
        return "\n".join(self.script_lines)

    def where(self):
        return "%s:%d" % (os.path.relpath(self.path), self.line)


def parse_file(path):
    cases, cur = [], None
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for i, line in enumerate(lines, 1):
        if line.startswith("### "):
            cur = Case(path, i, line[4:].strip())
            cases.append(cur)
            continue
        if cur is None:
            continue  # file header
        if line.startswith("## ") and ":" in line:
            key, _, val = line[3:].partition(":")
            key, val = key.strip(), val.strip()
            try:
                directive(cur, key, val)
            except (ValueError, json.JSONDecodeError) as e:
                cur.errors.append("line %d: %s" % (i, e))
            continue
        cur.script_lines.append(line)
    for c in cases:
        while c.script_lines and c.script_lines[-1] == "":
            c.script_lines.pop()
        if c.analyzer is None and not path_is_probe(path):
            c.errors.append("no '## analyzer:' line")
        if c.technique is None:
            c.technique = os.path.splitext(os.path.basename(path))[0]
    return cases


def path_is_probe(path):
    return os.sep + "probes" + os.sep in os.path.abspath(path)


def directive(c, key, val):
    if key == "analyzer":
        mode, _, reason = val.partition(" ")
        if mode not in ("exact", "opaque", "known-gap"):
            raise ValueError("analyzer: exact | opaque | known-gap REASON")
        if mode == "known-gap" and not reason.strip():
            raise ValueError("known-gap needs a reason")
        c.analyzer = (mode, reason.strip())
    elif key == "bash" and val == "unpinned":
        c.unpinned = True  # run-time dependent: never pinned
    elif key == "bash":
        if c.bash is None:
            c.bash = []
        if val != "none":
            argv = json.loads(val)
            if not isinstance(argv, list) or not all(isinstance(a, str) for a in argv):
                raise ValueError("bash: a JSON array of strings, or none")
            c.bash.append(argv)
    elif key == "bash-stdout":
        c.stdout = json.loads(val)
    elif key == "bash-status":
        c.status = val if val == "any" else int(val)
    elif key == "bash-timed-out":
        if val not in ("true", "false", "any"):
            raise ValueError("bash-timed-out: true | false | any")
        c.timed_out = {"true": True, "false": False, "any": None}[val]
    elif key == "technique":
        if not TECHNIQUE_RE.match(val):
            raise ValueError("technique: a lower-case name ([a-z0-9.-])")
        c.technique = val
    elif key == "inner":
        argv = json.loads(val)
        if not isinstance(argv, list) or not argv or not all(isinstance(a, str) for a in argv):
            raise ValueError("inner: a non-empty JSON array of strings")
        c.inner.append(argv)
    elif key == "order":
        if val != "any":
            raise ValueError("order: any")
        c.order_any = True
    else:
        raise ValueError("unknown directive %r" % key)


def collect(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            files += sorted(os.path.join(p, f) for f in os.listdir(p) if f.endswith(".test"))
        else:
            files.append(p)
    return files


def normalize_analyzer(commands):
    """The analyzer's commands reduced to what the oracle can observe:
    external programs that are not pure utilities. Returns (argv lists of
    the kept commands, list of opaque reasons over all commands)."""
    kept, opaque = [], []
    for c in commands:
        argv = c.get("argv") or []
        if c.get("opaque"):
            opaque.append(c["opaque"])
        elif c.get("unresolved"):
            # Arguments shown as written because they depend on run-time
            # data: the analyzer does not claim this argv is exact.
            opaque.append(c["unresolved"])
        if not argv:
            continue  # assignments only
        name = argv[0]
        if "/" not in name and name in BUILTINS:
            continue
        base = os.path.basename(name)
        if base in PURE and ("/" not in name or os.path.dirname(name) in BIN_DIRS):
            continue
        kept.append((argv, bool(c.get("opaque") or c.get("unresolved"))))
    return kept, opaque


def analyze_all(analyzer, cases):
    """All cases through one `check --batch`; returns verdicts in order."""
    lines = []
    for c in cases:
        lines.append(json.dumps({"kind": "shell", "input": {"command": c.script},
                                 "context": CONTEXT}, ensure_ascii=False))
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogateescape")
    r = subprocess.run([analyzer, "check", "--json", "--batch"], input=data,
                       capture_output=True, timeout=600)
    out = r.stdout.decode("utf-8", "replace").splitlines()
    if len(out) != len(cases):
        sys.exit("run_spec: the analyzer answered %d of %d actions (exit %d): %s"
                 % (len(out), len(cases), r.returncode, r.stderr.decode()[:500]))
    return [json.loads(l) for l in out]


def same(a, b, order_any):
    if order_any:
        return sorted(map(json.dumps, a)) == sorted(map(json.dumps, b))
    return a == b


def multiset_contains(big, small):
    pool = [json.dumps(x) for x in big]
    for s in small:
        k = json.dumps(s)
        if k not in pool:
            return False
        pool.remove(k)
    return True


def judge_bash(c, res):
    """Bash-only checks of one case. Returns a list of problems."""
    bad = []
    if res.get("records_error"):
        bad.append("record channel: " + res["records_error"])
    if c.timed_out is not None and res["timed_out"] != c.timed_out:
        bad.append("timed_out is %s" % res["timed_out"])
    got = [x["argv"] for x in res["commands"]]
    if c.bash is not None and not same(got, c.bash, c.order_any):
        bad.append("bash ran %s, the spec pins %s" % (json.dumps(got), json.dumps(c.bash)))
    if c.stdout is not None and res["stdout"] != c.stdout:
        bad.append("stdout %s, expected %s" % (json.dumps(res["stdout"]), json.dumps(c.stdout)))
    if c.status not in (None, "any") and res["status"] != c.status:
        bad.append("status %d, expected %d" % (res["status"], c.status))
    return bad


def expected_commands(c, res):
    """What bash ran, plus the case's `## inner:` commands right after the
    first interpreter bash recorded (the oracle records the interpreter and
    runs nothing inside it)."""
    bash = [x["argv"] for x in res["commands"]]
    if not c.inner:
        return bash
    for i, argv in enumerate(bash):
        if argv and os.path.basename(argv[0]) in INTERPRETERS:
            return bash[:i + 1] + c.inner + bash[i + 1:]
    return bash + c.inner


def claim_of(c, res, verdict):
    """The per-technique view of one comparison: resolved (the analyzer
    marked nothing opaque and reported no error, i.e. it claims its list is
    complete) and, if so, whether that list is what bash ran."""
    kept, opaque = normalize_analyzer(verdict.get("commands", []))
    resolved = not opaque and not verdict.get("error")
    ana = [a for a, _ in kept]
    agree = resolved and same(ana, expected_commands(c, res), c.order_any)
    return resolved, agree, bool(opaque) or bool(verdict.get("error"))


def judge_analyzer(c, res, verdict):
    """Returns (outcome, detail): outcome is pass | fail | gap | xpass."""
    bash = expected_commands(c, res)
    kept, opaque = normalize_analyzer(verdict.get("commands", []))
    ana = [a for a, _ in kept]
    exact = same(ana, bash, c.order_any)
    detail = "bash%s %s\nanalyzer: %s%s" % (
        "+inner:" if c.inner else ":    ",
        json.dumps(bash, ensure_ascii=False), json.dumps(ana, ensure_ascii=False),
        ("\nopaque:   " + "; ".join(opaque)) if opaque else "")
    if verdict.get("error"):
        detail += "\nerror:    " + json.dumps(verdict["error"])
    mode = c.analyzer[0]
    if mode == "exact":
        return ("pass" if exact else "fail"), detail
    if mode == "opaque" or (mode == "known-gap" and c.analyzer[1].startswith("(want opaque)")):
        resolved = [a for a, o in kept if not o]
        ok = bool(opaque) and multiset_contains(bash, resolved)
        if not opaque:
            detail += "\n(no command is marked opaque)"
        if mode == "known-gap":
            return ("xpass" if ok else "gap"), detail
        return ("pass" if ok else "fail"), detail
    return ("xpass" if exact else "gap"), detail


def pin(files, orc):
    for path in files:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            lines = f.read().split("\n")
        cases = parse_file(path)
        inserts = {}
        for c in cases:
            if c.bash is not None or c.unpinned:
                continue
            res = orc.run(c.script)
            if res["timed_out"]:
                print("%s: %s timed out, not pinned" % (c.where(), c.name))
                continue
            argvs = [x["argv"] for x in res["commands"]]
            pins = ["## bash: " + json.dumps(a, ensure_ascii=False) for a in argvs] or ["## bash: none"]
            # After the case's last line (script or directive).
            end = c.line
            j = c.line
            while j < len(lines) and not lines[j].startswith("### "):
                if lines[j].strip():
                    end = j + 1
                j += 1
            inserts[end] = pins
        out = []
        for i, l in enumerate(lines, 1):
            out.append(l)
            if i in inserts:
                out += inserts[i]
        with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write("\n".join(out))
        print("%s: pinned %d cases" % (path, len(inserts)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--analyzer")
    ap.add_argument("--bash-only", action="store_true")
    ap.add_argument("--pin", action="store_true")
    ap.add_argument("-k", dest="filter")
    ap.add_argument("-t", dest="technique")
    ap.add_argument("-j", type=int, default=min(8, os.cpu_count() or 1))
    ap.add_argument("-v", action="store_true")
    ap.add_argument("--show-gaps", action="store_true")
    ap.add_argument("--json", dest="json_out")
    ap.add_argument("--gaps-may-be-wrong", action="store_true")
    ap.add_argument("--update-gaps", action="store_true")
    ap.add_argument("--timeout", type=float, default=5.0)
    args = ap.parse_args()
    paths = args.paths or [os.path.join(HERE, "spec")]
    files = collect(paths)
    if not args.bash_only and not args.pin and not args.analyzer:
        ap.error("--analyzer PATH, --bash-only or --pin")
    if (args.json_out or args.update_gaps or args.gaps_may_be_wrong) and not args.analyzer:
        ap.error("--json, --update-gaps and --gaps-may-be-wrong need --analyzer")

    try:
        orc = oracle.Oracle()
    except oracle.SandboxError as e:
        print("run_spec: FAIL: " + str(e), file=sys.stderr)
        print("0 passed, 1 failed")
        return 2
    try:
        if args.pin:
            pin(files, orc)
            return 0
        return run(args, files, orc)
    finally:
        orc.close()


def check_inner(cases, timeout, jobs):
    """Bash-only: runs the cases that have `## inner:` lines again with the
    interpreters real (oracle --interpreters) and returns {id(case): list of
    problems}. Each inner command must be among the commands the real
    interpreter started; interpreters the host lacks leave the lines
    unverified (reported, not failed)."""
    todo = [c for c in cases if c.inner]
    if not todo:
        return {}, 0
    orc = oracle.Oracle(interpreters=True)
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as ex:
            results = list(ex.map(lambda c: orc.run(c.script, timeout=timeout), todo))
        have = set(orc.real)
    finally:
        orc.close()
    out, unverified = {}, 0
    for c, res in zip(todo, results):
        got = [x["argv"] for x in res["commands"]]
        names = {os.path.basename(a[0]) for a in got if a} & INTERPRETERS
        if not names or not names <= have:
            unverified += 1
            continue
        if not multiset_contains(got, c.inner):
            out[id(c)] = ["inner commands %s are not all among what the real "
                          "interpreter ran: %s" % (json.dumps(c.inner), json.dumps(got))]
    return out, unverified


def run(args, files, orc):
    per_file = []
    all_cases = []
    for f in files:
        cs = [c for c in parse_file(f)
              if (not args.filter or args.filter in c.name)
              and (not args.technique or args.technique == c.technique)]
        per_file.append((f, cs))
        all_cases += cs
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.j)) as ex:
        results = list(ex.map(lambda c: orc.run(c.script, timeout=args.timeout), all_cases))
    res_of = {id(c): r for c, r in zip(all_cases, results)}
    verdicts = {}
    inner_problems, inner_unverified = {}, 0
    if not args.bash_only:
        comparable = [c for c in all_cases if c.analyzer]
        for c, v in zip(comparable, analyze_all(args.analyzer, comparable)):
            verdicts[id(c)] = v
    else:
        inner_problems, inner_unverified = check_inner(all_cases, args.timeout, args.j)

    tot = {"pass": 0, "fail": 0, "gap": 0, "xpass": 0, "agree": 0, "n": 0}
    techs = {}
    updates = {}
    for f, cs in per_file:
        st = {"pass": 0, "fail": 0, "gap": 0, "xpass": 0, "agree": 0, "n": 0}
        for c in cs:
            res = res_of[id(c)]
            st["n"] += 1
            problems = list(c.errors)
            if args.bash_only or c.analyzer is None:
                problems += judge_bash(c, res) + inner_problems.get(id(c), [])
                outcome = "fail" if problems else "pass"
                detail = "\n".join(problems)
                if outcome == "pass":
                    st["agree"] += 1
            else:
                outcome, detail = judge_analyzer(c, res, verdicts[id(c)])
                if res["timed_out"] or res.get("records_error"):
                    problems.append("the oracle did not finish cleanly: timed_out=%s %s"
                                    % (res["timed_out"], res.get("records_error", "")))
                if problems:
                    outcome = "fail"
                    detail = "\n".join(problems) + "\n" + detail
                if outcome in ("pass", "xpass"):
                    st["agree"] += 1
                tally_technique(techs, c, res, verdicts[id(c)])
                if args.update_gaps and not (res["timed_out"] or res.get("records_error") or c.errors):
                    new = updated_mode(c, outcome, verdicts[id(c)])
                    if new:
                        updates.setdefault(c.path, []).append((c, new))
            st[outcome] += 1
            show = (outcome == "fail" or args.v or outcome == "xpass"
                    or (outcome == "gap" and args.show_gaps))
            if show:
                label = {"pass": "ok", "fail": "FAIL", "gap": "gap", "xpass": "XPASS (known-gap now matches)"}[outcome]
                mode = (" [%s]" % c.analyzer[0]) if c.analyzer and not args.bash_only else ""
                print("%s %s: %s%s" % (label, c.where(), c.name, mode))
                if outcome == "gap" and c.analyzer[1]:
                    print("    gap: " + c.analyzer[1])
                for l in detail.splitlines():
                    print("    " + l)
        for k in tot:
            tot[k] += st[k]
        if not cs:
            continue
        print("%s: %d cases, %d passed, %d failed, %d known gaps%s, agreement %s" % (
            os.path.relpath(f), st["n"], st["pass"], st["fail"], st["gap"] + st["xpass"],
            (" (%d now match)" % st["xpass"]) if st["xpass"] else "",
            rate(st["agree"], st["n"])))
    print("total: %d cases, agreement %d/%d = %s" % (tot["n"], tot["agree"], tot["n"], rate(tot["agree"], tot["n"])))
    gate_failed = False
    if not args.bash_only:
        print("known gaps: %d (%d of them now match and can become exact)" % (tot["gap"] + tot["xpass"], tot["xpass"]))
        gate_failed = print_techniques(techs, args)
    elif inner_unverified:
        print("inner commands unverified (program not run for real by the oracle): %d cases" % inner_unverified)
    for path, ups in sorted(updates.items()):
        rewrite_modes(path, ups)
    print("%d passed, %d failed" % (tot["pass"] + tot["xpass"] * 0, tot["fail"] + (1 if gate_failed else 0)))
    return 1 if tot["fail"] or gate_failed else 0


def gap_reason(verdict):
    """A one-line description of what the analyzer said, for a known-gap
    line written by --update-gaps."""
    kept, opaque = normalize_analyzer(verdict.get("commands", []))
    lists = "; ".join(" ".join(a) for a, _ in kept) or "nothing"
    if verdict.get("error"):
        r = "analyzer error %s" % verdict["error"].get("message", "")
    elif opaque:
        r = "analyzer says opaque (%s) and lists: %s" % (opaque[0], lists)
    else:
        r = "analyzer lists: %s" % lists
    r = " ".join(r.split())
    return r if len(r) <= 160 else r[:157] + "..."


def updated_mode(c, outcome, verdict):
    """--update-gaps: the new `## analyzer:` value for a case, or None.
    A failing exact case becomes known-gap, a failing opaque case
    known-gap (want opaque); a known gap that now matches goes back."""
    mode, reason = c.analyzer
    want_opaque = mode == "opaque" or reason.startswith("(want opaque)")
    if outcome == "fail" and mode in ("exact", "opaque"):
        return "known-gap " + ("(want opaque) " if want_opaque else "") + gap_reason(verdict)
    if outcome == "xpass":
        return "opaque" if want_opaque else "exact"
    return None


def rewrite_modes(path, ups):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        lines = f.read().split("\n")
    for c, new in ups:
        j = c.line  # the line after "### name" (0-based index)
        while j < len(lines) and not lines[j].startswith("### "):
            if lines[j].startswith("## analyzer:"):
                lines[j] = "## analyzer: " + new
                break
            j += 1
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write("\n".join(lines))
    print("%s: updated %d analyzer lines" % (os.path.relpath(path), len(ups)))


TECH_KEYS = ("cases", "resolved", "agree", "opaque", "gap", "wrong", "gap_wrong")


def tally_technique(techs, c, res, verdict):
    """Adds one compared case to its technique's row (see the module doc)."""
    t = techs.setdefault(c.technique, dict.fromkeys(TECH_KEYS, 0))
    t.setdefault("wrong_cases", [])
    resolved, agree, opaque = claim_of(c, res, verdict)
    gap = c.analyzer[0] == "known-gap"
    t["cases"] += 1
    t["resolved"] += resolved
    t["agree"] += agree
    t["opaque"] += opaque
    t["gap"] += gap
    if resolved and not agree:
        t["wrong"] += 1
        t["gap_wrong"] += gap
        t["wrong_cases"].append("%s: %s" % (c.where(), c.name))


def print_techniques(techs, args):
    """Prints the per-technique table and the gate; writes --json. Returns
    True when the gate fails: a WRONG case, or agreement on resolved cases
    under MIN_AGREEMENT. With --gaps-may-be-wrong, WRONG cases documented
    as known gaps are left out of the gate (they are still printed)."""
    total = dict.fromkeys(TECH_KEYS, 0)
    print()
    print("%-16s %6s %8s %6s %6s %9s %6s" % ("technique", "cases", "resolved", "agree",
                                              "opaque", "known-gap", "WRONG"))
    for name in sorted(techs):
        t = techs[name]
        for k in TECH_KEYS:
            total[k] += t[k]
        print("%-16s %6d %8d %6d %6d %9d %6s" % (
            name, t["cases"], t["resolved"], t["agree"], t["opaque"], t["gap"],
            ("%d" % t["wrong"]) + ("*" if t["gap_wrong"] else "")))
    print("%-16s %6d %8d %6d %6d %9d %6d" % (
        "all", total["cases"], total["resolved"], total["agree"], total["opaque"],
        total["gap"], total["wrong"]))
    wrong = total["wrong"] - (total["gap_wrong"] if args.gaps_may_be_wrong else 0)
    resolved = total["resolved"] - (total["gap_wrong"] if args.gaps_may_be_wrong else 0)
    agreement = total["agree"] / resolved if resolved else 1.0
    print("(* WRONG includes cases documented as known-gap: %d of %d)" % (
        total["gap_wrong"], total["wrong"]))
    if args.v or args.show_gaps:
        for name in sorted(techs):
            for w in techs[name]["wrong_cases"]:
                print("WRONG " + w)
    print("agreement on resolved cases: %d/%d = %s (gate: >= %.0f%% and no WRONG%s)" % (
        total["agree"], total["resolved"], rate(total["agree"], total["resolved"]),
        100 * MIN_AGREEMENT,
        ", documented gaps excluded" if args.gaps_may_be_wrong else ""))
    failed = wrong > 0 or agreement < MIN_AGREEMENT
    if failed:
        print("run_spec: gate FAILED: %d WRONG, agreement %.1f%% on %d resolved" % (
            wrong, 100 * agreement, resolved))
    if args.json_out:
        doc = {"techniques": {n: {k: techs[n][k] for k in TECH_KEYS + ("wrong_cases",)}
                              for n in sorted(techs)},
               "total": total,
               "agreement_on_resolved": round(total["agree"] / total["resolved"], 4)
               if total["resolved"] else None,
               "gate": {"min_agreement": MIN_AGREEMENT,
                        "gaps_may_be_wrong": args.gaps_may_be_wrong,
                        "passed": not failed}}
        with open(args.json_out, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
    return failed


def rate(a, n):
    return "%.1f%%" % (100.0 * a / n) if n else "n/a"


if __name__ == "__main__":
    sys.exit(main())
