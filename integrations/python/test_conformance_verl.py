"""verl's calling conventions (TRAINERS.md, verl 0.7; checked against our replicas, not verl itself) replayed against a
real `tailmark serve`: the reward loop (per item, keyword arguments, async awaited, arrays built from item 0's keys),
the legacy managers' consistency check, the batch manager (plural arguments, one list) and the prime manager
(positional arguments in a process pool, a function loaded from a file under a generated module name)."""

import asyncio
import concurrent.futures
import functools
import importlib.util
import inspect
import math
import multiprocessing
import os
import pickle
import unittest

import servefixture as sf
import tailmark_reward as tr

A = B = None
HERE = os.path.dirname(os.path.abspath(__file__))


def setUpModule():
    global A, B
    A = sf.Serve()
    B = sf.Serve("--deadline-ms", "1000", slow_judge=True)


def tearDownModule():
    A.close()
    B.close()


def load_like_verl(name):
    """verl's load_module for a file path: a generated module name, not put in sys.modules."""
    path = os.path.join(HERE, "tailmark_reward.py")
    spec = importlib.util.spec_from_file_location(f"custom_module_{hash(path)}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def reward_loop(compute_score, batch, reward_kwargs=None):
    """Replica of verl's reward loop (naive manager): one call per item with keyword arguments (reward_kwargs merged),
    awaited when async; then reward_extra_info arrays are built from item 0's keys (a missing key is a KeyError)."""
    kw = dict(reward_kwargs or {})

    async def one(item):
        args = dict(data_source=item.get("data_source", "d"), solution_str=item["solution_str"],
                    ground_truth=item.get("ground_truth"), extra_info=dict(item.get("extra_info") or {}, num_turns=None, rollout_reward_scores={}))
        if inspect.iscoroutinefunction(compute_score):
            return await compute_score(**args, **kw)
        return await asyncio.get_running_loop().run_in_executor(None, lambda: compute_score(**args, **kw))

    async def run():
        return await asyncio.gather(*(one(i) for i in batch))
    results = asyncio.run(run())
    scores = [r["score"] if isinstance(r, dict) else r for r in results]
    keys = list(results[0].keys())
    extra = {k: [r[k] for r in results] for k in keys}
    return scores, extra, results


def legacy_consistency(results):
    """Replica of the legacy path's check: every extra key has one value per item of the batch."""
    extra = {}
    for r in results:
        for k, v in r.items():
            extra.setdefault(k, []).append(v)
    assert all(len(v) == len(results) for v in extra.values()), "check_consistency: a key is missing on some items"
    return extra


BATCH = [
    {"solution_str": "Apple.", "extra_info": {"prompt_id": "fruit"}},
    {"solution_str": "Banana.", "ground_truth": "72", "extra_info": {"prompt_id": "fruit"}},  # ground_truth is an answer, not an id
    {"solution_str": "Red.", "extra_info": {"prompt": [{"role": "system", "content": sf.COLOR_SYSTEM}, {"role": "user", "content": sf.COLOR_PROMPT}]}},
    {"solution_str": "I would say that a ripe apple is nice<|im_end|>", "extra_info": {"question": sf.FRUIT_PROMPT}},
]
EXPECTED = [1.0, 0.75, 1.0, 0.25]


class VerlTests(unittest.TestCase):
    def setUp(self):
        sf.use(A, tr)

    def test_reward_loop_sync_and_async_same_keys_every_item(self):
        for fn in (tr.compute_score, tr.compute_score_async, load_like_verl("compute_score_async")):
            scores, extra, results = reward_loop(fn, BATCH)
            self.assertEqual(scores, EXPECTED)
            self.assertEqual(list(extra), list(tr.VERL_KEYS))
            legacy_consistency(results)
            self.assertEqual(extra["tailmark_graded"], [1.0] * 4)
            self.assertEqual(extra["tailmark_met_fraction"], [1.0, 0.5, 1.0, 0.5])

    def test_unknown_prompt_raises_by_default_and_is_flagged_by_policy(self):
        item = [{"solution_str": "Apple.", "ground_truth": "72", "extra_info": {}}]
        with self.assertRaises(tr.TailmarkError):  # verl retries once, then the step fails: loud
            reward_loop(tr.compute_score, item)
        scores, extra, _ = reward_loop(tr.compute_score, BATCH[:1] + item, {"tailmark_no_rubric": "reward:0"})
        # In a batch of one item per call, each call is its own request: the unknown one found nothing.
        self.assertEqual(scores, [1.0, 0.0])
        self.assertEqual(extra["tailmark_graded"], [1.0, 0.0])

    def test_ground_truth_as_id_only_when_told(self):
        item = [{"solution_str": "Banana.", "ground_truth": "fruit"}]
        with self.assertRaises(tr.TailmarkError):
            reward_loop(tr.compute_score, item)
        self.assertEqual(reward_loop(tr.compute_score, item, {"tailmark_id_from": "ground_truth"})[0], [0.75])

    def test_criteria_keys_asked_for_are_fixed_for_the_run(self):
        _, extra, results = reward_loop(tr.compute_score, BATCH, {"tailmark_criteria": ["apple", "red"]})
        legacy_consistency(results)
        self.assertEqual(extra["tailmark_criterion/apple"][:2], [1.0, 0.0])
        self.assertTrue(math.isnan(extra["tailmark_criterion/apple"][2]))  # the color rubric has no "apple"
        self.assertEqual(extra["tailmark_criterion/red"][2], 1.0)

    def test_batch_manager_one_call_plural_arguments(self):
        scores = tr.compute_score_batch(data_sources=["d"] * 4, solution_strs=[b["solution_str"] for b in BATCH],
                                        ground_truths=[b.get("ground_truth") for b in BATCH], extra_infos=[b.get("extra_info") for b in BATCH])
        self.assertEqual([s["score"] for s in scores], EXPECTED)
        legacy_consistency(scores)

    def test_batch_with_an_unknown_prompt_is_graded_per_item(self):
        scores = tr.compute_score_batch(data_sources=["d"] * 2, solution_strs=["Apple.", "Hi."], ground_truths=[None, None],
                                        extra_infos=[{"prompt_id": "fruit"}, {"prompt_id": "nope"}])
        self.assertEqual([s["score"] for s in scores], [1.0, 0.0])
        self.assertEqual([s["tailmark_graded"] for s in scores], [1.0, 0.0])

    def test_deadline_missed_is_flagged(self):
        sf.use(B, tr)
        scores, extra, _ = reward_loop(tr.compute_score, [{"solution_str": "The moon.", "extra_info": {"prompt_id": "slow"}}])
        self.assertEqual(scores, [0.0])
        self.assertEqual(extra["tailmark_graded"], [0.0])

    def test_prime_manager_runs_the_file_loaded_function_in_a_spawned_process_pool(self):
        fn = load_like_verl("prime_compute_score")
        pickle.dumps(fn)  # the prime manager's process pool pickles it

        async def run():
            loop = asyncio.get_running_loop()
            with concurrent.futures.ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
                futures = [loop.run_in_executor(pool, functools.partial(fn, "d", b["solution_str"], b.get("ground_truth"), b.get("extra_info")))
                           for b in BATCH]
                return await asyncio.gather(*futures)
        results = asyncio.run(run())
        self.assertTrue(all(isinstance(r, float) for r in results))  # float, so prime uses it as is
        self.assertEqual(results, EXPECTED)

    def test_prime_in_a_fresh_interpreter_where_the_module_was_never_imported(self):
        # As in a verl process: only the file path is known, its folder is not on sys.path, nothing named tailmark_reward.
        script = (
            "import asyncio, concurrent.futures, functools, importlib.util, multiprocessing, sys\n"
            "spec = importlib.util.spec_from_file_location('custom_module_1', sys.argv[1])\n"
            "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
            "with concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context('spawn')) as pool:\n"
            "    print(pool.submit(functools.partial(m.prime_compute_score, 'd', 'Banana.', None, {'prompt_id': 'fruit'})).result())\n")
        import subprocess
        import sys
        import tempfile
        with tempfile.TemporaryDirectory() as cwd:
            out = subprocess.run([sys.executable, "-c", script, os.path.join(HERE, "tailmark_reward.py")], cwd=cwd, capture_output=True, text=True,
                                 env=dict(os.environ, PYTHONPATH=""), timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.strip(), "0.75")


if __name__ == "__main__":
    unittest.main()
