"""``log()`` from several threads (issue 7, item 1): W&B's behaviour is that every committing
call is one row, steps strictly increase in the order calls complete, nothing is lost and no
thread sees an exception."""

from __future__ import annotations

import threading
import warnings

import pytest

import tidelog

THREADS = 4
CALLS = 4000


def _hammer(run, n_threads: int, calls: int, make_row) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(n_threads)

    def work(t: int) -> None:
        try:
            barrier.wait()
            for i in range(calls):
                run.log(make_row(t, i))
        except BaseException as e:  # noqa: BLE001 - the test reports every exception a thread saw
            errors.append(e)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(n_threads)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return errors


def _check_rows(rows: list[dict], n_threads: int, calls: int) -> None:
    steps = [r["_step"] for r in rows]
    assert steps == list(range(n_threads * calls)), "one row per call, steps 0..N-1 in WAL order"
    seen = sorted((r["thread"], r["i"]) for r in rows)
    assert seen == [(t, i) for t in range(n_threads) for i in range(calls)], "no call lost or merged"
    for t in range(n_threads):  # each thread's calls complete in order, so their steps increase
        mine = [r["_step"] for r in rows if r["thread"] == t]
        assert mine == sorted(mine)


def test_fast_path_from_four_threads_loses_nothing(start, read_back):
    run = start()
    errors = _hammer(run, THREADS, CALLS, lambda t, i: {"thread": t, "i": i, "loss": i * 0.5})
    assert errors == []
    assert run.step == THREADS * CALLS
    run.finish()
    _check_rows(list(read_back(run).scan_history()), THREADS, CALLS)


def test_new_key_names_from_several_threads(start, read_back):
    """Threads that keep logging new names (KeyTable.names raced: 'dictionary changed size')."""
    run = start()
    calls = 600

    def row(t: int, i: int) -> dict:
        return {"thread": t, "i": i, f"t{t}_k{i}": float(i)}

    errors = _hammer(run, THREADS, calls, row)
    assert errors == []
    run.finish()
    rows = list(read_back(run).scan_history())
    _check_rows(rows, THREADS, calls)
    for r in rows:  # every new key kept its own name and value (no id handed out twice)
        assert r[f"t{r['thread']}_k{r['i']}"] == float(r["i"])


def test_slow_path_and_fast_path_interleaved(start, read_back):
    """Strings take the slow path, numbers the fast one; both number their rows under one lock."""
    run = start()

    def row(t: int, i: int) -> dict:
        if t % 2:
            return {"thread": t, "i": i, "note": f"t{t} i{i}"}
        return {"thread": t, "i": i, "x": 1.0}

    errors = _hammer(run, THREADS, 1500, row)
    assert errors == []
    run.finish()
    rows = list(read_back(run).scan_history())
    _check_rows(rows, THREADS, 1500)
    assert all(r["note"] == f"t{r['thread']} i{r['i']}" for r in rows if r["thread"] % 2)


def test_explicit_steps_from_threads_never_go_backwards(start, read_back):
    """Threads passing step=: a step already passed is refused with a warning, never written."""
    run = start()
    counter = iter(range(10**9))
    lock = threading.Lock()

    def row(t: int, i: int) -> dict:
        return {"thread": t, "i": i}

    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            for i in range(1000):
                with lock:
                    s = next(counter)
                run.log(row(t, i), step=s)  # the lock is released first: threads race to log
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tidelog.TidelogWarning)
        threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    assert errors == []
    run.finish()
    steps = [r["_step"] for r in read_back(run).scan_history()]
    assert steps == sorted(set(steps)), "steps strictly increase in the WAL"


@pytest.mark.parametrize("n_threads", [8])
def test_summary_and_step_read_while_threads_log(start, read_back, n_threads):
    """Reading run.summary while other threads log new keys raises nothing."""
    run = start()
    stop = threading.Event()
    seen: list[BaseException] = []

    def reader() -> None:
        try:
            while not stop.is_set():
                dict(run.summary)
        except BaseException as e:  # noqa: BLE001
            seen.append(e)

    r = threading.Thread(target=reader)
    r.start()
    errors = _hammer(run, n_threads, 300, lambda t, i: {"thread": t, "i": i, f"k{t}_{i}": i})
    stop.set()
    r.join()
    assert errors == [] and seen == []
    run.finish()
    _check_rows(list(read_back(run).scan_history()), n_threads, 300)
