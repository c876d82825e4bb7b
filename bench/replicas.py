#!/usr/bin/env python3
"""Reward-server replicas on a shared PostgreSQL verdict store behind HAProxy (docs/deploy.md), measured on 127.0.0.1
with Python's standard library: `sim serve` as the judge (its own process, with a serving capacity), N `tailmark
serve --cache postgres://…` replicas, and HAProxy running deploy/haproxy.cfg in front of them.

  throughput  for 1 and 3 replicas: --groups GRPO groups (one prompt, --group responses each) sent --width at a time
              through HAProxy on an emptied store (cold: every verdict judged), then again (warm: every verdict a hit
              in the replica's memory or the store); items per second, judge calls
  duplicates  3 replicas, every group sent to all three at once (a trainer's retry, a resent batch), with leases
              (serve's default) and without (--lease-seconds 0): judge calls against the distinct work

The store is given as --cache (a database you may empty: the runs prune it), its password in TAILMARK_PG_PASSWORD
or PGPASSWORD. HAProxy is `haproxy` on PATH. The CLI is TAILMARK_CLI (a built Tailmark.Cli.dll) or the newest build.
Usage: python3 bench/replicas.py throughput|duplicates --cache postgres://USER@HOST:PORT/DB [options]
"""

import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time

from benchlib import ROOT, cli, free_port
PROMPT = "How can I cut down on sugar?"
TOPICS = ["swapping sugary drinks for water", "reading labels for added sugar", "eating fruit instead of sweets",
          "cooking at home", "sleeping enough", "planning meals", "asking a doctor", "walking after meals"]


def write_rubric(folder, judged):
    criteria = [{"id": f"c{i}", "text": f"Suggests {TOPICS[i % len(TOPICS)]}.", "weight": 1} for i in range(judged)]
    path = os.path.join(folder, "rubrics.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps({"rubric_id": "sugar", "prompt_id": "sugar", "prompt": PROMPT, "criteria": criteria}) + "\n")
    return path


def request(port, method, path, body=None, timeout=600):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def group(tag, size):
    return json.dumps({"items": [{"prompt_id": "sugar", "response": f"Drink water instead of soda and {TOPICS[i % len(TOPICS)]} ({tag} {i})."}
                                 for i in range(size)]})


def started(args, env=None):
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not match:
        raise SystemExit(f"{args[2]} did not start: {line}")
    return process, int(match.group(1))


class Cluster:
    """sim serve, N replicas and HAProxy, stopped together."""

    def __init__(self, a, folder, replicas, lease_seconds=None):
        self.processes = []
        self.sim, sim_port = started(cli() + ["sim", "serve", "--port", "0", "--capacity", a.judge_capacity])
        self.processes.append(self.sim)
        self.sim_port = sim_port
        serve = cli() + ["serve", "--port", "0", "--rubrics", write_rubric(folder, a.criteria), "--mode", a.mode, "--cache", a.cache,
                         "--judge", f"http://127.0.0.1:{sim_port}/v1#sim-judge"] + (["--lease-seconds", str(lease_seconds)] if lease_seconds is not None else [])
        self.replicas = []
        for _ in range(replicas):
            process, port = started(serve)
            self.processes.append(process)
            self.replicas.append(port)
        self.port = free_port()
        config = open(os.path.join(ROOT, "deploy", "haproxy.cfg"), encoding="utf-8").read()
        # One replica: all three server lines name it.
        for i in range(3):
            config = config.replace(f'"${{TAILMARK_REPLICA_{i + 1}}}"', f"127.0.0.1:{self.replicas[i % replicas]}")
        config = config.replace('"${TAILMARK_LB_BIND}"', f"127.0.0.1:{self.port}")
        path = os.path.join(folder, "haproxy.cfg")
        open(path, "w", encoding="utf-8").write(config)
        self.processes.append(subprocess.Popen([shutil.which("haproxy") or "/usr/sbin/haproxy", "-f", path, "-db"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if request(self.port, "GET", "/health", timeout=2)[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)

    def judge_calls(self):
        return json.loads(request(self.sim_port, "GET", "/v1/sim/stats")[1])["requests"]

    def close(self):
        for p in reversed(self.processes):
            p.terminate()
        for p in self.processes:
            p.wait(timeout=120)


def prune(a):
    subprocess.run(cli() + ["cache", "prune", "--all", "--cache", a.cache], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # a fresh database has no tables yet


def load(port, bodies, width):
    """Posts BODIES to PORT, WIDTH at a time; returns the seconds taken. Any answer but 200 stops the benchmark."""
    lock, queue, failures = threading.Lock(), list(reversed(bodies)), []

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                body = queue.pop()
            status, answer = request(port, "POST", "/v1/reward", body)
            if status != 200:
                failures.append(f"{status}: {answer[:200]}")
    begun = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(width)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise SystemExit(f"{len(failures)} requests failed, e.g. {failures[0]}")
    return time.monotonic() - begun


def throughput(a, folder):
    bodies = [group(f"g{i}", a.group) for i in range(a.groups)]
    items = a.groups * a.group
    print(f"| replicas | cache | items | seconds | items/s | judge calls |")
    print(f"|---|---|---|---|---|---|")
    for n in (1, 3):
        prune(a)
        cluster = Cluster(a, folder, n)
        try:
            for state in ("cold", "warm"):
                calls = cluster.judge_calls()
                seconds = load(cluster.port, bodies, a.width)
                print(f"| {n} | {state} | {items} | {seconds:.2f} | {items / seconds:.0f} | {cluster.judge_calls() - calls} |", flush=True)
        finally:
            cluster.close()


def duplicates(a, folder):
    bodies = [group(f"d{i}", a.group) for i in range(a.groups)]
    print(f"| leases | groups × copies | judge calls | distinct work | duplicates |")
    print(f"|---|---|---|---|---|")
    for lease in (None, 0):
        prune(a)
        cluster = Cluster(a, folder, 3, lease)
        try:
            calls = cluster.judge_calls()
            # Each group to all three replicas at once (directly: HAProxy's leastconn may or may not spread copies).
            copies = [(port, body) for body in bodies for port in cluster.replicas]
            threads = [threading.Thread(target=request, args=(port, "POST", "/v1/reward", body)) for port, body in copies]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            made = cluster.judge_calls() - calls
        finally:
            cluster.close()
        distinct = a.groups * a.group * (1 if a.mode == "all" else a.criteria)
        print(f"| {'on (default)' if lease is None else 'off (--lease-seconds 0)'} | {a.groups} × 3 | {made} | {distinct} | {made - distinct} ({(made - distinct) / distinct:.0%}) |", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("scenario", choices=["throughput", "duplicates"])
    p.add_argument("--cache", required=True, help="postgres://USER@HOST:PORT/DB (emptied by the runs)")
    p.add_argument("--groups", type=int, default=100)
    p.add_argument("--group", type=int, default=8, help="responses per group")
    p.add_argument("--width", type=int, default=16, help="requests in flight at once")
    p.add_argument("--criteria", type=int, default=6)
    p.add_argument("--mode", default="all")
    p.add_argument("--judge-capacity", default="slots=64,prefill_tps=200000,decode_tps=20000")
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        (throughput if a.scenario == "throughput" else duplicates)(a, folder)


if __name__ == "__main__":
    main()
