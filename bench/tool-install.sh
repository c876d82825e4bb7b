#!/usr/bin/env bash
# `tailmark check ifeval` on the 541 GPT-4 responses (strict plus loose) through the tool as users install it: pack,
# `dotnet tool install --tool-path` from a local folder, run the installed `tailmark`. Two packages side by side:
#   rid: what ships — the RID-specific package for this machine (self-contained, ReadyToRun composite)
#   fd:  the framework-dependent, platform-agnostic tool package (what `dotnet pack` made before)
# Median of RUNS runs each (after one warm-up), the two alternated so that the machine's drift hits both alike.
# Usage: bench/tool-install.sh [RUNS]   (run it under `flock` when the machine is shared)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
rid=$(dotnet --info | awk '/^ *RID:/ {print $2; exit}')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stamp=$(date +%s)
# Distinct versions, so that NuGet's package folders never hand one build out for the other.
dotnet pack src/Tailmark.Cli -c Release -o "$work/rid" -p:Version="0.0.0-rid.$stamp" \
  -p:ToolPackageRuntimeIdentifiers="$rid" >/dev/null
dotnet pack src/Tailmark.Cli -c Release -o "$work/fd" -p:Version="0.0.0-fd.$stamp" \
  -p:ToolPackageRuntimeIdentifiers= -p:RuntimeIdentifiers= -p:UseAppHost=false -p:PublishReadyToRun=false >/dev/null
for kind in rid fd; do
  dotnet tool install Tailmark.Cli --tool-path "$work/tools-$kind" --add-source "$work/$kind" \
    --version "0.0.0-$kind.$stamp" >/dev/null
done
ls -l "$work"/rid/*.nupkg "$work"/fd/*.nupkg | awk '{printf "%s  %.1f MB\n", $9, $5/1e6}' | sed "s|$work/||"
data=tests/data/ifeval
run() {
  "$work/tools-$1/tailmark" check ifeval --input "$data/input_data.jsonl" \
    --responses "$data/input_response_data_gpt4_20231107_145030.jsonl" --out "$work/results-$1" >/dev/null
}
run rid; run fd # warm the file cache
: >"$work/t-rid"; : >"$work/t-fd"
for _ in $(seq "$runs"); do
  for kind in rid fd; do
    start=$(date +%s.%N); run "$kind"; end=$(date +%s.%N)
    echo "$end - $start" | bc -l >>"$work/t-$kind"
  done
done
cmp "$work/results-rid/eval_results_strict.jsonl" "$work/results-fd/eval_results_strict.jsonl" # same answers
for kind in rid fd; do
  sort -n "$work/t-$kind" | awk -v n="$runs" -v k="$kind" '{a[NR]=$1} END {printf "%-4s runs %d  min %.3f s  median %.3f s  max %.3f s\n", k, n, a[1], a[int((n+1)/2)], a[n]}'
done
