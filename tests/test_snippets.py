"""Every example, run on every interpreter and checked against its
expectation.

The runs go through the same runner the site build uses, all at once.
"""

import pytest

from conftest import interpreters, project
from snippet_runner.runner import (
    check_examples,
    discover_examples,
    orphan_expectations,
)

EXAMPLES = discover_examples(project())


@pytest.fixture(scope="session")
def outcomes():
    return check_examples(EXAMPLES, interpreters(), project())


def test_there_are_snippets():
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_snippet_output_matches_expectation(example, outcomes):
    outcome = outcomes[example]
    if not outcome.ok:
        pytest.fail(outcome.report(), pytrace=False)
    expected = {interpreter.minor for interpreter in interpreters()}
    ran = {interpreter.minor for interpreter in outcome.interpreters}
    assert ran == expected or outcome.needs


def test_every_expectation_has_a_snippet():
    orphans = [
        project().display(path)
        for path in orphan_expectations(project().snippets_dir)
    ]
    assert not orphans, f"expectations without a snippet: {orphans}"
