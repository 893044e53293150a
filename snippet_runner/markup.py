"""What the plugin does to every page's markup, whatever its content.

BlockPlaceholders, a Markdown extension: keeps the HTML that
markdown-exec generates out of a paragraph.

markdown-exec (1.12.6) passes the headings of a block's output to the
page's table of contents through a container it adds to the block's
paragraph and later removes, and the removal leaves a newline behind.
The paragraph then no longer holds the block's placeholder alone, so
Python-Markdown keeps it around the block's HTML: `<p><p>…</h2>…</p>`,
which the Nu HTML checker rejects (a `</p>` with no `<p>` open). This
puts the paragraph back as it was, once markdown-exec has removed its
headings (its treeprocessor runs at priority 4).

unwrap_tokens: leaves out the spans of the Pygments token classes that
the theme draws as plain code text (the plugin's `plain_tokens` option).
Material gives names (`n`) the code's own colour and whitespace (`w`)
none, and they were a fifth of a long page's elements: each is one more
box for a phone to style and lay out.
"""

from __future__ import annotations

import re

from markdown import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import HTML_PLACEHOLDER_RE

NAME = "snippet_runner_block_placeholders"


class _TrimPlaceholderParagraphs(Treeprocessor):
    def run(self, root):
        for paragraph in root.iter("p"):
            text = paragraph.text or ""
            if (
                len(paragraph) == 0
                and text != text.strip()
                and HTML_PLACEHOLDER_RE.fullmatch(text.strip())
            ):
                paragraph.text = text.strip()


class BlockPlaceholders(Extension):
    def extendMarkdown(self, md):
        md.treeprocessors.register(
            _TrimPlaceholderParagraphs(md), NAME, priority=3
        )


def unwrap_tokens(html: str, classes: list[str]) -> str:
    """`html` without the spans of these token classes, their text kept.
    Pygments puts only text in a token's span, so no tag is cut."""
    if not classes:
        return html
    alternatives = "|".join(map(re.escape, classes))
    span = re.compile(rf'<span class="(?:{alternatives})">([^<]*)</span>')
    return span.sub(r"\1", html)
