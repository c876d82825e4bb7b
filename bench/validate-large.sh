#!/usr/bin/env bash
# Validates a generated JSONL rubric file of SIZE_MB megabytes (default 1024) and reports wall time and peak
# resident memory, to show that `tailmark validate` streams in bounded memory. Usage: bench/validate-large.sh [SIZE_MB]
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-1024}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work/big.jsonl" "$size_mb" <<'PY'
import json, sys
path, size = sys.argv[1], int(sys.argv[2]) * 1024 * 1024
with open(path, "w") as f:
    n = 0
    while f.tell() < size:
        n += 1
        crit = [{"id": f"c{i}", "text": f"Criterion {i} of rubric {n}: states the key fact clearly and correctly.", "weight": (i % 3) + 1}
                for i in range(12)]
        f.write(json.dumps({"rubric_id": f"r{n}", "prompt_id": f"p{n}", "prompt": f"Prompt number {n}", "criteria": crit}) + "\n")
print(f"generated {n} rubrics", file=sys.stderr)
PY
dotnet build -c Release src/Tailmark.Cli -o "$work/bin" >/dev/null
ls -l "$work/big.jsonl" | awk '{printf "file size: %.0f MB\n", $5/1048576}'
/usr/bin/time -f "wall %e s, peak RSS %M KB" dotnet "$work/bin/Tailmark.Cli.dll" validate --quiet "$work/big.jsonl"
