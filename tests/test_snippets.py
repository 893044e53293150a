"""Every snippet, run and checked against its expectation.

The snippets run all at once through the same runner the site build uses.
"""

import pytest

from snippet_runner.runner import (
    SNIPPETS_DIR,
    check_snippets,
    discover,
    display_path,
)

SNIPPETS = discover()


@pytest.fixture(scope="session")
def outcomes():
    return check_snippets(SNIPPETS)


def test_there_are_snippets():
    assert len(SNIPPETS) >= 8


@pytest.mark.parametrize("snippet", SNIPPETS, ids=display_path)
def test_snippet_output_matches_expectation(snippet, outcomes):
    outcome = outcomes[snippet.resolve()]
    if not outcome.ok:
        pytest.fail(outcome.report(), pytrace=False)


def test_every_expectation_has_a_snippet():
    orphans = [
        display_path(expect)
        for expect in SNIPPETS_DIR.rglob("*.expect")
        if not expect.with_suffix(".py").is_file()
    ]
    assert not orphans, f"expectations without a snippet: {orphans}"
