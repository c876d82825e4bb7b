#!/usr/bin/env python3
"""Judge replicas with prefix affinity against round robin (docs/benchmarks.md, docs/deploy.md).

Starts --replicas `tailmark sim serve` processes on 127.0.0.1, each with the same capacity and a prefix cache (as a
user runs vLLM or SGLang replicas), writes an endpoints file naming them as one endpoint (`urls: [...]`), and runs
`tailmark grade --mode per-criterion --no-cache` over the same responses twice: with affinity (the default) and with
`affinity: false` (round robin). For each it reads every replica's /v1/sim/stats and reports the share of prompt
tokens its prefix cache served and the efficiency: the replicas' busy slot-seconds ÷ (all their slots × the grade's
wall time), i.e. the throughput against their combined capacity (the grade's process start is inside the wall time).

The CLI is TAILMARK_CLI (a built Tailmark.Cli.dll) or the newest build under src/Tailmark.Cli/bin.
Usage: python3 bench/judge-replicas.py [--responses N] [--replicas R] [--capacity SPEC] [--concurrency C]
       [--endpoint-concurrency E] [--modes affinity,round-robin]
"""

import argparse
import json
import os
import random
import subprocess
import sys
import shutil
import tempfile
import time
import urllib.request

from benchlib import ROOT, cli, free_port
GENERAL = ["clear", "organized", "concise", "polite", "focused", "practical", "specific", "friendly", "accurate"]


def http(url, method="GET"):
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


def wait_ready(url, process):
    for _ in range(300):
        if process.poll() is not None:
            sys.exit(f"sim serve exited with {process.returncode}")
        try:
            http(url + "/models")
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"{url} did not come up")


FILLER = ["Keep notes of what you try and how it goes", "Pick one change at a time so you can tell what works",
          "Talk it over with someone you trust before you decide", "Check again after a week and adjust the plan",
          "Write the steps down where you will see them every day", "Expect a slow start and do not give up early",
          "Ask for help when a step feels too large", "Plan around the busy days rather than against them"]


def inputs(work, tasks, n, sentences):
    subprocess.run(cli() + ["sim", "export", "--tasks", str(tasks), "--gold", "--out", f"{work}/tasks.jsonl"], check=True, capture_output=True)
    random.seed(1)
    rows = [json.loads(line) for line in open(f"{work}/tasks.jsonl")]
    with open(f"{work}/rubrics.jsonl", "w") as r:
        for t in rows:
            criteria = [{"id": f["id"], "text": ("The response tells the user to " if f["value"] < 0 else "The response advises the user to ") + f["phrase"] + ".",
                         "weight": max(-2, min(3, f["value"]))} for f in t["gold"]["facets"]]
            criteria += [{"id": f"g{i}", "text": f"The response is {w}.", "weight": 1} for i, w in enumerate(GENERAL)]
            r.write(json.dumps({"rubric_id": t["prompt_id"], "prompt_id": t["prompt_id"], "prompt": t["prompt"], "criteria": criteria}) + "\n")
    with open(f"{work}/responses.jsonl", "w") as s:
        for i in range(n):
            t = rows[i % len(rows)]
            s.write(json.dumps({"prompt_id": t["prompt_id"], "response_id": f"r{i}",
                                # RL rollouts are long: the response, not the judge's instructions, is most of each prompt.
                                "response": " ".join(["You should " + f["phrase"] + "." for f in random.sample(t["gold"]["facets"], 4)] +
                                                     [f"{random.choice(FILLER)} (point {k + 1})." for k in range(sentences)])}) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", type=int, default=1024)
    parser.add_argument("--replicas", type=int, default=4)
    parser.add_argument("--tasks", type=int, default=256)
    parser.add_argument("--capacity", default="slots=8,prefill_tps=2000,decode_tps=150,prefix_cache=on")
    parser.add_argument("--sentences", type=int, default=60, help="filler sentences per response (about 14 tokens each)")
    parser.add_argument("--concurrency", type=int, default=16, help="responses graded at once")
    parser.add_argument("--endpoint-concurrency", type=int, default=128, help="the endpoint's calls in flight (each replica's share: this ÷ replicas)")
    parser.add_argument("--modes", default="affinity,round-robin")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="judge-replicas-")
    inputs(work, args.tasks, args.responses, args.sentences)
    servers = []
    try:
        print(f"{args.replicas} replicas at {args.capacity}; {args.responses} responses of {args.sentences + 4} sentences, per-criterion, "
              f"{args.concurrency} responses and {args.endpoint_concurrency} calls in flight")
        print("| routing | judge calls | prompt tokens | cached | cached share | wall | responses/s | ideal | efficiency | calls per replica | spilled |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for mode in args.modes.split(","):
            # Fresh replicas per mode: a prefix cache warmed by the previous mode would flatter the next.
            stop(servers)
            servers = start(args)
            endpoints = f"{work}/endpoints-{mode}.yaml"
            with open(endpoints, "w") as f:
                f.write("endpoints:\n  judges:\n    model: sim-judge\n    urls: [" + ", ".join(u for u, _ in servers) + "]\n"
                        f"    concurrency: {args.endpoint_concurrency}\n    affinity: {'true' if mode == 'affinity' else 'false'}\n")
            for url, _ in servers:
                http(url + "/sim/stats/reset", "POST")
            started = time.monotonic()
            run = subprocess.run(cli() + ["grade", "--rubrics", f"{work}/rubrics.jsonl", "--responses", f"{work}/responses.jsonl",
                                          "--endpoints", endpoints, "--judge", "judges", "--mode", "per-criterion", "--no-cache",
                                          "--concurrency", str(args.concurrency), "--out", f"{work}/graded-{mode}.jsonl"],
                                 capture_output=True, text=True)
            wall = time.monotonic() - started
            if run.returncode != 0:
                sys.exit(f"grade failed ({run.returncode}): {run.stderr[-2000:]}")
            stats = [http(url + "/sim/stats") for url, _ in servers]
            calls = sum(s["completions"] for s in stats)
            prompt = sum(s["prompt_tokens"] for s in stats)
            cached = sum(s["cached_prompt_tokens"] for s in stats)
            busy = sum(s["busy_seconds"] for s in stats)
            slots = sum(s["slots"] for s in stats)
            ideal = busy / slots
            spilled = spills(run.stderr + run.stdout)
            print(f"| {mode} | {calls:,} | {prompt:,} | {cached:,} | **{cached / prompt:.1%}** | {wall:.1f} s | {args.responses / wall:.1f} | {ideal:.1f} s | **{ideal / wall:.2f}** | "
                  f"{' / '.join(str(s['completions']) for s in stats)} | {spilled} |", flush=True)
    finally:
        stop(servers)
        shutil.rmtree(work, ignore_errors=True)


def start(args):
    servers = []
    for _ in range(args.replicas):
        port = free_port()
        process = subprocess.Popen(cli() + ["sim", "serve", "--port", str(port), "--tasks", str(args.tasks), "--capacity", args.capacity],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        servers.append((f"http://127.0.0.1:{port}/v1", process))
    for url, process in servers:
        wait_ready(url, process)
    return servers


def stop(servers):
    for _, process in servers:
        process.terminate()
    for _, process in servers:
        process.wait()
    servers.clear()


def spills(text):
    # The grade summary's replica lines, when it prints them ("spilled in N").
    total = 0
    for line in text.splitlines():
        if "spilled in" in line:
            try:
                total += int(line.split("spilled in")[1].split()[0].replace(",", ""))
            except (IndexError, ValueError):
                pass
    return total


if __name__ == "__main__":
    main()
