#!/usr/bin/env bash
# `tailmark check ifeval` on the 541 GPT-4 responses (strict plus loose) through the tool as users install it: packed
# and installed by build/install-tool.sh (`dotnet pack`, then `dotnet tool install --tool-path`). Three packagings:
#   aot: what ships — packed for this platform alone: Native AOT
#   r2r: the same package without Native AOT (-p:TailmarkAot=false): self-contained ReadyToRun composite, what shipped
#        before and what the other platforms get
#   fd:  the framework-dependent, platform-agnostic package (`any`, and what `dotnet pack` made before either)
# Median of RUNS runs each (after one warm-up), the three alternated so that the machine's drift hits all alike.
# Usage: bench/tool-install.sh [RUNS]   (run it under `flock` when the machine is shared; packing takes ~10 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
kinds=(aot r2r fd)
build/install-tool.sh "$work/tools-aot" >/dev/null
build/install-tool.sh "$work/tools-r2r" -p:TailmarkAot=false >/dev/null
build/install-tool.sh "$work/tools-fd" -p:ToolPackageRuntimeIdentifiers= -p:RuntimeIdentifiers= -p:UseAppHost=false \
  -p:PublishReadyToRun=false >/dev/null
for kind in "${kinds[@]}"; do
  size=$(du -sb --dereference-args "$work/tools-$kind/.store" | awk '{printf "%.1f MB", $1 / 1e6}')
  echo "$kind installed: $size"
done
data=tests/data/ifeval
run() {
  "$work/tools-$1/tailmark" check ifeval --input "$data/input_data.jsonl" \
    --responses "$data/input_response_data_gpt4_20231107_145030.jsonl" --out "$work/results-$1" >/dev/null
}
for kind in "${kinds[@]}"; do run "$kind"; : >"$work/t-$kind"; done # warm the file cache
for _ in $(seq "$runs"); do
  for kind in "${kinds[@]}"; do
    start=$(date +%s.%N); run "$kind"; end=$(date +%s.%N)
    echo "$end - $start" | bc -l >>"$work/t-$kind"
  done
done
for kind in r2r fd; do # the same answers
  cmp "$work/results-aot/eval_results_strict.jsonl" "$work/results-$kind/eval_results_strict.jsonl"
  cmp "$work/results-aot/eval_results_loose.jsonl" "$work/results-$kind/eval_results_loose.jsonl"
done
for kind in "${kinds[@]}"; do
  sort -n "$work/t-$kind" | awk -v n="$runs" -v k="$kind" '{a[NR]=$1} END {printf "%-4s runs %d  min %.3f s  median %.3f s  max %.3f s\n", k, n, a[1], a[int((n+1)/2)], a[n]}'
done
