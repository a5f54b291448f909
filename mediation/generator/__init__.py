"""Realistic case data at any scale, for measuring (`manage.py generate`, docs/scaling.md).

Offices, counsellors and supervisors with memberships, then cases over the last years in the
order they were opened: parties (identities sealed, ID numbers valid and blind-indexed),
consents, safety screens, sessions, sealed notes, results, registry outcomes, referrals,
follow-ups, satisfaction, and the audit events the services write, linked by the trail's own
chainer. Bulk-inserted a batch at a time; values come from the models' choices and each
batch's first row of every kind passes the model's own field checks. Case numbers follow the
services' scheme and counters; deadlines come from mediation.clock with the loaded official
calendar.

Other apps add their part after the core's through an app-config hook (mediation imports
none of them): an AppConfig with a `generated_data(*, seed, log)` method is called, in
INSTALLED_APPS order, once the cases are in.
"""

import multiprocessing
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from queue import Full, Queue

from django.apps import apps
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from .. import audit
from ..calendar import OfficialCalendar
from ..clock import Deadlines, deadlines
from ..collector import cycle_collector_paused
from ..models import CaseNumberCounter, ConsentText, CounselingSession, OfficialCalendarYear
from . import rows, shape, store
from .offices import Office, enrol_staff, ensure_offices, ensure_staff

LAW_STARTS = date(2021, 1, 1)  # the cooling-off period applies from 2021 (services refuse earlier)


@dataclass
class Summary:
    cases: int = 0
    rows: int = 0
    events: int = 0
    sealed: int = 0
    seconds: float = 0.0
    offices: int = 0
    counselors: int = 0

    @property
    def rate(self) -> float:
        return self.cases / self.seconds if self.seconds else 0.0


class Progress:
    """A line per batch: cases done, rows and cases per second, time left."""

    def __init__(self, total: int, log: Callable[[str], None]) -> None:
        self.total, self.log, self.start = total, log, time.perf_counter()

    def __call__(self, done: int, rows: int) -> None:
        elapsed = time.perf_counter() - self.start
        rate = done / elapsed if elapsed else 0.0
        left = (self.total - done) / rate if rate else 0.0
        self.log(
            f"{done:>9,}/{self.total:,} cases  {rows / elapsed:>8,.0f} rows/s  "
            f"{rate:>7,.0f} cases/s  {elapsed:>6.0f} s  ETA {left:>5.0f} s"
        )


def consent_texts(on: date) -> dict[str, ConsentText]:
    """The agreements in force, per purpose (as mediation.services.consent_text_for picks)."""
    found = {}
    for purpose in ("counselling", "sensitive", "statistics", "follow_up"):
        prefix = "BM-" if purpose == "counselling" else "YS-"
        found[purpose] = ConsentText.objects.filter(
            version__startswith=prefix, effective_from__lte=on
        ).latest("effective_from")
    return found


def plan_openings(
    rng: random.Random, *, count: int, offices: list[Office], days: list[date]
) -> list[tuple[int, int, int, str]]:
    """(day ordinal, minute of the day, office index, port) of every case, in opening order."""
    weights = [office.weight for office in offices]
    office_of = rng.choices(range(len(offices)), weights=weights, k=count)
    ports = rng.choices(list(shape.PORTS), weights=list(shape.PORTS.values()), k=count)
    ordinals = [day.toordinal() for day in days]
    chosen = rng.choices(ordinals, k=count)
    minutes = [rng.randrange(8 * 60 + 30, 16 * 60 + 30) for _ in range(count)]
    return sorted(zip(chosen, minutes, office_of, ports, strict=True))


@transaction.atomic
def reserve_numbers(
    openings: list[tuple[int, int, int, str]], offices: list[Office]
) -> dict[tuple[int, int], int]:
    """Take a run of case numbers per office and year from the services' counters, under the
    same row lock `open_case` uses; returns the first number of each run."""
    wanted = Counter((offices[o].id, date.fromordinal(d).year) for d, _, o, _ in openings)
    first = {}
    for (office_id, year), count in sorted(wanted.items()):
        counter, _ = CaseNumberCounter.objects.select_for_update().get_or_create(
            office_id=office_id, year=year, defaults={"last": 0}
        )
        CaseNumberCounter.objects.filter(pk=counter.pk).update(last=F("last") + count)
        first[(office_id, year)] = counter.last + 1
    return first


def _offer(queue: Queue, stop: threading.Event, item: object) -> bool:
    """Put the item on the queue unless the consumer stopped first."""
    while not stop.is_set():
        try:
            queue.put(item, timeout=0.2)
            return True
        except Full:
            continue
    return False


def _produce(items: Iterator, queue: Queue, stop: threading.Event, done: object) -> None:
    """The producing thread: every item, then `done`; an error is handed to the consumer."""
    try:
        for item in items:
            if not _offer(queue, stop, item):
                return
        _offer(queue, stop, done)
    except BaseException as error:  # handed to the consumer, which raises it
        _offer(queue, stop, error)
    finally:
        connections.close_all()


def pipelined[T](items: Iterator[T], *, ahead: int) -> Iterator[T]:
    """The items of a generator made in a thread of their own, up to `ahead` in advance, so that
    building the next batch (Python) overlaps storing this one (the database's own process, on
    the other core). The thread's database connection (sequence values only) is closed when it
    ends; it stops when the consumer does. With ahead=0, in this thread."""
    if not ahead:
        yield from items
        return
    queue: Queue = Queue(maxsize=ahead)
    stop = threading.Event()
    done = object()
    thread = threading.Thread(
        target=_produce, args=(items, queue, stop, done), name="generate-build", daemon=True
    )
    thread.start()
    try:
        while (item := queue.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


class Linker:
    """A process of its own that links the audit chain while the batches are stored, as the
    task worker does in production: reading the events back, their MACs and the links are a
    quarter of the generator's Python work, and a second process has its own interpreter lock.
    Forked before any thread starts, with the database connections closed first (each process
    opens its own); each batch's events wait in the queue until the batch commits."""

    PAUSE = 0.1

    def __init__(self, log: Callable[[str], None]) -> None:
        self.log = log
        context = multiprocessing.get_context("fork")
        self.stop = context.Event()
        connections.close_all()
        self.process = context.Process(target=self._run, name="generate-link", daemon=True)
        self.process.start()

    def _run(self) -> None:
        try:
            while True:
                stopping = self.stop.is_set()
                linked = audit.chain_pending()
                if stopping:
                    return
                if not linked:
                    self.stop.wait(self.PAUSE)
        finally:
            connections.close_all()

    def finish(self) -> None:
        """Link what is left and wait for the process (whatever it leaves, the caller links)."""
        self.stop.set()
        self.process.join()
        if self.process.exitcode:
            self.log(
                f"The linking process failed (exit code {self.process.exitcode}, its error "
                "above); what it left is linked now."
            )


def _use_linker(asked: bool | None) -> bool:
    """Whether a linker process links the chain: by default on PostgreSQL outside a
    transaction; never inside one (it links only what is committed, and forking closes the
    connections, which would end the transaction)."""
    if not connection.in_atomic_block:
        return connection.vendor == "postgresql" if asked is None else asked
    if asked:
        raise ValueError("a linker process needs the batches committed: call outside a transaction")
    return False


def store_all(
    batches: Iterator[tuple[rows.Batch, int]],
    writer: rows.Writer,
    *,
    linker: bool,
    summary: Summary,
    progress: Progress,
) -> None:
    """Store the batches as they are made (the making starts with the first, after the linker
    process is forked), then link whatever is left: what the linker had not reached, and what
    other writers queued while a batch held the chain's lock."""
    linking = Linker(progress.log) if linker else None
    done = 0
    try:
        for made, count in batches:
            written, events = writer.write(made)
            summary.rows += written + events
            summary.events += events
            done += count
            progress(done, summary.rows)
    finally:
        if linking is not None:
            linking.finish()
    audit.chain_pending()


def busy_slots(first_day: date) -> shape.Slots:
    """The slots already taken by stored sessions (generating on top of earlier data)."""
    slots = shape.Slots()
    taken = CounselingSession.objects.filter(
        status__in=["booked", "held"], starts_at__gte=rows.at(first_day, 0)
    ).values_list("office_id", "room", "lead_counselor_id", "starts_at")
    for office, room, counselor, starts_at in taken.iterator(chunk_size=10_000):
        local = timezone.localtime(starts_at)
        slots.busy(
            office=office,
            room=room,
            counselor=counselor,
            day=local.date(),
            minute=local.hour * 60 + local.minute,
        )
    return slots


def generate(**options) -> Summary:
    """See `make`. Meanwhile the query log of DEBUG is off (it would keep every INSERT), and
    so is the cycle collector: the rows go when their batch does (nothing they hold refers
    back to them), and its passes over the batches in the making took a fifth of the
    generator's Python time. What is there before is frozen, what is left after collected."""
    debug, settings.DEBUG = settings.DEBUG, False
    try:
        with cycle_collector_paused(freeze=True):
            return make(**options)
    finally:
        settings.DEBUG = debug


def make(
    *,
    cases: int,
    offices: int,
    years: int = 5,
    seed: int = 16,
    batch: int = 2000,
    hooks: bool = True,
    method: str = "",
    threads: bool = True,
    linker: bool | None = None,
    log: Callable[[str], None] = print,
) -> Summary:
    """Make `cases` cases at `offices` offices over the last `years` years (never before the
    cooling-off law of 2021), up to yesterday. The chain is linked by a process of its own
    (`linker`; by default on PostgreSQL outside a transaction), else in each batch's
    transaction."""
    linker = _use_linker(linker)
    started = time.perf_counter()
    rng = random.Random(seed)
    now = timezone.localtime()
    today = now.date()
    first_day = max(LAW_STARTS, date(today.year - years, today.month, 1))
    calendar: OfficialCalendar = OfficialCalendarYear.objects.calendar()
    working = shape.WorkingDays(calendar, first_day, today + timedelta(days=120))
    # Separate streams: offices and staff made on an earlier run leave the cases' shape alone.
    office_list = ensure_offices(offices, random.Random(f"{seed}-offices"))
    opening_days = list(working.between(first_day, today - timedelta(days=1)))
    openings = plan_openings(rng, count=cases, offices=office_list, days=opening_days)
    span_years = max(1.0, (today - first_day).days / 365)
    share = Counter(o for _, _, o, _ in openings)
    per_year = {office_list[o].id: n / span_years for o, n in share.items()}
    counselors, supervisors = ensure_staff(office_list, per_year, random.Random(f"{seed}-staff"))
    numbers = reserve_numbers(openings, office_list)
    staff = {person.id for people in counselors.values() for person in people}
    summary = Summary(offices=len(office_list), counselors=len(staff))
    log(
        f"{cases:,} cases at {len(office_list)} offices from {first_day} to {today}, "
        f"{summary.counselors} counsellors"
    )

    builder = rows.Builder(rng, consent_texts=consent_texts(today), now=now)
    slots = busy_slots(first_day)
    clock_cache: dict[date, Deadlines] = {}

    def build() -> Iterator[tuple[rows.Batch, int]]:
        """Batches of cases in opening order, each with the events whose turn has come."""
        for start in range(0, cases, batch):
            chunk = openings[start : start + batch]
            for ordinal, minute, office_index, port in chunk:
                office = office_list[office_index]
                day = date.fromordinal(ordinal)
                lead = rng.choice(counselors[office.id])
                ctx = shape.Context(
                    today=today,
                    working=working,
                    slots=slots,
                    office=office.id,
                    rooms=office.rooms,
                    counselor=lead.id,
                )
                due = None
                if port == "divorce":
                    due = clock_cache.get(day) or clock_cache.setdefault(
                        day, deadlines(day, calendar)
                    )
                plan = shape.plan_case(
                    rng,
                    ctx,
                    port=port,
                    opened_on=day,
                    hour=minute // 60,
                    minute=minute % 60,
                    deadlines=due,
                )
                key = (office.id, day.year)
                number = (day.year, numbers[key])
                numbers[key] += 1
                builder.add_case(plan, office=office, number=number, lead=lead, deadlines=due)
            following = openings[start + batch] if start + batch < cases else None
            before = (
                rows.at(date.fromordinal(following[0]), following[1] // 60, following[1] % 60)
                if following
                else None
            )
            slots.forget_before(date.fromordinal(chunk[-1][0]))
            yield builder.take(events_before=before), len(chunk)

    writer = rows.Writer(method or store.default_method(), link=not linker)
    # Whatever waits for its link (and an upgraded trail's switch-over) goes before the
    # generated events, which then follow the head in sequence order.
    audit.chain_pending(switch_over=True)
    rows.prime_ids()
    batches = pipelined(build(), ahead=2 if threads else 0)
    store_all(batches, writer, linker=linker, summary=summary, progress=Progress(cases, log))
    enrolled = enrol_staff(
        [*(p for people in counselors.values() for p in people), *supervisors.values()]
    )
    summary.rows += 2 * enrolled  # the authenticator (its seed sealed) and its audit event
    summary.events += enrolled
    summary.sealed += enrolled
    summary.cases = cases
    summary.sealed += builder.sealed
    summary.seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    if hooks:
        for config in apps.get_app_configs():
            hook = getattr(config, "generated_data", None)
            if hook is not None:
                hook(seed=seed, log=log)
    return summary
