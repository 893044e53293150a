"""The cost page's chart and table, drawn from this build's real runs.

The snippets under snippets/cost/ print their figures as lines like

    one is_set() call, microseconds (501 rounds)
    kind                     p10 / median / p90
    threading.Event          0.030 / 0.031 / 0.032

`parse` reads them back (and raises if the output has no such table, so
a strict build fails rather than drawing nothing), `figures_table` makes
the Markdown table and `chart_svg` the chart: an inline SVG whose text and
axes are drawn in `currentColor`, on a transparent background, so it
follows the page's light or dark scheme, with a <title> and <desc> that
give its figures to screen readers.
"""

from __future__ import annotations

import hashlib
import html
import io
import math
import os
import platform
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from snippet_runner import cache, pages
from tables import markdown_text

# The cost page's runs, in the order the page shows them.
IS_SET = "cost/is_set_cost.py"
WAKEUP = "cost/wakeup_latency.py"
PER_TASK = "cost/per_task_cost.py"
RUNS = (IS_SET, WAKEUP, PER_TASK)

TITLE = re.compile(r"(?P<what>.+), (?P<unit>\w+) \((?P<rounds>\d+) rounds\)")
HEADER = re.compile(r"kind +p10 / median / p90")
NUMBER = r"\d+(?:\.\d+)?"
ROW = re.compile(
    rf"(?P<kind>\S.*?) {{2,}}(?P<p10>{NUMBER}) / (?P<median>{NUMBER}) / "
    rf"(?P<p90>{NUMBER})"
)
# Drawn in this colour, then replaced by currentColor in the SVG text: no
# figure drawn here uses it for anything else.
INK = "#010203"
# Bar colours that keep a 3:1 contrast on Material's white and slate
# backgrounds alike; one per kind, in the snippets' order.
COLOURS = ("#8a8a8a", "#3d7fd6", "#e0662f", "#b04fc7")


class ChartError(Exception):
    """A cost snippet's output does not hold the figures a page needs."""


@dataclass(frozen=True)
class Row:
    kind: str
    p10: float
    median: float
    p90: float


@dataclass(frozen=True)
class Measurement:
    what: str  # "one is_set() call"
    unit: str  # "microseconds"
    rounds: int
    rows: tuple[Row, ...]

    def row(self, kind: str) -> Row:
        for row in self.rows:
            if row.kind == kind:
                return row
        raise ChartError(f"no row for {kind!r} in {self.what!r}")


def parse(output: str) -> Measurement:
    """The figures table at the start of a cost snippet's output."""
    lines = output.splitlines()
    title = TITLE.fullmatch(lines[0].strip()) if lines else None
    if title is None or len(lines) < 2 or not HEADER.fullmatch(lines[1]):
        raise ChartError(
            "expected a title like 'what, unit (N rounds)' and a "
            f"'kind p10 / median / p90' header, got {lines[:2]!r}"
        )
    rows = []
    for line in lines[2:]:
        match = ROW.fullmatch(line.rstrip())
        if match is None:
            break
        row = Row(
            match["kind"],
            float(match["p10"]),
            float(match["median"]),
            float(match["p90"]),
        )
        if not row.p10 <= row.median <= row.p90:
            raise ChartError(f"percentiles out of order in {line!r}")
        rows.append(row)
    if not rows:
        raise ChartError(f"no figures under the header: {lines[2:4]!r}")
    return Measurement(
        title["what"], title["unit"], int(title["rounds"]), tuple(rows)
    )


def _short(value: float) -> str:
    """Three significant figures, or whole numbers: 0.0305, 0.391, 38.9,
    107, 1523."""
    if value >= 100:
        return f"{value:.0f}"
    return f"{value:#.3g}".rstrip(".")


def figures_table(
    measurements: Sequence[Measurement], first: str = "Event"
) -> str:
    """A Markdown table: a row per kind, a column group per measurement;
    `first` heads the column of kinds."""
    kinds = [row.kind for row in measurements[0].rows]
    unit = "µs"
    headers = [first]
    for measurement in measurements:
        if measurement.unit != "microseconds":
            raise ChartError(f"unit {measurement.unit!r} is not supported")
        headers.append(f"{measurement.what}, median ({unit})")
        headers.append("p10 – p90")
    lines = [
        "| " + " | ".join(headers) + " |",
        "| --- |" + " ---: |" * (len(headers) - 1),
    ]
    for kind in kinds:
        # Event classes as code; descriptions of tasks as text.
        cells = [f"`{kind}`" if first == "Event" else markdown_text(kind)]
        for measurement in measurements:
            row = measurement.row(kind)
            cells.append(_short(row.median))
            cells.append(f"{_short(row.p10)} – {_short(row.p90)}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def description(measurements: Sequence[Measurement]) -> str:
    """The chart's figures in a sentence, for its <desc>."""
    parts = []
    for measurement in measurements:
        figures = ", ".join(
            f"{row.kind} {_short(row.median)} µs" for row in measurement.rows
        )
        parts.append(f"{measurement.what}, median: {figures}.")
    return " ".join(parts)


def _panel(axes, measurement: Measurement, log: bool) -> None:
    rows = measurement.rows[::-1]  # first kind at the top
    positions = range(len(rows))
    medians = [row.median for row in rows]
    spread = [
        [row.median - row.p10 for row in rows],
        [row.p90 - row.median for row in rows],
    ]
    axes.barh(
        positions,
        medians,
        xerr=spread,
        color=COLOURS[: len(rows)][::-1],
        height=0.6,
        error_kw={"ecolor": INK, "capsize": 3, "linewidth": 1},
    )
    # Long kinds on two lines: the bars keep most of a narrow chart.
    labels = [
        textwrap.fill(row.kind, 18, break_long_words=False) for row in rows
    ]
    axes.set_yticks(list(positions), labels)
    if log:
        from matplotlib.ticker import FuncFormatter

        axes.set_xscale("log")
        # 0.1, 1, 10 rather than powers of ten: read at a glance.
        axes.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    else:
        axes.set_xlim(0, max(row.p90 for row in rows) * 1.6)
    for position, row in zip(positions, rows, strict=True):
        axes.annotate(
            f"{_short(row.median)} µs",
            (row.p90, position),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            color=INK,
        )
    scale = ", log scale" if log else ""
    axes.set_title(
        f"{measurement.what}:\nmedian, whiskers p10 – p90",
        loc="left",
        color=INK,
    )
    axes.set_xlabel(f"microseconds{scale}", color=INK)
    axes.tick_params(colors=INK, which="both")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(INK)
    axes.patch.set_alpha(0)
    if log:
        axes.set_xlim(right=axes.get_xlim()[1] * 12)  # room for the labels


def chart_svg(
    measurements: Sequence[Measurement], log: Sequence[bool], title: str
) -> str:
    """One horizontal bar panel per measurement, as inline SVG markup.

    Drawing costs more than a warm build's everything else (importing
    matplotlib alone is most of a second), so the markup is kept in the run
    cache under a key of everything it is made from.
    """
    digest = hashlib.sha256()
    for part in (
        repr((list(measurements), list(log), title)),
        Path(__file__).read_text(encoding="utf-8"),
        metadata.version("matplotlib"),
    ):
        digest.update(part.encode() + b"\0")
    build = pages.ExampleBuild.current  # none: drawn, not kept (a test)
    if build is None or not cache.enabled():
        return _draw_svg(measurements, log, title)
    stored = build.project.cache_dir / "charts" / f"{digest.hexdigest()}.svg"
    if stored.is_file():
        return stored.read_text(encoding="utf-8")
    svg = _draw_svg(measurements, log, title)
    stored.parent.mkdir(parents=True, exist_ok=True)
    partial = stored.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(svg, encoding="utf-8")
    partial.replace(stored)
    return svg


def _draw_svg(
    measurements: Sequence[Measurement], log: Sequence[bool], title: str
) -> str:
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    style = {
        "svg.fonttype": "none",  # real text: the page's font and colour
        "svg.hashsalt": "pool-events-cost",  # the same ids on every build
        # Narrow, with large type: the chart scales to the column, and its
        # text must stay 11 px tall or more on a 390 px phone (a 10 inch
        # figure's 11 pt labels came out 5.5 px there).
        "font.size": 13,
        "font.family": "sans-serif",
    }
    with rc_context(style):
        figure = Figure(figsize=(5.5, 3 * len(measurements)))
        figure.patch.set_alpha(0)
        panels = figure.subplots(len(measurements), 1, squeeze=False)
        for axes, measurement, scale in zip(
            panels[:, 0], measurements, log, strict=True
        ):
            _panel(axes, measurement, scale)
        figure.tight_layout()
        buffer = io.StringIO()
        # No metadata block: no date, so the same figures give the same
        # markup, and no RDF, which is not valid in an HTML page.
        none = dict.fromkeys(["Date", "Creator", "Format", "Type"])
        figure.savefig(buffer, format="svg", transparent=True, metadata=none)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # no XML declaration or doctype
    svg = svg.replace(INK, "currentColor")
    # Scales with the page: the viewBox stays, the fixed size goes.
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", svg)
    accessible = (
        '<svg role="img" aria-labelledby="cost-chart-title cost-chart-desc" '
        'class="cost-chart"'
    )
    svg = svg.replace("<svg", accessible, 1)
    head = (
        f'<title id="cost-chart-title">{html.escape(title)}</title>'
        f'<desc id="cost-chart-desc">'
        f"{html.escape(description(measurements))}</desc>"
    )
    opening = svg.index(">", svg.index("<svg")) + 1
    return svg[:opening] + head + svg[opening:]


def measurements(outcomes: Callable[..., list]) -> list[Measurement]:
    """This build's cost figures, one per run in RUNS; `outcomes` is
    pages.outcomes."""
    return [
        parse(outcome.primary.result.output) for outcome in outcomes(*RUNS)
    ]


def cost_chart(outcomes: Callable[..., list]) -> str:
    return chart_svg(
        measurements(outcomes),
        log=(True, False, True),
        title=(
            "What an Event costs in this build: one is_set() call, "
            "wake-up latency and each pool task, for threading.Event, "
            "multiprocessing.Event and a Manager().Event() proxy"
        ),
    )


def cost_table(outcomes: Callable[..., list]) -> str:
    """The is_set() and wake-up figures, side by side."""
    is_set, wakeup, _ = measurements(outcomes)
    return figures_table([is_set, wakeup])


def per_task_table(outcomes: Callable[..., list]) -> str:
    _, _, per_task = measurements(outcomes)
    return figures_table([per_task], first="Each task checks")


def machine() -> str:
    """The processor and how many cores, as the build machine reports."""
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                model = " ".join(value.split())
                break
    return f"{model}, {os.cpu_count()} logical cores"


def provenance(outcomes: Callable[..., list]) -> str:
    """Which machine, Python and time produced this build's figures, as a
    Markdown list."""
    found = outcomes(*RUNS)
    pythons = sorted(
        {
            f"{o.primary.result.python} on {o.primary.result.platform}"
            for o in found
        }
    )
    lines = [
        f"- Machine: {markdown_text(machine())}",
        f"- Python: {markdown_text(', '.join(pythons))}",
    ]
    for reference, outcome in zip(RUNS, found, strict=True):
        when = markdown_text(outcome.primary.result.finished_at)
        seconds = outcome.primary.result.seconds
        lines.append(f"- `{reference}` finished {when}, after {seconds:.1f} s")
    return "\n".join(lines)


def polling_table(
    is_set: Measurement, work: Sequence[float] = (1, 10, 100, 1000)
) -> str:
    """What checking the event on every loop iteration adds, from the
    measured medians, and how often to check to keep the proxy's share
    under 1%. `work` is microseconds of real work per iteration."""
    plain = is_set.row("multiprocessing.Event").median
    proxy = is_set.row("Manager().Event() proxy").median
    lines = [
        "| Work per iteration | Checking a `multiprocessing.Event` every "
        "iteration adds | Checking the proxy every iteration adds | "
        "Check the proxy once every N iterations to add under 1% |",
        "| ---: | ---: | ---: | ---: |",
    ]
    for micros in work:
        every = max(1, math.ceil(proxy / (0.01 * micros)))
        lines.append(
            f"| {_duration(micros)} | {_percent(plain / micros)} | "
            f"{_percent(proxy / micros)} | N = {every:,} |"
        )
    return "\n".join(lines)


def _duration(micros: float) -> str:
    return f"{micros / 1000:g} ms" if micros >= 1000 else f"{micros:g} µs"


def _percent(fraction: float) -> str:
    return (
        f"{fraction * 100:,.0f}%"
        if fraction >= 1
        else (f"{fraction * 100:.2g}%")
    )


def findings(measurements: Sequence[Measurement]) -> str:
    """This build's ratios, proxy against a plain multiprocessing.Event,
    as a sentence for the page; `measurements`: is_set() and wake-up."""
    parts, ratios = [], {}
    for measurement in measurements:
        plain = measurement.row("multiprocessing.Event").median
        proxy = measurement.row("Manager().Event() proxy").median
        ratios[measurement.what] = proxy / plain
        parts.append(f"{measurement.what}: {_short(proxy / plain)}x")
    # The page says the proxy adds less, in proportion, to a wake-up than
    # to an is_set() call; a build where that is not so must not show it.
    if ratios["wake-up latency"] >= ratios["one is_set() call"]:
        raise ChartError(f"wake-up ratio not below is_set() ratio: {ratios}")
    return (
        "In this build, a `Manager().Event()` proxy against a plain "
        "`multiprocessing.Event`, comparing medians: "
        + "; ".join(markdown_text(part) for part in parts)
        + "."
    )


def per_task_findings(per_task: Measurement) -> str:
    """This build's per-task ratios, as a sentence for the page."""
    argument = per_task.row("Manager().Event() proxy as argument").median
    initargs = per_task.row("Manager().Event() proxy via initargs").median
    none = per_task.row("no event (the pool's own cost)").median
    return markdown_text(
        f"In this build, a task that received the proxy as its argument "
        f"took {_short(argument / initargs)} times as long as one that "
        f"checked the same proxy given through initargs, and "
        f"{_short(argument / none)} times as long as a task that checked "
        f"no event at all."
    )
