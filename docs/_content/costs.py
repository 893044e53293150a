"""The tables of "How this site is built" that show what `make bench`
measured (docs/data/bench.json, written by snippet_runner/bench.py): every
figure beside the target it is held to (issue #16), whether it met it, and
what the costliest runs spend their CPU time on."""

from __future__ import annotations


def _s(seconds: float) -> str:
    return f"{seconds:.2f}"


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def _load(found: dict) -> str:
    before, after = found["load"]
    return f"{before:g} → {after:g}"


def targets(bench: dict) -> str:
    """Each measure, its target and whether this measurement met it."""
    s, c, w, t, f = (bench[key] for key in "SCWTF")
    w1, c1 = bench["W1"], bench["C1"]
    busy = bench["C_detail"]["busy"]
    served = bench["preview"]
    edit_limit = served["edited_runtime"] + w1 + 1
    ci = bench["CI"]["seconds"]
    rows = [
        ("S, the runs' runtimes summed, each alone", s, "", None),
        ("C, cold build", c, f"C/F = {c / f:.2f} ≤ 1.1", c <= 1.1 * f),
        (
            "the machine kept busy: the build's CPU time "
            f"({bench['C_detail']['cpu']:.2f} s) / ({bench['cores']} cores "
            "× C)",
            None,
            f"{busy:.2f} ≥ 0.8",
            busy >= 0.8,
        ),
        (
            f"W, warm build ({bench['W_examples']:.2f} s of it on the "
            "examples)",
            w,
            f"W/C = {w / c:.2f} ≤ 0.2",
            w <= 0.2 * c,
        ),
        (
            "W1, warm build on the build's Python only"
            + (
                f" ({bench['W1_examples']:.2f} s of it on the examples)"
                if "W1_examples" in bench
                else ""
            ),
            w1,
            f"W − W1 = {w - w1:+.2f} s ≤ 0",
            w <= w1,
        ),
        (
            "T, the test suite"
            + ("" if bench["T_detail"].get("passed", True) else " (failed)"),
            t,
            f"T/C = {t / c:.2f} ≤ 1.5",
            t <= 1.5 * c,
        ),
        *_floors(bench),
        (
            "C1, cold build on the build's Python only",
            c1,
            "",
            None,
        ),
        (
            "`make serve` from an empty cache: the first page",
            served["first_page"],
            f"≤ C1 + 1 = {c1 + 1:.2f}",
            served["first_page"] <= c1 + 1,
        ),
        (
            f"`make serve`: an edit of `{served['edited']}` on its page",
            served["edit"],
            f"≤ its run {served['edited_runtime']:.2f} + W1 + 1 = "
            f"{edit_limit:.2f}",
            served["edit"] <= edit_limit,
        ),
        (
            "`.ci/run` in a fresh clone"
            + ("" if bench["CI"].get("passed", True) else " (it failed)"),
            ci,
            "< 300",
            ci < 300,
        ),
    ]
    lines = [
        "| Measure | Seconds | Target | Met |",
        "| --- | ---: | --- | --- |",
    ]
    for what, seconds, target, ok in rows:
        shown = "" if seconds is None else _s(seconds)
        verdict = "" if ok is None else _met(ok)
        lines.append(f"| {what} | {shown} | {target} | {verdict} |")
    return "\n".join(lines)


def _floors(bench: dict) -> list[tuple]:
    """What C and T could be at best, given the CPU time each really used:
    it shows how much of a gap is the schedule and how much is work."""
    cores, c, t = bench["cores"], bench["C"], bench["T"]
    rows = []
    if "alone_cpu" in bench:
        # The cold build's own CPU, less the warm build's and the alone
        # runs', spread over the cores: F with the CPU the runs took when
        # they shared the machine, instead of their CPU when run alone.
        cpu = bench["C_detail"]["cpu"]
        shared = cpu - bench["W_detail"]["cpu"] - bench["alone_cpu"]
        best = bench["W"] + bench["alone"] + shared / cores
        rows.append(
            (
                f"F with the CPU time the cold build used ({cpu:.2f} s "
                f"against {bench['S_cpu'] + bench['notebook_cpu']:.2f} s "
                "for its runs one by one)",
                best,
                f"C/this = {c / best:.2f}",
                None,
            )
        )
    cpu = bench["T_detail"]["cpu"]
    rows.append(
        (
            f"T at best: the suite's CPU time ({cpu:.2f} s) over "
            f"{cores} cores",
            cpu / cores,
            f"1.5 C = {1.5 * c:.2f}; T/this = {t / (cpu / cores):.2f}",
            None,
        )
    )
    return rows


def floor(bench: dict) -> str:
    """F, what it is made of, and F before the cuts of issue #16."""
    spread = bench["cpu_of_others"] + bench["notebook_cpu"]
    spread /= bench["cores"]
    lines = [
        "| Part of F | Seconds |",
        "| --- | ---: |",
        f"| W, the warm build's work | {_s(bench['W'])} |",
        f"| the `alone` runs, one after another | {_s(bench['alone'])} |",
        f"| the other runs' CPU time, {_s(bench['cpu_of_others'])} s, "
        f"and the notebook's, {_s(bench['notebook_cpu'])} s, over "
        f"{bench['cores']} cores | "
        f"{_s(spread)} |",
        f"| **F** | **{_s(bench['F'])}** |",
    ]
    before = bench.get("F_before") or {}
    if before.get("F"):
        lines.append(
            f"| F before the costliest runs were cut ({before['date']}, "
            f"{before['how']}) | {_s(before['F'])} |"
        )
    return "\n".join(lines)


def costliest(bench: dict) -> str:
    """The costliest runs by CPU time, and what that time went on."""
    lines = [
        "| Run | CPU s | Wall s | Python starts | Starting Python "
        "| Imports | The program's own work | Most of it |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    own = "the program's own work"
    for cost in bench["costliest"]:
        parts = cost["parts"]
        lines.append(
            f"| `{cost['run']}` | {_s(cost['cpu'])} | {_s(cost['seconds'])} "
            f"| {cost['starts']} | {_s(parts['interpreter starts'])} "
            f"| {_s(parts['imports'])} "
            f"| {_s(parts[own])} "
            f"| {cost['cost']} |"
        )
    return "\n".join(lines)


def loads(bench: dict) -> str:
    """The machine's load average around each measurement."""
    rows = [
        ("S", {"load": bench["S_load"]}),
        ("C", bench["C_detail"]),
        ("W", bench["W_detail"]),
        ("C1", bench["C1_detail"]),
        ("T", bench["T_detail"]),
        ("CI", bench["CI"]),
    ]
    cells = ", ".join(f"{name} {_load(found)}" for name, found in rows)
    return f"Load average (1 minute) before → after each: {cells}."
