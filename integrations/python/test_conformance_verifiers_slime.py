"""verifiers (v0.3) and slime calling conventions (TRAINERS.md; checked against our replicas, not the trainers
themselves) replayed against a real `tailmark serve`.

verifiers legacy Rubric: a function gets, by parameter name, prompt / completion / answer / state / info / task and the
row's fields (all of them with **kwargs); a float; an exception becomes 0.0 (logged); plural parameters make a group
function whose list is summed outside any try. Messages are pydantic objects with attribute (and dict-like) access.
verifiers v1: an async function called by parameter name with task / trace; a float (a mapping would be summed).
slime: POST {"prompt", "response", "label"}; the JSON answer is the sample's reward, --reward-key picks a field."""

import asyncio
import inspect
import json
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


class Message:
    """Stands in for verifiers' pydantic message models: attributes, model_dump, and item access."""

    def __init__(self, role, content, tool_calls=None):
        self.role, self.content, self.tool_calls = role, content, tool_calls

    def model_dump(self):
        return {"role": self.role, "content": self.content, "tool_calls": self.tool_calls}

    def __getitem__(self, key):
        return getattr(self, key)


GROUP_INDICATORS = {"states", "prompts", "completions", "answers", "tasks", "infos"}


def is_group(func):
    sig = inspect.signature(func)
    ret = sig.return_annotation
    return bool(set(sig.parameters) & GROUP_INDICATORS) or ret is list or getattr(ret, "__origin__", None) is list


async def score_group(funcs, weights, states):
    """Replica of the legacy Rubric.score_group: per-rollout functions gathered (exception → 0.0), group functions
    called once; rewards = Σ weight × score."""
    rewards = [0.0] * len(states)
    for func, weight in zip(funcs, weights):
        if is_group(func):
            objs = dict(prompts=[s["prompt"] for s in states], completions=[s["completion"] for s in states],
                        answers=[s.get("answer", "") for s in states], states=states, tasks=[None] * len(states),
                        infos=[s.get("info", {}) for s in states])
            scores = await call_by_name(func, objs)
        else:
            async def one(s):
                try:
                    return float(await call_by_name(func, dict(prompt=s["prompt"], completion=s["completion"], answer=s.get("answer", ""),
                                                               state=s, info=s.get("info", {}), task=None, **s.get("row", {}))))
                except Exception:  # noqa: BLE001 - verifiers logs and scores 0.0
                    return 0.0
            scores = await asyncio.gather(*(one(s) for s in states))
        for i in range(len(states)):
            rewards[i] += scores[i] * weight  # a None here is a TypeError: group results must be numbers
    return rewards


async def call_by_name(func, objs):
    sig = inspect.signature(func)
    args = objs if any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values()) else {k: v for k, v in objs.items() if k in sig.parameters}
    result = func(**args)
    return await result if inspect.isawaitable(result) else result


def state(prompt_text, completion_text, info=None, row=None):
    return {"prompt": [Message("user", prompt_text)], "completion": [Message("assistant", completion_text)], "info": info or {}, "row": row or {}}


class VerifiersTests(unittest.TestCase):
    def setUp(self):
        sf.use(A, tr)

    def test_legacy_per_rollout_and_group_functions(self):
        states = [state(sf.FRUIT_PROMPT, "Apple."), state("Ignored prompt", "Banana.", info={"prompt_id": "fruit"}),
                  state(sf.FRUIT_PROMPT, [{"type": "text", "text": "I would say that a ripe apple is nice"}]),
                  state("Unknown.", "Apple.")]
        self.assertFalse(is_group(tr.verifiers_reward))
        self.assertTrue(is_group(tr.verifiers_group_reward))
        per_rollout = asyncio.run(score_group([tr.verifiers_reward], [1.0], states))
        # The unknown prompt, alone in its request: the default policy raises, verifiers logs it and scores 0.0.
        self.assertEqual(per_rollout, [1.0, 0.75, 0.25, 0.0])
        group = asyncio.run(score_group([tr.verifiers_group_reward], [2.0], states))
        self.assertEqual(group, [2.0, 1.5, 0.5, 0.0])  # one request for the group: the unknown one gets reward:0, never None

    def test_v1_reward_is_async_and_a_float(self):
        class Data:
            prompt = sf.COLOR_PROMPT
            system_prompt = sf.COLOR_SYSTEM

        class Task:
            data = Data()

        class Trace:
            messages = [Message("system", sf.COLOR_SYSTEM), Message("user", sf.COLOR_PROMPT),
                        Message("assistant", None, tool_calls=[{"type": "function"}]), Message("tool", "red, blue"),
                        Message("assistant", "Red.")]
            last_reply = "Red."
        self.assertTrue(inspect.iscoroutinefunction(tr.verifiers_v1_reward))
        value = asyncio.run(tr.verifiers_v1_reward(task=Task(), trace=Trace()))
        self.assertIsInstance(value, float)
        self.assertEqual(value, 1.0)


def slime_remote_rm(url, prompt, response, label, reward_key):
    """Replica of slime's remote_rm + Sample.get_reward_value: the JSON answer, then reward[reward_key]."""
    request = urllib.request.Request(url, data=json.dumps({"prompt": prompt, "response": response, "label": label}).encode(),
                                     headers={"Content-Type": "application/json", "Authorization": "Bearer " + sf.TOKEN}, method="POST")
    with urllib.request.urlopen(request, timeout=120) as r:
        reward = json.loads(r.read())
    return reward if not reward_key else reward[reward_key], reward


class SlimeTests(unittest.TestCase):
    def test_templated_prompt_label_and_reward_key(self):
        url = A.url + "slime"
        value, answer = slime_remote_rm(url, sf.chatml([{"role": "user", "content": sf.FRUIT_PROMPT}]), "Apple.<|im_end|>", None, "reward")
        self.assertEqual(value, 1.0)
        self.assertEqual(answer["graded"], 1)
        value, _ = slime_remote_rm(url, "a prompt slime truncated", "Banana.", "fruit", "reward")  # the label as the prompt id
        self.assertEqual(value, 0.75)
        value, _ = slime_remote_rm(url, [{"role": "user", "content": sf.FRUIT_PROMPT}], None, None, "reward")  # messages; null response
        self.assertEqual(value, 0.75)
        with self.assertRaises(urllib.error.HTTPError) as caught:  # nothing found: 422 by default (slime retries, then raises)
            slime_remote_rm(url, "Unknown.", "Apple.", None, "reward")
        self.assertEqual(caught.exception.code, 422)


if __name__ == "__main__":
    unittest.main()
