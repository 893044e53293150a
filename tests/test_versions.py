"""Every example on every interpreter: which ones, what a run on each is
judged by, and what a page says about it."""

import os
import re
import subprocess
import sys
import textwrap

import pytest
from bs4 import BeautifulSoup

from conftest import (
    ROOT,
    build_site,
    fixture_example,
    interpreters,
    not_checked_here,
    one_page_site,
    project,
)
from snippet_runner import platforms
from snippet_runner.interpreters import (
    InterpreterError,
    build_interpreter,
    names,
)
from snippet_runner.runner import Example, check_examples, example
from snippet_runner.settings import load

INTERPRETERS = interpreters()
HERE = build_interpreter()
OLDEST = INTERPRETERS[0]
# The versions split into two groups: the build's own and older, and the
# newer ones (none on a machine with one Python).
NEXT = f"{HERE.release[0]}.{HERE.release[1] + 1}"
PRINTS_ITS_VERSION = """\
import sys

if __name__ == "__main__":
    print("running on", ".".join(map(str, sys.version_info[:2])))
    newer = sys.version_info[:2] > ({major}, {minor})
    print("newer than the build's" if newer else "not newer")
"""


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A folder that is the project's root for the runs made in it."""
    monkeypatch.setenv("SNIPPET_RUNNER_CACHE", "off")
    return tmp_path


def in_folder(folder):
    """The site's project, with its root, snippets and cache in `folder`."""
    return project().replace(
        root=folder, snippets_dir=folder, cache_dir=folder / "cache"
    )


def example_with(folder, expectation: str) -> Example:
    snippet = folder / "prints_version.py"
    major, minor = HERE.release[:2]
    snippet.write_text(PRINTS_ITS_VERSION.format(major=major, minor=minor))
    snippet.with_suffix(".expect").write_text(textwrap.dedent(expectation))
    return example(snippet, in_folder(folder))


def check(found):
    site = in_folder(found.snippet.parent)
    return check_examples([found], INTERPRETERS, site)[found]


def test_the_build_python_is_always_among_the_interpreters():
    assert HERE in INTERPRETERS  # equal: the same path and build
    assert [found.release for found in INTERPRETERS] == sorted(
        found.release for found in INTERPRETERS
    )
    assert len({found.minor for found in INTERPRETERS}) == len(INTERPRETERS)


def test_one_expectation_for_all_versions_checks_each(folder):
    example = example_with(
        folder,
        """\
        exit: 0
        ---
        running on 3.{int}
        {text}
        """,
    )
    outcome = check(example)
    assert outcome.ok, outcome.report()
    assert outcome.interpreters == INTERPRETERS
    ((_, runs),) = outcome.groups()
    for run in runs:
        found = run.run.interpreter
        assert run.result.python == found.name
        assert run.result.output.startswith(f"running on {found.minor}\n")


def test_each_version_is_judged_by_its_own_case(folder):
    example = example_with(
        folder,
        f"""\
        exit: 0
        ---
        running on 3.{{int}}
        not newer
        ===
        python: >= {NEXT}
        why: newer
        exit: 0
        ---
        running on 3.{{int}}
        newer than the build's
        """,
    )
    outcome = check(example)
    assert outcome.ok, outcome.report()
    newer = [found for found in INTERPRETERS if found.release > HERE.release]
    groups = outcome.groups()
    assert len(groups) == (2 if newer else 1)
    shown = [[run.run.interpreter for run in runs] for _, runs in groups]
    assert shown[0] == [f for f in INTERPRETERS if f not in newer]


def test_a_case_scoped_to_the_wrong_versions_fails_naming_the_version(
    folder,
):
    # Claims the oldest interpreter prints something it does not.
    example = example_with(
        folder,
        f"""\
        exit: 0
        ---
        running on 3.{{int}}
        {{text}}
        ===
        python: {OLDEST.minor}
        why: wrong on purpose
        exit: 0
        ---
        running on 2.7
        """,
    )
    report = check(example).report()
    assert (
        f"prints_version.py on {OLDEST.name}: output does not match its "
        "expectation"
    ) in report
    assert "first difference at prints_version.expect:10" in report
    others = [found for found in INTERPRETERS if found != OLDEST]
    for found in others:
        assert f"on {found.name}:" not in report


def test_a_version_no_case_covers_fails_naming_it(folder):
    example = example_with(
        folder,
        f"""\
        python: {HERE.minor}
        why: only this one
        exit: 0
        ---
        ...
        """,
    )
    outcome = check(example)
    for found in INTERPRETERS:
        if found != HERE:
            assert (
                f"no case of prints_version.expect covers {found.name}"
            ) in outcome.report()
    assert [run.run.interpreter for run in outcome.runs] == [HERE]


def test_a_case_that_matches_no_interpreter_that_ran_fails(folder):
    # A patch release of a minor version that ran, but not the one here.
    example = example_with(
        folder,
        f"""\
        exit: 0
        ---
        ...
        ===
        python: {OLDEST.minor}.999
        why: a release that does not exist
        exit: 0
        ---
        ...
        """,
    )
    report = check(example).report()
    assert (
        f"prints_version.expect:5: python: {OLDEST.minor}.999 matches no "
        f"interpreter that ran, though {OLDEST.name} did"
    ) in report


def test_a_case_for_a_version_this_machine_lacks_is_not_an_error(folder):
    # 3.14 cannot be installed here; a build that has it checks the case.
    missing = [
        f"3.{minor}"
        for minor in range(9, 15)
        if f"3.{minor}" not in {found.minor for found in INTERPRETERS}
    ]
    assert missing, "every supported version is here: nothing to test"
    example = example_with(
        folder,
        f"""\
        exit: 0
        ---
        ...
        ===
        python: {missing[-1]}
        why: not here
        exit: 3
        ---
        """,
    )
    outcome = check(example)
    assert outcome.ok, outcome.report()


def test_a_case_for_an_unsupported_version_fails(folder):
    example = example_with(
        folder,
        """\
        exit: 0
        ---
        ...
        ===
        python: 3.8
        why: too old
        exit: 0
        ---
        """,
    )
    assert (
        "prints_version.expect:5: python: 3.8 names no version this site "
        "supports (3.9 to 3.15)"
    ) in check(example).report()


def test_no_frame_of_the_runner_shows_in_a_traceback():
    # Process.start raises: the traceback passes where the runner records
    # the start method, and must not show it.
    found = fixture_example("start_fails")
    outcome = check_examples([found], INTERPRETERS, project())[found]
    assert outcome.ok, outcome.report()
    for run in outcome.runs:
        output = run.result.output
        assert 'multiprocessing/process.py", line' in output
        assert "in start" in output
        assert "sitecustomize" not in output
        assert "snippet_runner" not in output


def hidden_interpreters_env(tmp_path) -> dict:
    """Only the build's Python can be found: no pyenv, and a PATH that
    holds no python3.X."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("git",):
        found = subprocess.run(
            ["which", tool], capture_output=True, text=True
        ).stdout.strip()
        if found:
            os.symlink(found, bin_dir / tool)
    return {
        "SNIPPET_RUNNER_REQUIRE": "",  # as on a fresh clone
        "PYENV_ROOT": str(tmp_path / "no-pyenv"),
        "PATH": f"{os.path.dirname(sys.executable)}:{bin_dir}",
    }


def test_a_missing_required_interpreter_fails_the_build_naming_it(
    project_copy,
):
    build = build_site(
        project_copy,
        project_copy / "site",
        SNIPPET_RUNNER_REQUIRE=f"{HERE.minor} 3.99",
    )
    assert build.returncode != 0
    assert "required CPython 3.99 not found" in build.stdout
    assert f"found: {names(INTERPRETERS)}" in build.stdout


def test_an_interpreter_removed_from_the_machine_fails_naming_it(tmp_path):
    required = " ".join(found.minor for found in INTERPRETERS) + " 3.99"
    env = {
        **os.environ,
        **hidden_interpreters_env(tmp_path),
        "SNIPPET_RUNNER_REQUIRE": required,
        "SNIPPET_RUNNER_CACHE_DIR": str(tmp_path / "cache"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "snippet_runner", "check", "nothing.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    gone = [found.minor for found in INTERPRETERS if found != HERE]
    assert (
        f"required CPython {', '.join([*gone, '3.99'])} not found"
    ) in done.stderr


def test_with_one_python_the_site_builds_and_names_that_version(
    project_copy, tmp_path
):
    one_page_site(project_copy, "manager.md")
    build = build_site(
        project_copy,
        project_copy / "site",
        **hidden_interpreters_env(tmp_path),
    )
    assert build.returncode == 0, build.stdout
    assert "example runs (" in build.stdout
    assert f"on {HERE.name}\n" in build.stdout
    html = (project_copy / "site/manager/index.html").read_text("utf-8")
    checked = BeautifulSoup(html, "html.parser").select(".example-checked")
    here = platforms.title(platforms.current())
    assert [line.get_text() for line in checked] == [
        f"Checked on {HERE.name} on {here}{not_checked_here()}"
    ]


def test_versions_are_set_in_mkdocs_yml_and_overridden_by_the_environment(
    monkeypatch,
):
    monkeypatch.delenv("SNIPPET_RUNNER_REQUIRE", raising=False)
    settings = load()
    assert settings.require == ()  # a clone with one Python must build
    assert (settings.oldest, settings.newest) == ((3, 9), (3, 15))
    monkeypatch.setenv("SNIPPET_RUNNER_REQUIRE", "3.9, 3.13")
    assert load().require == ("3.9", "3.13")
    monkeypatch.setenv("SNIPPET_RUNNER_REQUIRE", "three")
    with pytest.raises(Exception, match="not minor versions"):
        load()


def test_ci_requires_every_version_it_has():
    ci = (ROOT / ".ci/run").read_text()
    (required,) = re.findall(r"SNIPPET_RUNNER_REQUIRE:-([\d. ]+)\}", ci)
    assert required.split() == ["3.9", "3.10", "3.11", "3.12", "3.13"]


def test_a_required_version_that_is_missing_raises():
    settings = load().replace(require=("3.99",))
    with pytest.raises(InterpreterError, match="required CPython 3.99"):
        settings.select_interpreters()


def test_plugin_options_are_validated_by_mkdocs(tmp_path):
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        "site_name: t\nplugins:\n  - snippet-runner:\n      require: [3.10]\n"
    )
    with pytest.raises(Exception, match="quote it: 3.10 unquoted"):
        load(config)
    config.write_text(
        "site_name: t\nplugins:\n  - snippet-runner:\n      pythons: some\n"
    )
    with pytest.raises(Exception, match="pythons"):
        load(config)


def test_a_preview_runs_on_the_build_python_whatever_is_required():
    settings = load().replace(require=("3.99",), pythons="build")
    assert settings.select_interpreters() == [HERE]


def test_the_jobs_option_sets_how_many_runs_go_at_once(monkeypatch):
    monkeypatch.setenv("SNIPPET_RUNNER_JOBS", "3")
    assert load().jobs == 3
    monkeypatch.delenv("SNIPPET_RUNNER_JOBS")
    assert load().jobs == 16 * (os.cpu_count() or 1)
