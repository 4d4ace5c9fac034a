#!/usr/bin/env bash
# Rejects functions our C must not use (STYLE.md habit 9): unbounded copies,
# unchecked formatting, non-reentrant tokenizing, shelling out. String
# literals and comments are blanked first, so shell text in test data (an
# awk 'system("…")' case, say) is not mistaken for a call.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 - "$@" <<'PY'
import re, subprocess, sys
BANNED = r"strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|gets|system|popen|alloca"
call = re.compile(r"(?<![A-Za-z0-9_])(" + BANNED + r")\s*\(")
token = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|/\*.*?\*/|//[^\n]*', re.S)

def blank(m):
    # Keep newlines so line numbers stay right.
    return "".join(c if c == "\n" else " " for c in m.group(0))

files = subprocess.run(["git", "ls-files", "*.c", "*.h"], capture_output=True, text=True,
                       check=True).stdout.split()
bad = []
for f in files:
    try:
        text = open(f, encoding="utf-8", errors="replace").read()
    except FileNotFoundError:
        continue
    code = token.sub(blank, text)
    for lineno, line in enumerate(code.split("\n"), 1):
        for m in call.finditer(line):
            bad.append(f"{f}:{lineno}: {m.group(1)}()")
if bad:
    print("check-banned: banned functions in use:", file=sys.stderr)
    print("\n".join(bad), file=sys.stderr)
    sys.exit(1)
PY
