#!/usr/bin/env bash
# Wall time of the whole `tailmark check ifeval` command (process start included) on the 541 GPT-4 responses,
# strict plus loose, with the build a release ships for this platform: Native AOT (needs clang and zlib).
# AOT=false publishes the self-contained ReadyToRun composite build instead (what ships for the other platforms).
# Usage: [AOT=false] bench/ifeval-command.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
rid=$(dotnet msbuild src/Tailmark.Cli -getProperty:TailmarkAotRid) # the SDK's portable RID
if [ "${AOT:-true}" = false ]; then
  dotnet publish -c Release src/Tailmark.Cli -r "$rid" --self-contained true \
    -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true -o "$out/bin" >/dev/null
else
  dotnet publish -c Release src/Tailmark.Cli -r "$rid" -p:PublishAot=true -p:PublishReadyToRun=false -o "$out/bin" >/dev/null
fi
data=tests/data/ifeval
cmd=("$out/bin/Tailmark.Cli" check ifeval --input "$data/input_data.jsonl"
     --responses "$data/input_response_data_gpt4_20231107_145030.jsonl" --out "$out/results")
"${cmd[@]}" >/dev/null # warm the file cache
times=()
for _ in $(seq "$runs"); do
  start=$(date +%s.%N)
  "${cmd[@]}" >/dev/null
  end=$(date +%s.%N)
  times+=("$(echo "$end - $start" | bc -l)")
done
printf '%s\n' "${times[@]}" | sort -n | awk -v n="$runs" '{a[NR]=$1} END {printf "runs %d  min %.3f s  median %.3f s  max %.3f s\n", n, a[1], a[int((n+1)/2)], a[n]}'
