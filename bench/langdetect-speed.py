#!/usr/bin/env python3
"""langdetect 1.0.9 itself on the 541 GPT-4 responses, one seed per text: the comparison figure for
`Tailmark.Bench language` in docs/benchmarks.md. Needs Debian's python3-langdetect; run with /usr/bin/python3.
Usage: /usr/bin/python3 bench/langdetect-speed.py [SHARED_DATA_DIR] [ROUNDS]"""
import json
import os
import sys
import time

import langdetect.detector_factory as factory
from langdetect.lang_detect_exception import LangDetectException

data = sys.argv[1] if len(sys.argv) > 1 else os.path.join("tests", "data", "ifeval")
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 2
with open(os.path.join(data, "input_response_data_gpt4_20231107_145030.jsonl"), encoding="utf-8") as f:
    texts = [json.loads(line)["response"] for line in f]
factory.init_factory()
for _ in range(rounds):
    start = time.perf_counter()
    for seed, text in enumerate(texts):
        factory._factory.seed = seed
        detector = factory._factory.create()
        detector.append(text)
        try:
            detector.detect()
        except LangDetectException:
            pass
    print(f"langdetect: {(time.perf_counter() - start) / len(texts) * 1e6:.0f} µs per text ({len(texts)} texts)")
