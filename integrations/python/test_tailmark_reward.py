"""Tests of the adapters' own pieces (policies, JSON-safe copies, Retry-After, the client) and of the server's
native endpoint as the adapters use it, against a real `tailmark serve` on 127.0.0.1."""

import email.utils
import json
import os
import tempfile
import time
import unittest
import urllib.error
import urllib.request

import servefixture as sf
import tailmark_reward as tr

A = None


def setUpModule():
    global A
    A = sf.Serve()


def tearDownModule():
    A.close()


class ClientTests(unittest.TestCase):
    def setUp(self):
        sf.use(A, tr)

    def test_native_answer_flags_every_ungraded_item_with_its_reason(self):
        answer = tr.TailmarkClient().reward([
            {"prompt_id": "fruit", "response": "Apple.<|eot_id|>"},
            {"prompt_id": "nope", "response": "Apple."},
            {"prompt_id": "fruit", "response": 42},
            {"prompt_id": "fruit", "step": "three", "response": "Apple."},
            "not an object",
        ])
        self.assertEqual(answer["rewards"], [1.0, None, None, None, None])
        kinds = [r.get("ungraded") for r in answer["results"]]
        self.assertEqual(kinds, [None, "no_rubric", "unreadable", "unreadable", "unreadable"])
        self.assertIn("items[2].response", answer["results"][2]["error"])
        self.assertIn("items[3].step: expected an integer", answer["results"][3]["error"])
        self.assertEqual(answer["results"][0]["notes"], ["end tokens removed"])
        self.assertEqual(answer["ungraded"], 4)
        self.assertFalse(answer["no_rubric_found"])

    def test_wrong_token_is_refused_without_retries(self):
        client = tr.TailmarkClient(token="wrong", retry_budget=0)
        with self.assertRaises(tr.TailmarkError) as caught:
            client.reward([{"prompt_id": "fruit", "response": "Apple."}])
        self.assertIn("401", str(caught.exception))

    def test_token_from_a_file_and_lower_case_bearer(self):
        with tempfile.NamedTemporaryFile("w", delete=False) as f:
            f.write(sf.TOKEN + "\n")
        try:
            saved = os.environ.pop("TAILMARK_TOKEN")
            os.environ["TAILMARK_TOKEN_FILE"] = f.name
            self.assertEqual(tr.TailmarkClient().token, sf.TOKEN)
        finally:
            os.environ["TAILMARK_TOKEN"] = saved
            del os.environ["TAILMARK_TOKEN_FILE"]
            os.unlink(f.name)
        request = urllib.request.Request(A.url + "v1/reward", data=b'{"items": []}', headers={"Authorization": "bearer " + sf.TOKEN}, method="POST")
        with urllib.request.urlopen(request) as r:
            self.assertEqual(json.loads(r.read())["rewards"], [])

    def test_health_reports_no_rubric_as_a_reason(self):
        tr.TailmarkClient().reward([{"prompt_id": "nope", "response": "x"}])
        with urllib.request.urlopen(A.url + "health") as r:
            health = json.loads(r.read())
        self.assertEqual(health["status"], "degraded")
        self.assertEqual([x["code"] for x in health["reasons"]], ["no_rubric"])


class PieceTests(unittest.TestCase):
    def test_policy_parsing(self):
        self.assertEqual(repr(tr.Policy.parse("reward:0.5")), "reward:0.5")
        self.assertEqual(tr.Policy.parse(" ERROR ").kind, "error")
        self.assertEqual(tr.Policy.parse(-1).value, -1.0)
        for bad in ("reward:nan", "zero", "reward:inf"):
            with self.assertRaises(ValueError):
                tr.Policy.parse(bad)
        with self.assertRaises(ValueError):
            tr.Policy.parse("skip", allow_skip=False)

    def test_plain_copies_what_json_can_carry(self):
        class Msg:
            role, content, tool_calls = "assistant", None, [{"id": "1"}]
        out = tr.plain({"a": [Msg(), float("nan"), (1, 2), object()]})
        self.assertEqual(out, {"a": [{"role": "assistant", "content": None, "tool_calls": [{"id": "1"}]}, None, [1, 2], None]})

    def test_retry_after_seconds_date_and_garbage(self):
        self.assertEqual(tr.retry_delay("2", 0.5), 2.0)
        self.assertEqual(tr.retry_delay(None, 0.5), 0.5)
        self.assertEqual(tr.retry_delay("soon", 0.5), 0.5)
        self.assertEqual(tr.retry_delay("3600", 0.5), 60.0)  # capped
        ahead = tr.retry_delay(email.utils.formatdate(time.time() + 10, usegmt=True), 0.5)
        self.assertTrue(5.0 <= ahead <= 10.0, ahead)  # a few seconds of slack for a slow machine
        self.assertEqual(tr.retry_delay(email.utils.formatdate(time.time() - 100, usegmt=True), 0.5), 0.0)


if __name__ == "__main__":
    unittest.main()
