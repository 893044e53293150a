"""The engine's settings: the `snippet-runner` plugin's options in
mkdocs.yml, validated by MkDocs, with environment overrides, resolved
into one frozen `Project` that every part of the engine is handed.

A project is found from its configuration file, never from where the
engine is installed: every path below is relative to the folder that
holds mkdocs.yml (MkDocs' config_dir), so one installed engine serves any
site. The build gets the options from MkDocs (plugin.py); the tests and
the command line read the same file with `load()`, through MkDocs' own
loader and validation.

    plugins:
      - snippet-runner:
          snippets_dir: snippets # the examples' programs and expectations
          require: ["3.11"]      # minor versions that must be found
          oldest: "3.9"          # the supported range: interpreters
          newest: "3.15"         #   outside it are not used
          interpreters: []       # more interpreters, by path
          pythons: all           # all: every one found; build: only the
                                 #   Python running the build, and
                                 #   nothing required (a preview)
          jobs: null             # runs at once (default: 16 a core)
          timeout: 20            # seconds, where an expectation says none
          cache_dir: .cache/snippet-runs
          timings: null          # a file of runs' seconds (make bench
                                 #   writes one) for the first build's
                                 #   order: longest first
          python_path: []        # folders markdown-exec blocks import from
          notebooks: true        # execute and check docs/**/*.ipynb
          results: []            # result folders made elsewhere, merged
                                 #   (python -m snippet_runner run --out)
          platforms: [linux, macos, windows]  # the systems pages speak of
          require_platforms: []  # systems every example needs results from
          foreign_failures: fail # a result from elsewhere that fails its
                                 #   expectation: fail the build, or label
                                 #   it on its page (a deploy publishes
                                 #   what passed, naming what did not)
          plain_tokens: []       # Pygments token classes the theme draws
                                 #   as plain text: their spans are left
                                 #   out of the pages (see markup.py)
          environment: [...]     # the variables of the build's
                                 #   environment a run gets (shell-style
                                 #   patterns; default: process.py's
                                 #   DEFAULT_ENVIRONMENT); no other
          max_output: 1048576    # bytes of a run's output that are kept
          statement: true        # end every page with what the build ran
                                 #   its examples on (versions, systems)

Environment overrides (CI sets the first one):
    SNIPPET_RUNNER_REQUIRE       "3.9 3.10 3.11": replaces `require`
    SNIPPET_RUNNER_PYTHONS       all or build: replaces `pythons`
    SNIPPET_RUNNER_INTERPRETERS  paths, separated by os.pathsep: added
    SNIPPET_RUNNER_JOBS          replaces `jobs`
    SNIPPET_RUNNER_CACHE_DIR     replaces `cache_dir`
    SNIPPET_RUNNER_RESULTS       folders, separated by os.pathsep: added
    SNIPPET_RUNNER_REQUIRE_PLATFORMS  "linux macos windows": replaces
                                 `require_platforms`
    SNIPPET_RUNNER_FOREIGN_FAILURES   fail or label: replaces
                                 `foreign_failures`
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.base import ValidationError
from mkdocs.exceptions import ConfigurationError

from . import expectation as expect
from . import interpreters, platforms, process
from .cache import RunCache
from .interpreters import Interpreter, InterpreterError
from .platforms import TITLES as SYSTEMS

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
    snippets_dir = c.Type(str, default="snippets")
    timings = c.Optional(c.Type(str))
    require = c.ListOfItems(MinorVersion(), default=[])
    oldest = MinorVersion(default="3.9")
    newest = MinorVersion(default="3.15")
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
    foreign_failures = c.Choice(("fail", "label"), default="fail")
    statement = c.Type(bool, default=True)
    environment = c.ListOfItems(
        VariablePattern(), default=list(process.DEFAULT_ENVIRONMENT)
    )
    max_output = c.Type(int, default=process.DEFAULT_MAX_OUTPUT)

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


# How many runs at once. Many examples compute or start processes, and
# many wait (for a timeout they show): a cold build of 470 runs on 2
# cores took 154 s with 16 at once (the waiting ones held the places),
# 69 s with 32 and 70 s with 64, but at 64 the load average reached 33
# and timing checks of the runner itself went astray.
DEFAULT_JOBS_PER_CORE = 16


@dataclass(frozen=True)
class Project:
    """One site's engine settings, every path resolved from its config
    file's folder. Frozen: handed to every part of the engine, changed
    by none (tests make variants with dataclasses.replace)."""

    root: Path  # the folder of mkdocs.yml
    docs_dir: Path
    snippets_dir: Path
    cache_dir: Path
    timings: Path | None = None
    require: tuple[str, ...] = ()
    oldest: tuple[int, int] = (3, 9)
    newest: tuple[int, int] = (3, 15)
    interpreters: tuple[str, ...] = ()
    pythons: str = "all"
    jobs: int = DEFAULT_JOBS_PER_CORE * process.CORES
    timeout: float = expect.DEFAULT_TIMEOUT
    python_path: tuple[Path, ...] = ()
    notebooks: bool = True
    results: tuple[Path, ...] = ()
    platforms: tuple[str, ...] = tuple(platforms.TITLES)
    require_platforms: tuple[str, ...] = ()
    plain_tokens: tuple[str, ...] = ()
    foreign_failures: str = "fail"
    statement: bool = True
    environment: tuple[str, ...] = process.DEFAULT_ENVIRONMENT
    max_output: int = process.DEFAULT_MAX_OUTPUT

    @classmethod
    def from_config(
        cls, config: RunnerConfig, config_file: Path, docs_dir: Path
    ) -> Project:
        """From the validated plugin options, then the environment."""
        root = Path(config_file).resolve().parent
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
            *(root / path for path in config.results),
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
        foreign = (
            environ.get("SNIPPET_RUNNER_FOREIGN_FAILURES")
            or config.foreign_failures
        )
        if foreign not in ("fail", "label"):
            raise ConfigurationError(
                "SNIPPET_RUNNER_FOREIGN_FAILURES must be fail or label, "
                f"not {foreign!r}"
            )
        cache_dir = environ.get("SNIPPET_RUNNER_CACHE_DIR") or (
            root / config.cache_dir
        )
        return cls(
            root=root,
            docs_dir=(root / docs_dir).resolve(),
            snippets_dir=(root / config.snippets_dir).resolve(),
            cache_dir=Path(cache_dir).resolve(),
            timings=root / config.timings if config.timings else None,
            require=tuple(require),
            oldest=_minor(config.oldest),
            newest=_minor(config.newest),
            interpreters=(
                *(str(root / path) for path in config.interpreters),
                *filter(None, extra.split(os.pathsep)),
            ),
            pythons=pythons,
            jobs=int(jobs) if jobs else DEFAULT_JOBS_PER_CORE * process.CORES,
            timeout=float(config.timeout),
            python_path=tuple(root / path for path in config.python_path),
            notebooks=config.notebooks,
            results=tuple(result_folders),
            platforms=tuple(config.platforms),
            require_platforms=tuple(require_platforms),
            plain_tokens=tuple(config.plain_tokens),
            foreign_failures=foreign,
            statement=config.statement,
            environment=tuple(config.environment),
            max_output=int(config.max_output),
        )

    @property
    def supported(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """(oldest, newest): the versions this site speaks of."""
        return self.oldest, self.newest

    @functools.cached_property
    def run_cache(self) -> RunCache:
        return RunCache(self.cache_dir, self.environment, self.max_output)

    def display(self, path: Path) -> str:
        """A path as messages show it: from the project's folder."""
        try:
            return Path(path).resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def replace(self, **changes) -> Project:
        return dataclasses.replace(self, **changes)

    def select_interpreters(self) -> list[Interpreter]:
        """The interpreters this build runs its examples on; raises
        InterpreterError naming any required version that is missing."""
        # Beside the runs, so that a test session's fresh cache holds it.
        probes = self.cache_dir / "interpreters.json"
        if self.pythons == "build":
            # A preview (make serve): one interpreter, whatever is required.
            return [interpreters.build_interpreter(probes)]
        found = interpreters.discover(
            list(self.interpreters), self.oldest, self.newest, probes
        )
        absent = interpreters.missing(list(self.require), found)
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


def load(config_file: Path | str = "mkdocs.yml") -> Project:
    """The project of a mkdocs.yml, read and validated as the build reads
    it, without loading the other plugins."""
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.utils.yaml import get_yaml_loader, yaml_load

    config_file = Path(config_file).resolve()
    placeholder = MkDocsConfig(config_file_path=str(config_file))
    try:
        with open(config_file, "rb") as source:
            raw = yaml_load(source, get_yaml_loader(config=placeholder))
    except OSError as error:
        raise ConfigurationError(f"{config_file}: {error}") from None
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
    docs_dir = raw.get("docs_dir", "docs")
    return Project.from_config(config, config_file, Path(docs_dir))


@functools.cache
def project_interpreters(project: Project) -> tuple[Interpreter, ...]:
    """A project's interpreters, found once per process (for the tests and
    the command line)."""
    return tuple(project.select_interpreters())
