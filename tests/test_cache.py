"""The run cache: reused only when nothing that could change a run has."""

import dataclasses
import json
import re
import subprocess
import sys
import textwrap

from conftest import build_site, interpreters, one_page_site
from snippet_runner import cache
from snippet_runner.interpreters import build_interpreter


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def test_key_covers_everything_a_run_depends_on(tmp_path):
    snippet = write(tmp_path / "t/main.py", "import _helper\nimport os\n")
    helper = write(tmp_path / "t/_helper.py", "import _deeper\nX = 1\n")
    deeper = write(tmp_path / "t/_deeper.py", "Y = 1\n")
    expect = write(tmp_path / "t/main.expect", "exit: 0\n---\n")
    assert cache.local_modules(snippet) == [deeper, helper]

    here = build_interpreter()
    other = dataclasses.replace(here, path="/elsewhere/python3")
    rebuilt = dataclasses.replace(here, build=here.build + " (rebuilt)")

    def key(args=(), interpreter=here):
        digest = cache.example_digest(snippet, args, expect, tmp_path)
        return cache.RunCache(tmp_path / "cache").key(digest, interpreter)

    keys = [key(), key(("spawn",)), key(interpreter=other)]
    keys.append(key(interpreter=rebuilt))
    for path in (snippet, helper, deeper, expect):
        path.write_text(path.read_text() + "# changed\n")
        keys.append(key())
    assert len(set(keys)) == len(keys)
    assert key() == keys[-1]  # and nothing else moves it


def check_in_copy(project, reference):
    """check_examples in a copy of the project, as a build there would,
    on the build's Python."""
    code = (
        "import json\n"
        "from snippet_runner.interpreters import build_interpreter\n"
        "from snippet_runner.runner import Example, check_examples\n"
        "from snippet_runner.settings import load\n"
        "project = load('mkdocs.yml')\n"
        f"example = Example.from_reference({reference!r}, project)\n"
        "found = check_examples([example], [build_interpreter()], project)\n"
        "outcome = found[example]\n"
        "print(json.dumps([outcome.ok, outcome.from_cache]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def test_changed_module_or_expectation_reruns_the_snippet(project_copy):
    topic = project_copy / "snippets/cached"
    write(topic / "_words.py", "WORD = 'first'\n")
    write(
        topic / "uses_module.py",
        """\
        import _words

        if __name__ == "__main__":
            print(_words.WORD)
        """,
    )
    expect = write(topic / "uses_module.expect", "exit: 0\n---\nfirst\n")
    reference = "cached/uses_module.py"
    assert check_in_copy(project_copy, reference) == [True, False]
    assert check_in_copy(project_copy, reference) == [True, True]
    # A changed module runs again, and here its new output is caught.
    write(topic / "_words.py", "WORD = 'second'\n")
    assert check_in_copy(project_copy, reference) == [False, False]
    expect.write_text("exit: 0\n---\nsecond\n")
    assert check_in_copy(project_copy, reference) == [True, False]
    assert check_in_copy(project_copy, reference) == [True, True]
    expect.write_text("# reviewed\nexit: 0\n---\nsecond\n")
    assert check_in_copy(project_copy, reference) == [True, False]


def test_rebuild_runs_only_the_edited_snippet(project_copy):
    one_page_site(project_copy, "event.md")  # flag_states.py and two more
    first = build_site(project_copy, project_copy / "site")
    assert first.returncode == 0, first.stdout
    snippet = project_copy / "snippets/event_basics/flag_states.py"
    snippet.write_text(snippet.read_text() + "# edited\n")
    second = build_site(project_copy, project_copy / "site")
    assert second.returncode == 0, second.stdout
    # One example, on each interpreter of the build.
    (total,) = re.findall(r"ran \d+ of (\d+) example runs", first.stdout)
    total, versions = int(total), len(interpreters())
    assert (
        f"ran {versions} of {total} example runs "
        f"({total - versions} from the cache)"
    ) in second.stdout
