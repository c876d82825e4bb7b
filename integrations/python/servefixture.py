"""Starts a real `tailmark serve` on 127.0.0.1 for the integration tests, over rubrics whose rewards follow from the
texts by hand: verifiable criteria only (no judge), except the "slow" rubric, whose one judged criterion meets a
simulated judge that never answers (so its items miss their deadline on the server started with slow_judge=True)."""

import glob
import json
import os
import re
import subprocess
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TOKEN = "t0k-for-tests"

# fruit: "mentions apple" (weight 1) + "fewer than 6 words" (weight 3): Apple. 1.0 | Banana. 0.75 | 9 words with apple 0.25
FRUIT_PROMPT = "Name a fruit in a few words."
# color: asked with a system prompt; "mentions red" (2) + "fewer than 4 words" (2): Red. 1.0 | Blue. 0.5
COLOR_SYSTEM = "You are terse."
COLOR_PROMPT = "Name a color."
RUBRICS = [
    {"rubric_id": "fruit", "prompt_id": "fruit", "prompt": FRUIT_PROMPT, "criteria": [
        {"id": "apple", "text": "Mentions apple.", "weight": 1, "check": {"type": "keywords:existence", "keywords": ["apple"]}},
        {"id": "short", "text": "Fewer than 6 words.", "weight": 3,
         "check": {"type": "length_constraints:number_words", "num_words": 6, "relation": "less than"}}]},
    {"rubric_id": "color", "prompt_id": "color",
     "prompt": [{"role": "system", "content": COLOR_SYSTEM}, {"role": "user", "content": COLOR_PROMPT}], "criteria": [
        {"id": "red", "text": "Mentions red.", "weight": 2, "check": {"type": "keywords:existence", "keywords": ["red"]}},
        {"id": "short", "text": "Fewer than 4 words.", "weight": 2,
         "check": {"type": "length_constraints:number_words", "num_words": 4, "relation": "less than"}}]},
    {"rubric_id": "slow", "prompt_id": "slow", "prompt": "Explain the tides.", "criteria": [
        {"id": "moon", "text": "The response explains the role of the moon.", "weight": 1}]},
]


def cli_command():
    """The CLI to run: TAILMARK_CLI (the built Tailmark.Cli.dll, or an installed `tailmark` program, which .ci/run
    uses: the Native AOT tool that ships), else the newest build in the source tree."""
    path = os.environ.get("TAILMARK_CLI")
    if path:
        return ["dotnet", path] if path.endswith(".dll") else [path]
    found = sorted(glob.glob(os.path.join(ROOT, "src", "Tailmark.Cli", "bin", "*", "net10.0", "Tailmark.Cli.dll")), key=os.path.getmtime)
    if not found:
        raise RuntimeError("build Tailmark first (dotnet build) or set TAILMARK_CLI")
    return ["dotnet", found[-1]]


class Serve:
    """One `tailmark serve` process; .url is its base URL (ending with /)."""

    def __init__(self, *extra, slow_judge=False, token=TOKEN):
        self.tmp = tempfile.TemporaryDirectory()
        rubrics = os.path.join(self.tmp.name, "rubrics.jsonl")
        with open(rubrics, "w", encoding="utf-8") as f:
            for r in RUBRICS:
                f.write(json.dumps(r) + "\n")
        args = cli_command() + ["serve", "--rubrics", rubrics, "--judge", "sim", "--port", "0",
                "--cache", os.path.join(self.tmp.name, "cache.sqlite"), "--drain-seconds", "2"]
        if slow_judge:
            args += ["--sim-faults", "hang=1"]
        env = dict(os.environ)
        if token:
            env["TAILMARK_TOKEN"] = token  # not --token: that would show in the process list
        self.process = subprocess.Popen(args + list(extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        line = self.process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+/", line)
        if not match:
            self.process.kill()
            raise RuntimeError("tailmark serve did not start: " + line + self.process.stderr.read())
        self.url = match.group(0)
        self._warm_up(token)

    def _warm_up(self, token):
        """One graded item with a generous deadline first, so that the first use of the checks (loading the word and
        sentence tokenizers) never counts against a test's short deadline on a busy machine."""
        import urllib.request
        headers = {"Content-Type": "application/json", **({"Authorization": "Bearer " + token} if token else {})}
        body = json.dumps({"items": [{"prompt_id": "fruit", "response": "A warm-up apple."}], "deadline_ms": 120000}).encode()
        with urllib.request.urlopen(urllib.request.Request(self.url + "v1/reward", data=body, headers=headers, method="POST"), timeout=180) as r:
            assert json.loads(r.read())["rewards"] == [1.0]

    def close(self):
        self.process.terminate()
        self.process.wait(timeout=60)
        self.process.stdout.close()
        self.process.stderr.close()
        self.tmp.cleanup()


def use(server, module):
    """Points the adapters of MODULE (tailmark_reward) at SERVER."""
    os.environ["TAILMARK_URL"] = server.url
    os.environ["TAILMARK_TOKEN"] = TOKEN
    module._clients.clear()


# Chat templates as the trainers' tokenizers render them (generation prompt included).
def chatml(messages):
    return "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages) + "<|im_start|>assistant\n"


def llama3(messages):
    return "<|begin_of_text|>" + "".join(
        f"<|start_header_id|>{m['role']}<|end_header_id|>\n\n{m['content']}<|eot_id|>" for m in messages) + \
        "<|start_header_id|>assistant<|end_header_id|>\n\n"


def wait_in_flight(server, count):
    """Waits until the server has COUNT requests admitted (its /metrics gauge), so a test knows a request holds a slot."""
    import time
    import urllib.request
    request = urllib.request.Request(server.url + "metrics", headers={"Authorization": "Bearer " + TOKEN})
    for _ in range(600):
        with urllib.request.urlopen(request, timeout=30) as r:
            if re.search(rf"^tailmark_requests_in_flight(?:{{}})? {count}$", r.read().decode(), re.MULTILINE):
                return
        time.sleep(0.05)
    raise TimeoutError(f"never saw {count} requests in flight")
