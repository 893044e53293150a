"""Text that came from a snippet or a result file, made safe for where it
goes: a page (HTML) or the build's log (a terminal, a CI log).

Everything a run produced is untrusted: its output, and every field of a
result file (a snippet can also write its own provenance, through the
child's sitecustomize module). So:

- `html_text(value)`: any value as escaped HTML text, control characters
  (ANSI escapes among them) shown as visible symbols. Every field of a
  run that reaches a page goes through it.
- `log_text(text)`: control characters as visible symbols, so no escape
  sequence reaches a terminal and no carriage return rewrites a line.
  Under GitHub Actions (GITHUB_ACTIONS=true) the text is also put
  between `::stop-commands::TOKEN` and `::TOKEN::`, GitHub's own way to
  print text that may hold workflow commands (`::error::`, `::add-mask::`,
  `##[set-output]`): the runner ignores every command in between, and the
  token is random, so the text cannot end the stop itself
  (https://docs.github.com/en/actions/using-workflows/workflow-commands-for-github-actions#stopping-and-starting-workflow-commands).
"""

from __future__ import annotations

import html
import os
import secrets

# C0 controls but tab and newline, DEL, and the C1 controls (U+0080 to
# U+009F; a terminal may read U+009B as the start of an escape sequence).
_CONTROLS = {
    code: chr(0x2400 + code) for code in range(32) if code not in (9, 10)
}
_CONTROLS[127] = "\u2421"
_CONTROLS.update({code: f"<U+{code:04X}>" for code in range(0x80, 0xA0)})
_SINGLE_LINE = {**_CONTROLS, 10: "\u2424"}
_TOKEN = secrets.token_hex(16)


def visible(text: str) -> str:
    """Control characters (but tab and newline) as visible symbols."""
    return text.translate(_CONTROLS)


def one_line(text: str) -> str:
    """A field shown on one line: newlines too as a visible symbol."""
    return str(text).translate(_SINGLE_LINE)


def html_text(value) -> str:
    """Any value as text in HTML: escaped, controls visible."""
    return html.escape(visible(str(value)), quote=True)


def log_text(text: str) -> str:
    """Text for the log (see the module's docstring). Under GitHub
    Actions it starts with a newline: a stop-commands line must start a
    line of its own, not follow the logger's `ERROR -` prefix."""
    text = visible(text)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        return f"\n::stop-commands::{_TOKEN}\n{text}\n::{_TOKEN}::"
    return text
