"""TRL GRPOTrainer's calling convention (TRAINERS.md, after v1.9; checked against our replica, not TRL itself) replayed
against a real `tailmark serve`: keyword arguments prompts / completions / completion_ids / trainer_state / log_extra /
log_metric plus every dataset column, string or conversational completions (None content for tool calls, content
parts, tool messages), async functions gathered, None turned into NaN; what None means for the group baseline depends
on the TRL version (>= 1.6 leaves an all-None row out, before that it counted as 0)."""

import asyncio
import inspect
import math
import threading
import unittest

import servefixture as sf
import tailmark_reward as tr

A = B = None


def setUpModule():
    global A, B
    A = sf.Serve()
    B = sf.Serve("--deadline-ms", "1000", "--max-concurrent", "1", "--queue-limit", "0", slow_judge=True)


def tearDownModule():
    A.close()
    B.close()


def trl_rewards(func, inputs, prompts, completions, metrics=None, extras=None):
    """Replica of GRPOTrainer._calculate_rewards for one reward function: columns but prompt/completion passed as lists,
    async functions run with asyncio, None → NaN."""
    keys = [k for k in inputs[0] if k not in ("prompt", "completion", "completion_ids")]
    kwargs = {k: [ex[k] for ex in inputs] for k in keys}
    kwargs["trainer_state"] = None
    kwargs["log_extra"] = lambda column, values: (extras if extras is not None else {}).setdefault(column, []).extend(values)
    kwargs["log_metric"] = lambda name, value: (metrics if metrics is not None else {}).setdefault(name, []).append(value)
    ids = [[1, 2]] * len(completions)
    if inspect.iscoroutinefunction(func):
        out = asyncio.run(func(prompts=prompts, completions=completions, completion_ids=ids, **kwargs))
    else:
        out = func(prompts=prompts, completions=completions, completion_ids=ids, **kwargs)
    return [r if r is not None else math.nan for r in out]


def group_advantages(rewards, trl_at_least_1_6=True):
    """What None means for the baseline: left out (>= 1.6) or counted as 0 (0.16 to 1.5)."""
    values = [r for r in rewards if not math.isnan(r)] if trl_at_least_1_6 else [0.0 if math.isnan(r) else r for r in rewards]
    mean = sum(values) / len(values)
    return [0.0 if math.isnan(r) else r - mean for r in rewards]


FRUIT_MSG = [{"role": "user", "content": sf.FRUIT_PROMPT}]
MULTIMODAL = [{"role": "user", "content": [{"type": "image", "image": object()}, {"type": "text", "text": sf.FRUIT_PROMPT}]}]
TOOL_USE = [
    {"role": "assistant", "content": None, "tool_calls": [{"type": "function", "function": {"name": "lookup", "arguments": "{}"}}]},
    {"role": "tool", "content": "apple, banana, pear, plum and many other fruits"},
    {"role": "assistant", "content": "Banana.<|im_end|>"},
]


class TrlTests(unittest.TestCase):
    def setUp(self):
        sf.use(A, tr)

    def test_mixed_conversational_batch(self):
        prompts = [FRUIT_MSG, MULTIMODAL, FRUIT_MSG, FRUIT_MSG, [{"role": "user", "content": "Unknown."}]]
        completions = [
            [{"role": "assistant", "content": "Apple.", "reasoning_content": "thinking about fruit for a long long while"}],
            [{"role": "assistant", "content": [{"type": "text", "text": "I would say that a ripe apple is nice"}]}],
            TOOL_USE,  # the assistant text is graded: "Banana." (tool call and tool result are not)
            [{"role": "assistant", "content": None}],  # nothing said: the empty response, 0 words
            [{"role": "assistant", "content": "Apple."}],
        ]
        inputs = [{"prompt": p, "prompt_id": pid} for p, pid in zip(prompts, ["fruit", None, "fruit", "fruit", None])]
        metrics, extras = {}, {}
        for func in (tr.trl_reward_func, tr.trl_reward_func_async):
            rewards = trl_rewards(func, inputs, prompts, completions, metrics, extras)
            self.assertEqual(rewards[:4], [1.0, 0.25, 0.75, 0.75])  # the empty response is short (0 < 6 words), without apple
            self.assertTrue(math.isnan(rewards[4]))  # unknown prompt in a batch that found others: None (skipped)
        self.assertEqual(metrics["tailmark/ungraded_fraction"], [0.2, 0.2])
        self.assertEqual(extras["tailmark_ungraded"][:5], ["", "", "", "", "no_rubric"])
        self.assertEqual(group_advantages(rewards), [1.0 - 0.6875, 0.25 - 0.6875, 0.75 - 0.6875, 0.75 - 0.6875, 0.0])
        self.assertEqual(group_advantages(rewards, trl_at_least_1_6=False)[0], 1.0 - 0.55)  # older TRL: the None counted as 0

    def test_standard_format_strings(self):
        rewards = trl_rewards(tr.trl_reward_func, [{"prompt": sf.FRUIT_PROMPT}] * 2, [sf.FRUIT_PROMPT] * 2, [" Banana.</s>", "Grapes and an apple."])
        self.assertEqual(rewards, [0.75, 1.0])

    def test_a_batch_without_any_rubric_raises(self):
        with self.assertRaises(tr.TailmarkError):  # TRL has no try around reward functions: the step fails, loudly
            trl_rewards(tr.trl_reward_func, [{"prompt": "Unknown."}], ["Unknown."], ["Apple."])

    def test_older_trl_policy_and_per_criterion_pass_rates(self):
        func = tr.make_trl_reward_func(ungraded="reward:0", criteria=["apple", "short"])
        metrics = {}
        rewards = trl_rewards(func, [{"prompt": sf.FRUIT_PROMPT, "prompt_id": "fruit"}, {"prompt": "Unknown.", "prompt_id": "nope"}],
                              [sf.FRUIT_PROMPT, "Unknown."], ["Apple.", "Apple."], metrics)
        self.assertEqual(rewards, [1.0, 0.0])
        self.assertEqual(metrics["tailmark/pass_rate/apple"], [1.0])

    def test_deadline_and_429_under_load_within_the_retry_budget(self):
        sf.use(B, tr)
        results, errors = [], []

        def one(i):
            try:
                results.append(trl_rewards(tr.make_trl_reward_func(retry_budget=120), [{"prompt": "Explain the tides.", "prompt_id": "slow"}, {"prompt": sf.FRUIT_PROMPT, "prompt_id": "fruit"}],
                                           ["Explain the tides.", sf.FRUIT_PROMPT], [f"The moon {i}.", "Apple."]))
            except Exception as error:  # noqa: BLE001 - collected for the assertion
                errors.append(error)
        threads = [threading.Thread(target=one, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])  # one slot, no queue: 429s, retried within the budget
        for r in results:
            self.assertTrue(math.isnan(r[0]))  # past the deadline: None
            self.assertEqual(r[1], 1.0)

    def test_overload_past_the_budget_raises_or_returns_none(self):
        sf.use(B, tr)
        holder = threading.Thread(target=lambda: tr.TailmarkClient(url=B.url, token=sf.TOKEN).reward([{"prompt_id": "slow", "response": "x"}], deadline_ms=4000))
        holder.start()
        sf.wait_in_flight(B, 1)
        try:
            quick = dict(retry_budget=1)
            with self.assertRaises(tr.TailmarkError):
                trl_rewards(tr.make_trl_reward_func(**quick), [{"prompt": sf.FRUIT_PROMPT}], [sf.FRUIT_PROMPT], ["Apple."])
            rewards = trl_rewards(tr.make_trl_reward_func(on_overload="none", **quick), [{"prompt": sf.FRUIT_PROMPT}], [sf.FRUIT_PROMPT], ["Apple."])
            self.assertTrue(math.isnan(rewards[0]))
        finally:
            holder.join()


if __name__ == "__main__":
    unittest.main()
