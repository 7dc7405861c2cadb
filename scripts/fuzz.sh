#!/usr/bin/env bash
# Runs every fuzz target built in BUILD_DIR (make fuzz) for SECONDS each, starting from its
# corpus in tests/fuzz/<target>/corpus. New inputs go to BUILD_DIR/corpus/<target> (not the
# repository); a finding (crash, leak, property violated) is written to BUILD_DIR/findings/ and
# reported: fix it, then keep the input as a corpus file so CTest replays it for ever.
set -uo pipefail
build=${1:-build-fuzz}
seconds=${2:-600}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$build/findings"
status=0
for exe in "$build"/tests/fuzz/fuzz_*; do
  [ -x "$exe" ] || continue
  target=$(basename "$exe" | sed 's/^fuzz_//')
  work="$build/corpus/$target"
  mkdir -p "$work"
  echo "== $target: ${seconds} s"
  if ! "$exe" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$build/findings/$target-" "$work" "$root/tests/fuzz/$target/corpus" \
       > "$build/findings/$target.log" 2>&1; then
    echo "   FINDING: see $build/findings/$target.log and $build/findings/$target-*"
    status=1
  fi
  grep -E "^stat::number_of_executed_runs|^stat::new_units_added|Done [0-9]+ runs" \
    "$build/findings/$target.log" | sed 's/^/   /'
done
exit $status
