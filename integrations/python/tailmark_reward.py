"""Tailmark reward clients for RL trainers, using only Python's standard library.

- verl:      ``compute_score`` (naive / dapo / the reward loop), ``compute_score_async`` (reward loop),
             ``compute_score_batch`` (the ``batch`` manager), ``prime_compute_score`` (the ``prime`` manager)
- OpenRLHF:  ``reward_func`` (a ``--reward.remote_url`` .py file), or point ``--reward.remote_url`` at ``/get_reward``
- TRL:       ``trl_reward_func`` / ``trl_reward_func_async`` (GRPOTrainer ``reward_funcs``), ``make_trl_reward_func``
- verifiers: ``verifiers_reward`` and ``verifiers_group_reward`` (legacy ``vf.Rubric``), ``verifiers_v1_reward`` (v1)
- slime:     no adapter needed: ``--rm-type remote_rm --rm-url http://HOST:PORT/slime --reward-key reward``

All call a running ``tailmark serve``; set TAILMARK_URL (default http://127.0.0.1:8000) and, when the server requires
one, TAILMARK_TOKEN or TAILMARK_TOKEN_FILE. Ungraded items (no rubric, deadline missed, undefined reward...) are never
a silent number: each adapter flags them, and what the trainer receives is chosen by a policy — ``error`` (raise),
``skip`` (``None``, where the trainer supports it) or ``reward:X`` — with the defaults in docs/integrations.md.
"""

import asyncio
import datetime
import email.utils
import importlib.util
import json
import logging
import math
import os
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping

DEFAULT_URL = "http://127.0.0.1:8000"
__all__ = [
    "TailmarkError", "TailmarkClient", "Policy", "retry_delay", "plain",
    "compute_score", "compute_score_async", "compute_score_batch", "prime_compute_score", "VERL_KEYS",
    "reward_func", "trl_reward_func", "trl_reward_func_async", "make_trl_reward_func",
    "verifiers_reward", "verifiers_group_reward", "verifiers_v1_reward",
]

logger = logging.getLogger("tailmark_reward")


class TailmarkError(RuntimeError):
    """The reward server could not be reached, refused the request, or a policy says an ungraded item is an error."""


def retry_delay(retry_after, default, cap=60.0):
    """Seconds to wait before a retry: the server's Retry-After (seconds or an HTTP date), else DEFAULT; capped."""
    if not retry_after:
        return default
    try:
        return min(cap, max(0.0, float(retry_after)))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(retry_after)
    except (TypeError, ValueError):
        return default
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return min(cap, max(0.0, (when - datetime.datetime.now(datetime.timezone.utc)).total_seconds()))


class Policy:
    """What a trainer receives for an ungraded item: ``error`` (raise TailmarkError), ``skip`` (None) or ``reward:X``."""

    def __init__(self, kind, value=0.0):
        self.kind, self.value = kind, float(value)

    @classmethod
    def parse(cls, text, allow_skip=True):
        if isinstance(text, Policy):
            policy = text
        elif isinstance(text, (int, float)) and not isinstance(text, bool):
            policy = cls("reward", text)
        else:
            t = str(text).strip().lower()
            if t in ("error", "skip"):
                policy = cls(t)
            else:
                number = t[len("reward:"):] if t.startswith("reward:") else t
                try:
                    value = float(number)
                except ValueError:
                    raise ValueError(f"{text!r} is not 'error', 'skip' or 'reward:X'") from None
                if not math.isfinite(value):
                    raise ValueError(f"{text!r}: the reward must be finite")
                policy = cls("reward", value)
        if policy.kind == "skip" and not allow_skip:
            raise ValueError("this trainer needs a number for every item: use 'error' or 'reward:X', not 'skip'")
        return policy

    def __repr__(self):
        return f"reward:{self.value}" if self.kind == "reward" else self.kind


def _setting(name, given, default):
    if given is not None:
        return given
    return os.environ.get(name) or default


def _token(token=None):
    if token is not None:
        return token
    if os.environ.get("TAILMARK_TOKEN"):
        return os.environ["TAILMARK_TOKEN"].strip()
    path = os.environ.get("TAILMARK_TOKEN_FILE")
    if path:
        with open(path, encoding="utf-8") as f:
            return f.readline().strip()
    return None


class TailmarkClient:
    """A small client for the reward server. Retries 429, 502, 503, 504 and connection errors (honouring Retry-After)
    until RETRY_BUDGET seconds have passed since the first try, then raises TailmarkError; other errors raise at once."""

    def __init__(self, url=None, token=None, timeout=None, retry_budget=None):
        self.url = str(_setting("TAILMARK_URL", url, DEFAULT_URL)).rstrip("/")
        self.token = _token(token)
        self.timeout = float(_setting("TAILMARK_TIMEOUT", timeout, 180.0))
        self.retry_budget = float(_setting("TAILMARK_RETRY_BUDGET", retry_budget, 600.0))

    def post(self, path, payload):
        data = json.dumps(payload, allow_nan=False).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        started = time.monotonic()
        delay = 0.5
        while True:
            request = urllib.request.Request(self.url + path, data=data, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.loads(response.read().decode("utf-8"))
            except urllib.error.HTTPError as error:
                body = error.read().decode("utf-8", "replace")
                retryable = error.code in (429, 502, 503, 504)
                wait = retry_delay(error.headers.get("Retry-After"), delay)
                if not retryable or time.monotonic() - started + wait > self.retry_budget:
                    raise TailmarkError(f"{self.url}{path}: HTTP {error.code}: {_message(body)}") from error
            except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                wait = delay
                if time.monotonic() - started + wait > self.retry_budget:
                    raise TailmarkError(f"{self.url}{path}: {error}") from error
            time.sleep(wait)
            delay = min(delay * 2, 30.0)

    def reward(self, items, deadline_ms=None):
        """POST /v1/reward; returns the answer: {"rewards", "results", "ungraded", "no_rubric_found"}."""
        payload = {"items": [plain(item) for item in items]}
        if deadline_ms is not None:
            payload["deadline_ms"] = deadline_ms
        return self.post("/v1/reward", payload)


def _message(body):
    try:
        return json.loads(body).get("error", body)
    except (ValueError, AttributeError):
        return body


def plain(value):
    """A JSON-safe copy of what trainers pass: mappings and pydantic-like messages (anything with model_dump, or
    role/content attributes) become dicts, sequences lists; objects JSON cannot carry (images, tensors) become None —
    the server grades text only and notes the parts it left out."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return plain(dump())
    if hasattr(value, "role") and hasattr(value, "content"):
        out = {"role": getattr(value, "role"), "content": plain(getattr(value, "content"))}
        if getattr(value, "tool_calls", None):
            out["tool_calls"] = plain(getattr(value, "tool_calls"))
        return plain(out)
    if hasattr(value, "keys") and hasattr(value, "__getitem__"):
        return {str(k): plain(value[k]) for k in value.keys()}
    if hasattr(value, "tolist"):
        return plain(value.tolist())
    return None


_clients = {}
_clients_lock = threading.Lock()


def _client(url=None):
    key = (url or os.environ.get("TAILMARK_URL") or DEFAULT_URL, _token())
    with _clients_lock:
        if key not in _clients:
            _clients[key] = TailmarkClient(url=url)
        return _clients[key]


def _resolve(answer, no_rubric, ungraded, what):
    """One value per item: the reward, or what the policies say for an ungraded item (None for skip); raises for error."""
    results = answer["results"]
    nothing = answer.get("no_rubric_found", False)
    if nothing and no_rubric.kind == "error":
        raise TailmarkError(f"{what}: no rubric found for any item of the batch ({results[0].get('error')}); send prompt ids "
                            "or matching prompts, or set the no-rubric policy (docs/integrations.md)")
    values = []
    for i, r in enumerate(results):
        reward = r.get("reward")
        if reward is not None and r.get("graded", True):
            values.append(float(reward))
            continue
        policy = no_rubric if nothing and r.get("ungraded") == "no_rubric" else ungraded
        if policy.kind == "error":
            raise TailmarkError(f"{what}: item {i} not graded ({r.get('ungraded')}): {r.get('error')}")
        values.append(None if policy.kind == "skip" else policy.value)
    return values


# ---------------------------------------------------------------------------------------------------------------- verl

VERL_KEYS = ("score", "tailmark_graded", "tailmark_vetoed", "tailmark_cannot_assess", "tailmark_met_fraction", "tailmark_rubric_version")


def _verl_item(solution_str, ground_truth, extra_info, kw):
    """The rubric is found by extra_info[tailmark_id_key] (default "prompt_id"); by ground_truth only when
    tailmark_id_from="ground_truth" (verl's ground_truth is normally the reference answer); else by
    extra_info["prompt"] or extra_info["question"]."""
    extra_info = extra_info or {}
    item = {"response": solution_str}
    id_key = kw.get("tailmark_id_key", "prompt_id")
    prompt_id = extra_info.get(id_key) if isinstance(extra_info, Mapping) else None
    if prompt_id is None and kw.get("tailmark_id_from") == "ground_truth" and ground_truth is not None:
        prompt_id = ground_truth
    if prompt_id is not None:
        item["prompt_id"] = str(prompt_id)
    for key in ("prompt", "question"):
        if isinstance(extra_info, Mapping) and extra_info.get(key) is not None:
            item["prompt"] = plain(extra_info[key])
            break
    if isinstance(extra_info, Mapping) and extra_info.get("step") is not None:
        item["step"] = int(extra_info["step"])
    return item


def _verl_policies(kw):
    no_rubric = Policy.parse(_setting("TAILMARK_NO_RUBRIC", kw.get("tailmark_no_rubric"), "error"), allow_skip=False)
    ungraded = Policy.parse(_setting("TAILMARK_UNGRADED", kw.get("tailmark_ungraded"), "reward:0"), allow_skip=False)
    return no_rubric, ungraded


def _verl_dict(result, value, criteria):
    """The same keys for every item of a run (verl requires it): the fixed set, plus one key per criterion asked for."""
    verdicts = result.get("verdicts") or {}
    statuses = [v.get("status") for v in verdicts.values()]
    assessed = [s for s in statuses if s in ("met", "not_met")]
    graded = bool(result.get("graded", result.get("reward") is not None))
    out = {
        "score": float(value),
        "tailmark_graded": 1.0 if graded else 0.0,
        "tailmark_vetoed": 1.0 if (result.get("breakdown") or {}).get("vetoed_by") else 0.0,
        "tailmark_cannot_assess": float(statuses.count("cannot_assess")),
        "tailmark_met_fraction": assessed.count("met") / len(assessed) if assessed else 0.0,
        # The rubric version that scored the item (0 when none did): it changes when the server refines online.
        "tailmark_rubric_version": float((result.get("provenance") or {}).get("rubric_version") or 0),
    }
    for cid in criteria:
        status = (verdicts.get(cid) or {}).get("status")
        out["tailmark_criterion/" + cid] = {"met": 1.0, "not_met": 0.0, "cannot_assess": -1.0}.get(status, math.nan)
    return out


def _verl_scores(solution_strs, ground_truths, extra_infos, kw):
    no_rubric, ungraded = _verl_policies(kw)
    items = [_verl_item(s, g, e, kw) for s, g, e in zip(solution_strs, ground_truths, extra_infos)]
    answer = _client(kw.get("tailmark_url")).reward(items)
    values = _resolve(answer, no_rubric, ungraded, "verl")
    criteria = list(kw.get("tailmark_criteria") or [])
    for r in answer["results"]:
        if not r.get("graded", True):
            _warn_ungraded("verl", r)
    return [_verl_dict(r, v, criteria) for r, v in zip(answer["results"], values)]


def compute_score(data_source=None, solution_str="", ground_truth=None, extra_info=None, **kwargs):
    """verl's custom reward function (naive, dapo, reward loop). Returns a dict with the keys VERL_KEYS (and
    "tailmark_criterion/<id>" for each id in reward_kwargs tailmark_criteria): the same keys for every item."""
    return _verl_scores([solution_str], [ground_truth], [extra_info], kwargs)[0]


async def compute_score_async(data_source=None, solution_str="", ground_truth=None, extra_info=None, **kwargs):
    """The same as compute_score for verl's reward loop (awaited there; the HTTP call runs in a worker thread)."""
    return await asyncio.to_thread(compute_score, data_source, solution_str, ground_truth, extra_info, **kwargs)


def compute_score_batch(data_sources=None, solution_strs=(), ground_truths=None, extra_infos=None, **kwargs):
    """verl's ``batch`` reward manager: one HTTP call for the whole batch; one dict per item, the same keys each."""
    n = len(solution_strs)
    ground_truths = list(ground_truths) if ground_truths is not None else [None] * n
    extra_infos = list(extra_infos) if extra_infos is not None else [None] * n
    return _verl_scores(list(solution_strs), ground_truths, extra_infos, kwargs)


def prime_compute_score(task, completion, reference, extra_info=None):
    """verl's ``prime`` manager calls this positionally in a process pool: a float. Importable and picklable
    (``pkg://tailmark_reward`` or the file's path); an exception there makes that row 0 with an "[Error]" print."""
    return compute_score(task, completion, reference, extra_info)["score"]


_warned = {}


def _warn_ungraded(what, result):
    """One warning per kind of reason every 10 s, so a bad run is loud without flooding the log."""
    kind = result.get("ungraded") or "ungraded"
    now = time.monotonic()
    if now - _warned.get((what, kind), -1e9) >= 10:
        _warned[(what, kind)] = now
        logger.warning("%s: an item was not graded (%s): %s", what, kind, result.get("error"))


# ------------------------------------------------------------------------------------------------------------ OpenRLHF

def reward_func(queries, prompts, labels, **kwargs):
    """OpenRLHF's reward function (a .py file given to --reward.remote_url): forwards to the server's /get_reward with
    the bearer token, so the server does the splitting, template recovery and clean-up. Returns {"rewards", "scores",
    "extra_logs"} as lists — torch tensors when TAILMARK_OPENRLHF_TENSORS=1 (OpenRLHF 0.6 to 0.8.2)."""
    answer = _client().post("/get_reward", {"query": list(queries), "prompts": plain(list(prompts)), "labels": plain(list(labels))})
    if os.environ.get("TAILMARK_OPENRLHF_TENSORS") == "1":
        import torch  # only for the old versions that need tensors
        answer = {"rewards": torch.tensor(answer["rewards"]), "scores": torch.tensor(answer["scores"]),
                  "extra_logs": {k: torch.tensor(v) for k, v in answer["extra_logs"].items()}}
    return answer


# ----------------------------------------------------------------------------------------------------------------- TRL

def _trl_items(prompts, completions, kwargs, id_column):
    ids = kwargs.get(id_column)
    items = []
    for i, completion in enumerate(completions):
        item = {"response": plain(completion)}
        if ids is not None and ids[i] is not None:
            item["prompt_id"] = str(ids[i])
        prompt = prompts[i] if prompts is not None and i < len(prompts) else None
        if prompt is not None:
            item["prompt"] = plain(prompt)
        items.append(item)
    return items


def _trl_log(answer, kwargs, criteria):
    results = answer["results"]
    log_metric, log_extra = kwargs.get("log_metric"), kwargs.get("log_extra")
    if callable(log_extra):
        log_extra("tailmark_ungraded", [r.get("ungraded") or "" for r in results])
    if not callable(log_metric) or not results:
        return
    log_metric("tailmark/ungraded_fraction", sum(1 for r in results if not r.get("graded", True)) / len(results))
    log_metric("tailmark/vetoed_fraction", sum(1 for r in results if (r.get("breakdown") or {}).get("vetoed_by")) / len(results))
    statuses = {}
    for r in results:
        for cid, v in (r.get("verdicts") or {}).items():
            statuses.setdefault(cid, []).append(v.get("status"))
    for cid in criteria:
        assessed = [s for s in statuses.get(cid, []) if s in ("met", "not_met")]
        if assessed:
            log_metric(f"tailmark/pass_rate/{cid}", assessed.count("met") / len(assessed))


def make_trl_reward_func(no_rubric="error", ungraded="skip", on_overload="raise", id_column="prompt_id", criteria=(),
                         url=None, retry_budget=None, asynchronous=False):
    """A TRL reward function with its policies. ``ungraded="skip"`` returns None for an ungraded item: TRL >= 1.6 leaves
    it out of the group baseline; before 1.6 it counted as 0 there, so use ``"reward:X"`` or ``"error"`` on older TRL.
    ``on_overload``: when 429s outlast the retry budget, ``"raise"`` (the step fails) or ``"none"`` (every item None)."""
    no_rubric_p, ungraded_p = Policy.parse(no_rubric), Policy.parse(ungraded)
    if on_overload not in ("raise", "none"):
        raise ValueError("on_overload is 'raise' or 'none'")
    client = TailmarkClient(url=url, retry_budget=retry_budget)

    def call(prompts, completions, kwargs):
        try:
            answer = client.reward(_trl_items(prompts, completions, kwargs, id_column))
        except TailmarkError as error:
            if on_overload == "none" and "HTTP 429" in str(error):
                logger.warning("TRL: the reward server stayed at capacity past the retry budget: %s", error)
                return [None] * len(completions)
            raise
        _trl_log(answer, kwargs, criteria)
        return _resolve(answer, no_rubric_p, ungraded_p, "TRL")

    if asynchronous:
        async def tailmark_reward_async(prompts=None, completions=(), **kwargs):
            return await asyncio.to_thread(call, prompts, completions, kwargs)
        return tailmark_reward_async

    def tailmark_reward(prompts=None, completions=(), **kwargs):
        return call(prompts, completions, kwargs)
    return tailmark_reward


def trl_reward_func(prompts=None, completions=(), **kwargs):
    """TRL GRPOTrainer reward function with the defaults of make_trl_reward_func (TAILMARK_NO_RUBRIC and
    TAILMARK_UNGRADED override them): one HTTP call per batch; one float per completion, None for an ungraded one."""
    return _trl_default(False)(prompts=prompts, completions=completions, **kwargs)


async def trl_reward_func_async(prompts=None, completions=(), **kwargs):
    """The async variant: TRL runs async reward functions concurrently (asyncio.gather)."""
    return await _trl_default(True)(prompts=prompts, completions=completions, **kwargs)


def _trl_default(asynchronous):
    return make_trl_reward_func(no_rubric=os.environ.get("TAILMARK_NO_RUBRIC", "error"), ungraded=os.environ.get("TAILMARK_UNGRADED", "skip"),
                                asynchronous=asynchronous)


# ----------------------------------------------------------------------------------------------------------- verifiers

def _verifiers_policies():
    return (Policy.parse(os.environ.get("TAILMARK_NO_RUBRIC", "error"), allow_skip=False),
            Policy.parse(os.environ.get("TAILMARK_UNGRADED", "reward:0"), allow_skip=False))


def _verifiers_item(prompt, completion, info, kwargs):
    item = {"response": plain(completion)}
    info = info if isinstance(info, Mapping) else {}
    prompt_id = info.get("prompt_id", kwargs.get("prompt_id"))
    if prompt_id is not None:
        item["prompt_id"] = str(prompt_id)
    if prompt is not None:
        item["prompt"] = plain(prompt)
    return item


async def verifiers_reward(prompt=None, completion=None, info=None, **kwargs):
    """verifiers' legacy per-rollout reward (``vf.Rubric(funcs=[verifiers_reward])``): a float, never None. The rubric is
    found by info["prompt_id"] or a "prompt_id" column, else by the prompt. An error (by policy) is logged by verifiers
    and scored 0.0 there."""
    no_rubric, ungraded = _verifiers_policies()
    answer = await asyncio.to_thread(_client().reward, [_verifiers_item(prompt, completion, info, kwargs)])
    return _resolve(answer, no_rubric, ungraded, "verifiers")[0]


async def verifiers_group_reward(prompts=None, completions=None, infos=None, **kwargs):
    """verifiers' legacy group reward (plural parameters): one HTTP call for the group, a list of floats, never None."""
    no_rubric, ungraded = _verifiers_policies()
    n = len(completions or [])
    infos = infos if infos is not None else [None] * n
    prompts = prompts if prompts is not None else [None] * n
    items = [_verifiers_item(p, c, i, {}) for p, c, i in zip(prompts, completions, infos)]
    answer = await asyncio.to_thread(_client().reward, items)
    return [float(v) for v in _resolve(answer, no_rubric, ungraded, "verifiers")]


async def verifiers_v1_reward(task, trace):
    """verifiers v1 reward (``[env.taskset.task.rewards] tailmark = { fn = "tailmark_reward.py:verifiers_v1_reward" }``):
    async, a float (never a mapping, which v1 would sum). The rubric is found by the task data's ``prompt_id`` field,
    else by its prompt (with its system prompt); the completion is the trace's messages from the first assistant turn."""
    no_rubric, ungraded = _verifiers_policies()
    data = getattr(task, "data", None) or getattr(getattr(trace, "task", None), "data", None)
    item = {}
    prompt_id = getattr(data, "prompt_id", None)
    if prompt_id is not None:
        item["prompt_id"] = str(prompt_id)
    prompt = getattr(data, "prompt", None)
    if prompt is not None:
        system = getattr(data, "system_prompt", None)
        if isinstance(prompt, str) and system:
            prompt = [{"role": "system", "content": system}, {"role": "user", "content": prompt}]
        item["prompt"] = plain(prompt)
    messages = plain(list(getattr(trace, "messages", []) or []))
    first = next((i for i, m in enumerate(messages) if isinstance(m, dict) and m.get("role") == "assistant"), len(messages))
    item["response"] = messages[first:] or getattr(trace, "last_reply", "")
    answer = await asyncio.to_thread(_client().reward, [item])
    return float(_resolve(answer, no_rubric, ungraded, "verifiers")[0])


# ------------------------------------------------------------------------------------------ one module, however loaded

def _canonical():
    """verl (and verifiers) load a reward file under a generated module name that is not in sys.modules, so its functions
    cannot be pickled for a process pool (verl's prime manager). Load this file once under its own name, make it
    importable (its folder on sys.path, which spawned workers inherit), and let the loaded copy hand out that module's
    functions: they pickle by reference to "tailmark_reward"."""
    if __name__ == "tailmark_reward":
        return
    module = sys.modules.get("tailmark_reward")
    if module is None:
        folder = os.path.dirname(os.path.abspath(__file__))
        if folder not in sys.path:
            sys.path.append(folder)
        spec = importlib.util.spec_from_file_location("tailmark_reward", os.path.abspath(__file__))
        module = importlib.util.module_from_spec(spec)
        sys.modules["tailmark_reward"] = module
        spec.loader.exec_module(module)
    globals().update({name: getattr(module, name) for name in __all__})


_canonical()
