"""The engine's settings: the `snippet-runner` plugin's options in
mkdocs.yml, validated by MkDocs, with environment overrides.

One place for them, read the same way by the build (the plugin gets them
from MkDocs) and by the tests and the command line (`load()` reads
mkdocs.yml through MkDocs' own loader and validation).

    plugins:
      - snippet-runner:
          require: ["3.11"]      # minor versions that must be found
          oldest: "3.9"          # the supported range: interpreters
          newest: "3.14"         #   outside it are not used
          interpreters: []       # more interpreters, by path
          pythons: all           # all: every one found; build: only the
                                 #   Python running the build, and
                                 #   nothing required (a preview)
          jobs: null             # runs at once (default: 16 a core)
          timeout: 20            # seconds, where an expectation says none
          cache_dir: .cache/snippet-runs
          python_path: []        # folders markdown-exec blocks import from
          notebooks: true        # execute and check docs/**/*.ipynb
          results: []            # result folders made elsewhere, merged
                                 #   (python -m snippet_runner run --out)
          platforms: [linux, macos, windows]  # the systems pages speak of
          require_platforms: []  # systems every example needs results from
          plain_tokens: []       # Pygments token classes the theme draws
                                 #   as plain text: their spans are left
                                 #   out of the pages (see markup.py)
          environment: [...]     # the variables of the build's
                                 #   environment a run gets (shell-style
                                 #   patterns; default: process.py's
                                 #   DEFAULT_ENVIRONMENT); no other
          max_output: 1048576    # bytes of a run's output that are kept

Environment overrides (CI sets the first one):
    SNIPPET_RUNNER_REQUIRE       "3.9 3.10 3.11": replaces `require`
    SNIPPET_RUNNER_PYTHONS       all or build: replaces `pythons`
    SNIPPET_RUNNER_INTERPRETERS  paths, separated by os.pathsep: added
    SNIPPET_RUNNER_JOBS          replaces `jobs`
    SNIPPET_RUNNER_CACHE_DIR     replaces `cache_dir`
    SNIPPET_RUNNER_RESULTS       folders, separated by os.pathsep: added
    SNIPPET_RUNNER_REQUIRE_PLATFORMS  "linux macos windows": replaces
                                 `require_platforms`
"""

from __future__ import annotations

import functools
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.base import ValidationError
from mkdocs.exceptions import ConfigurationError

from . import cache, interpreters, platforms, process, runner
from . import expectation as expect
from .interpreters import Interpreter, InterpreterError
from .platforms import TITLES as SYSTEMS
from .process import ROOT

PLUGIN = "snippet-runner"
MINOR = re.compile(r"3\.\d+")


class MinorVersion(c.Type):
    """A Python minor version written as a string: "3.9", "3.14"."""

    def __init__(self, **kwargs):
        super().__init__(str, **kwargs)

    def run_validation(self, value):
        if isinstance(value, (int, float)):
            raise ValidationError(
                f"expected a minor version such as '3.12', got the number "
                f"{value} (quote it: 3.10 unquoted is the number 3.1)"
            )
        value = super().run_validation(value)
        if not MINOR.fullmatch(value):
            raise ValidationError(
                f"expected a minor version such as '3.12', got {value!r} "
                "(quote it: 3.10 unquoted is the number 3.1)"
            )
        return value


class TokenClass(c.Type):
    """A Pygments token's short CSS class: `n`, `w`, `s2`."""

    def __init__(self):
        super().__init__(str)

    def run_validation(self, value):
        value = super().run_validation(value)
        if not re.fullmatch(r"[a-z][a-z0-9]*", value):
            raise base.ValidationError(
                f"not a Pygments token class (such as n or s2): {value!r}"
            )
        return value


class VariablePattern(c.Type):
    """An environment variable's name, or a shell-style pattern: `LC_*`."""

    def __init__(self):
        super().__init__(str)

    def run_validation(self, value):
        value = super().run_validation(value)
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*\*?", value):
            raise base.ValidationError(
                "not a variable name, or a name ending in * (such as LC_*): "
                f"{value!r}"
            )
        return value


class RunnerConfig(base.Config):
    require = c.ListOfItems(MinorVersion(), default=[])
    oldest = MinorVersion(default="3.9")
    newest = MinorVersion(default="3.14")
    interpreters = c.ListOfItems(c.Type(str), default=[])
    pythons = c.Choice(("all", "build"), default="all")
    jobs = c.Optional(c.Type(int))
    timeout = c.Type((int, float), default=expect.DEFAULT_TIMEOUT)
    cache_dir = c.Type(str, default=".cache/snippet-runs")
    python_path = c.ListOfItems(c.Type(str), default=[])
    notebooks = c.Type(bool, default=True)
    results = c.ListOfItems(c.Type(str), default=[])
    # (`platforms` is the option's name in this class body, not the module)
    require_platforms = c.ListOfItems(c.Choice(tuple(SYSTEMS)), default=[])
    platforms = c.ListOfItems(c.Choice(tuple(SYSTEMS)), default=[*SYSTEMS])
    plain_tokens = c.ListOfItems(TokenClass(), default=[])
    environment = c.ListOfItems(
        VariablePattern(), default=list(process.DEFAULT_ENVIRONMENT)
    )
    max_output = c.Type(int, default=process.MAX_OUTPUT)

    def validate(self):
        failed, warnings = super().validate()
        if self.max_output is not None and not (
            1024 <= self.max_output <= 64 * 1024 * 1024
        ):
            failed.append(
                ("max_output", ValidationError("bytes, 1024 to 67108864"))
            )
        return failed, warnings


def _minor(text: str) -> tuple[int, int]:
    major, minor = text.split(".")
    return int(major), int(minor)


@dataclass
class Settings:
    require: list[str] = field(default_factory=list)
    oldest: tuple[int, int] = (3, 9)
    newest: tuple[int, int] = (3, 14)
    interpreters: list[str] = field(default_factory=list)
    pythons: str = "all"
    jobs: int | None = None
    timeout: float = expect.DEFAULT_TIMEOUT
    cache_dir: Path = ROOT / ".cache/snippet-runs"
    python_path: list[Path] = field(default_factory=list)
    notebooks: bool = True
    results: list[Path] = field(default_factory=list)
    platforms: list[str] = field(default_factory=lambda: [*platforms.TITLES])
    require_platforms: list[str] = field(default_factory=list)
    plain_tokens: list[str] = field(default_factory=list)
    environment: tuple[str, ...] = process.DEFAULT_ENVIRONMENT
    max_output: int = process.MAX_OUTPUT

    @classmethod
    def from_config(cls, config: RunnerConfig, config_dir: Path) -> Settings:
        """From the validated plugin options, then the environment."""
        environ = os.environ
        require = list(config.require)
        if "SNIPPET_RUNNER_REQUIRE" in environ:
            require = environ["SNIPPET_RUNNER_REQUIRE"].replace(",", " ")
            require = require.split()
            bad = [v for v in require if not MINOR.fullmatch(v)]
            if bad:
                raise ConfigurationError(
                    f"SNIPPET_RUNNER_REQUIRE: not minor versions: {bad}"
                )
        pythons = environ.get("SNIPPET_RUNNER_PYTHONS") or config.pythons
        if pythons not in ("all", "build"):
            raise ConfigurationError(
                f"SNIPPET_RUNNER_PYTHONS must be all or build, not {pythons!r}"
            )
        extra = environ.get("SNIPPET_RUNNER_INTERPRETERS", "")
        jobs = environ.get("SNIPPET_RUNNER_JOBS") or config.jobs
        result_folders = [
            *(config_dir / path for path in config.results),
            *(
                Path(path).resolve()
                for path in environ.get("SNIPPET_RUNNER_RESULTS", "").split(
                    os.pathsep
                )
                if path
            ),
        ]
        require_platforms = list(config.require_platforms)
        if "SNIPPET_RUNNER_REQUIRE_PLATFORMS" in environ:
            text = environ["SNIPPET_RUNNER_REQUIRE_PLATFORMS"]
            require_platforms = text.replace(",", " ").split()
            bad = [p for p in require_platforms if p not in platforms.TITLES]
            if bad:
                raise ConfigurationError(
                    f"SNIPPET_RUNNER_REQUIRE_PLATFORMS: not systems: {bad} "
                    f"(known: {', '.join(platforms.TITLES)})"
                )
        return cls(
            require=require,
            oldest=_minor(config.oldest),
            newest=_minor(config.newest),
            interpreters=[
                *(str(config_dir / path) for path in config.interpreters),
                *filter(None, extra.split(os.pathsep)),
            ],
            pythons=pythons,
            jobs=int(jobs) if jobs else None,
            timeout=float(config.timeout),
            cache_dir=config_dir / config.cache_dir,
            python_path=[config_dir / path for path in config.python_path],
            notebooks=config.notebooks,
            results=result_folders,
            platforms=list(config.platforms),
            require_platforms=require_platforms,
            plain_tokens=list(config.plain_tokens),
            environment=tuple(config.environment),
            max_output=int(config.max_output),
        )

    def apply(self) -> None:
        """Make these the settings of this process's runs."""
        cache.configure(self.cache_dir)
        expect.DEFAULT_TIMEOUT = self.timeout
        runner.SUPPORTED = (self.oldest, self.newest)
        runner.RESULT_FOLDERS = list(self.results)
        runner.REQUIRED_PLATFORMS = list(self.require_platforms)
        runner.REQUIRED_VERSIONS = list(self.require)
        runner.PLATFORMS = list(self.platforms)
        process.ENVIRONMENT = tuple(self.environment)
        process.MAX_OUTPUT = self.max_output
        if self.jobs:
            runner.DEFAULT_JOBS = self.jobs
        for folder in reversed(self.python_path):
            if str(folder) not in sys.path:
                sys.path.insert(0, str(folder))

    def select_interpreters(self) -> list[Interpreter]:
        """The interpreters this build runs its examples on; raises
        InterpreterError naming any required version that is missing."""
        # Beside the runs, so that a test session's fresh cache holds it.
        probes = cache.directory() / "interpreters.json"
        if self.pythons == "build":
            # A preview (make serve): one interpreter, whatever is required.
            return [interpreters.build_interpreter(probes)]
        found = interpreters.discover(
            self.interpreters, self.oldest, self.newest, probes
        )
        absent = interpreters.missing(self.require, found)
        if absent:
            raise InterpreterError(
                f"required CPython {', '.join(absent)} not found (looked for "
                "python3.X on PATH, under pyenv's versions folder, in the "
                "`interpreters` option and in SNIPPET_RUNNER_INTERPRETERS); "
                f"found: {interpreters.names(found)}. "
                "Install it, or change `require` in mkdocs.yml or "
                "SNIPPET_RUNNER_REQUIRE"
            )
        return found


def load(config_file: Path = ROOT / "mkdocs.yml") -> Settings:
    """The settings in a project's mkdocs.yml, read and validated as the
    build reads them, without loading the other plugins."""
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.utils.yaml import get_yaml_loader, yaml_load

    placeholder = MkDocsConfig(config_file_path=str(config_file))
    with open(config_file, "rb") as source:
        raw = yaml_load(source, get_yaml_loader(config=placeholder))
    for entry in raw.get("plugins", []):
        if isinstance(entry, dict) and PLUGIN in entry:
            options = entry[PLUGIN] or {}
            break
        if entry == PLUGIN:
            options = {}
            break
    else:
        raise ConfigurationError(f"{config_file}: no '{PLUGIN}' plugin")
    config = RunnerConfig(config_file_path=str(config_file))
    config.load_dict(options)
    errors, _ = config.validate()
    if errors:
        found = "; ".join(f"{key}: {error}" for key, error in errors)
        raise ConfigurationError(f"{config_file}: {PLUGIN}: {found}")
    return Settings.from_config(config, Path(config_file).resolve().parent)


@functools.cache
def project_interpreters() -> tuple[Interpreter, ...]:
    """This project's interpreters (for the tests and the command line)."""
    settings = load()
    settings.apply()
    return tuple(settings.select_interpreters())
