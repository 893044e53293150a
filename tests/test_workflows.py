"""The GitHub workflows and templates parse and keep their safety rules.

Contributed code runs in the check workflow, so it must use the
`pull_request` trigger with a read-only token and no secrets; only the
Pages deploy job may write, and only to Pages.
"""

import re

import pytest
import yaml

from conftest import ROOT

GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
WRITE_SCOPES_OF_DEPLOY = {"pages": "write", "id-token": "write"}


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


@pytest.fixture(scope="module")
def workflows():
    return {path.name: load(path) for path in WORKFLOWS}


def test_the_workflows_exist_and_parse(workflows):
    assert set(workflows) >= {"check.yml", "pages.yml"}
    for name, workflow in workflows.items():
        assert workflow.get("name"), name
        assert triggers(workflow), name
        assert workflow.get("jobs"), name
        for job_name, job in workflow["jobs"].items():
            assert job.get("runs-on"), f"{name}: {job_name}"
            assert job.get("timeout-minutes"), f"{name}: {job_name}"


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
            assert "actions/deploy-pages@v4" in uses(job), job_name
            assert job["environment"]["name"] == "github-pages", job_name


def test_every_action_is_an_official_one_at_a_major_version():
    for path in WORKFLOWS:
        for job in load(path)["jobs"].values():
            for action in uses(job):
                assert re.fullmatch(r"actions/[\w-]+@v\d+", action), action


def test_check_runs_make_test_on_pull_requests_and_pushes(workflows):
    workflow = workflows["check.yml"]
    assert {"pull_request", "push"} <= set(triggers(workflow))
    assert triggers(workflow)["push"] == {"branches": ["main"]}
    (job,) = workflow["jobs"].values()
    assert "bash .ci/run" in runs(job)
    ci_run = (ROOT / ".ci/run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci_run, re.MULTILINE)
    assert "apt-get install" in ci_run and "chromium" in ci_run
    assert job["runs-on"] == "ubuntu-latest"  # Linux
    assert job["env"]["CHROMIUM"] == "/usr/bin/google-chrome"


EVERY_VERSION = ["3.9", "3.10", "3.11", "3.12", "3.13", "3.14"]


def installed_pythons(job) -> list[str]:
    (setup,) = [
        step
        for step in steps(job)
        if step.get("uses", "").startswith("actions/setup-python@")
    ]
    return setup["with"]["python-version"].strip().splitlines()


@pytest.mark.parametrize(
    "name, job", [("check.yml", "test"), ("pages.yml", "build")]
)
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
        ["${{ matrix.python }}"] if name == "check.yml" else ["3.11"]
    )


def test_check_covers_exactly_the_python_versions_the_guide_claims(
    workflows,
):
    (job,) = workflows["check.yml"]["jobs"].values()
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
    assert uses(deploy) == ["actions/deploy-pages@v4"]
    assert workflow["concurrency"]["cancel-in-progress"] is False


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
