"""The expectation format: each construct, and each malformed file."""

import pytest

from snippet_runner.expectation import ExpectationError, mismatch, parse


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
