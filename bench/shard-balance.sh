#!/usr/bin/env bash
# How evenly `grade --shard I/N` spreads a job: for two inputs over the simulated world's 256 tasks (rubrics of 11-20
# criteria: the task's 11 facets and 0-9 generic ones) — GRPO-shaped (16 responses per prompt) and skewed (4,096 rows drawn at random prompts) — and N = 2, 3, 4, 8,
# the judged criteria of each part as `grade --dry-run --shard I/N` plans it (Tailmark's rule: prompts whole, heaviest
# first to the lightest part), against prompts dealt by a hash of their id mod N (computed here from the same weights).
# Prints the heaviest part over the mean part (1.000 = perfect balance). Calls no judge.
# Usage: bench/shard-balance.sh            (TAILMARK_CLI=path/to/Tailmark.Cli.dll skips the build)
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ -z "${TAILMARK_CLI:-}" ]]; then
  dotnet build -c Release src/Tailmark.Cli -o "$work/bin" >/dev/null
  TAILMARK_CLI="$work/bin/Tailmark.Cli.dll"
fi
cli=("dotnet" "$TAILMARK_CLI")
"${cli[@]}" sim export --tasks 256 --gold --out "$work/tasks.jsonl" 2>/dev/null
python3 - "$work" <<'PY'
import json, random, sys
work = sys.argv[1]
random.seed(1)
tasks = [json.loads(l) for l in open(f"{work}/tasks.jsonl")]
with open(f"{work}/rubrics.jsonl", "w") as r:
    for t in tasks:
        crit = [{"id": f["id"], "text": ("The response tells the user to " if f["value"] < 0 else "The response advises the user to ") + f["phrase"] + ".",
                 "weight": max(-2, min(3, f["value"]))} for f in t["gold"]["facets"]]
        crit += [{"id": f"g{i}", "text": f"The response is {w}.", "weight": 1}
                 for i, w in enumerate(["clear", "organized", "concise", "polite", "focused", "practical", "specific", "friendly", "accurate"][:random.randint(0, 9)])]
        r.write(json.dumps({"rubric_id": t["prompt_id"], "prompt_id": t["prompt_id"], "prompt": t["prompt"], "criteria": crit}) + "\n")
def write(name, picks):
    with open(f"{work}/{name}.jsonl", "w") as s:
        for i, t in enumerate(picks):
            s.write(json.dumps({"prompt_id": t["prompt_id"], "response_id": f"r{i}",
                                "response": " ".join("You should " + f["phrase"] + "." for f in random.sample(t["gold"]["facets"], 4))}) + "\n")
write("grpo", [t for t in tasks for _ in range(16)])
write("skewed", [random.choice(tasks) for _ in range(4096)])
PY
for input in grpo skewed; do
  for n in 2 3 4 8; do
    for i in $(seq 1 "$n"); do
      "${cli[@]}" grade --rubrics "$work/rubrics.jsonl" --responses "$work/$input.jsonl" --judge sim --sim-tasks 256 --no-cache \
        --out "$work/unused.jsonl" --dry-run --shard "$i/$n" 2>&1 >/dev/null | grep '^part ' || true
    done > "$work/$input-$n.txt"
    [[ $n == 3 ]] && sed -n 1p "$work/$input-$n.txt"
    python3 - "$work" "$input" "$n" <<'PY'
import hashlib, json, re, sys, collections
work, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
parts = [int(re.search(r"rows, ([\d,]+) of", l).group(1).replace(",", "")) for l in open(f"{work}/{name}-{n}.txt")]
criteria = {json.loads(l)["prompt_id"]: len(json.loads(l)["criteria"]) for l in open(f"{work}/rubrics.jsonl")}
weights = collections.Counter()
for l in open(f"{work}/{name}.jsonl"):
    p = json.loads(l)["prompt_id"]; weights[p] += criteria[p]
hashed = [0] * n
for p, w in weights.items():
    hashed[int.from_bytes(hashlib.sha256(p.encode()).digest()[:8], "little") % n] += w
mean = sum(weights.values()) / n
print(f"{name:7} N={n}  judged criteria {sum(weights.values()):,}  tailmark (heaviest-first): {max(parts) / mean:.3f}  hash mod N: {max(hashed) / mean:.3f}  parts: {parts}")
PY
  done
done
