#!/usr/bin/env bash
# Peak resident memory of `tailmark grade` for ONE long response (default 10 MB of text) against 10 judged
# criteria and one word-count check, per-criterion mode, with the simulated judge in ANOTHER process (so the
# figure is the grading client's alone): once under the default --max-response-chars (the response is not sent to
# the judge), once with the cap raised above it (every call carries it), and a short response for the baseline.
# Usage: bench/long-response-memory.sh [MEGABYTES]
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-10}
work=$(mktemp -d)
sim_pid=""
trap '[ -n "$sim_pid" ] && kill "$sim_pid"; rm -rf "$work"' EXIT
dotnet build -c Release src/Tailmark.Cli -o "$work/bin" >/dev/null
cli=("dotnet" "$work/bin/Tailmark.Cli.dll")
python3 - "$work" "$mb" <<'PY'
import json, random, sys
work, mb = sys.argv[1], float(sys.argv[2])
random.seed(1)
words = ["sugar", "insulin", "fridge", "travel", "doctor", "water", "sleep", "walk", "meal", "plan"]
text = " ".join(random.choice(words) for _ in range(int(mb * 1_000_000 / 6.2)))
json.dump({"prompt_id": "p", "response_id": "long", "response": text}, open(f"{work}/long.jsonl", "w")); open(f"{work}/long.jsonl", "a").write("\n")
open(f"{work}/short.jsonl", "w").write(json.dumps({"prompt_id": "p", "response_id": "short", "response": "Drink water and walk."}) + "\n")
criteria = [{"id": f"c{i}", "text": f"Mentions {w}."} for i, w in enumerate(words)]
criteria.append({"id": "n", "text": "Short.", "check": {"type": "length_constraints:number_words", "relation": "less than", "num_words": 300}})
open(f"{work}/rubrics.jsonl", "w").write(json.dumps({"rubric_id": "r", "prompt_id": "p", "prompt": "How do I cut sugar?", "criteria": criteria}) + "\n")
PY
port=18631
"${cli[@]}" sim serve --port "$port" >/dev/null 2>&1 &
sim_pid=$!
sleep 3
echo "response: $(wc -c < "$work/long.jsonl") bytes"
run() {
  /usr/bin/time -f "$1: wall %e s, peak RSS %M KB" "${cli[@]}" grade --rubrics "$work/rubrics.jsonl" --responses "$work/$2" \
    --judge "http://127.0.0.1:$port/v1#sim-judge" --no-cache --out "$work/graded.jsonl" "${@:3}" 2>&1 >/dev/null | tail -1
}
run "short response (baseline)" short.jsonl
run "long response, default cap (not sent)" long.jsonl
run "long response, cap raised (sent with every call)" long.jsonl --max-response-chars 100000000
