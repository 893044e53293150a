"""How long each run is expected to take, so that a build starts the
longest runs first and does not end on one long run while the cores idle.

Two sources, the first that knows a run wins:
- the runs of earlier builds and test sessions on this machine, recorded
  in the cache folder (`run-seconds.json`, whether or not results are
  cached: `make build` runs everything afresh but still records);
- a file of timings the project commits (the plugin's `timings`; this
  site's `make bench` writes docs/data/run-seconds.json, every run timed
  alone): a fresh clone and a cold build use it.
A run neither knows (a new example) counts as taking as long as the
longest known one: it is started early, where it cannot make the tail.

Only the order depends on this: results never do.
"""

from __future__ import annotations

import functools
import json
import os
import threading
from pathlib import Path

from . import cache

RECORD = "run-seconds.json"


def run_key(run) -> str:
    """A run's name in the records: its example and minor version; not
    the example's digest, as an edited example takes about as long."""
    return f"{run.example} on {run.interpreter.minor}"


def _read(path: Path) -> dict[str, float]:
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


@functools.cache
def _measured(path: Path | None) -> dict[str, float]:
    return _read(path) if path is not None else {}


def known(cache_dir: Path, timings: Path | None = None) -> dict[str, float]:
    """Every run's expected seconds: the project's timings, updated by
    this machine's own records in its cache folder."""
    return {**_measured(timings), **_read(cache_dir / RECORD)}


def order(work: list, seconds: dict[str, float]) -> list[int]:
    """The indices of `work` ((run, case, digest) items), longest first;
    runs of equal or unknown length keep their order."""
    longest = max(seconds.values(), default=0.0)

    def expected(index: int) -> float:
        return seconds.get(run_key(work[index][0]), longest)

    return sorted(range(len(work)), key=lambda index: -expected(index))


def record(outcomes, run_cache: cache.RunCache) -> None:
    """Add the runs that really ran (not from the cache) to the records;
    `outcomes` are (outcome, example digest) pairs. Builds and test
    workers that finish at once may each miss the other's update: a
    record is a hint, so the last writer wins."""
    fresh = [
        (outcome, digest)
        for outcome, digest in outcomes
        if outcome.result is not None and not outcome.from_cache
    ]
    log = os.environ.get("SNIPPET_RUNNER_RUN_LOG")
    if log:
        # The tests' check that no example runs twice on one interpreter
        # (tests/conftest.py): the key of each run that passed.
        # One write() a line to a file opened for appending: processes
        # writing at once never split each other's lines.
        handle = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            for outcome, digest in fresh:
                if outcome.ok:
                    key = run_cache.key(digest, outcome.run.interpreter)
                    os.write(handle, f"{key}\n".encode())
        finally:
            os.close(handle)
    seconds = {
        run_key(outcome.run): round(outcome.result.seconds, 2)
        for outcome, _ in fresh
        if not outcome.result.timed_out
    }
    if not seconds:
        return
    path = run_cache.directory / RECORD
    merged = {**_read(path), **seconds}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    partial.write_text(json.dumps(merged, indent=0, sort_keys=True), "utf-8")
    partial.replace(path)  # atomic: readers never see half a file
