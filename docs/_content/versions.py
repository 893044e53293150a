"""The page "What changes between Python versions", made from this
build's runs: every example whose runs were judged by more than one case
of its expectation, each behaviour side by side with the versions (and,
with results merged from other systems, the systems) that showed it, its
`why:` and what produced it."""

from __future__ import annotations

import posixpath

from snippet_runner.interpreters import names
from snippet_runner.pages import (
    NOT_SEARCHED,
    escape_output,
    provenance,
    where_html,
    why_html,
)


def differing(build) -> list[tuple[str, object]]:
    """(reference, outcome) of each example whose versions differ."""
    return sorted(
        (reference, outcome)
        for reference, outcome in build.outcomes.items()
        if len(outcome.groups()) > 1
    )


def page_url(src_uri: str) -> str:
    """The address MkDocs gives a page (directory URLs): "contexts/"."""
    stem = src_uri.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        stem = stem.removesuffix("index")
    return stem + "/" if stem and not stem.endswith("/") else stem


def page_link(build, reference: str, here: str) -> str:
    """A link to the first page that shows the example. Written as the
    page's address: MkDocs does not rewrite links in a block's output."""
    page = build.pages[reference][0]
    target = posixpath.relpath(page_url(page) or ".", page_url(here))
    return f"[{page.removesuffix('.md')}]({target}/)"


def ran_on(build) -> str:
    """Which interpreters this build ran its examples on, in words: the
    examples that need third-party packages ran on the build's own
    Python only, and the sentence says so."""
    ran = f"This build ran its examples on {names(build.interpreters)}"
    needing = [o for o in build.outcomes.values() if o.needs]
    own = [found for found in build.interpreters if found.is_build]
    if not needing or not own or len(build.interpreters) == 1:
        return ran + "."
    packages = ", ".join(sorted({name for o in needing for name in o.needs}))
    those = "the one" if len(needing) == 1 else f"the {len(needing)}"
    return (
        f"{ran}, except {those} that need third-party packages "
        f"({packages}), which ran on the build's own {names(own)} only."
    )


def changes(build, here: str = "versions.md") -> str:
    """The page's body, as Markdown with HTML blocks for the outputs."""
    found = differing(build)
    if not found:
        return (
            f"{ran_on(build)} Every example behaved the same on every "
            "version it ran on."
        )
    which = (
        "This example did not behave the same on all the versions it"
        if len(found) == 1
        else f"These {len(found)} examples did not behave the same on all "
        "the versions they"
    )
    parts = [f"{ran_on(build)} {which} ran on:\n"]
    for reference, outcome in found:
        parts.append(
            f"## `{reference}`\n\nShown on "
            f"{page_link(build, reference, here)}.\n"
        )
        columns = []
        for case, runs in outcome.groups():
            shown = outcome.shown(runs)
            why = why_html(case.why) if case.why else ""
            columns.append(
                '<div class="version-behaviour">'
                f"<p><strong>{where_html(runs)}</strong></p>{why}"
                '<div class="highlight"><pre><code class="language-text">'
                f"{escape_output(shown.result.output)}</code></pre></div>"
                f'<p class="example-provenance"{NOT_SEARCHED}>'
                f"{provenance(shown)}</p></div>"
            )
        parts.append(
            '<div class="version-compare">\n'
            + "\n".join(columns)
            + "\n</div>\n"
        )
    return "\n".join(parts)
