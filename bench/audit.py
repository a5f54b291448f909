"""The audit trail's write path (issue 16): events per second with 50 concurrent writers, each
event in a transaction of its own as a request writes it, and the chain verified afterwards.

Writers are threads spread over a few processes (one process would measure the GIL, not the
database). BENCH_AUDIT_WRITERS, BENCH_AUDIT_PROCESSES, BENCH_AUDIT_SECONDS and
BENCH_AUDIT_ROUNDS change the defaults (50, 5, 5 s, 3 rounds); the median round is quoted.
"""

import logging
import multiprocessing
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import connection, connections

from bench._timing import engine
from mediation import audit, crypto, keyring
from mediation.models import AuditEvent, AuditPending, User

WRITERS = int(os.environ.get("BENCH_AUDIT_WRITERS", "50"))
PROCESSES = int(os.environ.get("BENCH_AUDIT_PROCESSES", "5"))
SECONDS = float(os.environ.get("BENCH_AUDIT_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_AUDIT_ROUNDS", "3"))


def _write_until(deadline: float, user_id: int, results: list[int], errors: list[str]) -> None:
    user = User.objects.get(pk=user_id)
    written = 0
    try:
        while time.monotonic() < deadline:
            audit.record(actor=user, action="bench.write", details={"n": written})
            written += 1
    except Exception as error:  # reported, not hidden
        errors.append(f"{type(error).__name__}: {error}")
    finally:
        connection.close()
    results.append(written)


def _process(threads: int, user_id: int, go, start_at, queue) -> None:
    go.wait()
    deadline = start_at.value + SECONDS
    results: list[int] = []
    errors: list[str] = []
    workers = [
        threading.Thread(target=_write_until, args=(deadline, user_id, results, errors))
        for _ in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    queue.put((sum(results), errors))


def one_round(user_id: int) -> tuple[float, int, list[str]]:
    """Events per second of one round, the events written, and any errors."""
    connections.close_all()
    context = multiprocessing.get_context("fork")
    go, start_at, queue = context.Event(), context.Value("d", 0.0), context.Queue()
    shares = [
        WRITERS // PROCESSES + (1 if n < WRITERS % PROCESSES else 0) for n in range(PROCESSES)
    ]
    processes = [
        context.Process(target=_process, args=(share, user_id, go, start_at, queue))
        for share in shares
        if share
    ]
    for process in processes:
        process.start()
    time.sleep(1.0)  # every process is up and waiting
    start_at.value = time.monotonic()
    go.set()
    outcomes = [queue.get() for _ in processes]
    elapsed = time.monotonic() - start_at.value
    for process in processes:
        process.join()
    written = sum(count for count, _ in outcomes)
    errors = [error for _, found in outcomes for error in found]
    return written / elapsed, written, errors


def main() -> None:
    logging.getLogger("tongxin.audit").setLevel(logging.WARNING)  # a line per commit otherwise
    suite = keyring.suite()
    keyring.use(crypto.new_ring(suite, key_id="bench", audit_id="bench-audit"))
    checkpoints = Path(tempfile.mkdtemp(prefix="bench-audit-")) / "checkpoints.log"
    settings.TONGXIN_AUDIT_CHECKPOINT_FILE = checkpoints
    user, _ = User.objects.get_or_create(username="bench_audit", defaults={"full_name": "压测"})
    rates = []
    for _ in range(ROUNDS):
        rate, written, errors = one_round(user.pk)
        rates.append(rate)
        print(
            f"  round: {written} events in {SECONDS:.0f} s, {rate:,.0f} events/s"
            + (f", {len(errors)} writers failed: {errors[0]}" if errors else "")
        )
    waiting = AuditPending.objects.count()
    started = time.perf_counter()
    result = audit.verify()
    verified_in = time.perf_counter() - started
    print(
        f"audit write path ({engine()}, {suite.mac}, {WRITERS} writers in {PROCESSES} processes): "
        f"{statistics.median(rates):,.0f} events/s (median of {ROUNDS} rounds of {SECONDS:.0f} s); "
        f"chain of {AuditEvent.objects.count()} events "
        f"{'verifies' if result.ok else 'BROKEN: ' + str(result)} ({verified_in:.1f} s), "
        f"{waiting} left to the task worker"
    )
