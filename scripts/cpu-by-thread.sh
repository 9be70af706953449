#!/usr/bin/env bash
# CPU seconds per thread name of a running process over a window: where a load's CPU goes, as BENCHMARKS.md reports it
# (loader-write = DuckDB's writer, loader = prepare, "java" = the main thread and DuckDB's worker threads, GC, JIT…).
#   scripts/cpu-by-thread.sh PID [SECONDS]     (default 10 s; Linux /proc; threads that end inside the window are left out)
set -euo pipefail
pid=$1
secs=${2:-10}
snapshot() {
  for t in /proc/"$pid"/task/*; do
    stat=$(cat "$t/stat" 2>/dev/null) || continue
    rest=${stat##*) }              # fields after the command name, which may hold spaces
    set -- $rest
    printf '%s\t%s\t%s\n' "${t##*/}" "$(cat "$t/comm" 2>/dev/null)" "$((${12} + ${13}))"   # utime + stime, in ticks
  done
}
before=$(snapshot)
sleep "$secs"
after=$(snapshot)
hz=$(getconf CLK_TCK)
awk -F'\t' -v hz="$hz" -v secs="$secs" '
  NR == FNR { start[$1] = $3; next }
  ($1 in start) { name = $2; sub(/[-#]?[0-9]+$/, "", name); cpu[name] += ($3 - start[$1]) / hz; total += ($3 - start[$1]) / hz }
  END {
    printf "%.1f CPU-s in %d s (%.2f cores)\n", total, secs, total / secs
    for (n in cpu) if (cpu[n] >= 0.01) printf "  %7.2f  %s\n", cpu[n], n | "sort -nr"
  }' <(echo "$before") <(echo "$after")
