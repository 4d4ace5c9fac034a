#!/usr/bin/env bash
# Every test: install, check sources (banned functions, formatting), build
# the normal and the ASan+UBSan flavours, and run the whole ctest suite in
# each. Ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh || exit 1
scripts/check-banned.sh || exit 1
scripts/check-format.sh || exit 1

passed=0; failed=0
run_suite() {
  local flavour=$1 dir=$2
  scripts/build.sh "$flavour" >/dev/null || { echo "build ($flavour) failed" >&2; failed=$((failed + 1)); return; }
  local log="$dir/ctest.log"
  (cd "$dir" && ctest --output-on-failure -j"$(nproc)" --timeout 600) | tee "$log"
  local p f
  p=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed' "$log")
  f=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .*(Failed|Not Run|Timeout|Exception|SEGFAULT|Child aborted)' "$log")
  passed=$((passed + p)); failed=$((failed + f))
}
run_suite release build
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_suite asan build-asan
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
