#!/usr/bin/env python3
"""The reward server's reliability figures in docs/reliability.md, measured against a real `tailmark serve` on
127.0.0.1 (Python's standard library only). Three scenarios:

  stop   N requests in flight against a slow judge, then a signal: how many were answered, how, and the exit code
         (--signal TERM|INT, --drain SECONDS, --requests N, --judge-capacity SPEC; --external-judge runs the
         simulated judge as its own `sim serve` process, as a real judge would be)
  big    the audit's case: one request of --items items with a 1 s deadline, then small requests one after the
         other: how long each waited (--grading-slots, --judge-capacity, --criteria judged criteria per item)
  fuzz   --requests byte-level mutations of valid bodies for the three reward endpoints, with odd methods, content
         types and tokens (header and path): the statuses seen, 5xx, bodies that are not JSON, errors without a
         message, requests never answered (--seed)

The CLI is TAILMARK_CLI (a built Tailmark.Cli.dll) or the newest build under src/Tailmark.Cli/bin.
Usage: python3 bench/serve-reliability.py stop|big|fuzz [options]
"""

import argparse
import collections
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from benchlib import ROOT, cli
PROMPT = "How can I cut down on sugar?"


def write_rubric(folder, judged):
    """One rubric: a word-count check and JUDGED criteria for the judge (per-criterion mode: one call each)."""
    criteria = [{"id": "short", "text": "Is short.", "weight": 1,
                 "check": {"type": "length_constraints:number_words", "relation": "less than", "num_words": 300}}]
    topics = ["swapping sugary drinks for water", "reading labels for added sugar", "eating fruit instead of sweets",
              "cooking at home", "sleeping enough", "planning meals", "asking a doctor", "walking after meals"]
    criteria += [{"id": f"c{i}", "text": f"Suggests {topics[i % len(topics)]}.", "weight": 2} for i in range(judged)]
    path = os.path.join(folder, "rubrics.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps({"rubric_id": "sugar", "prompt_id": "sugar", "prompt": PROMPT, "criteria": criteria}) + "\n")
    return path


class Server:
    """A `tailmark serve` process (and a `sim serve` one when the judge is external)."""

    def __init__(self, folder, args, port, judge_capacity=None, external_judge=False, env=None):
        self.port, self.sim = port, None
        judge = ["--judge", "sim"] + (["--sim-capacity", judge_capacity] if judge_capacity else [])
        if external_judge:
            sim_port = port + 1
            self.sim = subprocess.Popen(cli() + ["sim", "serve", "--port", str(sim_port)] + (["--capacity", judge_capacity] if judge_capacity else []),
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            self.sim.stdout.readline()
            judge = ["--judge", f"http://127.0.0.1:{sim_port}/v1#sim-judge"]
        self.process = subprocess.Popen(cli() + ["serve", "--port", str(port), "--cache", os.path.join(folder, "cache.sqlite")] + judge + args,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        line = self.process.stdout.readline()
        if "http://" not in line:
            raise SystemExit("serve did not start: " + line + self.process.stderr.read())

    def post(self, path, body, headers=None, method="POST", timeout=600):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers={"Content-Type": "application/json", **(headers or {})})
            response = connection.getresponse()
            return response.status, response.read(), dict(response.getheaders())
        finally:
            connection.close()

    def metric(self, name):
        _, text, _ = self.post("/metrics", None, method="GET")
        match = re.search(rf"^{name} (\S+)$", text.decode(), re.MULTILINE)
        return float(match.group(1)) if match else None

    def close(self):
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=120)
        if self.sim:
            self.sim.terminate()
            self.sim.wait(timeout=60)


def items(n, tag):
    return json.dumps({"items": [{"prompt_id": "sugar", "response": f"Drink water instead of soda and read labels ({tag} {i})."} for i in range(n)]})


def stop(a, folder):
    server = Server(folder, ["--rubrics", write_rubric(folder, a.criteria), "--drain-seconds", str(a.drain)], a.port, a.judge_capacity, a.external_judge)
    answers, done = [None] * a.requests, [None] * a.requests

    def one(i):
        try:
            status, body, headers = server.post("/v1/reward", items(1, f"request {i}"))
            result = json.loads(body)["results"][0] if status == 200 else None
            answers[i] = "graded" if result and result["graded"] else f"ungraded: {result['ungraded']}" if result else f"HTTP {status} Retry-After {headers.get('Retry-After')}"
        except (OSError, http.client.HTTPException) as error:
            answers[i] = f"no answer ({type(error).__name__})"
        done[i] = time.monotonic()
    threads = [threading.Thread(target=one, args=(i,)) for i in range(a.requests)]
    for t in threads:
        t.start()
    while (server.metric("tailmark_requests_in_flight") or 0) + (server.metric("tailmark_requests_queued") or 0) < a.requests:
        time.sleep(0.05)
    in_flight, queued = server.metric("tailmark_requests_in_flight"), server.metric("tailmark_requests_queued")
    signalled = time.monotonic()
    server.process.send_signal(getattr(signal, "SIG" + a.signal))
    for t in threads:
        t.join()
    code = server.process.wait(timeout=600)
    exited = time.monotonic()
    server.close()
    print(f"at SIG{a.signal}: {in_flight:.0f} requests in flight, {queued:.0f} queued; --drain-seconds {a.drain}; judge capacity {a.judge_capacity}"
          f"{' (external)' if a.external_judge else ' (in process)'}")
    print("answers: " + ", ".join(f"{k} × {v}" for k, v in sorted(collections.Counter(answers).items())))
    print(f"last answer {max(done) - signalled:.1f} s after the signal; exit code {code} after {exited - signalled:.1f} s")


def big(a, folder):
    server = Server(folder, ["--rubrics", write_rubric(folder, a.criteria), "--grading-slots", str(a.grading_slots)], a.port, a.judge_capacity, a.external_judge)
    try:
        server.post("/v1/reward", items(1, "warm-up"))
        answer = {}

        def send_big():
            started = time.monotonic()
            status, body, _ = server.post("/v1/reward", json.dumps({**json.loads(items(a.items, "big")), "deadline_ms": 1000}))
            results = json.loads(body)["results"]
            answer.update(status=status, seconds=time.monotonic() - started, graded=sum(r["graded"] for r in results))
        thread = threading.Thread(target=send_big)
        thread.start()
        while not server.metric("tailmark_items_grading"):
            time.sleep(0.01)
        waits = []
        for i in range(a.small):
            started = time.monotonic()
            status, body, _ = server.post("/v1/reward", items(1, f"small {i}"))
            waits.append(f"{time.monotonic() - started:.2f} s{'' if json.loads(body)['results'][0]['graded'] else ' (ungraded)'}")
        thread.join()
        print(f"{a.items} items, deadline 1 s, --grading-slots {a.grading_slots}, {a.criteria} judged criteria per item, judge capacity "
              f"{a.judge_capacity}: answered in {answer['seconds']:.1f} s (HTTP {answer['status']}), {answer['graded']} graded")
        print("the next requests, one after the other, each answered in: " + ", ".join(waits))
    finally:
        server.close()


SEEDS = [
    ("/v1/reward", json.dumps({"items": [{"prompt_id": "sugar", "response": "Drink water."},
                                         {"prompt": [{"role": "user", "content": PROMPT}], "step": 3,
                                          "response": {"role": "assistant", "content": [{"type": "text", "text": "Read labels."}]}}], "deadline_ms": 5000})),
    ("/get_reward", json.dumps({"query": [f"<|im_start|>user\n{PROMPT}<|im_end|>\n<|im_start|>assistant\nDrink water.<|im_end|>"],
                                "prompts": [f"<|im_start|>user\n{PROMPT}<|im_end|>\n<|im_start|>assistant\n"], "labels": [""]})),
    ("/slime", json.dumps({"prompt": PROMPT, "response": "Drink water.", "label": "sugar"})),
]
HOSTILE = [b"1e999", b"-0", b'"\\u0000"', b'"\\udfff"', b"null", b"[", b'{"a":', b"9" * 400, b"\xc0\x80", b"\xf4\x90\x80\x80", b"\xff"]


def mutate(r, body):
    body = bytearray(body)
    for _ in range(r.randint(1, 6)):
        at = r.randrange(len(body) + 1)
        op = r.randrange(6)
        if op == 0:
            del body[at:at + r.randint(1, 8)]
        elif op == 1:
            body[at:at] = bytes(r.randrange(256) for _ in range(r.randint(1, 4)))
        elif op == 2 and body:
            body[min(at, len(body) - 1)] = r.choice(b'{}[]",:0123456789eE.\\ntfn')
        elif op == 3:
            body[at:at] = r.choice(HOSTILE)
        elif op == 4:
            del body[at:]
        else:
            body[at:at] = body[at:at + r.randint(1, 40)]
    return bytes(body)


def fuzz(a, folder):
    server = Server(folder, ["--rubrics", write_rubric(folder, 2), "--allow-token-in-path", "--max-items", "50"], a.port,
                    env=dict(os.environ, TAILMARK_TOKEN="fuzz-token"))
    r = random.Random(a.seed)
    statuses, problems, examples = collections.Counter(), collections.Counter(), []
    try:
        for _ in range(a.requests):
            path, body = r.choice(SEEDS)
            body = mutate(r, body.encode()) if r.random() < 0.9 else body.encode()
            headers = {"Content-Type": r.choice(["application/json", "text/plain", ""])}
            auth = r.random()
            if auth < 0.7:
                headers["Authorization"] = r.choice(["Bearer fuzz-token", "bearer fuzz-token", "BEARER  fuzz-token"])
            elif auth < 0.85:
                path = "/t/fuzz-token" + path
            elif auth < 0.9:
                headers["Authorization"] = r.choice(["Bearer", "Basic Zm9v", "Bearer wrong", "fuzz-token"])
            elif auth < 0.95:
                path = r.choice(["/t/wrong", "/t/", "/t/fuzz-token/.."]) + path
            method = "POST" if r.random() < 0.95 else r.choice(["GET", "PUT", "DELETE", "PATCH"])
            try:
                status, answer, _ = server.post(path, body, headers, method, timeout=60)
            except socket.timeout:
                statuses["never answered (60 s)"] += 1
                continue
            statuses[status] += 1
            try:
                parsed = json.loads(answer)
            except ValueError:
                problems["body not JSON"] += 1
                examples.append((status, path, body[:80], answer[:120]))
                continue
            if status >= 500:
                problems["5xx"] += 1
                examples.append((status, path, body[:80], answer[:120]))
            if status != 200 and not (isinstance(parsed, dict) and isinstance(parsed.get("error"), str) and parsed["error"]):
                problems["error without a message"] += 1
                examples.append((status, path, body[:80], answer[:120]))
    finally:
        server.close()
    print(f"{a.requests} requests (seed {a.seed}): " + ", ".join(f"{k} × {v}" for k, v in sorted(statuses.items(), key=str)))
    print("problems: " + (", ".join(f"{k} × {v}" for k, v in problems.items()) or "none"))
    for e in examples[:5]:
        print("  ", e)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", choices=["stop", "big", "fuzz"])
    parser.add_argument("--port", type=int, default=18650)
    parser.add_argument("--requests", type=int, default=None, help="stop: requests in flight (40); fuzz: requests sent (3000)")
    parser.add_argument("--signal", choices=["TERM", "INT"], default="TERM")
    parser.add_argument("--drain", type=float, default=60)
    parser.add_argument("--judge-capacity", default="slots=4,decode_tps=100")
    parser.add_argument("--external-judge", action="store_true")
    parser.add_argument("--criteria", type=int, default=3, help="judged criteria per item")
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--small", type=int, default=5)
    parser.add_argument("--grading-slots", type=int, default=256)
    parser.add_argument("--seed", type=int, default=1)
    a = parser.parse_args()
    a.requests = a.requests or (3000 if a.scenario == "fuzz" else 40)
    with tempfile.TemporaryDirectory() as folder:
        {"stop": stop, "big": big, "fuzz": fuzz}[a.scenario](a, folder)


if __name__ == "__main__":
    sys.exit(main())
