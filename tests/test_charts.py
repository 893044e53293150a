"""The cost page: figures parsed from the cost snippets, its chart (inline
SVG) and tables, and the built page drawing them from the runs it shows."""

import re
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup

import charts
from charts import ChartError, Measurement, Row
from snippet_runner import pages

# The shape the cost snippets print (see their .expect files); the figures
# are made up, chosen so that the tables below are easy to work out.
IS_SET_OUTPUT = """\
one is_set() call, microseconds (501 rounds)
kind                     p10 / median / p90
threading.Event          0.030 / 0.031 / 0.035
multiprocessing.Event    0.450 / 0.500 / 0.600
Manager().Event() proxy  40.000 / 50.000 / 75.500
proxy / multiprocessing.Event: 100x
proxy is_set() is at least 10x slower than ...: True
"""
WAKEUP_OUTPUT = """\
wake-up latency, microseconds (201 rounds)
kind                     p10 / median / p90
threading.Event          20.0 / 24.0 / 40.0
multiprocessing.Event    25.0 / 30.0 / 50.0
Manager().Event() proxy  80.0 / 105.0 / 150.0
fastest: ...
"""
PER_TASK_OUTPUT = """\
each pool task, microseconds (31 rounds)
kind                                  p10 / median / p90
no event (the pool's own cost)        10.0 / 20.0 / 40.0
multiprocessing.Event via initargs    12.0 / 25.0 / 45.0
Manager().Event() proxy via initargs  50.0 / 60.0 / 90.0
Manager().Event() proxy as argument   900.0 / 1500.0 / 3000.0
"""
KINDS = ["threading.Event", "multiprocessing.Event", "Manager().Event() proxy"]
TASK_KINDS = [
    "no event (the pool's own cost)",
    "multiprocessing.Event via initargs",
    "Manager().Event() proxy via initargs",
    "Manager().Event() proxy as argument",
]


def fake_outcomes(*references):
    output = {
        charts.IS_SET: IS_SET_OUTPUT,
        charts.WAKEUP: WAKEUP_OUTPUT,
        charts.PER_TASK: PER_TASK_OUTPUT,
    }
    return [
        SimpleNamespace(
            primary=SimpleNamespace(
                result=SimpleNamespace(
                    output=output[reference],
                    python="CPython 3.11.7",
                    platform="Linux x86_64",
                    finished_at="2026-01-02 03:04 UTC",
                    seconds=1.25,
                )
            )
        )
        for reference in references
    ]


def test_parse_reads_the_figures_table():
    measurement = charts.parse(IS_SET_OUTPUT)
    assert measurement == Measurement(
        "one is_set() call",
        "microseconds",
        501,
        (
            Row("threading.Event", 0.030, 0.031, 0.035),
            Row("multiprocessing.Event", 0.45, 0.5, 0.6),
            Row("Manager().Event() proxy", 40.0, 50.0, 75.5),
        ),
    )


@pytest.mark.parametrize(
    "output",
    [
        "",
        "Traceback (most recent call last):\n  ...\nTimeoutError\n",
        IS_SET_OUTPUT.replace("kind ", "sort "),  # no header
        "one is_set() call, microseconds (5 rounds)\n"
        "kind      p10 / median / p90\n",  # no figures
        IS_SET_OUTPUT.replace("0.450 / 0.500", "0.550 / 0.500"),  # order
    ],
    ids=["empty", "traceback", "no header", "no rows", "p10 above median"],
)
def test_output_without_a_figures_table_raises(output):
    with pytest.raises(ChartError):
        charts.parse(output)


def test_figures_table_has_a_row_per_kind():
    table = charts.cost_table(fake_outcomes)
    lines = table.splitlines()
    assert lines[0].startswith("| Event | one is_set() call, median (µs) |")
    assert lines[2:] == [
        "| `threading.Event` | 0.0310 | 0.0300 – 0.0350 | 24.0 | "
        "20.0 – 40.0 |",
        "| `multiprocessing.Event` | 0.500 | 0.450 – 0.600 | 30.0 | "
        "25.0 – 50.0 |",
        "| `Manager().Event() proxy` | 50.0 | 40.0 – 75.5 | 105 | "
        "80.0 – 150 |",
    ]


def test_polling_table_works_out_the_cost_from_the_medians():
    table = charts.polling_table(charts.parse(IS_SET_OUTPUT))
    rows = [line.split(" | ") for line in table.splitlines()[2:]]
    # 0.5 µs and 50 µs a check, against 1 µs, 10 µs, 100 µs, 1 ms of work;
    # N such that 50 µs / N stays under 1% of the work.
    assert [row[1:] for row in rows] == [
        ["50%", "5,000%", "N = 5,000 |"],
        ["5%", "500%", "N = 500 |"],
        ["0.5%", "50%", "N = 50 |"],
        ["0.05%", "5%", "N = 5 |"],
    ]


def test_findings_give_this_builds_ratios():
    is_set, wakeup, per_task = charts.measurements(fake_outcomes)
    text = charts.findings([is_set, wakeup])
    plain = BeautifulSoup(text, "html.parser").get_text()
    assert "one is_set() call: 100x; wake-up latency: 3.50x." in plain
    text = charts.per_task_findings(per_task)
    plain = BeautifulSoup(text, "html.parser").get_text()
    assert "as its argument took 25.0 times as long as one" in plain
    assert "and 75.0 times as long as a task that checked no" in plain


def test_findings_refuse_a_build_that_contradicts_the_page():
    is_set, wakeup, _ = charts.measurements(fake_outcomes)
    slow_wakeup = charts.parse(
        WAKEUP_OUTPUT.replace("80.0 / 105.0 / 150.0", "80.0 / 5000.0 / 6000.0")
    )
    with pytest.raises(ChartError, match="wake-up ratio"):
        charts.findings([is_set, slow_wakeup])


def test_per_task_table_has_a_row_per_kind_of_task():
    table = charts.per_task_table(fake_outcomes)
    lines = table.splitlines()
    assert lines[0] == (
        "| Each task checks | each pool task, median (µs) | p10 – p90 |"
    )
    kinds = [line.split(" | ")[0][2:] for line in lines[2:]]
    assert [BeautifulSoup(k, "html.parser").get_text() for k in kinds] == (
        TASK_KINDS
    )
    assert lines[-1].endswith(" | 1500 | 900 – 3000 |")


def test_provenance_names_machine_python_and_times():
    lines = charts.provenance(fake_outcomes).splitlines()
    assert lines[0].startswith("- Machine: ")
    assert "logical cores" in lines[0]
    assert "CPython 3" in BeautifulSoup(lines[1], "html.parser").get_text()
    assert len(lines) == 5


@pytest.fixture(scope="module")
def svg():
    markup = charts.cost_chart(fake_outcomes)
    return markup, BeautifulSoup(markup, "html.parser").svg


def test_chart_is_accessible_inline_svg(svg):
    markup, root = svg
    assert markup.startswith("<svg")  # no XML declaration, no doctype
    assert root["role"] == "img"
    title_id, desc_id = root["aria-labelledby"].split()
    assert "Manager().Event() proxy" in root.find(id=title_id).get_text()
    description = root.find(id=desc_id).get_text()
    for median in ("0.0310 µs", "0.500 µs", "50.0 µs", "105 µs", "1500 µs"):
        assert median in description


def test_chart_follows_the_page_colours(svg):
    markup, root = svg
    # Scales with the page instead of a fixed size.
    # (html.parser lowercases attribute names.)
    assert "viewbox" in root.attrs and "width" not in root.attrs
    # Text and axes take the page's text colour, light or dark.
    assert charts.INK not in markup
    assert "currentColor" in markup
    text_fills = re.findall(r"<text[^>]*fill: ?([^;\"]+)", markup)
    assert text_fills and set(text_fills) == {"currentColor"}
    # No opaque background behind the chart.
    assert not re.search(r"fill: ?#ffffff(?!00)", markup, re.IGNORECASE)
    # Real text (the page's font), and the medians written next to bars.
    labels = [text.get_text() for text in root.find_all("text")]
    # (A long label is on two lines, each a <text> of its own.)
    assert "Manager().Event() proxy" in " ".join(labels)
    assert "105 µs" in labels


def test_chart_is_the_same_for_the_same_figures(svg):
    markup, _ = svg
    assert charts.cost_chart(fake_outcomes) == markup


def test_this_machines_runs_give_figures(example_build):
    """The real cost snippets, through the runner (and its cache): their
    output fits their expectations and parses into three kinds each."""
    is_set, wakeup, per_task = charts.measurements(pages.outcomes)
    assert [row.kind for row in is_set.rows] == KINDS
    assert [row.kind for row in wakeup.rows] == KINDS
    assert [row.kind for row in per_task.rows] == TASK_KINDS


def test_built_page_draws_the_figures_of_the_runs_it_shows(site):
    site_dir, _ = site
    html = (site_dir / "cost/index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    shown = [
        charts.parse(block.select_one(".highlight code").get_text())
        for block in soup.select(".example-output")
    ]
    assert [m.what for m in shown] == [
        "one is_set() call",
        "wake-up latency",
        "each pool task",
    ]
    (chart,) = soup.select("svg.cost-chart")
    assert chart.find("desc").get_text() == charts.description(shown)
    table = soup.find(
        "th", string=re.compile("one is_set\\(\\) call, median")
    ).find_parent("table")
    cells = [
        [cell.get_text() for cell in row.find_all("td")]
        for row in table.find_all("tr")[1:]
    ]
    assert [row[0] for row in cells] == KINDS
    for row in cells:
        figures = [measurement.row(row[0]) for measurement in shown[:2]]
        assert row[1] == charts._short(figures[0].median)
        assert row[3] == charts._short(figures[1].median)
    # The times in the list are those of the runs shown on the page.
    times = [
        re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", line.get_text())[0]
        for line in soup.select(".example-provenance")
    ]
    listed = soup.find(string=re.compile("Machine: ")).find_parent("ul")
    for reference, when in zip(charts.RUNS, times, strict=True):
        assert f"{reference} finished {when}" in listed.get_text()
