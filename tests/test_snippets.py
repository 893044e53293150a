"""Every snippet, run and checked against its expectation.

The runs go through the same runner the site build uses, all at once.
"""

import pytest

from snippet_runner.runner import (
    check_runs,
    discover_runs,
    display_path,
    orphan_expectations,
)

RUNS = discover_runs()


@pytest.fixture(scope="session")
def outcomes():
    return check_runs(RUNS)


def test_there_are_snippets():
    assert len(RUNS) >= 8


@pytest.mark.parametrize("run", RUNS, ids=str)
def test_snippet_output_matches_expectation(run, outcomes):
    outcome = outcomes[run]
    if not outcome.ok:
        pytest.fail(outcome.report(), pytrace=False)


def test_every_expectation_has_a_snippet():
    orphans = [display_path(path) for path in orphan_expectations()]
    assert not orphans, f"expectations without a snippet: {orphans}"
