"""What the plugin does to every page's markup (snippet_runner/markup.py)."""

import pytest

from snippet_runner.markup import unwrap_tokens
from snippet_runner.settings import RunnerConfig

LISTING = (
    '<code><span class="kn">import</span><span class="w"> </span>'
    '<span class="nn">os</span>\n<span class="n">x</span>'
    '<span class="o">=</span><span class="s2">"&lt;n&gt;"</span></code>'
)


def test_only_the_named_token_spans_go_and_their_text_stays():
    found = unwrap_tokens(LISTING, ["n", "w"])
    assert found == (
        '<code><span class="kn">import</span> '
        '<span class="nn">os</span>\nx'
        '<span class="o">=</span><span class="s2">"&lt;n&gt;"</span></code>'
    )
    assert unwrap_tokens(LISTING, []) == LISTING


@pytest.mark.parametrize("bad", ["", "N", "n w", 'n"><script>'])
def test_plain_tokens_must_be_token_classes(bad):
    config = RunnerConfig()
    config.load_dict({"plain_tokens": ["n", bad]})
    failed, _ = config.validate()
    assert [name for name, _ in failed] == ["plain_tokens"]


def test_plain_tokens_accepts_token_classes():
    config = RunnerConfig()
    config.load_dict({"plain_tokens": ["n", "w", "s2"]})
    failed, _ = config.validate()
    assert failed == []
    assert config.plain_tokens == ["n", "w", "s2"]
