"""Tailmark reward clients for RL trainers, using only Python's standard library.

- verl:     ``compute_score`` / ``compute_score_async`` (custom_reward_function)
- OpenRLHF: ``reward_func`` (a --remote_rm_url .py file), or point --remote_rm_url at ``/get_reward`` directly
- TRL:      ``trl_reward_func`` (GRPOTrainer reward_funcs)

All of them call a running ``tailmark serve``; set TAILMARK_URL (default http://127.0.0.1:8000) and, when the
server requires one, TAILMARK_TOKEN. See docs/integrations.md.
"""

import asyncio
import datetime
import email.utils
import json
import os
import time
import urllib.error
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8000"


class TailmarkError(RuntimeError):
    """The reward server could not be reached or refused the request for good."""


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


class TailmarkClient:
    """A small client for ``POST /v1/reward`` with bounded retries on 429, 5xx and connection errors."""

    def __init__(self, url=None, token=None, timeout=180.0, retries=5):
        self.url = (url or os.environ.get("TAILMARK_URL") or DEFAULT_URL).rstrip("/")
        self.token = token if token is not None else os.environ.get("TAILMARK_TOKEN")
        self.timeout = timeout
        self.retries = retries

    def _post(self, path, payload):
        data = json.dumps(payload).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        delay = 0.5
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(self.url + path, data=data, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.loads(response.read().decode("utf-8"))
            except urllib.error.HTTPError as error:
                body = error.read().decode("utf-8", "replace")
                if error.code in (429, 500, 502, 503, 504) and attempt < self.retries:
                    time.sleep(retry_delay(error.headers.get("Retry-After"), delay))
                    delay = min(delay * 2, 30.0)
                    continue
                raise TailmarkError(f"{self.url}{path}: HTTP {error.code}: {body}") from error
            except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                if attempt < self.retries:
                    time.sleep(delay)
                    delay = min(delay * 2, 30.0)
                    continue
                raise TailmarkError(f"{self.url}{path}: {error}") from error
        raise TailmarkError(f"{self.url}{path}: retries exhausted")

    def reward(self, items):
        """Rewards a list of items ``{"prompt_id"?, "prompt"?, "response", "step"?}``; returns the server's results in order."""
        answer = self._post("/v1/reward", {"items": list(items)})
        return answer["results"]


_client = None


def _default_client():
    global _client
    if _client is None:
        _client = TailmarkClient()
    return _client


def _item(solution_str, ground_truth=None, extra_info=None):
    extra_info = extra_info or {}
    item = {"response": solution_str}
    prompt_id = extra_info.get("prompt_id")
    if prompt_id is None and isinstance(ground_truth, str):
        prompt_id = ground_truth
    if prompt_id is not None:
        item["prompt_id"] = str(prompt_id)
    if extra_info.get("prompt") is not None:
        item["prompt"] = extra_info["prompt"]
    if extra_info.get("step") is not None:
        item["step"] = extra_info["step"]
    return item


def _score_dict(result):
    """verl logs every key of the dict; the reward is "score" (0.0 when the server could not grade, flagged)."""
    reward = result.get("reward")
    out = {"score": float(reward) if reward is not None else 0.0, "tailmark_graded": reward is not None}
    for verdict_id, verdict in (result.get("verdicts") or {}).items():
        out["criterion/" + verdict_id] = {"met": 1.0, "not_met": 0.0}.get(verdict.get("status"), -1.0)
    if result.get("error"):
        out["tailmark_error"] = result["error"]
    vetoed = (result.get("breakdown") or {}).get("vetoed_by")
    out["tailmark_vetoed"] = 1.0 if vetoed else 0.0
    return out


def compute_score(data_source, solution_str, ground_truth, extra_info=None):
    """verl's custom reward function. The rubric is found by extra_info["prompt_id"] (or ground_truth when it is a
    string), else by extra_info["prompt"]. Returns {"score": float, "criterion/<id>": 1/0/-1, ...}."""
    result = _default_client().reward([_item(solution_str, ground_truth, extra_info)])[0]
    return _score_dict(result)


async def compute_score_async(data_source, solution_str, ground_truth, extra_info=None):
    """The same as ``compute_score``, without blocking verl's event loop."""
    return await asyncio.to_thread(compute_score, data_source, solution_str, ground_truth, extra_info)


def reward_func(queries, prompts, labels):
    """OpenRLHF remote reward function (a .py file given to --remote_rm_url). Each query is prompt + response; the
    response is the query with its prompt removed. Returns {"rewards", "scores", "extra_logs"} as lists."""
    items = []
    for i, query in enumerate(queries):
        prompt = prompts[i] if i < len(prompts) else None
        response = query[len(prompt):] if prompt is not None and query.startswith(prompt) else query
        item = {"response": response.strip()}
        label = labels[i] if labels is not None and i < len(labels) else None
        if label:
            item["prompt_id"] = str(label)
        if prompt is not None:
            item["prompt"] = prompt.strip()
        items.append(item)
    results = _default_client().reward(items)
    rewards = [float(r["reward"]) if r.get("reward") is not None else 0.0 for r in results]
    return {
        "rewards": rewards,
        "scores": [min(1.0, max(0.0, r)) for r in rewards],
        "extra_logs": {"tailmark_ungraded": [0.0 if r.get("reward") is not None else 1.0 for r in results]},
    }


def _text(completion):
    """TRL passes strings, or conversations as lists of {"role", "content"} messages."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list) and completion:
        return completion[-1].get("content", "")
    return str(completion)


def trl_reward_func(prompts, completions, **kwargs):
    """TRL GRPOTrainer reward function. The rubric is found by the dataset's "prompt_id" column if present, else by
    the prompt. Returns one float per completion, or None for a completion the server could not grade (TRL skips it)."""
    prompt_ids = kwargs.get("prompt_id")
    items = []
    for i, completion in enumerate(completions):
        item = {"response": _text(completion)}
        if prompt_ids is not None:
            item["prompt_id"] = str(prompt_ids[i])
        prompt = prompts[i] if prompts is not None and i < len(prompts) else None
        if prompt is not None:
            item["prompt"] = prompt if isinstance(prompt, (str, list)) else str(prompt)
        items.append(item)
    return [float(r["reward"]) if r.get("reward") is not None else None for r in _default_client().reward(items)]
