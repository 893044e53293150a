"""Imported at start-up by every snippet run (the runner puts this folder on
PYTHONPATH), and by every process a snippet spawns, since they inherit it.

1. Line-buffered output. Unbuffered text streams write a line and its
   newline as two system calls, so lines from concurrent workers can be
   spliced together; a block buffer would be copied into forked children.
   With line buffering every line is one write(), which a pipe keeps whole.
2. Provenance. The runner asks which start method really created the
   snippet's child processes; we record it as processes start and write it
   to the report file (a method a line) when the snippet's main process
   exits.

Nothing here may show in a snippet's output: no frame of this file may
stand in a traceback that a reader running the snippet would not see.
"""

import atexit
import os
import sys

sys.stdout.reconfigure(line_buffering=True)
sys.stderr.reconfigure(line_buffering=True)

# Popped so that processes the snippet spawns do not report over it.
_report_path = os.environ.pop("SNIPPET_RUNNER_REPORT", None)
_main_pid = os.getpid()
_start_methods = []


def _record_start_methods(process_module):
    original_start = process_module.BaseProcess.start

    def record_then_start(self):
        # ForkProcess, SpawnProcess, ... name their method; the default
        # Process class defers to the default context.
        method = getattr(self, "_start_method", None)
        if method is None:
            import multiprocessing

            method = multiprocessing.get_start_method()
        if method not in _start_methods:
            _start_methods.append(method)
        return original_start.__get__(self)

    # A property, not a wrapper: `process.start` records the method and
    # hands back the real bound method, which the caller then calls. A
    # wrapper would stand between them as a frame of this file in every
    # traceback that passes through start().
    process_module.BaseProcess.start = property(record_then_start)


class _WhenImported:
    """Hooks multiprocessing.process as it is imported, if it ever is.
    Importing multiprocessing here instead would double the start-up time
    of a program that does not use it (measured: 19 ms of 36)."""

    def find_spec(self, name, path, target=None):
        if name != "multiprocessing.process":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        run_module = spec.loader.exec_module

        def exec_module(module):
            run_module(module)
            _record_start_methods(module)

        spec.loader.exec_module = exec_module
        return spec


def _write_report():
    if os.getpid() != _main_pid:  # a forked child that exited normally
        return
    with open(_report_path, "w", encoding="utf-8") as report:
        report.write("".join(f"{method}\n" for method in _start_methods))


# `make bench` counts the Python processes a run starts (snippet_runner/
# bench.py): each start appends a line. Inherited, unlike the report.
_starts_path = os.environ.get("SNIPPET_RUNNER_STARTS")
if _starts_path:
    with open(_starts_path, "a", encoding="utf-8") as _starts:
        _starts.write(f"{os.getpid()}\n")

if _report_path:
    import importlib.machinery

    sys.meta_path.insert(0, _WhenImported())
    atexit.register(_write_report)
