"""Put snippets and their real output into the pages, at build time.

A page refers to an example with a line of its own (path below snippets/,
then any command-line arguments for the run):

    <!-- example: failures/get_reraises.py -->
    <!-- example: matrix/task_argument.py spawn -->

Before any page renders, every example of every page is run at once by the
runner, on every interpreter of the build, and judged against its
expectation; a wrong one is logged as an error, which fails a strict
build. Each reference then becomes two content tabs: "Source", included
from the file by pymdownx.snippets, with download links for it and the
modules it needs; and "Output", the captured text with what produced it
and the versions and systems it was checked on (results made on other
systems are merged in, see results.py). Where versions or systems behave
differently (different cases of the expectation judged them), each
behaviour gets its own output.

Why run them as programs rather than markdown-exec `python exec` blocks:
those run in the MkDocs process itself, where `__name__` is not
"__main__", only print() is captured, and nothing they define can be
pickled for a spawned worker.
Pool examples must run as the real programs a reader would run.

The output never passes through Markdown: the page holds a random token
that is swapped for escaped HTML after rendering, so output that looks like
HTML, Markdown, a snippet include or a template stays text.
"""

from __future__ import annotations

import html
import logging
import posixpath
import re
import secrets
import time
from pathlib import Path

import markdown
from mkdocs.structure.files import File

from . import cache, platforms, results, runner
from .interpreters import Interpreter, names
from .runner import (
    Example,
    ExampleOutcome,
    Outcome,
    check_examples,
)
from .settings import Project
from .untrusted import html_text, log_text, one_line, visible

log = logging.getLogger("mkdocs.plugins.snippet_runner")

DIRECTIVE = re.compile(r"<!-- example: (?P<reference>[^<>]+?) -->[ \t]*")
FENCE = re.compile(r"^[ \t]*(?P<mark>`{3,}|~{3,})")
# Material's search plugin leaves out of its index an element with this
# attribute (and removes the attribute from the page).
NOT_SEARCHED = ' data-search-exclude="true"'


def references(markdown: str) -> list[tuple[int, str]]:
    """(line index, reference) of each directive outside code fences."""
    found, fence = [], None
    for index, line in enumerate(markdown.splitlines()):
        mark = FENCE.match(line)
        if fence is None and mark:
            fence = mark.group("mark")
        elif fence is not None:
            if (
                mark
                and mark.group("mark").startswith(fence)
                and (line.strip() == mark.group("mark"))
            ):
                fence = None
        elif directive := DIRECTIVE.fullmatch(line):
            found.append((index, directive.group("reference")))
    return found


def escape_output(text: str) -> str:
    """A run's output as HTML text (controls, ANSI escapes among them,
    shown as visible symbols)."""
    return html.escape(visible(text), quote=False)


def provenance(outcome: Outcome) -> str:
    """What produced one run's output, as the line under it says. Every
    field is escaped: a snippet can write its own start methods, and a
    result file every field."""
    result = outcome.result
    methods = ", ".join(result.start_methods) or "none (no child process)"
    if result.timed_out:
        ending = f"killed after {result.timeout:g} s"
    else:
        ending = f"exit code {result.exit_code}"
    elsewhere = ""
    if outcome.made_elsewhere:
        elsewhere = " · produced elsewhere, merged from its result file"
    fields = [
        f"<code>{html_text(' '.join(result.command))}</code>",
        html_text(ending),
        html_text(f"{result.seconds:.1f} s"),
        f"{html_text(result.python)} on {html_text(result.platform)}",
        f"start method: {html_text(methods)}",
        html_text(result.buffering),
        html_text(result.finished_at) + elsewhere,
    ]
    return " · ".join(fields)


def cut_html(result) -> str:
    """Under an output that was cut: how much of it is shown."""
    if not result.cut:
        return ""
    kept = len(result.output.encode("utf-8"))
    return (
        f'<p class="example-cut"{NOT_SEARCHED}>Output cut: the first '
        f"{kept:,} bytes of {kept + result.cut:,} are shown (the runner "
        "keeps at most its <code>max_output</code>).</p>"
    )


def where_html(runs: list[Outcome]) -> str:
    """'CPython 3.9.18 and 3.13.0 on Linux', or with several systems
    'Linux (CPython 3.9.18 and 3.13.0) and Windows (CPython 3.12.7)'."""
    by_platform: dict[str, list[Interpreter]] = {}
    for outcome in runs:
        by_platform.setdefault(outcome.run.platform, []).append(
            outcome.run.interpreter
        )
    order = platforms.ordered(by_platform)
    if len(order) == 1:
        (system,) = order
        return html.escape(
            f"{names(by_platform[system])} on {platforms.title(system)}"
        )
    parts = [
        f"{platforms.title(system)} ({names(by_platform[system])})"
        for system in order
    ]
    return html.escape(f"{', '.join(parts[:-1])} and {parts[-1]}")


def version_span(found: list[Interpreter], ran: list[Interpreter]) -> str:
    """'3.9–3.13' when `found` is every interpreter that ran (and they are
    more than one), else the minor versions one by one."""
    minors = [interpreter.minor for interpreter in found]
    if len(found) > 1 and len(found) == len(ran):
        return f"{minors[0]}\u2013{minors[-1]}"
    return ", ".join(minors)


def why_html(text: str) -> str:
    """A case's `why:` (a sentence of Markdown, links allowed)."""
    return markdown.markdown(text)


def output_html(
    outcome: ExampleOutcome, spoken: tuple[str, ...] = tuple(platforms.TITLES)
) -> str:
    """An example's outputs, one a behaviour; `spoken`: the systems the
    site speaks of (the plugin's `platforms`)."""
    parts = ['<div class="example-output">']
    if not outcome.ok:
        parts.append(
            '<div class="admonition failure"><p class="admonition-title">'
            "This example is wrong; a strict build fails</p><pre><code>"
            f"{escape_output(outcome.report())}</code></pre></div>"
        )
    groups = outcome.groups()
    for number, (case, runs) in enumerate(groups):
        if len(groups) > 1:
            parts.append(
                '<div class="example-versions"><p><strong>'
                f"On {where_html(runs)}</strong></p>"
                f"{why_html(case.why) if case.why else ''}</div>"
            )
        shown = outcome.shown(runs)
        last = number == len(groups) - 1
        parts.append(
            '<div class="highlight"><pre><code class="language-text">'
            f"{escape_output(shown.result.output)}</code></pre></div>"
            f"{cut_html(shown.result)}"
            f'<p class="example-provenance"{NOT_SEARCHED}>'
            f"{provenance(shown)}</p>"
            f'<p class="example-checked"{NOT_SEARCHED}>'
            f"{checked_html(outcome, runs)}"
            f"{unchecked_html(outcome, spoken) if last else ''}</p>"
        )
    if not groups and outcome.ok:
        # Nothing ran anywhere: it does not apply to this build's system,
        # and no result came from one it applies to.
        parts.append(
            f'<p class="example-checked"{NOT_SEARCHED}>Not run in this '
            f"build{unchecked_html(outcome, spoken)}</p>"
        )
    parts.append("</div>")
    return "".join(parts)


def checked_html(outcome: ExampleOutcome, runs: list[Outcome]) -> str:
    text = f"Checked on {where_html(runs)}"
    merged = [run for run in runs if run.made_elsewhere]
    if merged:
        were = "was" if len(merged) == 1 else "were"
        text += (
            f" (the runs on {where_html(merged)} {were} made elsewhere and "
            "merged from their result files)"
        )
    if outcome.needs:
        needs = ", ".join(outcome.needs)
        return (
            f"{text} only: this example needs {html_text(needs)}, which "
            "only the build's own environment has"
        )
    if len(runs) > 1:
        return f"{text}, against the same expectation"
    return text


def unchecked_html(outcome: ExampleOutcome, spoken) -> str:
    """What the build did not check, of the systems the site speaks of
    (`spoken`): '. Not checked on macOS or Windows in this build', the
    systems the example does not apply to and why, and the results from
    elsewhere set aside because they failed."""
    lacking = [
        system
        for system in spoken
        if system not in outcome.platforms
        and system not in outcome.not_applicable
    ]
    text = ""
    for system, reason in sorted(outcome.not_applicable.items()):
        if system in spoken:
            text += (
                f". Does not apply to {html_text(platforms.title(system))}: "
                f"{html_text(reason)}"
            )
    if outcome.failed_elsewhere:
        text += (
            f". Did not match its expectation on "
            f"{where_html(outcome.failed_elsewhere)}, in the results "
            "merged into this build: not shown"
        )
    if not lacking:
        return text
    titles = [platforms.title(system) for system in platforms.ordered(lacking)]
    listed = (
        " or ".join(titles)
        if len(titles) < 3
        else (f"{', '.join(titles[:-1])} or {titles[-1]}")
    )
    return f"{text}. Not checked on {html.escape(listed)} in this build"


def _indent(block: str) -> str:
    return "\n".join(
        "    " + line if line else "" for line in block.split("\n")
    )


class ExampleError(Exception):
    """An example asked for from a page's code block is wrong."""


class ExampleBuild:
    """The state of one MkDocs build: outcomes and page placeholders."""

    current: ExampleBuild | None = None  # the build in progress

    def __init__(self, project: Project, interpreters: list[Interpreter]):
        self.project = project
        self.interpreters = interpreters
        self.outcomes: dict[str, ExampleOutcome] = {}
        self.pages: dict[str, list[str]] = {}  # reference: pages showing it
        self.token = f"example-output-{secrets.token_hex(8)}"
        self.placeholders: dict[str, ExampleOutcome] = {}
        ExampleBuild.current = self

    def run_all(self, pages: dict[str, str]) -> None:
        """Run every example the pages refer to, all at once."""
        examples = {}
        for page, text in pages.items():
            for _, reference in references(text):
                try:
                    examples[reference] = Example.from_reference(
                        reference, self.project
                    )
                except ValueError as error:
                    log.error("%s: bad example %r: %s", page, reference, error)
                    continue
                self.pages.setdefault(reference, []).append(page)
        started = time.monotonic()
        try:
            outcomes = check_examples(
                examples.values(), self.interpreters, self.project
            )
        except (results.ResultsError, runner.MissingFiles) as error:
            raise ExampleError(log_text(str(error))) from None
        self.outcomes = {
            ref: outcomes[example] for ref, example in examples.items()
        }
        runs = [run for found in outcomes.values() for run in found.runs]
        merged = [run for run in runs if run.stored is not None]
        cached = sum(run.from_cache for run in runs)
        log.info(
            "ran %d of %d example runs (%d from the cache) in %.2f s, on %s",
            len(runs) - len(merged) - cached,
            len(runs) - len(merged),
            cached,
            time.monotonic() - started,
            names(self.interpreters),
        )
        again = runner.ran_again(outcomes.values())
        if again:
            log.info(
                "ran again, at most %d at once, after a timeout that the "
                "load explained: %s",
                runner.CORES,
                log_text("; ".join(map(one_line, again))),
            )
        if merged:
            systems = platforms.listed({run.run.platform for run in merged})
            log.info(
                "merged %d results made elsewhere (%s) from %s",
                len(merged),
                systems,
                ", ".join(map(str, self.project.results)),
            )
        for reference, showing in self.pages.items():
            outcome = self.outcomes.get(reference)
            if outcome is not None and not outcome.ok:
                log.error(
                    "%s refers to %s", showing[0], log_text(outcome.report())
                )

    def snippet_files(self, config) -> list[File]:
        """The snippets, and the modules and data files of their folders
        that they need, copied into the site for the download links."""
        files = set()
        for outcome in self.outcomes.values():
            snippet = outcome.example.snippet
            if snippet.is_file():
                files.update([snippet, *_companions(snippet)])
        return [
            File.generated(
                config,
                f"snippets/{self._below_snippets(path)}",
                abs_src_path=str(path),
            )
            for path in sorted(files)
        ]

    def _below_snippets(self, path: Path) -> str:
        try:
            return path.relative_to(self.project.snippets_dir).as_posix()
        except ValueError:  # an example outside the snippets folder
            return path.name

    def expand(self, markdown: str, page_uri: str) -> str:
        lines = markdown.splitlines()
        for index, reference in reversed(references(markdown)):
            if reference in self.outcomes:
                outcome = self.outcomes[reference]
                lines[index] = self._tabs(outcome, page_uri)
        return "\n".join(lines)

    def _tabs(self, outcome: ExampleOutcome, page_uri: str) -> str:
        placeholder = f"{self.token}-{len(self.placeholders)}"
        self.placeholders[placeholder] = outcome
        if not outcome.runs:  # nothing ran: no file or no expectation
            return f"\n{placeholder}\n"
        snippet = outcome.example.snippet
        path = self._below_snippets(snippet)
        fence = (
            f'````python title="snippets/{path}" linenums="1"\n'
            f'--8<-- "{path}"\n````'
        )
        here = posixpath.dirname(page_uri) or "."
        links = []
        for file in [snippet, *_companions(snippet)]:
            target = f"snippets/{self._below_snippets(file)}"
            link = posixpath.relpath(target, here)
            links.append(
                f'[Download {file.name}]({link}){{ download="{file.name}" }}'
            )
        download = " · ".join(links)
        if len(links) > 1:
            download += " (it needs the others: keep them in one folder)"
        return (
            f'\n=== "Source"\n\n{_indent(fence)}\n\n    {download}\n\n'
            f'=== "Output"\n\n    {placeholder}\n'
        )

    def fill(self, page_html: str) -> str:
        def replace(match: re.Match) -> str:
            return output_html(
                self.placeholders[match.group(1)], self.project.platforms
            )

        page_html = re.sub(rf"<p>({self.token}-\d+)</p>", replace, page_html)
        return searched_html(page_html)


def searched_html(page_html: str) -> str:
    """Keep the tabs' labels ("SourceOutput...") and the programs' numbered
    listings (only the Source tabs number their lines) out of the search
    index, so that a result starts with the prose and the program's title.
    The outputs stay searchable: a reader may search for their error."""
    page_html = page_html.replace(
        '<div class="tabbed-labels">',
        f'<div class="tabbed-labels"{NOT_SEARCHED}>',
    )
    return page_html.replace(
        '<td class="code">', f'<td class="code"{NOT_SEARCHED}>'
    )


def outcomes(*references: str) -> list[ExampleOutcome]:
    """Outcomes for code that builds a table or a chart from real runs.

    Meant for markdown-exec `python exec` blocks: returns this build's
    outcome when a page already shows the example, else runs it now (many
    at once, through the cache). Raises ExampleError if any run is wrong,
    so the block fails and a strict build stops.
    """
    build = current_build()
    missing = [ref for ref in references if ref not in build.outcomes]
    examples = {
        ref: Example.from_reference(ref, build.project) for ref in missing
    }
    fresh = check_examples(
        examples.values(), build.interpreters, build.project
    )
    build.outcomes.update(
        {ref: fresh[example] for ref, example in examples.items()}
    )
    found = [build.outcomes[ref] for ref in references]
    wrong = [outcome.report() for outcome in found if not outcome.ok]
    if wrong:
        raise ExampleError("\n".join(wrong))
    return found


def build_statement(build: ExampleBuild) -> str:
    """One sentence, as plain text, of what this build ran its examples
    on, from its own runs and the results it merged: the versions on each
    system, and the systems the site speaks of that gave no result."""
    by_system: dict[str, dict[str, Interpreter]] = {}
    for outcome in build.outcomes.values():
        for run in outcome.runs:
            found = by_system.setdefault(run.run.platform, {})
            found.setdefault(run.run.interpreter.version, run.run.interpreter)
    systems = platforms.ordered(by_system)
    if not systems:
        return "No example ran in this build."
    parts = []
    for system in systems:
        found = sorted(by_system[system].values(), key=lambda i: i.release)
        parts.append(f"{names(found)} on {platforms.title(system)}")
    if len(parts) == 1:
        ran = parts[0]
    else:
        ran = f"{'; '.join(parts[:-1])}; and {parts[-1]}"
    text = f"The examples on this site ran, while it was built, on {ran}."
    missing = [s for s in build.project.platforms if s not in by_system]
    if missing:
        text += f" None ran on {platforms.listed(missing, 'or')}."
    return text


def read_pages(files) -> dict[str, str]:
    return {
        file.src_uri: Path(file.abs_src_path).read_text(encoding="utf-8")
        for file in files.documentation_pages()
    }


def current_build() -> ExampleBuild:
    """The build in progress (markdown-exec blocks run inside it, with no
    other way to reach it); a test makes one with ExampleBuild(...)."""
    if ExampleBuild.current is None:
        raise ExampleError(
            "no build in progress: this is for markdown-exec blocks of a "
            "page the snippet-runner plugin builds"
        )
    return ExampleBuild.current


def _companions(snippet: Path) -> list[Path]:
    """What a reader needs beside a snippet to run it: the modules of its
    folder that it imports, and the folder's data files."""
    return sorted({*cache.local_modules(snippet), *cache.data_files(snippet)})
