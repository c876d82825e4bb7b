"""OpenRLHF's calling conventions (TRAINERS.md; checked against our replica, not OpenRLHF itself), replayed against a
real `tailmark serve`: >= 0.9.1 sends one request per sample with 5 tries 1 s apart (Retry-After ignored, 4xx retried
too) and no headers; <= 0.9.0 one request for the whole rollout; a .py file's reward_func(queries, prompts, labels)."""

import asyncio
import importlib.util
import json
import os
import threading
import time
import unittest
import urllib.error
import urllib.request

import servefixture as sf
import tailmark_reward

A = B = None


def setUpModule():
    global A, B
    A = sf.Serve("--allow-token-in-path")
    B = sf.Serve("--allow-token-in-path", "--deadline-ms", "1000", "--max-concurrent", "1", "--queue-limit", "0", slow_judge=True)


def tearDownModule():
    A.close()
    B.close()


def _post(url, payload, headers=None):
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json", **(headers or {})}, method="POST")
    with urllib.request.urlopen(request, timeout=180) as response:  # raise_for_status: any 4xx/5xx raises
        return json.loads(response.read())


def openrlhf_per_sample(url, query, prompt, label):
    """Replica of OpenRLHF >= 0.9.1 (utils/agent.py): [q], [p], [l]; 5 tries 1 s apart whatever the status; then the
    reward is None and the experience maker raises — the training step fails."""
    for _ in range(5):
        try:
            info = _post(url, {"query": [query], "prompts": [prompt], "labels": [label]})
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(1)
    else:
        raise RuntimeError("reward_model_group is required when rewards are not precomputed")
    scores = info.get("scores")
    return {"reward": info.get("rewards"), "scores": scores if scores is not None else info.get("rewards"), "extra_logs": info.get("extra_logs") or {}}


def openrlhf_whole_rollout(url, queries, prompts, labels):
    """Replica of OpenRLHF <= 0.9.0 (remote_rm_utils.py): one request for the rollout, 5 tries, then an exception."""
    for _ in range(5):
        try:
            return _post(url, {"query": queries, "prompts": prompts, "labels": labels})
        except urllib.error.URLError:
            time.sleep(1)
    raise RuntimeError("remote reward model failed 5 times")


FRUIT = sf.chatml([{"role": "user", "content": sf.FRUIT_PROMPT}])
COLOR = sf.llama3([{"role": "system", "content": sf.COLOR_SYSTEM}, {"role": "user", "content": sf.COLOR_PROMPT}])


class OpenRlhfPerSampleTests(unittest.TestCase):
    def url(self, server=None):
        return (server or A).url + f"t/{sf.TOKEN}/get_reward"  # OpenRLHF cannot send headers: the token is in the path

    def test_chatml_template_without_label_finds_the_rubric_and_drops_the_end_token(self):
        out = openrlhf_per_sample(self.url(), FRUIT + "Apple.<|im_end|>", FRUIT, "")
        self.assertEqual(out["reward"], [1.0])  # the <|im_end|> is not a sixth word, and apple is found
        self.assertEqual(out["scores"], [1.0])
        self.assertEqual(out["extra_logs"]["tailmark_graded"], [1])
        self.assertEqual(sorted(out["extra_logs"]), sorted(["tailmark_graded", "tailmark_ungraded", "tailmark_no_rubric", "tailmark_deadline", "tailmark_vetoed",
                                                               "tailmark_rubric_version"]))

    def test_llama3_template_with_system_prompt(self):
        out = openrlhf_per_sample(self.url(), COLOR + "Blue.<|eot_id|>", COLOR, "")
        self.assertEqual(out["reward"], [0.5])  # short (2) of red (2) + short (2)

    def test_left_truncated_templated_prompt_is_matched_by_its_assistant_header(self):
        out = openrlhf_per_sample(self.url(), FRUIT[25:] + "Banana.<|im_end|>", FRUIT, "")
        self.assertEqual(out["reward"], [0.75])

    def test_left_truncated_plain_prompt_with_label(self):
        prompt = "Background: " + "the orchard report lists many trees and their yields. " * 4 + sf.FRUIT_PROMPT
        out = openrlhf_per_sample(self.url(), prompt[60:] + " Apple.</s>", prompt, "fruit")
        self.assertEqual(out["reward"], [1.0])

    def test_unknown_prompt_fails_the_step_by_default(self):
        # --no-rubric error: 422, retried 5 times by OpenRLHF, then the step fails — loudly, not a silent 0.
        with self.assertRaises(RuntimeError):
            openrlhf_per_sample(self.url(), "Who are you? I am a model.", "Who are you?", "")

    def test_headerless_request_without_path_token_is_refused(self):
        with self.assertRaises(urllib.error.HTTPError) as caught:
            _post(A.url + "get_reward", {"query": ["x"], "prompts": ["x"], "labels": [""]})
        self.assertEqual(caught.exception.code, 401)
        self.assertIn("/t/TOKEN/", json.loads(caught.exception.read())["error"])

    def test_item_past_the_deadline_is_flagged_not_silent(self):
        out = openrlhf_per_sample(self.url(B), "Explain the tides. The moon pulls the sea.<|endoftext|>", "Explain the tides.", "slow")
        self.assertEqual(out["reward"], [0.0])  # --ungraded reward:0 (default) ...
        self.assertEqual(out["extra_logs"]["tailmark_deadline"], [1])  # ... flagged
        self.assertEqual(out["extra_logs"]["tailmark_graded"], [0])

    def test_429s_under_load_fail_the_step_because_openrlhf_ignores_retry_after(self):
        # One request holds the only slot of B (its judged item waits for a judge that never answers, up to 8 s);
        # OpenRLHF's 5 tries 1 s apart all meet 429. A TRL-style client with a retry budget gets through afterwards.
        holder = threading.Thread(target=lambda: tailmark_reward.TailmarkClient(url=B.url, token=sf.TOKEN).reward(
            [{"prompt_id": "slow", "response": "The moon."}], deadline_ms=8000))
        holder.start()
        sf.wait_in_flight(B, 1)
        try:
            with self.assertRaises(RuntimeError):
                openrlhf_per_sample(self.url(B), FRUIT + "Apple.<|im_end|>", FRUIT, "")
            patient = tailmark_reward.TailmarkClient(url=B.url, token=sf.TOKEN, retry_budget=60)
            self.assertEqual(patient.post("/get_reward", {"query": [FRUIT + "Apple.<|im_end|>"], "prompts": [FRUIT], "labels": [""]})["rewards"], [1.0])
        finally:
            holder.join()


class OpenRlhfWholeRolloutTests(unittest.TestCase):
    def test_mixed_rollout_answers_every_item(self):
        queries = [FRUIT + "Apple.<|im_end|>", COLOR + "Red.<|eot_id|>", FRUIT[30:] + "I would say that a ripe apple is nice<|im_end|>",
                   "Unknown prompt. An answer.", 42]
        prompts = [FRUIT, COLOR, FRUIT, "Unknown prompt.", "x"]
        out = openrlhf_whole_rollout(A.url + f"t/{sf.TOKEN}/get_reward", queries, prompts, [""] * 5)
        # Unknown prompt and a query that is not a string: ungraded, the fixed 0, flagged; the rest graded.
        self.assertEqual(out["rewards"], [1.0, 1.0, 0.25, 0.0, 0.0])
        self.assertEqual(out["extra_logs"]["tailmark_graded"], [1, 1, 1, 0, 0])
        self.assertEqual(out["extra_logs"]["tailmark_no_rubric"], [0, 0, 0, 1, 0])
        self.assertEqual(len(out["scores"]), 5)


class OpenRlhfRewardFuncFileTests(unittest.TestCase):
    def test_reward_func_loaded_from_the_file_as_openrlhf_does(self):
        sf.use(A, tailmark_reward)
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tailmark_reward.py")
        spec = importlib.util.spec_from_file_location("reward_func", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)

        async def fetch():  # _fetch_rewards_via_func: one sample per call, in a thread
            return await asyncio.gather(asyncio.to_thread(module.reward_func, [FRUIT + "Banana.<|im_end|>"], [FRUIT], [""]))
        info = asyncio.run(fetch())[0]
        self.assertEqual(info["rewards"], [0.75])
        self.assertEqual(info["extra_logs"]["tailmark_ungraded"], [0])


if __name__ == "__main__":
    unittest.main()
