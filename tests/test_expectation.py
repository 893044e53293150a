"""The expectation format: each construct, and each malformed file."""

import pytest

from snippet_runner import expectation
from snippet_runner.expectation import ExpectationError, Versions, mismatch


def parse(text, name):
    """A file of one case, as most are."""
    return expectation.parse(text, name).only


def fits(body, output, header="exit: 0"):
    expected = parse(f"{header}\n---\n{body}", "x.expect")
    return mismatch(expected, output) is None


def test_header():
    expected = parse("# why\n\nexit: 1\ntimeout: 2.5\n---\nhi\n", "x.expect")
    assert (expected.exit_code, expected.timeout) == (1, 2.5)
    assert parse("exit: 0\n---\n", "x.expect").timeout == 20


def test_literal_lines_match_whole_output_in_order():
    assert fits("a\nb", "a\nb\n")
    assert fits("a\nb", "a  \nb\n\n")  # trailing spaces and blank lines
    assert not fits("a\nb", "b\na\n")
    assert not fits("a", "a\nb\n")  # more output than expected
    assert not fits("a\nb", "a\n")  # less
    assert not fits("a", "xa\n")


@pytest.mark.parametrize(
    "pattern, good, bad",
    [
        ("n={int}", ["n=3", "n=-12"], ["n=", "n=1.5", "n=x"]),
        ("v={float}", ["v=0.25", "v=1e-05", "v=3."], ["v=3", "v=x"]),
        ("at {hex}", ["at 0x7f3a", "at ff"], ["at 0xZZ"]),
        ("w {word}!", ["w x!", "w <a>!"], ["w a b!", "w !"]),
        ("t {text}", ["t anything at all"], ["t "]),
        ("{{int}} {{", ["{int} {"], ["3 {"]),
        ("\\...", ["..."], ["x"]),
    ],
)
def test_placeholders_and_escapes(pattern, good, bad):
    for line in good:
        assert fits(pattern, line), line
    for line in bad:
        assert not fits(pattern, line), line


def test_any_lines():
    body = "start\n...\nend"
    assert fits(body, "start\nend")
    assert fits(body, "start\nx\ny\nend")
    assert not fits(body, "start\nx")


def test_any_order_block():
    body = "[any order]\nw {int}\nw 0\n[end]\ndone"
    assert fits(body, "w 0\nw 1\ndone")
    assert fits(body, "w 1\nw 0\ndone")  # needs w 0 -> second pattern
    assert not fits(body, "w 1\nw 2\ndone")  # nobody printed w 0
    assert not fits(body, "w 0\ndone\nw 1")  # order across the block


def test_mismatch_report_points_at_the_line():
    expected = parse("exit: 0\n---\na\nb {int}\nc", "x.expect")
    report = mismatch(expected, "a\nb z\nc\n")
    assert report.splitlines()[:2] == [
        "first difference at x.expect:4",
        "  expected 'b {int}', output line 2: 'b z'",
    ]
    report = mismatch(expected, "a\nb 1\nc\nd\n")
    assert report.splitlines()[:2] == [
        "first difference at x.expect: the expectation ends",
        "  output line 4 is more: 'd'",
    ]


@pytest.mark.parametrize(
    "text, message",
    [
        ("exit: 0\nhello\n", "x.expect: no '---' line"),
        ("---\nhello\n", "x.expect: the header has no 'exit: N' line"),
        ("exit: zero\n---\n", "x.expect:1: 'exit' must be an integer"),
        ("exit: 0\ntimeout: -1\n---\n", "x.expect:2: 'timeout' must be"),
        ("exit: 0\nretries: 3\n---\n", "x.expect:2: unknown key 'retries'"),
        ("exit: 0\nexit: 1\n---\n", "x.expect:2: 'exit' given twice"),
        ("exit: 0\nnonsense\n---\n", "x.expect:2: expected 'key: value'"),
        ("exit: 0\n---\n{number}\n", "x.expect:3: unknown placeholder"),
        ("exit: 0\n---\n[any order]\na\n", "x.expect:3: [any order] is nev"),
        ("exit: 0\n---\na\n[end]\n", "x.expect:4: [end] without"),
        ("exit: 0\n---\n[any order]\n[end]\n", "x.expect:4: empty"),
        ("exit: 0\n---\n[any order]\n...\n[end]\n", "x.expect:4: '...'"),
    ],
)
def test_malformed_expectations_say_where(text, message):
    with pytest.raises(ExpectationError) as error:
        parse(text, "x.expect")
    assert str(error.value).startswith(message)


# Cases scoped by Python version

TWO_CASES = """\
exit: 0
---
new
===
# 3.9 and 3.10 print the old line.
python: 3.9-3.10
why: It changed in 3.11.
exit: 1
---
old
"""


def test_each_version_is_judged_by_its_case():
    cases = expectation.parse(TWO_CASES, "x.expect")
    for release, exit_code in [
        ((3, 9, 18), 1),
        ((3, 10, 0), 1),
        ((3, 11, 7), 0),
        ((3, 14, 0), 0),
    ]:
        (case,) = cases.cases_for(release)
        assert case.exit_code == exit_code, release
    old = cases.cases_for((3, 9, 1))[0]
    assert (old.lineno, old.why, old.python.text) == (
        5,
        "It changed in 3.11.",
        "3.9-3.10",
    )
    assert mismatch(old, "old\n") is None
    assert "x.expect:10" in mismatch(old, "new\n")  # its own line numbers


@pytest.mark.parametrize(
    "versions, inside, outside",
    [
        ("3.10", [(3, 10, 0), (3, 10, 13)], [(3, 9, 18), (3, 11, 0)]),
        ("3.11.5", [(3, 11, 5)], [(3, 11, 4), (3, 11, 6), (3, 12, 0)]),
        ("3.9-3.10", [(3, 9, 0), (3, 10, 99)], [(3, 8, 18), (3, 11, 0)]),
        (">= 3.11.5", [(3, 11, 5), (3, 14, 0)], [(3, 11, 4), (3, 10, 13)]),
        ("< 3.12", [(3, 11, 99), (3, 9, 0)], [(3, 12, 0), (3, 13, 1)]),
        ("3.9, >=3.13", [(3, 9, 18), (3, 14, 0)], [(3, 10, 0), (3, 12, 1)]),
    ],
)
def test_versions(versions, inside, outside):
    parsed = Versions.parse(versions)
    for release in inside:
        assert parsed.matches(release), (versions, release)
    for release in outside:
        assert not parsed.matches(release), (versions, release)


def test_a_scoped_case_knows_which_minor_versions_it_can_name():
    minors = [(3, minor) for minor in range(9, 15)]
    found = {
        text: [m for m in minors if Versions.parse(text).could_match_minor(m)]
        for text in ("3.11.5", ">= 3.11.5", "< 3.11", "3.9-3.10", "3.8")
    }
    assert found == {
        "3.11.5": [(3, 11)],
        ">= 3.11.5": [(3, 11), (3, 12), (3, 13), (3, 14)],
        "< 3.11": [(3, 9), (3, 10)],
        "3.9-3.10": [(3, 9), (3, 10)],
        "3.8": [],
    }


def test_the_default_case_judges_what_no_scoped_case_names():
    text = "exit: 0\n---\n===\npython: 3.9\nwhy: w\nexit: 1\n---\n"
    cases = expectation.parse(text, "x.expect")
    assert [c.exit_code for c in cases.cases_for((3, 9, 1))] == [1]
    assert [c.exit_code for c in cases.cases_for((3, 10, 1))] == [0]
    only_scoped = expectation.parse(text.split("===\n")[1], "x.expect")
    assert only_scoped.cases_for((3, 10, 1)) == []  # nothing covers it


# Cases scoped by system, in the same syntax

BY_SYSTEM = """\
exit: 0
---
works
===
platform: windows
why: Windows has no fork.
exit: 1
---
ValueError: cannot find context for 'fork'
===
platform: linux, macos
python: 3.9
why: An old message.
exit: 0
---
works, old
"""


def test_each_system_is_judged_by_its_case():
    cases = expectation.parse(BY_SYSTEM, "x.expect")
    judged = {
        (release, system): [
            case.lineno for case in cases.cases_for(release, system)
        ]
        for release in [(3, 9, 18), (3, 12, 1)]
        for system in ["linux", "macos", "windows"]
    }
    assert judged == {
        ((3, 9, 18), "linux"): [11],
        ((3, 9, 18), "macos"): [11],
        ((3, 9, 18), "windows"): [5],
        ((3, 12, 1), "linux"): [1],
        ((3, 12, 1), "macos"): [1],
        ((3, 12, 1), "windows"): [5],
    }
    windows = cases.cases_for((3, 12, 1), "windows")[0]
    assert windows.scope == "platform: windows"
    assert (
        mismatch(windows, "ValueError: cannot find context for 'fork'") is None
    )
    assert "x.expect:9" in mismatch(windows, "works\n")


def test_two_scoped_cases_may_name_the_same_run():
    # python: 3.9 on every system, platform: windows on every version: a
    # Windows 3.9 run is named by both, which the runner reports.
    text = (
        "exit: 0\n---\n===\npython: 3.9\nwhy: w\nexit: 1\n---\n"
        "===\nplatform: windows\nwhy: w\nexit: 2\n---\n"
    )
    cases = expectation.parse(text, "x.expect")
    assert [c.exit_code for c in cases.cases_for((3, 9, 1), "windows")] == [
        1,
        2,
    ]
    assert [c.exit_code for c in cases.cases_for((3, 9, 1), "linux")] == [1]


def test_needs_marks_an_example_for_the_build_python_only():
    text = "needs: dask, distributed\nexit: 0\n---\n"
    assert expectation.parse(text, "x.expect").needs == (
        "dask",
        "distributed",
    )


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "python: 3.9\nexit: 0\n---\n",
            "x.expect:1: a case with 'python:' or 'platform:' needs a 'why:'",
        ),
        (
            "platform: windows\nexit: 0\n---\n",
            "x.expect:1: a case with 'python:' or 'platform:' needs a 'why:'",
        ),
        ("why: w\nexit: 0\n---\n", "x.expect:1: a case with 'python:'"),
        (
            "platform: win32\nwhy: w\nexit: 0\n---\n",
            "x.expect:1: 'platform' must be systems among linux, macos, "
            "windows, got 'win32'",
        ),
        (
            "python: 3.x\nwhy: w\nexit: 0\n---\n",
            "x.expect:1: 'python' must be versions like",
        ),
        (
            "python: 3.10-3.9\nwhy: w\nexit: 0\n---\n",
            "x.expect:1: 'python' must be versions like",
        ),
        (
            "exit: 0\n---\n===\nexit: 1\n---\n",
            "x.expect:4: only one case may leave out both 'python:' and "
            "'platform:'",
        ),
        (
            "exit: 0\n---\n===\nneeds: dask\npython: 3.9\nwhy: w\nexit: 0"
            "\n---\n",
            "x.expect:4: 'needs:' belongs in the first case",
        ),
        (
            "exit: 0\n---\n===\npython: 3.9\nwhy: w\n",
            "x.expect:4: no '---' line",
        ),
    ],
)
def test_malformed_cases_say_where(text, message):
    with pytest.raises(ExpectationError) as error:
        expectation.parse(text, "x.expect")
    assert str(error.value).startswith(message)


def test_a_file_of_several_cases_is_not_one_case():
    with pytest.raises(ExpectationError, match="must have one case"):
        assert expectation.parse(TWO_CASES, "x.expect").only
