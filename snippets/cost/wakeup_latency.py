"""Wake-up latency: the time from set() in one thread or process to
wait() returning in another, for a thread's Event, a process Event and a
Manager's Event proxy, measured in interleaved rounds."""

import multiprocessing
import statistics
import threading
import time

ROUNDS = 101
LABELS = {
    "threading": "threading.Event",
    "multiprocessing": "multiprocessing.Event",
    "proxy": "Manager().Event() proxy",
}
# The verdict compares the fastest wake-ups, not the medians: on a loaded
# machine the wait for a free core swamps everything else, and the median
# ratio fell to 1.1x in trials with busy loops on both cores. The fastest
# try waited least for a core, so the proxy's extra hops (a request to the
# manager, its thread waking the waiter's thread, a reply) show. How big
# the gap is depends on the load: about 3x idle, but down to 1.3x with
# both cores busy. What holds whatever the load is the order: the proxy's
# fastest wake-up is slower, so that is all this program claims.


def waiter(events, conn):
    """Wait for the event the setter names, each time; report the clock.

    time.perf_counter_ns() reads CLOCK_MONOTONIC on Linux, one clock for
    every process of the machine, so readings from two processes can be
    subtracted.
    """
    while kind := conn.recv():
        event = events[kind]
        called_at = time.perf_counter_ns()
        woke = event.wait(timeout=10)
        conn.send((called_at, time.perf_counter_ns(), woke))


def one_wakeup(kind, event, conn):
    """Microseconds from set() to the waiter's wait() returning, and how
    many tries were thrown away because the waiter was late."""
    for retries in range(100):
        event.clear()
        conn.send(kind)
        time.sleep(0.001)  # lets the waiter get into wait(); checked below
        set_at = time.perf_counter_ns()
        event.set()
        if not conn.poll(10):
            raise TimeoutError("the waiter never answered")
        called_at, woke_at, woke = conn.recv()
        if not woke:
            raise TimeoutError("the waiter's wait() timed out")
        # A wait() called after set() returns at once: that measures no
        # wake-up, so such a try is thrown away and made again.
        if called_at < set_at:
            return (woke_at - set_at) / 1000, retries
    raise RuntimeError("the waiter was late 100 times in a row")


def percentiles(samples):
    """p10, median, p90."""
    deciles = statistics.quantiles(samples, n=10)
    return deciles[0], statistics.median(samples), deciles[-1]


if __name__ == "__main__":
    with multiprocessing.Manager() as manager:
        events = {
            "threading": threading.Event(),
            "multiprocessing": multiprocessing.Event(),
            "proxy": manager.Event(),
        }
        # One waiting thread for the thread's event; one waiting process
        # for both of the others, so that they are measured in the same
        # conditions (same process, same CPU placement), one after the
        # other in every round.
        thread_conn, theirs = multiprocessing.Pipe()
        in_thread = {"threading": events["threading"]}
        thread = threading.Thread(target=waiter, args=(in_thread, theirs))
        process_conn, theirs = multiprocessing.Pipe()
        in_process = {k: events[k] for k in ("multiprocessing", "proxy")}
        process = multiprocessing.Process(
            target=waiter, args=(in_process, theirs)
        )
        waiters = [thread, process]
        conns = {
            "threading": thread_conn,
            "multiprocessing": process_conn,
            "proxy": process_conn,
        }
        for w in waiters:
            w.start()
        samples = {kind: [] for kind in events}
        retried = 0
        for _ in range(ROUNDS):
            for kind, event in events.items():
                latency, retries = one_wakeup(kind, event, conns[kind])
                samples[kind].append(latency)
                retried += retries
        for conn in (thread_conn, process_conn):
            conn.send("")
        for w in waiters:
            w.join(timeout=10)
    print(f"wake-up latency, microseconds ({ROUNDS} rounds)")
    print(f"{'kind':25}p10 / median / p90")
    medians = {}
    for kind, label in LABELS.items():
        p10, medians[kind], p90 = percentiles(samples[kind])
        print(f"{label:25}{p10:.1f} / {medians[kind]:.1f} / {p90:.1f}")
    fastest = {kind: min(samples[kind]) for kind in LABELS}
    print(
        "fastest: "
        + ", ".join(f"{LABELS[k]} {fastest[k]:.1f}" for k in LABELS)
    )
    print(f"tries made again because the waiter was late: {retried}")
    median_ratio = medians["proxy"] / medians["multiprocessing"]
    ratio = fastest["proxy"] / fastest["multiprocessing"]
    print(
        f"proxy / multiprocessing.Event: medians {median_ratio:.1f}x, "
        f"fastest {ratio:.1f}x"
    )
    print(
        "the fastest proxy wake-up is slower than the fastest "
        f"multiprocessing.Event wake-up: {ratio > 1}"
    )
