"""The built site in a real browser: Debian's Chromium, driven by Playwright.

The site is built, served as GitHub Pages serves it (under its path,
compressed: tests/pages_server.py) on a free localhost port, and opened
as a reader would open it. Every test fails on any
JavaScript error or console error. Requests that leave localhost are
blocked (there is no network here, nor in CI) and recorded; the only ones
allowed are those Material makes for the repository's facts in the header,
and the console errors of those blocked requests are the only ones
tolerated. Screenshots go to test-artifacts/.

Without Chromium the tests are skipped, except under CI, where a missing
browser is a failure: `.ci/run` installs it.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from mkdocs.config import load_config
from pages_server import PagesServer
from test_site import page_names, site_path

from conftest import ROOT

playwright_api = pytest.importorskip(
    "playwright.sync_api",
    reason="Playwright is not installed: make (or pip install -r "
    "requirements.txt) installs it",
)
# axe-core (bundled by the package), run in the page.
Axe = pytest.importorskip(
    "axe_playwright_python.sync_playwright",
    reason="axe-playwright-python is not installed: make installs it",
).Axe

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium")
ARTIFACTS = ROOT / "test-artifacts"
# Flags this machine's headless Chromium needs: no sandbox as root, no GPU,
# and none of the background connections a closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Material asks GitHub's API for the repository's stars, forks and latest
# release; nothing else may leave localhost.
ALLOWED_EXTERNAL = re.compile(
    r"https://api\.github\.com/repos/[\w.-]+/[\w.-]+"
)
TIMEOUT_MS = 10_000
OUTPUT_OF_GET_RERAISES = (
    "RuntimeError: Condition objects should only be shared between "
    "processes through inheritance"
)

if CHROMIUM is None:
    if os.environ.get("CI"):
        pytest.fail(
            "CI is set but Chromium is missing: .ci/run should have "
            "installed it (apt-get install chromium)",
            pytrace=False,
        )
    pytest.skip(
        "Chromium not found: install Debian's chromium "
        "(`apt-get install chromium`, as root) or set CHROMIUM to a "
        "Chromium binary to run the browser tests; CI always runs them",
        allow_module_level=True,
    )

# One worker runs them all (with --dist loadgroup), so the site is built and
# Chromium started once, not once per worker.
pytestmark = pytest.mark.xdist_group("browser")


@pytest.fixture(scope="module")
def base_url(site):
    site_dir, _ = site
    with PagesServer(site_dir, site_path(site_dir)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        # launch() gives every run a fresh, empty profile (user data dir).
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


class Watched:
    """A page whose errors and outside requests are recorded."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        self.blocked: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("internetdisconnected")

    def _console(self, message):
        if message.type != "error":
            return
        # The browser reports each request the test blocked as an error.
        if message.location.get("url") in self.blocked:
            return
        self.errors.append(f"{message.text} ({message.location})")

    def check(self):
        assert self.errors == [], "JavaScript or console errors"
        unexpected = [
            url for url in self.blocked if not ALLOWED_EXTERNAL.match(url)
        ]
        assert unexpected == [], "requests to other sites"


@pytest.fixture
def watched(browser):
    context = browser.new_context(
        color_scheme="light", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = Watched(context.new_page())
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"browser-{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def test_home_page_has_title_logo_and_no_errors(watched, base_url):
    page = watched.page
    page.goto(base_url)
    expect = playwright_api.expect
    expect(page).to_have_title(re.compile("Pool Events"))
    expect(page.locator("h1")).to_contain_text(
        "Sharing an Event with a process pool"
    )
    logo = page.locator(".md-header__button.md-logo img")
    expect(logo).to_have_attribute("src", re.compile(r"assets/logo\.svg$"))
    # The logo really loaded: an image that failed has no natural width.
    assert logo.evaluate("img => img.naturalWidth") > 0
    icon = page.locator("link[rel='icon']")
    expect(icon).to_have_attribute("href", re.compile(r"assets/logo\.svg$"))
    description = page.locator("meta[name='description']")
    expect(description).to_have_attribute(
        "content", re.compile("multiprocessing.Event")
    )
    screenshot(page, "home")
    watched.check()


def test_output_tab_shows_the_real_output(watched, base_url):
    page = watched.page
    expect = playwright_api.expect
    page.goto(base_url + "failures/")
    traceback = (
        page.locator(".example-output code")
        .filter(has_text="Traceback (most recent call last):")
        .filter(has_text=OUTPUT_OF_GET_RERAISES)
    )
    expect(traceback).to_have_count(1)
    expect(traceback).to_be_hidden()  # the Source tab is shown first
    tabs = page.locator(".tabbed-set").filter(has=traceback)
    tabs.locator(".tabbed-labels label", has_text="Output").click()
    expect(traceback).to_be_visible()
    expect(traceback).to_contain_text("Traceback (most recent call last):")
    traceback.scroll_into_view_if_needed()
    screenshot(page, "failures-output")
    watched.check()


def test_example_tools_copy_download_edit_and_next_page(watched, base_url):
    page = watched.page
    expect = playwright_api.expect
    page.goto(base_url + "manager/")
    source = page.locator(".tabbed-block").filter(
        has=page.locator("span.filename", has_text="start_gate.py")
    )
    copy = source.get_by_title("Copy to clipboard")
    expect(copy).to_have_count(1)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    copy.click()
    copied = page.evaluate("navigator.clipboard.readText()")
    file = ROOT / "snippets/manager/start_gate.py"
    assert copied.rstrip("\n") == file.read_text().rstrip("\n")
    download = page.get_by_role("link", name="Download start_gate.py")
    expect(download).to_have_attribute("download", "start_gate.py")
    with page.expect_download() as started:
        download.click()
    saved = started.value.path()
    assert Path(saved).read_bytes() == file.read_bytes()
    edit = page.locator("a.md-content__button[title='Edit this page']")
    # The repository of mkdocs.yml (REPO_URL in the Pages workflow).
    repository = load_config(str(ROOT / "mkdocs.yml")).repo_url
    expect(edit).to_have_attribute(
        "href", f"{repository.rstrip('/')}/edit/main/docs/manager.md"
    )
    following = page.locator("a.md-footer__link--next")
    expect(following).to_contain_text("Fix: inheritance under fork")
    following.click()
    page.wait_for_url(re.compile(r"/fork/$"))
    expect(page.locator("h1")).to_contain_text("inheritance under fork")
    watched.check()


def test_search_for_manager_reaches_its_page(watched, base_url):
    page = watched.page
    expect = playwright_api.expect
    page.goto(base_url)
    query = page.locator("input.md-search__input")
    query.click()
    expect(query).to_be_focused()
    query.press_sequentially("Manager")
    result = page.locator(".md-search-result__link[href*='manager/']")
    expect(result.first).to_be_visible()
    screenshot(page, "search")
    result.first.click()
    # search.highlight adds the query, to highlight it on the page.
    page.wait_for_url(re.compile(r"/manager/\?h=manager(#.*)?$"))
    expect(page.locator("mark").first).to_have_text(
        re.compile("manager", re.IGNORECASE)
    )
    expect(page.locator("h1")).to_contain_text("Fix: a Manager")
    watched.check()


def test_dark_mode_toggle(watched, base_url):
    page = watched.page
    expect = playwright_api.expect
    page.goto(base_url + "manager/")
    body = page.locator("body")
    expect(body).to_have_attribute("data-md-color-scheme", "default")
    page.get_by_title("Switch to dark mode").click()
    expect(body).to_have_attribute("data-md-color-scheme", "slate")
    background = body.evaluate(
        "body => getComputedStyle(body).backgroundColor"
    )
    red, green, blue = map(int, re.findall(r"\d+", background)[:3])
    assert max(red, green, blue) < 80, f"not dark: {background}"
    screenshot(page, "dark")
    # The choice is kept: the next page opens dark too.
    page.goto(base_url + "event/")
    expect(body).to_have_attribute("data-md-color-scheme", "slate")
    watched.check()


# What a reader sees at one width, as a list of problems. Every tab's
# last panel (an example's Output) is opened first, so that outputs are
# measured too.
LAYOUT_PROBLEMS = """() => {
  for (const input of document.querySelectorAll(
    ".tabbed-set > input:last-of-type"
  )) input.checked = true
  const width = document.documentElement.clientWidth
  const problems = []
  const sideways = document.scrollingElement.scrollWidth - width
  if (sideways > 0) problems.push(`the page scrolls sideways: ${sideways} px`)
  const where = element => element.textContent.trim().slice(0, 60)
  // A block may scroll inside itself, but must not stick out of the page.
  for (const block of document.querySelectorAll(
    ".md-content pre, .md-typeset__scrollwrap, .md-content svg"
  )) {
    const box = block.getBoundingClientRect()
    const out = Math.round(box.right - width)
    if (box.width && out > 1)
      problems.push(`sticks out by ${out} px: ${where(block)}`)
  }
  // An output wraps its lines rather than hiding them past its edge.
  for (const code of document.querySelectorAll(
    ".example-output pre > code, .jp-OutputArea-output pre"
  )) {
    if (code.scrollWidth > code.clientWidth + 1)
      problems.push(`output cut off: ${where(code)}`)
  }
  // A word of a table's code is on one line: no "multiprocessin g" (a
  // path may still break after a "/" or a "-").
  for (const code of document.querySelectorAll(
    ".md-typeset td code, .md-typeset th code"
  )) {
    const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT)
    while (walker.nextNode()) {
      const node = walker.currentNode
      for (const word of node.data.matchAll(/\\w+/g)) {
        const range = document.createRange()
        range.setStart(node, word.index)
        range.setEnd(node, word.index + word[0].length)
        const tops = new Set(
          [...range.getClientRects()].map(rect => Math.round(rect.top))
        )
        if (tops.size > 1) problems.push(`word broken in a table: ${word[0]}`)
      }
    }
  }
  return problems
}"""


def serious_violations(page, context=None, **options) -> list[str]:
    # Violations only: the passes of thousands of code tokens would make
    # each run seconds slower.
    options = {"resultTypes": ["violations"], **options}
    results = Axe().run(page, context=context, options=options)
    return [
        f"{violation['id']} ({violation['impact']}): "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


# Pages that meet every kind of content (tables, code of each kind,
# outputs, the notebook, the chart): dark mode's colours are checked on
# these, and so are the tokens of the code listings in light mode.
DARK_CHECKED = ["", "start-methods/", "cost/", "notebooks/pool_in_jupyter/"]


CODE_LISTINGS = {"exclude": [["td.code"]]}


# On a worker of their own, beside the other browser tests; a test per
# page keeps each well within the time limit on a busy machine. The page
# is loaded once, at a phone's width, then widened to a desktop's (the
# layout follows the width alone); dark mode needs a load of its own.
@pytest.mark.xdist_group("browser-pages")
@pytest.mark.parametrize("name", page_names(), ids=lambda n: n or "home")
def test_page_reads_well_on_a_phone_and_a_desktop(browser, base_url, name):
    problems = []
    context = browser.new_context(
        color_scheme="light", viewport={"width": 390, "height": 844}
    )
    context.set_default_timeout(3 * TIMEOUT_MS)  # a busy machine
    watched = Watched(context.new_page())
    page = watched.page
    page.goto(base_url + name)
    for width in (390, 1280):
        label = f"at {width} px, light"
        if width == 390:
            # axe-core as a phone's reader meets the page: before any
            # tab is opened. The programs' listings share one palette:
            # their tokens' contrast is checked on the pages of
            # DARK_CHECKED only (thousands of them made axe take seconds
            # a page).
            listings = None if name in DARK_CHECKED else CODE_LISTINGS
            found = serious_violations(page, context=listings)
            problems += [f"{label}: {v}" for v in found]
        else:
            page.set_viewport_size({"width": width, "height": 844})
        shot = (name.strip("/").replace("/", "-") or "home") + f"-{width}"
        screenshot(page, shot)
        problems += [
            f"{label}: {problem}" for problem in page.evaluate(LAYOUT_PROBLEMS)
        ]
    watched.check()
    context.close()
    if name in DARK_CHECKED:  # colours only; the rest is as in light
        # A context of its own: Material keeps the palette it chose at
        # the first load, whatever the system's scheme is at a reload.
        context = browser.new_context(
            color_scheme="dark", viewport={"width": 1280, "height": 844}
        )
        context.set_default_timeout(3 * TIMEOUT_MS)
        watched = Watched(context.new_page())
        watched.page.goto(base_url + name)
        playwright_api.expect(watched.page.locator("body")).to_have_attribute(
            "data-md-color-scheme", "slate"
        )
        found = serious_violations(
            watched.page, runOnly=["color-contrast", "link-in-text-block"]
        )
        problems += [f"at 1280 px, dark: {v}" for v in found]
        watched.check()
        context.close()
    assert problems == [], "\n".join(problems)


def test_chart_text_is_readable_on_a_phone(browser, base_url):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(base_url + "cost/")
    # Each label's size on screen: its font size times the chart's scale.
    sizes = page.locator("svg.cost-chart text").evaluate_all(
        """texts => texts.map(text =>
          parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a
        )"""
    )
    context.close()
    assert len(sizes) > 10
    assert min(sizes) >= 11, sorted(sizes)[:5]


def test_notebook_code_is_full_width_on_a_phone(browser, base_url):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(base_url + "notebooks/pool_in_jupyter/")
    column = page.locator("article.md-content__inner").evaluate(
        "element => element.clientWidth"
    )
    widths = page.locator(".jp-InputArea-editor pre").evaluate_all(
        "blocks => blocks.map(block => block.getBoundingClientRect().width)"
    )
    context.close()
    assert widths and min(widths) >= 0.9 * column, (widths, column)
