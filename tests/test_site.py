"""The strict site build, and what its pages show."""

import datetime
import functools
import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psutil
from bs4 import BeautifulSoup

from conftest import (
    FIXTURES,
    ROOT,
    build_site,
    interpreters,
    not_checked_here,
    one_page_site,
    project,
)
from snippet_runner import platforms
from snippet_runner.interpreters import build_interpreter, names
from snippet_runner.pages import references
from snippet_runner.plugin import last_commit_date
from snippet_runner.runner import Example, discover_examples

# How a report names a run on one of the interpreters.
ON_ANY = r" on CPython 3\.\d+\.\d+"

CONDITION_ERROR = (
    "RuntimeError: Condition objects should only be shared between "
    "processes through inheritance"
)


def page(site_dir, name):
    html = (site_dir / name / "index.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser")


def outputs(soup):
    return [
        block.select_one(".highlight code").get_text()
        for block in soup.select(".example-output")
    ]


def test_strict_build_prints_no_warning(site):
    _, build = site
    assert not re.search(r"WARNING|ERROR", build.stdout), build.stdout


def test_failures_page_shows_the_real_traceback(site):
    site_dir, _ = site
    texts = outputs(page(site_dir, "failures"))
    tracebacks = [text for text in texts if "Traceback" in text]
    assert len(tracebacks) == 1
    assert tracebacks[0].rstrip().endswith(CONDITION_ERROR)
    assert 'File "<stdlib>/multiprocessing/pool.py"' in tracebacks[0]


def test_every_output_says_what_produced_it(site):
    site_dir, _ = site
    soup = page(site_dir, "manager")
    (line,) = soup.select(".example-provenance")
    here = re.escape(build_interpreter().name)
    assert re.fullmatch(
        r"python snippets/manager/start_gate.py · exit code 0 · [\d.]+ s · "
        rf"{here} on \w+ \w+ · start method: \w+ · "
        r"stdout and stderr line-buffered, into one pipe · "
        r"\d{4}-\d\d-\d\d \d\d:\d\d UTC",
        line.get_text(),
    )
    (checked,) = soup.select(".example-checked")
    found = interpreters()
    here = platforms.title(platforms.current())
    expected = f"Checked on {names(found)} on {here}"
    if len(found) > 1:
        expected += ", against the same expectation"
    assert checked.get_text() == expected + not_checked_here()


def test_every_standard_library_example_names_every_version(site):
    site_dir, _ = site
    every = f"Checked on {names(interpreters())}"
    for html_file in site_dir.rglob("index.html"):
        soup = BeautifulSoup(html_file.read_text("utf-8"), "html.parser")
        for block in soup.select(".example-output"):
            checked = [p.get_text() for p in block.select(".example-checked")]
            if any("only: this example needs" in text for text in checked):
                continue  # the Dask examples: the build's Python only
            if len(checked) == 1:
                assert checked[0].startswith(every), html_file
            else:  # versions differ: together, every version once
                shown = " ".join(checked)
                for found in interpreters():
                    assert shown.count(found.version) == 1, html_file


def test_every_run_is_shown_by_a_page():
    shown = {
        Example.from_reference(reference, project())
        for doc in (ROOT / "docs").rglob("*.md")
        for _, reference in references(doc.read_text(encoding="utf-8"))
    }
    unused = [
        str(ex) for ex in discover_examples(project()) if ex not in shown
    ]
    assert unused == [], "examples no page shows"


def fixture_site(project, fixture: str, page_name: str) -> None:
    """Make the project copy a site of one page, `page_name`, that shows
    the fixture snippet tests/fixtures/snippets/`fixture`.py."""
    for suffix in (".py", ".expect"):
        shutil.copy(
            FIXTURES / f"{fixture}{suffix}",
            project / f"snippets/{fixture}{suffix}",
        )
    (project / f"docs/{page_name}.md").write_text(
        f"# {page_name.title()}\n\n<!-- example: {fixture}.py -->\n"
    )
    one_page_site(project, f"{page_name}.md")


def test_two_builds_that_run_the_example_show_different_values(
    project_copy, tmp_path
):
    # A page shows what its build's own run printed. Both builds run the
    # example (no cache): a fixture that prints when it ran, on a page of
    # its own, so that the suite runs no example of the site twice.
    fixture_site(project_copy, "prints_when", "when")
    shown = []
    for name in ("one", "two"):
        build = build_site(
            project_copy,
            tmp_path / name,
            SNIPPET_RUNNER_CACHE="off",
            SNIPPET_RUNNER_PYTHONS="build",
            SNIPPET_RUNNER_REQUIRE="",
        )
        assert build.returncode == 0, build.stdout
        assert "ran 1 of 1 example runs" in build.stdout
        shown.append(outputs(page(tmp_path / name, "when")))
    assert re.fullmatch(r"ran at \d+ ns\n?", shown[0][0])
    assert shown[0] != shown[1]


def test_changed_output_fails_the_build_naming_the_snippet(project_copy):
    one_page_site(
        project_copy,
        "event.md",
        "# Event\n\n<!-- example: event_basics/flag_states.py -->\n",
    )
    snippet = project_copy / "snippets/event_basics/flag_states.py"
    snippet.write_text(
        snippet.read_text().replace("after {after", "once {after")
    )
    build = build_site(project_copy, project_copy / "site")
    assert build.returncode != 0
    assert re.search(
        "event.md refers to snippets/event_basics/flag_states.py"
        + ON_ANY
        + ": output does not match its expectation",
        build.stdout,
    )
    assert (
        "first difference at snippets/event_basics/flag_states.expect:4"
        in build.stdout
    )
    # Every interpreter ran it and said so, in one error.
    for found in interpreters():
        assert (
            f"snippets/event_basics/flag_states.py on {found.name}: output "
            "does not match its expectation"
        ) in build.stdout
    assert "Aborted with 1 errors in strict mode!" in build.stdout


def test_deleting_the_set_call_is_stopped_by_the_timeout(project_copy):
    one_page_site(project_copy, "manager.md")
    snippet = project_copy / "snippets/manager/start_gate.py"
    source = snippet.read_text()
    assert "            start.set()\n" in source
    snippet.write_text(source.replace("            start.set()\n", ""))
    expect = snippet.with_suffix(".expect")
    expect.write_text("timeout: 3\n" + expect.read_text())
    build = build_site(project_copy, project_copy / "site")
    assert build.returncode != 0
    assert re.search(
        "manager.md refers to snippets/manager/start_gate.py"
        + ON_ANY
        + ": timed out after 3 s",
        build.stdout,
    )
    leftovers = [
        proc.pid
        for proc in psutil.process_iter(["cmdline"])
        if str(project_copy) in " ".join(proc.info["cmdline"] or [])
    ]
    assert leftovers == []


def test_reference_to_a_missing_snippet_fails_the_build(project_copy):
    one_page_site(
        project_copy,
        "event.md",
        "# Event\n\n<!-- example: event_basics/nope.py -->\n",
    )
    build = build_site(project_copy, project_copy / "site")
    assert build.returncode != 0
    assert (
        "event.md refers to snippets/event_basics/nope.py: no such snippet "
        "file" in build.stdout
    )


def test_output_is_shown_as_text_never_markup(project_copy):
    fixture_site(project_copy, "prints_markup", "markup")
    build = build_site(project_copy, project_copy / "site")
    assert build.returncode == 0, build.stdout
    soup = page(project_copy / "site", "markup")
    (text,) = outputs(soup)
    assert text.splitlines() == [
        "<script>alert(1)</script>",
        "</code></pre><b>bold?</b>",
        "```",
        '--8<-- "event_basics/flag_states.py"',
        "{{ config.site_name }} {% raw %}",
        "\u241b[31mred\u241b[0m",
        "**not bold** & <not a tag>",
    ]
    output = soup.select_one(".example-output")
    assert output.find("script") is None
    assert output.find("b") is None
    assert output.find("strong") is None


def test_every_internal_link_and_anchor_of_the_built_site_resolves(site):
    # mkdocs build --strict checks the links MkDocs rewrites, not those in
    # raw HTML or in a markdown-exec block's output: this reads the HTML.
    site_dir, _ = site
    prefix = site_path(site_dir)  # "/pool-events/": the site's root
    # Each page parsed once (parsing is most of this test's time).
    soups = {
        path: BeautifulSoup(path.read_text("utf-8"), "html.parser")
        for path in sorted(site_dir.rglob("*.html"))
    }
    anchors: dict = {}

    def ids(path):
        if path not in anchors:
            soup = soups.get(path) or BeautifulSoup(
                path.read_text("utf-8"), "html.parser"
            )
            anchors[path] = {tag["id"] for tag in soup.select("[id]")}
        return anchors[path]

    broken = []
    for html_file, soup in soups.items():
        for link in soup.select("a[href]"):
            parts = urlsplit(link["href"])
            if parts.scheme or parts.netloc:
                continue  # outside the site
            path = unquote(parts.path)
            if path.startswith(prefix):
                target = site_dir / path.removeprefix(prefix)
            else:
                target = html_file.parent / path if path else html_file
            if target.is_dir():
                target = target / "index.html"
            where = f"{html_file.relative_to(site_dir)}: {link['href']}"
            if not target.is_file():
                broken.append(f"{where} (no such file)")
            elif (
                parts.fragment
                and target.suffix == ".html"
                and unquote(parts.fragment) not in ids(target)
            ):
                broken.append(f"{where} (no such anchor)")
    assert broken == [], "\n".join(broken)


def site_path(site_dir) -> str:
    """The site's path on its server ("/pool-events/"), from the home
    page's canonical address (mkdocs.yml's site_url, maybe from SITE_URL)."""
    home = page(site_dir, ".")
    return urlsplit(home.select_one("link[rel=canonical]")["href"]).path


def page_names() -> list[str]:
    """Each page's address below the site's root, from docs/ (the test
    ids must be known before the site is built); a test below checks that
    the built site has these pages and no others."""
    docs = ROOT / "docs"
    names = []
    for source in sorted([*docs.glob("*.md"), *docs.glob("*/*.ipynb")]):
        name = source.relative_to(docs).with_suffix("").as_posix()
        names.append("" if name == "index" else name + "/")
    return names


@functools.cache
def site_pages(site_dir):
    """{address below the site's root: parsed page}, for every page:
    parsed once per test worker (the tests only read them)."""
    found = {}
    for html_file in sorted(site_dir.rglob("index.html")):
        folder = html_file.parent.relative_to(site_dir).as_posix()
        if folder.startswith(("snippets/", "assets/", "search/")):
            continue
        name = "" if folder == "." else folder + "/"
        found[name] = BeautifulSoup(
            html_file.read_text("utf-8"), "html.parser"
        )
    return found


def test_every_page_has_its_own_description_and_open_graph_tags(site):
    site_dir, _ = site
    pages = site_pages(site_dir)
    # Every page, each one the browser tests open.
    assert sorted(pages) == sorted(page_names())
    descriptions = {}
    for name, soup in pages.items():
        description = soup.select_one("meta[name=description]")["content"]
        og = {
            tag["property"]: tag["content"]
            for tag in soup.select("meta[property^='og:']")
        }
        assert og["og:description"] == description, name
        assert og["og:url"] == soup.select_one("link[rel=canonical]")["href"]
        assert og["og:title"] and og["og:site_name"] == "Pool Events", name
        assert 50 <= len(description) <= 220, name  # what search shows
        descriptions.setdefault(description, []).append(name)
    repeated = {d: n for d, n in descriptions.items() if len(n) > 1}
    assert repeated == {}, "pages that share a description"
    notebook = pages["notebooks/pool_in_jupyter/"]
    assert (
        "notebook" in notebook.select_one("meta[name=description]")["content"]
    )


def test_sitemap_dates_are_each_pages_last_commit(site):
    site_dir, _ = site
    sitemap = (site_dir / "sitemap.xml").read_text("utf-8")
    entries = re.findall(
        r"<loc>([^<]+)</loc>\s*<lastmod>([^<]+)</lastmod>", sitemap
    )
    # One entry per page of the nav (and so of the site).
    assert len(entries) == len(site_pages(site_dir))
    prefix = site_path(site_dir)
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    for address, lastmod in entries:
        path = urlsplit(address).path.removeprefix(prefix).strip("/")
        sources = [
            ROOT / "docs" / f"{path or 'index'}.md",
            ROOT / "docs" / f"{path}.ipynb",
        ]
        (source,) = [found for found in sources if found.is_file()]
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--", source],
            capture_output=True,
            text=True,
            cwd=ROOT,
        ).stdout
        committed = subprocess.run(
            ["git", "log", "-1", "--format=%cs", "--", source],
            capture_output=True,
            text=True,
            cwd=ROOT,
        ).stdout.strip()
        # A page changed since its last commit is dated by the build.
        assert lastmod == (today if changed or not committed else committed)


def test_last_commit_date_reads_git_not_the_clock(tmp_path):
    def git(*args, **env):
        subprocess.run(
            ["git", *args],
            cwd=tmp_path,
            check=True,
            capture_output=True,
            env={
                "GIT_AUTHOR_NAME": "t",
                "GIT_AUTHOR_EMAIL": "t@example.org",
                "GIT_COMMITTER_NAME": "t",
                "GIT_COMMITTER_EMAIL": "t@example.org",
                "PATH": "/usr/bin:/bin",
                **env,
            },
        )

    page_file = tmp_path / "page.md"
    page_file.write_text("# A page\n")
    assert last_commit_date(page_file) is None  # not in a repository
    git("init", "-q")
    assert last_commit_date(page_file) is None  # never committed
    git("add", "page.md")
    when = "2020-01-02T03:04:05+00:00"
    git("commit", "-qm", "page", GIT_COMMITTER_DATE=when, GIT_AUTHOR_DATE=when)
    assert last_commit_date(page_file) == "2020-01-02"
    page_file.write_text("# A changed page\n")
    assert last_commit_date(page_file) is None  # the build's date, then


def test_notebook_page_is_small_and_styled_by_the_site(site):
    site_dir, _ = site
    html_file = site_dir / "notebooks/pool_in_jupyter/index.html"
    assert html_file.stat().st_size <= 200_000
    soup = BeautifulSoup(html_file.read_text("utf-8"), "html.parser")
    content = soup.select_one(".md-content")
    # No JupyterLab stylesheet or script inlined: Material styles it.
    assert content.select("style, script") == []
    cells = content.select(".jp-CodeCell .jp-InputArea-editor")
    assert cells and all(
        cell.select_one(".highlight > pre > code") for cell in cells
    )
    assert "Copied!" not in content.get_text()


def test_search_index_leads_with_prose_and_titles_not_code(site):
    site_dir, _ = site
    index = json.loads(
        (site_dir / "search/search_index.json").read_text("utf-8")
    )
    texts = {doc["location"]: doc["text"] for doc in index["docs"]}
    everything = "\n".join(texts.values())
    for noise in ("SourceOutput", "Copied!", "In [1]:", "exit code 0 ·"):
        assert noise not in everything
    # A program is found by its title; its listing is not indexed, nor is
    # a module shown whole in a collapsed block.
    manager = "\n".join(
        text for where, text in texts.items() if where.startswith("manager/")
    )
    assert "snippets/manager/start_gate.py" in manager
    listed = [
        line.strip()
        for program in ("manager/start_gate.py", "beyond/_event_client.py")
        for line in (ROOT / "snippets" / program).read_text().splitlines()
        if 'print(f"' in line
    ]
    assert len(listed) > 3
    assert [line for line in listed if line in everything] == []
    # The notebook's sections start with its prose, not a prompt.
    notebook = [
        text
        for where, text in texts.items()
        if where.startswith("notebooks/") and text
    ]
    assert notebook and all(text.startswith("<p>") for text in notebook)


# The Nu HTML checker (the W3C's validator), pinned in package.json.
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# The only markup it rejects that is not ours: Material's own checkbox
# toggles (the navigation drawer and search) carry autocomplete="off".
MATERIALS_TOGGLE = (
    "Attribute “autocomplete” is only allowed when the input type is",
    '<input class="md-toggle"',
)


def nu_errors(files: list[Path]) -> list[dict]:
    java = shutil.which("java")
    assert java, (
        "the Nu HTML checker needs Java 11 or newer (.ci/run installs it)"
    )
    assert VNU.is_file(), f"{VNU} is missing: `make lint` installs it (npm ci)"
    done = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json"]
        + ["--stdout", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return json.loads(done.stdout)["messages"]


def test_every_page_is_valid_html(site, tmp_path):
    site_dir, _ = site
    pages = sorted(site_dir.rglob("*.html"))
    # A page with an error the checker must find: the check can fail.
    broken = tmp_path / "broken.html"
    broken.write_text(
        "<!doctype html><html lang=en><title>t</title><p><div></div></p>"
    )
    errors = nu_errors([*pages, broken])
    assert {
        Path(unquote(urlsplit(e["url"]).path))
        for e in errors
        if e["url"].endswith("broken.html")
    } == {broken}
    ours = [
        f"{urlsplit(e['url']).path}:{e.get('lastLine')}: {e['message']} "
        f"{e.get('extract', '')!r}"
        for e in errors
        if not e["url"].endswith("broken.html")
        and not (
            e["message"].startswith(MATERIALS_TOGGLE[0])
            and MATERIALS_TOGGLE[1] in e.get("extract", "")
        )
    ]
    assert len(pages) > 20
    assert ours == []


def test_every_header_cell_says_what_its_column_holds(site):
    # axe and Lighthouse both ask for it.
    site_dir, _ = site
    for name, soup in site_pages(site_dir).items():
        assert all(th.get_text(strip=True) for th in soup.select("th")), name


def test_listings_keep_their_text_without_the_plain_token_spans(site):
    # plain_tokens (mkdocs.yml) leaves out the spans of names and
    # whitespace: not one is left, and each listing still reads exactly as
    # its snippet's file does.
    site_dir, _ = site
    classes = list(project().plain_tokens)
    assert classes
    checked = 0
    for name, soup in site_pages(site_dir).items():
        for token in classes:
            assert soup.select(f".highlight span.{token}") == [], name
        for listing in soup.select(".highlighttable:has(span.filename)"):
            path = listing.select_one("span.filename").get_text()
            if not path.startswith("snippets/"):
                continue
            code = listing.select_one("td.code code").get_text()
            assert code == (ROOT / path).read_text(encoding="utf-8"), path
            checked += 1
    assert checked > 50
