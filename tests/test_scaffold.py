"""`make new`: a snippet and a draft expectation from a real run; and the
contributing guide's promises about it and about the expectation format.

The scaffold writes files, so it runs in a throwaway copy of the project.
"""

import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, project
from snippet_runner import expectation as expect
from snippet_runner import scaffold
from snippet_runner.__main__ import examples_for
from snippet_runner.runner import discover_snippets

GUIDE = ROOT / "CONTRIBUTING.md"
TRICKY_LINES = [
    "a dict: {'ready': 4}",
    "...",
    "[any order]",
    "[end]",
    "---",
    "\\backslash first",
    "trailing spaces   ",
]


def runner(project, *args):
    """`python -m snippet_runner ...` in the project, as `make` runs it."""
    return subprocess.run(
        [sys.executable, "-m", "snippet_runner", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        env={"SNIPPET_RUNNER_CACHE": "off", "PATH": "/usr/bin:/bin"},
    )


def without_draft_line(path):
    text = path.read_text()
    assert len(re.findall(r"^draft: .+$", text, re.MULTILINE)) == 1
    path.write_text(re.sub(r"^draft: .*\n", "", text, flags=re.MULTILINE))


def test_new_makes_a_template_and_a_draft_that_fails_until_reviewed(
    project_copy,
):
    made = runner(project_copy, "new", "topic/first_try")
    assert made.returncode == 0, made.stderr
    assert "created snippets/topic/first_try.py from a template" in (
        made.stdout
    )
    assert "<!-- example: topic/first_try.py -->" in made.stdout
    snippet = project_copy / "snippets/topic/first_try.py"
    draft = snippet.with_suffix(".expect")
    assert snippet.read_text() == scaffold.TEMPLATE
    parsed = expect.load(draft).only
    assert parsed.draft == scaffold.DRAFT_NOTE
    assert parsed.exit_code == 0
    assert "printed the same" in draft.read_text()

    check = runner(project_copy, "check", "snippets/topic/first_try.py")
    assert check.returncode == 1
    assert (
        "snippets/topic/first_try.expect is a draft (drafted by make new "
        "from one real run, not reviewed yet): make it state only what the "
        "program guarantees, then delete its 'draft:' line" in check.stdout
    )

    without_draft_line(draft)  # what a reviewer does once it is general
    check = runner(project_copy, "check", "snippets/topic/first_try.py")
    assert check.returncode == 0, check.stdout
    assert "1 passed, 0 failed" in check.stdout


def test_the_draft_is_the_real_output_taken_literally(project_copy):
    snippet = project_copy / "snippets/topic/tricky.py"
    snippet.parent.mkdir()
    snippet.write_text(
        "import sys\n\n"
        'if __name__ == "__main__":\n'
        f"    for line in {TRICKY_LINES!r}:\n"
        "        print(line)\n"
        "    sys.exit(3)\n"
    )
    made = runner(project_copy, "new", "snippets/topic/tricky.py")
    assert made.returncode == 0, made.stderr
    assert "kept    snippets/topic/tricky.py (already there)" in made.stdout
    draft = snippet.with_suffix(".expect")
    assert draft.read_text().split("---\n", 1)[1].splitlines() == [
        "a dict: {{'ready': 4}}",
        "\\...",
        "\\[any order]",
        "\\[end]",
        "\\---",
        "\\\\backslash first",
        "trailing spaces",
    ]
    assert expect.load(draft).only.exit_code == 3
    without_draft_line(draft)
    check = runner(project_copy, "check", "snippets/topic/tricky.py")
    assert check.returncode == 0, check.stdout


def test_the_draft_names_the_lines_that_varied(project_copy):
    snippet = project_copy / "snippets/topic/varies.py"
    snippet.parent.mkdir()
    snippet.write_text(
        "import os\n\n"
        'if __name__ == "__main__":\n'
        '    print("always the same")\n'
        '    print(f"process {os.getpid()}")\n'
        '    print("the end")\n'
    )
    made = runner(project_copy, "new", "topic/varies")
    assert made.returncode == 0, made.stderr
    assert (
        "# A second run at the same time changed output line(s) 2.\n"
        in snippet.with_suffix(".expect").read_text()
    )


def test_a_draft_is_redrafted_but_a_reviewed_expectation_is_kept(
    project_copy,
):
    snippet = project_copy / "snippets/topic/again.py"
    assert runner(project_copy, "new", "topic/again").returncode == 0
    snippet.write_text('if __name__ == "__main__":\n    print("rewritten")\n')
    made = runner(project_copy, "new", "topic/again")
    assert made.returncode == 0, made.stderr
    assert "redrafted snippets/topic/again.expect" in made.stdout
    draft = snippet.with_suffix(".expect")
    assert draft.read_text().endswith("---\nrewritten\n")

    without_draft_line(draft)
    reviewed = draft.read_text()
    made = runner(project_copy, "new", "topic/again")
    assert made.returncode == 1
    assert (
        "new: snippets/topic/again.expect exists and is no draft, so it is "
        "left alone" in made.stderr
    )
    assert draft.read_text() == reviewed


def test_a_run_with_arguments_gets_its_own_draft(project_copy):
    snippet = project_copy / "snippets/topic/argued.py"
    snippet.parent.mkdir()
    snippet.write_text(
        "import sys\n\n"
        'if __name__ == "__main__":\n'
        '    print("argument:", sys.argv[1])\n'
    )
    made = runner(project_copy, "new", "topic/argued", "spawn")
    assert made.returncode == 0, made.stderr
    assert "<!-- example: topic/argued.py spawn -->" in made.stdout
    draft = project_copy / "snippets/topic/argued.spawn.expect"
    assert draft.read_text().endswith("---\nargument: spawn\n")


@pytest.mark.parametrize(
    "name",
    ["first_try", "Topic/name", "topic/sub/name", "_helpers/x", "t/_x"],
)
def test_a_bad_name_is_refused_with_the_form_it_needs(project_copy, name):
    made = runner(project_copy, "new", name)
    assert made.returncode == 1
    assert "NAME must look like topic/name" in made.stderr
    assert not list((project_copy / "snippets").glob("**/_x.py"))


def test_make_new_without_a_name_says_how_to_use_it(tmp_path):
    # A copy of the Makefile with an up-to-date .venv stand-in, so that
    # make does not install anything first.
    shutil.copy(ROOT / "Makefile", tmp_path)
    (tmp_path / "requirements.txt").touch()
    (tmp_path / "pyproject.toml").touch()
    (tmp_path / ".venv").mkdir()
    installed = tmp_path / ".venv/.installed"
    installed.touch()
    later = (tmp_path / "requirements.txt").stat().st_mtime + 10
    os.utime(installed, (later, later))
    made = subprocess.run(
        ["make", "--no-print-directory", "new"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode != 0
    assert "usage: make new NAME=topic/name" in made.stderr


def test_the_template_is_a_clean_snippet(tmp_path):
    path = tmp_path / "template.py"
    path.write_text(scaffold.TEMPLATE)
    assert max(len(line) for line in scaffold.TEMPLATE.splitlines()) <= 79
    assert 'if __name__ == "__main__":' in scaffold.TEMPLATE
    config = ["--config", str(ROOT / "pyproject.toml")]
    for command in (["check"], ["format", "--check"]):
        lint = subprocess.run(
            [sys.executable, "-m", "ruff", *command, *config, str(path)],
            capture_output=True,
            text=True,
        )
        assert lint.returncode == 0, lint.stdout + lint.stderr


def test_no_snippet_still_holds_the_template():
    left = [
        str(path.relative_to(ROOT))
        for path in discover_snippets(project().snippets_dir)
        if scaffold.TEMPLATE_MARK in path.read_text(encoding="utf-8")
    ]
    assert left == [], (
        f"replace the template ({scaffold.TEMPLATE_MARK}) in these snippets "
        "with your example"
    )


# The contributing guide


def fenced_blocks(text: str, title: str) -> list[str]:
    pattern = rf'^```text title="{title}"\n(.*?)^```$'
    return re.findall(pattern, text, re.MULTILINE | re.DOTALL)


def test_each_format_example_in_the_guide_fits_its_printed_lines():
    guide = GUIDE.read_text(encoding="utf-8")
    printed = fenced_blocks(guide, "printed")
    expectations = fenced_blocks(guide, "expectation")
    assert len(printed) == len(expectations) == 6
    for number, (output, text) in enumerate(
        zip(printed, expectations, strict=True)
    ):
        parsed = expect.parse(text, f"example {number + 1}").only
        assert expect.mismatch(parsed, output) is None, text
        # Each would fail if the printed lines were different.
        assert expect.mismatch(parsed, output + "one more line\n")
    used = "\n".join(expectations)
    for construct in [*map("{{{}}}".format, expect.PLACEHOLDERS), "{{"]:
        assert construct in used, construct
    for construct in ["...", "[any order]", "[end]", "\\"]:
        assert construct in used, construct


def test_each_version_example_in_the_guide_fits_only_its_case():
    guide = GUIDE.read_text(encoding="utf-8")
    pattern = (
        r'^```text title="(expectation with versions|printed by CPython '
        r'(3\.\d+))"\n(.*?)^```$'
    )
    blocks = re.findall(pattern, guide, re.MULTILINE | re.DOTALL)
    assert blocks[0][0] == "expectation with versions"
    checked = 0
    for title, version, text in blocks:
        if not version:
            parsed = expect.parse(text, title)
            assert len(parsed.cases) == 2
            continue
        release = tuple(map(int, version.split(".")))
        (case,) = parsed.cases_for((*release, 0))
        (other,) = [c for c in parsed.cases if c is not case]
        assert expect.mismatch(case, text) is None, (version, text)
        assert expect.mismatch(other, text), "scoping must matter"
        checked += 1
    assert checked == 4


def test_each_system_example_in_the_guide_fits_only_its_case():
    guide = GUIDE.read_text(encoding="utf-8")
    (text,) = fenced_blocks(guide, "expectation with systems")
    parsed = expect.parse(text, "expectation with systems")
    assert len(parsed.cases) == 2
    checked = 0
    for system in ("linux", "windows"):
        (printed,) = fenced_blocks(guide, f"printed on {system}")
        (case,) = parsed.cases_for((3, 12, 0), system)
        (other,) = [c for c in parsed.cases if c is not case]
        assert expect.mismatch(case, printed) is None, (system, printed)
        assert expect.mismatch(other, printed), "scoping must matter"
        checked += 1
    assert checked == 2


def test_the_guide_is_a_site_page_that_includes_it_not_a_copy():
    page = (ROOT / "docs/contributing.md").read_text(encoding="utf-8")
    assert re.search(r'^--8<-- "CONTRIBUTING.md"$', page, re.MULTILINE)
    assert "make new" not in page
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "- Contributing: contributing.md" in nav


def test_the_guide_documents_every_header_key():
    guide = GUIDE.read_text(encoding="utf-8")
    for key in expect.KINDS:
        assert f"| `{key}: " in guide, key


def test_checking_a_helper_module_checks_the_examples_of_its_folder(
    tmp_path,
):
    topic = tmp_path / "topic"
    topic.mkdir()
    (topic / "_helper.py").write_text("VALUE = 1\n")
    for name in ("first", "second"):
        (topic / f"{name}.py").write_text("import _helper\n")
        (topic / f"{name}.expect").write_text("exit: 0\n---\n")
    (topic / "second.spawn.expect").write_text("exit: 0\n---\n")
    site = project().replace(root=tmp_path, snippets_dir=tmp_path)
    runs = examples_for([str(topic / "_helper.py")], site)
    assert sorted(str(run) for run in runs) == [
        "topic/first.py",
        "topic/second.py",
        "topic/second.py spawn",
    ]
