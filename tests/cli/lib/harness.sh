# harness.sh - what every tests/cli/*.sh shares: a private temporary
# directory (removed on exit), pass/fail counters and the assertions.
# Sourced, not run; it lives outside tests/cli/*.sh so ctest does not
# register it as a test.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
pass=0

expect_status() { # NAME WANT CMD...  (stdout in $tmp/out, stderr in $tmp/err)
  local name=$1 want=$2
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL $name: exit $got, wanted $want"; sed 's/^/  | /' "$tmp/out" "$tmp/err" | head -20
    fails=$((fails + 1))
  else
    pass=$((pass + 1))
  fi
}

expect_grep() { # NAME PATTERN FILE
  if grep -qE -- "$2" "$3"; then pass=$((pass + 1)); else
    echo "FAIL $1: /$2/ not in $3"; sed 's/^/  | /' "$3" | head -20; fails=$((fails + 1)); fi
}

expect_no_grep() { # NAME PATTERN FILE
  if grep -qE -- "$2" "$3"; then echo "FAIL $1: /$2/ found in $3"; fails=$((fails + 1)); else
    pass=$((pass + 1)); fi
}
