#!/usr/bin/env bash
# Runs shell text from FILE ('-' = stdin) in real bash inside the oracle's
# bubblewrap sandbox, where external commands are recorded instead of run,
# and prints {"commands":[{"argv":[...]}...],"status":N,"timed_out":bool}.
# Never runs bash unsandboxed: without working bwrap it exits 2.
# Details: docs/ORACLE.md.
exec python3 "$(dirname "$0")/../tests/shell/oracle.py" "$@"
