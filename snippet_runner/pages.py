"""Put snippets and their real output into the pages, at build time.

A page refers to an example with a line of its own (path below snippets/,
then any command-line arguments for the run):

    <!-- example: failures/get_reraises.py -->
    <!-- example: matrix/task_argument.py spawn -->

Before any page renders, every example of every page is run at once by the
runner and judged against its expectation; a wrong one is logged as an
error, which fails a strict build. Each reference then becomes two content
tabs: "Source", included from the file by pymdownx.snippets, and "Output",
the captured text.

Why a hook rather than markdown-exec `python exec` blocks: those run in the
MkDocs process itself, where `__name__` is not "__main__", only print() is
captured, and nothing they define can be pickled for a spawned worker.
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

from mkdocs.structure.files import File

from .runner import SNIPPETS_DIR, Outcome, Run, check_runs

log = logging.getLogger("mkdocs.plugins.snippet_runner")

DIRECTIVE = re.compile(r"<!-- example: (?P<reference>[^<>]+?) -->[ \t]*")
FENCE = re.compile(r"^[ \t]*(?P<mark>`{3,}|~{3,})")
# C0 controls (ANSI escapes among them) are shown as visible symbols.
CONTROLS = {
    code: chr(0x2400 + code) for code in range(32) if code not in (9, 10)
}
CONTROLS[127] = "\u2421"


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
    return html.escape(text, quote=False).translate(CONTROLS)


def provenance(outcome: Outcome) -> str:
    result = outcome.result
    methods = ", ".join(result.start_methods) or "none (no child process)"
    if result.timed_out:
        ending = f"killed after {result.timeout:g} s"
    else:
        ending = f"exit code {result.exit_code}"
    return (
        f"<code>{html.escape(' '.join(result.command))}</code> · {ending} · "
        f"{result.seconds:.1f} s · {html.escape(result.python)} on "
        f"{html.escape(result.platform)} · start method: {methods} · "
        f"{result.finished_at}"
    )


def output_html(outcome: Outcome) -> str:
    parts = ['<div class="example-output">']
    if not outcome.ok:
        parts.append(
            '<div class="admonition failure"><p class="admonition-title">'
            "This example is wrong; a strict build fails</p><pre><code>"
            f"{escape_output(outcome.report())}</code></pre></div>"
        )
    if outcome.result is not None:
        parts.append(
            '<div class="highlight"><pre><code class="language-text">'
            f"{escape_output(outcome.result.output)}</code></pre></div>"
            f'<p class="example-provenance">{provenance(outcome)}</p>'
        )
    parts.append("</div>")
    return "".join(parts)


def _indent(block: str) -> str:
    return "\n".join(
        "    " + line if line else "" for line in block.split("\n")
    )


class ExampleError(Exception):
    """An example asked for from a page's code block is wrong."""


class ExampleBuild:
    """The state of one MkDocs build: outcomes and page placeholders."""

    current: ExampleBuild | None = None  # the build in progress

    def __init__(self):
        self.outcomes: dict[str, Outcome] = {}
        self.token = f"example-output-{secrets.token_hex(8)}"
        self.placeholders: dict[str, Outcome] = {}
        ExampleBuild.current = self

    def run_all(self, pages: dict[str, str]) -> None:
        """Run every example the pages refer to, all at once."""
        runs = {}
        for page, markdown in pages.items():
            for _, reference in references(markdown):
                try:
                    runs[reference] = Run.from_reference(reference)
                except ValueError as error:
                    log.error("%s: bad example %r: %s", page, reference, error)
        started = time.monotonic()
        outcomes = check_runs(runs.values())
        self.outcomes = {ref: outcomes[run] for ref, run in runs.items()}
        cached = sum(outcome.from_cache for outcome in outcomes.values())
        log.info(
            "ran %d of %d examples (%d from the cache) in %.2f s",
            len(outcomes) - cached,
            len(outcomes),
            cached,
            time.monotonic() - started,
        )
        for page, markdown in pages.items():
            for _, reference in references(markdown):
                outcome = self.outcomes.get(reference)
                if outcome is not None and not outcome.ok:
                    log.error("%s refers to %s", page, outcome.report())

    def snippet_files(self, config) -> list[File]:
        """The snippets' files, copied into the site for download links."""
        snippets = {outcome.run.snippet for outcome in self.outcomes.values()}
        return [
            File.generated(
                config,
                f"snippets/{snippet.relative_to(SNIPPETS_DIR).as_posix()}",
                abs_src_path=str(snippet),
            )
            for snippet in sorted(snippets)
            if snippet.is_file()
        ]

    def expand(self, markdown: str, page_uri: str) -> str:
        lines = markdown.splitlines()
        for index, reference in reversed(references(markdown)):
            if reference in self.outcomes:
                outcome = self.outcomes[reference]
                lines[index] = self._tabs(outcome, page_uri)
        return "\n".join(lines)

    def _tabs(self, outcome: Outcome, page_uri: str) -> str:
        placeholder = f"{self.token}-{len(self.placeholders)}"
        self.placeholders[placeholder] = outcome
        if outcome.result is None:  # nothing ran: no file or no expectation
            return f"\n{placeholder}\n"
        path = outcome.run.snippet.relative_to(SNIPPETS_DIR).as_posix()
        fence = (
            f'````python title="snippets/{path}" linenums="1"\n'
            f'--8<-- "{path}"\n````'
        )
        link = posixpath.relpath(
            f"snippets/{path}", posixpath.dirname(page_uri) or "."
        )
        name = posixpath.basename(path)
        download = f'[Download {name}]({link}){{ download="{name}" }}'
        return (
            f'\n=== "Source"\n\n{_indent(fence)}\n\n    {download}\n\n'
            f'=== "Output"\n\n    {placeholder}\n'
        )

    def fill(self, page_html: str) -> str:
        def replace(match: re.Match) -> str:
            return output_html(self.placeholders[match.group(1)])

        return re.sub(rf"<p>({self.token}-\d+)</p>", replace, page_html)


def outcomes(*references: str) -> list[Outcome]:
    """Outcomes for code that builds a table or a chart from real runs.

    Meant for markdown-exec `python exec` blocks: returns this build's
    outcome when a page already shows the run, else runs it now (many at
    once, through the cache). Raises ExampleError if any run is wrong, so
    the block fails and a strict build stops.
    """
    build = ExampleBuild.current or ExampleBuild()
    missing = [ref for ref in references if ref not in build.outcomes]
    runs = {ref: Run.from_reference(ref) for ref in missing}
    fresh = check_runs(runs.values())
    build.outcomes.update({ref: fresh[run] for ref, run in runs.items()})
    found = [build.outcomes[ref] for ref in references]
    wrong = [outcome.report() for outcome in found if not outcome.ok]
    if wrong:
        raise ExampleError("\n".join(wrong))
    return found


def read_pages(files) -> dict[str, str]:
    return {
        file.src_uri: Path(file.abs_src_path).read_text(encoding="utf-8")
        for file in files.documentation_pages()
    }
