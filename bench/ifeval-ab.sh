#!/usr/bin/env bash
# Interleaved A/B of `tailmark check ifeval` (process start included) between two git revisions: both are published
# self-contained with ReadyToRun (composite), as bench/ifeval-command.sh does, then run alternately so that the
# machine's drift hits both alike. Usage: bench/ifeval-ab.sh REV_A REV_B [RUNS]   (e.g. 074d37a HEAD 12)
set -euo pipefail
cd "$(dirname "$0")/.."
a=$1 b=$2 runs=${3:-12}
work=$(mktemp -d)
trap 'git worktree remove --force "$work/a" >/dev/null 2>&1 || true; git worktree remove --force "$work/b" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
data=$PWD/tests/data/ifeval
for side in a b; do
  rev=${!side}
  git worktree add -q --detach "$work/$side" "$rev"
  dotnet publish -c Release "$work/$side/src/Tailmark.Cli" -r linux-x64 --self-contained true \
    -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true -o "$work/bin-$side" >/dev/null
done
once() {
  local start end
  start=$(date +%s.%N)
  "$work/bin-$1/Tailmark.Cli" check ifeval --input "$data/input_data.jsonl" \
    --responses "$data/input_response_data_gpt4_20231107_145030.jsonl" --out "$work/out" >/dev/null
  end=$(date +%s.%N)
  echo "$1 $(echo "$end - $start" | bc -l)"
}
once a >/dev/null; once b >/dev/null # warm the file cache
for _ in $(seq "$runs"); do once a; once b; done | sort -k1,1 -k2,2n |
  awk -v ra="$a" -v rb="$b" '{t[$1, ++n[$1]] = $2} END {for (s in n) {m = n[s]; printf "%s (%s): runs %d  min %.3f s  median %.3f s\n", s, (s == "a" ? ra : rb), m, t[s, 1], t[s, int((m + 1) / 2)]}}'
