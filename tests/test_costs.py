"""The tables of "How this site is built" made from make bench's figures:
each figure beside its target, and whether it met it."""

import copy

import costs

SAMPLE = {
    "date": "2026-12-01 03:00 UTC",
    "machine": "Linux x86_64, 2 cores",
    "python": "CPython 3.11.7",
    "interpreters": "CPython 3.9.18 and 3.13.0",
    "orphans_counted": True,
    "runs": 470,
    "S": 300.0,
    "S_cpu": 80.0,
    "S_load": [0.5, 1.0],
    "C": 55.0,
    "C_detail": {
        "seconds": 55.0,
        "cpu": 95.0,
        "load": [0.3, 20.1],
        "busy": 0.86,
    },
    "W": 3.4,
    "W_detail": {"seconds": 3.4, "cpu": 3.2, "load": [5.0, 4.0]},
    "W1": 3.3,
    "W_examples": 0.2,
    "C1": 22.0,
    "C1_detail": {
        "seconds": 22.0,
        "cpu": 30.0,
        "load": [4.0, 8.0],
        "busy": 0.68,
    },
    "T": 90.0,
    "T_detail": {
        "seconds": 90.0,
        "cpu": 150.0,
        "load": [2.0, 20.0],
        "busy": 0.83,
    },
    "alone": 10.0,
    "cpu_of_others": 70.0,
    "notebook_cpu": 4.0,
    "notebook_seconds": 6.0,
    "cores": 2,
    "F": 50.4,
    "F_before": {"F": 57.0, "date": "2026-12-01", "how": "load 20"},
    "preview": {
        "first_page": 23.5,
        "edit": 3.0,
        "edited": "event_basics/flag_states.py",
        "edited_runtime": 0.07,
    },
    "CI": {"seconds": 170.0, "cpu": 200.0, "load": [1.0, 25.0], "busy": 0.59},
    "costliest": [
        {
            "run": "snippets/x.py on CPython 3.9.18",
            "key": "k",
            "alone": False,
            "seconds": 1.3,
            "cpu": 1.1,
            "starts": 5,
            "start_cpu": 0.015,
            "imports": ["multiprocessing"],
            "parts": {
                "interpreter starts": 0.08,
                "imports": 0.2,
                "the program's own work": 0.82,
            },
            "cost": "the program's own work",
        }
    ],
    "scaling_sleep": 1.0,
    "scaling": {"10": 1.8, "40": 3.2, "160": 7.4},
}


def verdicts(bench):
    """{measure: its Met cell} of the targets table."""
    rows = [line.split(" | ") for line in costs.targets(bench).splitlines()]
    return {row[0].lstrip("| "): row[-1].rstrip(" |") for row in rows[2:]}


def test_each_target_is_judged_by_its_own_figures():
    found = verdicts(SAMPLE)
    assert found["C, cold build"] == "yes"  # 55 <= 1.1 x 50.4
    assert found["T, the test suite"] == "**no**"  # 90 > 1.5 x 55
    assert found["W1, warm build on the build's Python only"] == "**no**"
    assert found["`.ci/run` in a fresh clone"] == "yes"
    faster = copy.deepcopy(SAMPLE)
    faster["T"], faster["W"] = 82.0, 3.3
    found = verdicts(faster)
    assert found["T, the test suite"] == "yes"
    assert found["W1, warm build on the build's Python only"] == "yes"


def test_f_before_is_shown_only_when_measured():
    assert "F before" in costs.floor(SAMPLE)
    unmeasured = {**SAMPLE, "F_before": {"F": None}}
    assert "F before" not in costs.floor(unmeasured)
    # F's parts add up to F.
    spread = (70.0 + 4.0) / 2
    assert f"| {spread:.2f} |" in costs.floor(SAMPLE)


def test_the_best_c_and_t_come_from_the_cpu_each_used():
    rows = costs.targets({**SAMPLE, "alone_cpu": 6.0}).splitlines()
    (best_c,) = [row for row in rows if row.startswith("| F with the CPU")]
    # W + alone + (C's CPU - W's CPU - the alone runs' CPU) / cores
    assert f"| {3.4 + 10.0 + (95.0 - 3.2 - 6.0) / 2:.2f} |" in best_c
    assert f"C/this = {55.0 / (3.4 + 10.0 + 42.9):.2f}" in best_c
    (best_t,) = [row for row in rows if row.startswith("| T at best")]
    assert "| 75.00 |" in best_t  # 150 CPU seconds over 2 cores
    assert "1.5 C = 82.50; T/this = 1.20" in best_t
    # A bench from before the alone runs' CPU was kept: no such row.
    assert "F with the CPU" not in costs.targets(SAMPLE)
