"""Tests of the trainer integrations against a real `tailmark serve` on 127.0.0.1 (started here)."""

import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import tailmark_reward  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def cli_dll():
    path = os.environ.get("TAILMARK_CLI")
    if path:
        return path
    found = sorted(glob.glob(os.path.join(ROOT, "src", "Tailmark.Cli", "bin", "*", "net10.0", "Tailmark.Cli.dll")), key=os.path.getmtime)
    if not found:
        raise RuntimeError("build Tailmark first (dotnet build) or set TAILMARK_CLI")
    return found[-1]


# Two verifiable criteria, so expected rewards follow from the texts by hand, without any judge:
# "mentions apple" (weight 1) and "fewer than 6 words" (weight 3).
RUBRIC = {
    "rubric_id": "fruit",
    "prompt_id": "fruit",
    "prompt": "Name a fruit in a few words.",
    "criteria": [
        {"id": "apple", "text": "Mentions apple.", "weight": 1, "check": {"type": "keywords:existence", "keywords": ["apple"]}},
        {"id": "short", "text": "Fewer than 6 words.", "weight": 3,
         "check": {"type": "length_constraints:number_words", "num_words": 6, "relation": "less than"}},
    ],
}


class TailmarkServeTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        rubrics = os.path.join(cls.tmp.name, "rubrics.jsonl")
        with open(rubrics, "w") as f:
            f.write(json.dumps(RUBRIC) + "\n")
        cls.process = subprocess.Popen(
            ["dotnet", cli_dll(), "serve", "--rubrics", rubrics, "--judge", "sim", "--port", "0", "--token", "t0k",
             "--cache", os.path.join(cls.tmp.name, "cache.sqlite")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = cls.process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+/", line)
        if not match:
            cls.process.kill()
            raise RuntimeError("tailmark serve did not start: " + line + cls.process.stderr.read())
        os.environ["TAILMARK_URL"] = match.group(0)
        os.environ["TAILMARK_TOKEN"] = "t0k"
        tailmark_reward._client = None

    @classmethod
    def tearDownClass(cls):
        cls.process.terminate()
        cls.process.wait(timeout=60)
        cls.tmp.cleanup()

    def test_verl_compute_score_returns_score_and_criteria(self):
        result = tailmark_reward.compute_score("fruit-data", "An apple.", "fruit")
        self.assertAlmostEqual(result["score"], 1.0)  # both met: (1 + 3) / 4
        self.assertEqual(result["criterion/apple"], 1.0)
        self.assertTrue(result["tailmark_graded"])
        long_answer = tailmark_reward.compute_score("fruit-data", "I would say that a ripe pear is nice", "fruit")
        self.assertAlmostEqual(long_answer["score"], 0.0)

    def test_verl_async_matches_sync(self):
        import asyncio
        result = asyncio.run(tailmark_reward.compute_score_async("d", "Banana.", None, {"prompt_id": "fruit"}))
        self.assertAlmostEqual(result["score"], 0.75)  # short but no apple: 3 / 4

    def test_verl_unknown_prompt_is_flagged_not_raised(self):
        result = tailmark_reward.compute_score("d", "Apple.", "no-such-prompt")
        self.assertFalse(result["tailmark_graded"])
        self.assertIn("no rubric", result["tailmark_error"])

    def test_openrlhf_reward_func_splits_queries(self):
        prompt = "Name a fruit in a few words."
        out = tailmark_reward.reward_func([prompt + " Apple pie.", prompt + " A long answer about many fruits today"], [prompt, prompt], ["", ""])
        self.assertEqual(out["rewards"], [1.0, 0.0])  # found by the prompt text's hash
        self.assertEqual(out["extra_logs"]["tailmark_ungraded"], [0.0, 0.0])

    def test_trl_reward_func_handles_conversations(self):
        rewards = tailmark_reward.trl_reward_func(
            prompts=["Name a fruit in a few words.", "Name a fruit in a few words."],
            completions=[[{"role": "assistant", "content": "Apple."}], "Grapes."],
            prompt_id=["fruit", "fruit"])
        self.assertEqual(rewards, [1.0, 0.75])

    def test_wrong_token_is_refused(self):
        client = tailmark_reward.TailmarkClient(token="wrong", retries=0)
        with self.assertRaises(tailmark_reward.TailmarkError) as caught:
            client.reward([{"prompt_id": "fruit", "response": "Apple."}])
        self.assertIn("401", str(caught.exception))


if __name__ == "__main__":
    unittest.main()


class RetryDelayTest(unittest.TestCase):
    """Retry-After as seconds or as an HTTP date (RFC 9110 allows both), without a server."""

    def test_seconds_date_and_garbage(self):
        self.assertEqual(tailmark_reward.retry_delay("2", 0.5), 2.0)
        self.assertEqual(tailmark_reward.retry_delay(None, 0.5), 0.5)
        self.assertEqual(tailmark_reward.retry_delay("soon", 0.5), 0.5)
        self.assertEqual(tailmark_reward.retry_delay("3600", 0.5), 60.0)  # capped
        # A date 10 s ahead, written the way servers write it; a few seconds of slack for a slow machine.
        import email.utils as eu
        import time as t
        ahead = tailmark_reward.retry_delay(eu.formatdate(t.time() + 10, usegmt=True), 0.5)
        self.assertTrue(5.0 <= ahead <= 10.0, ahead)
        self.assertEqual(tailmark_reward.retry_delay(eu.formatdate(t.time() - 100, usegmt=True), 0.5), 0.0)  # already past
