"""The order of a build's runs: the longest first, the 'alone' ones last;
results in the order they were asked for, whatever the order of running."""

import json
import threading
from types import SimpleNamespace

from conftest import project
from snippet_runner import runner, schedule
from snippet_runner.interpreters import build_interpreter
from snippet_runner.process import RunResult, provenance
from snippet_runner.runner import Run, example

HERE = build_interpreter()


def item(name, alone=False):
    run = Run(
        example(project().snippets_dir / f"t/{name}.py", project()), HERE
    )
    return run, SimpleNamespace(alone=alone), f"digest of {name}"


def key(name):
    return f"snippets/t/{name}.py on {HERE.minor}"


def test_longest_first_and_unknown_runs_as_long_as_the_longest():
    work = [item(name) for name in ("short", "long", "new", "middle")]
    seconds = {key("short"): 0.5, key("long"): 9.0, key("middle"): 2.0}
    ordered = [
        work[i][0].example.snippet.stem for i in schedule.order(work, seconds)
    ]
    # A run never timed (new) may be long: it starts early, after the
    # longest known one, which it ties with.
    assert ordered == ["long", "new", "middle", "short"]


def test_alone_runs_go_last_one_at_a_time_and_results_keep_their_order(
    monkeypatch, tmp_path
):
    monkeypatch.setenv("SNIPPET_RUNNER_CACHE_DIR", str(tmp_path))
    names = ["alone_long", "short", "alone_short", "long"]
    work = [item(name, alone=name.startswith("alone")) for name in names]
    (tmp_path / schedule.RECORD).write_text(
        json.dumps(
            {
                key("alone_long"): 5.0,
                key("short"): 0.1,
                key("alone_short"): 1.0,
                key("long"): 3.0,
            }
        )
    )
    started, running, most = [], set(), {}
    lock = threading.Lock()

    def fake_check_run(run, case, digest, project, cancel, **options):
        with lock:
            started.append(run.example.snippet.stem)
            running.add(run.example.snippet.stem)
            most[run.example.snippet.stem] = set(running)
        threading.Event().wait(0.05)
        with lock:
            running.discard(run.example.snippet.stem)
        return SimpleNamespace(
            run=run, result=None, from_cache=True, digest=digest
        )

    monkeypatch.setattr(runner, "check_run", fake_check_run)
    site = project().replace(cache_dir=tmp_path)
    done = runner.run_in_order(work, 4, site)
    assert [outcome.digest for outcome in done] == [w[2] for w in work]
    assert started[:2] == ["long", "short"]  # both at once, longest first
    assert started[2:] == ["alone_long", "alone_short"]
    assert most["alone_long"] == {"alone_long"}
    assert most["alone_short"] == {"alone_short"}


def test_results_in_the_cache_are_taken_without_a_thread_or_a_place(
    monkeypatch, tmp_path
):
    # A warm build: what the cache holds is read in order, up front; only
    # the rest is scheduled and handed to check_run.
    monkeypatch.setenv("SNIPPET_RUNNER_CACHE_DIR", str(tmp_path))
    work = [item(name) for name in ("kept", "new", "also_kept")]
    site = project().replace(cache_dir=tmp_path)
    for run, _, digest in (work[0], work[2]):
        stored = RunResult(
            ["python", run.example.snippet.name], 0, "", 1, 9, **provenance()
        )
        site.run_cache.store(
            site.run_cache.key(digest, run.interpreter), stored
        )
    ordered, checked = [], []

    def fake_order(items, seconds=None):
        ordered.extend(run.example.snippet.stem for run, _, _ in items)
        return list(range(len(items)))

    def fake_check_run(run, case, digest, project, cancel, **options):
        checked.append(run.example.snippet.stem)
        return SimpleNamespace(run=run, result=None, from_cache=False)

    monkeypatch.setattr(schedule, "order", fake_order)
    monkeypatch.setattr(runner, "check_run", fake_check_run)
    done = runner.run_in_order(work, 4, site)
    assert ordered == checked == ["new"]
    assert [outcome.run for outcome in done] == [w[0] for w in work]
    assert [outcome.from_cache for outcome in done] == [True, False, True]
    assert done[0].result.command == ["python", "kept.py"]
