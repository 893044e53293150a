"""The built site in a real browser: Debian's Chromium, driven by Playwright.

The site is built, served from a temporary directory on a free localhost
port, and opened as a reader would open it. Every test fails on any
JavaScript error or console error. Requests that leave localhost are
blocked (there is no network here, nor in CI) and recorded; the only ones
allowed are those Material makes for the repository's facts in the header,
and the console errors of those blocked requests are the only ones
tolerated. Screenshots go to test-artifacts/.

Without Chromium the tests are skipped, except under CI, where a missing
browser is a failure: `.ci/run` installs it.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import ROOT

playwright_api = pytest.importorskip(
    "playwright.sync_api",
    reason="Playwright is not installed: make (or pip install -r "
    "requirements.txt) installs it",
)

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


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def base_url(site):
    site_dir, _ = site
    handler = functools.partial(QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join()


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
    expect(edit).to_have_attribute(
        "href",
        "https://github.com/pool-events/pool-events/edit/main/docs/manager.md",
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
