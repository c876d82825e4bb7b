#!/usr/bin/env bash
# Streams N responses x 20 criteria (default 50,000 x 20 = 1M verdicts) through `tailmark grade` against the
# in-process simulated judge (all-at-once mode, no cache) and reports wall time and peak resident memory.
# Usage: bench/grade-memory.sh [RESPONSES]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-50000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build -c Release src/Tailmark.Cli -o "$work/bin" >/dev/null
cli=("dotnet" "$work/bin/Tailmark.Cli.dll")
"${cli[@]}" sim export --tasks 256 --gold --out "$work/tasks.jsonl" 2>/dev/null
python3 - "$work" "$n" <<'PY'
import json, random, sys
work, n = sys.argv[1], int(sys.argv[2])
random.seed(1)
tasks = [json.loads(l) for l in open(f"{work}/tasks.jsonl")]
with open(f"{work}/rubrics.jsonl", "w") as r:
    for t in tasks:
        crit = [{"id": f["id"], "text": ("The response tells the user to " if f["value"] < 0 else "The response advises the user to ") + f["phrase"] + ".",
                 "weight": max(-2, min(3, f["value"]))} for f in t["gold"]["facets"]]
        crit += [{"id": f"g{i}", "text": f"The response is {w}.", "weight": 1}
                 for i, w in enumerate(["clear", "organized", "concise", "polite", "focused", "practical", "specific", "friendly", "accurate"])]
        r.write(json.dumps({"rubric_id": t["prompt_id"], "prompt_id": t["prompt_id"], "prompt": t["prompt"], "criteria": crit}) + "\n")
with open(f"{work}/responses.jsonl", "w") as s:
    for i in range(n):
        t = tasks[i % len(tasks)]
        s.write(json.dumps({"prompt_id": t["prompt_id"], "response_id": f"r{i}",
                            "response": " ".join("You should " + f["phrase"] + "." for f in random.sample(t["gold"]["facets"], 4))}) + "\n")
PY
/usr/bin/time -f "wall %e s, peak RSS %M KB" "${cli[@]}" grade --rubrics "$work/rubrics.jsonl" --responses "$work/responses.jsonl" \
  --judge sim --sim-tasks 256 --mode all --no-cache --concurrency 64 --out "$work/graded.jsonl" 2>&1 >/dev/null | tail -1
echo "verdicts: $((n * 20))"
