"""Imported at start-up by every snippet run (the runner puts this folder on
PYTHONPATH), and by every process a snippet spawns, since they inherit it.

1. Line-buffered output. Unbuffered text streams write a line and its
   newline as two system calls, so lines from concurrent workers can be
   spliced together; a block buffer would be copied into forked children.
   With line buffering every line is one write(), which a pipe keeps whole.
2. Provenance. The runner asks which start method really created the
   snippet's child processes; we record it as processes start and write it
   to the report file when the snippet's main process exits.
"""

import atexit
import json
import os
import sys

sys.stdout.reconfigure(line_buffering=True)
sys.stderr.reconfigure(line_buffering=True)

# Popped so that processes the snippet spawns do not report over it.
_report_path = os.environ.pop("SNIPPET_RUNNER_REPORT", None)

if _report_path:
    import multiprocessing
    import multiprocessing.process

    _main_pid = os.getpid()
    _start_methods = []
    _original_start = multiprocessing.process.BaseProcess.start

    def _recording_start(self):
        # ForkProcess, SpawnProcess, ... name their method; the default
        # Process class defers to the default context.
        method = getattr(self, "_start_method", None)
        if method is None:
            method = multiprocessing.get_start_method()
        if method not in _start_methods:
            _start_methods.append(method)
        return _original_start(self)

    multiprocessing.process.BaseProcess.start = _recording_start

    def _write_report():
        if os.getpid() != _main_pid:  # a forked child that exited normally
            return
        with open(_report_path, "w", encoding="utf-8") as report:
            json.dump({"start_methods": _start_methods}, report)

    atexit.register(_write_report)
