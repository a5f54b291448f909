"""SMS reminders to parties: a session reminder the day before, a follow-up reminder on the due
day; sent by the task worker through the configured gateway, with the safety rules checked at
the moment of sending, retries that never send twice, delivery reports and replies (回复TD).
May import models, audit, crypto, keyring, sealing, the sms package and the notices service.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import audit, crypto, keyring, sealing
from ..models import (
    ContactPreference,
    CounselingSession,
    FollowUp,
    Party,
    SmsMessage,
    User,
)
from ..sms import gateway, rules, templates
from ..sms.phones import normalise_mobile

logger = logging.getLogger("tongxin.sms")

MAX_ATTEMPTS = 5
OPT_OUT_WORDS = frozenset({"TD", "T", "退订", "N"})
# A session reminder no later than this before the session; a follow-up reminder that day only.
SESSION_NOTICE = timedelta(hours=2)


def _reminder_hour() -> int:
    return int(getattr(settings, "TONGXIN_SMS", {}).get("REMINDER_HOUR", 10))


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def phone_index(number: str) -> str:
    return crypto.blind_index(keyring.ring().blind_index_key, "tel:" + number)


def _enqueue(message: SmsMessage) -> None:
    """Hand the message to the worker for its time; a backend that cannot defer leaves it to the
    periodic sweep (`manage.py reminders`)."""
    from ..tasks import send_sms  # noqa: PLC0415  (the task module imports this one)

    task = send_sms
    if task.get_backend().supports_defer:
        task = task.using(run_after=message.send_after)
    elif message.send_after > timezone.now():
        return
    try:
        task.enqueue(message.pk)
    except Exception:  # a worker backend that is down must not undo the booking
        logger.warning("Could not enqueue SMS %s; the sweep will send it", message.uuid)


def _schedule(
    *,
    key: str,
    kind: str,
    party: Party,
    send_after: datetime,
    expires_at: datetime,
    params: dict[str, str],
    session: CounselingSession | None = None,
    follow_up: FollowUp | None = None,
) -> SmsMessage | None:
    """One scheduled message, once per key (a second call finds the first)."""
    now = timezone.now()
    send_after = max(send_after, now)
    if send_after >= expires_at:
        return None
    try:
        with transaction.atomic():
            message = SmsMessage.objects.create(
                idempotency_key=key,
                kind=kind,
                party=party,
                case_id=party.case_id,
                session=session,
                follow_up=follow_up,
                template=kind,
                params=params,
                send_after=send_after,
                expires_at=expires_at,
                created_at=now,
            )
    except IntegrityError:
        return None
    transaction.on_commit(lambda: _enqueue(message))
    return message


def _when(moment: datetime) -> dict[str, str]:
    local = timezone.localtime(moment)
    half = "上午" if local.hour < 12 else "下午"
    hour = local.hour if local.hour <= 12 else local.hour - 12
    return {"date": f"{local.month}月{local.day}日", "time": f"{half}{hour}:{local.minute:02d}"}


def schedule_session_reminders(*, session: CounselingSession) -> list[SmsMessage]:
    """A reminder for each party of a booked session, to go the day before (from the reminder
    hour, 10:00 by default) and no later than two hours before it. Whether it may go at all is
    decided when it is sent: consent, opt-out and safety can change meanwhile."""
    parties = (
        list(session.case.parties.all())
        if session.kind == CounselingSession.Kind.JOINT
        else [session.party]
    )
    start = timezone.localtime(session.starts_at)
    params = {**_when(session.starts_at), "place": session.office.name}
    scheduled = []
    for party in parties:
        if party is None:
            continue
        message = _schedule(
            key=f"session:{session.uuid}:{party.uuid}",
            kind=SmsMessage.Kind.SESSION,
            party=party,
            send_after=_at(start.date() - timedelta(days=1), _reminder_hour()),
            expires_at=session.starts_at - SESSION_NOTICE,
            params=params,
            session=session,
        )
        if message is not None:
            scheduled.append(message)
    return scheduled


def schedule_follow_up_reminders(*, today: date | None = None) -> list[SmsMessage]:
    """A reminder on the due day of each follow-up call still due (the sweep runs daily)."""
    today = today or timezone.localdate()
    scheduled = []
    for follow_up in FollowUp.objects.filter(
        status=FollowUp.Status.DUE, due_on=today
    ).select_related("party"):
        message = _schedule(
            key=f"follow-up:{follow_up.pk}",
            kind=SmsMessage.Kind.FOLLOW_UP,
            party=follow_up.party,
            send_after=_at(today, _reminder_hour()),
            expires_at=_at(today, rules.QUIET_START.hour),
            params={},
            follow_up=follow_up,
        )
        if message is not None:
            scheduled.append(message)
    return scheduled


def cancel_for_party(party: Party, reason: str) -> int:
    return SmsMessage.objects.filter(party=party, status=SmsMessage.Status.SCHEDULED).update(
        status=SmsMessage.Status.CANCELLED, reason=reason, status_at=timezone.now()
    )


# --- sending --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    recipient: rules.Recipient
    other_names: tuple[str, ...]


def _numbers(party: Party) -> tuple[str | None, str | None, str]:
    """The party's phone and safe phone, normalised, and their name (opened for sending only)."""
    opened = sealing.open_fields(party, "phone", "name")
    contact = ContactPreference.objects.filter(party=party).first()
    safe = sealing.open_fields(contact, "safe_phone")["safe_phone"] if contact else None
    return normalise_mobile(opened["phone"]), normalise_mobile(safe), opened["name"] or ""


def _facts(party: Party) -> Facts:
    phone, safe, _name = _numbers(party)
    contact = ContactPreference.objects.filter(party=party).first()
    others = list(Party.objects.filter(case_id=party.case_id).exclude(pk=party.pk))
    other_numbers: set[str] = set()
    other_names = []
    for other in others:
        other_phone, other_safe, other_name = _numbers(other)
        other_numbers |= {number for number in (other_phone, other_safe) if number}
        other_names.append(other_name)
    return Facts(
        rules.Recipient(
            consented=party.consent_follow_up,
            opted_out=bool(contact and contact.opted_out),
            screened_positive=party.screened_positive,
            phone=phone,
            safe_phone=safe,
            other_positive=any(other.screened_positive for other in others),
            other_numbers=frozenset(other_numbers),
        ),
        tuple(name for name in other_names if name),
    )


def _subject_gone(message: SmsMessage, now: datetime) -> str:
    """Why the message has nothing left to remind of ('' when it still has)."""
    if message.session_id is not None:
        session = CounselingSession.objects.get(pk=message.session_id)
        if session.status != CounselingSession.Status.BOOKED or session.starts_at <= now:
            return "session_changed"
    if message.follow_up_id is not None:
        follow_up = FollowUp.objects.get(pk=message.follow_up_id)
        if follow_up.status != FollowUp.Status.DUE:
            return "follow_up_changed"
    return ""


def _finish(message: SmsMessage, status: str, reason: str = "", **fields: object) -> SmsMessage:
    message.status, message.reason, message.status_at = status, reason, timezone.now()
    for name, value in fields.items():
        setattr(message, name, value)
    message.save()
    audit.record(
        actor=None,
        action="sms.send",
        obj=message.case,
        outcome="ok"
        if status in (SmsMessage.Status.SENT, SmsMessage.Status.SCHEDULED)
        else "failed",
        details={
            "message": str(message.uuid),
            "kind": message.kind,
            "status": status,
            "reason": reason,
            "attempt": message.attempts,
        },
    )
    return message


def _claim(message_id: int, now: datetime) -> tuple[SmsMessage, gateway.OutgoingSms | None]:
    """Decide under a row lock; a message leaves the SCHEDULED state exactly once per attempt."""
    with transaction.atomic():
        message = (
            SmsMessage.objects.select_for_update()
            .select_related("party", "case")
            .get(pk=message_id)
        )
        if message.status != SmsMessage.Status.SCHEDULED or now < message.send_after:
            return message, None
        if now >= message.expires_at:
            return _finish(message, SmsMessage.Status.CANCELLED, "expired"), None
        gone = _subject_gone(message, now)
        if gone:
            return _finish(message, SmsMessage.Status.CANCELLED, gone), None
        party = Party.objects.select_for_update().get(pk=message.party_id)
        try:
            facts = _facts(party)
        except crypto.SealError:
            return _finish(message, SmsMessage.Status.WITHHELD, "key_unavailable"), None
        decision = rules.decide(facts.recipient, timezone.localtime(now))
        if decision.wait_until is not None:
            if decision.wait_until >= message.expires_at:
                return _finish(message, SmsMessage.Status.WITHHELD, decision.reason), None
            message.send_after = decision.wait_until
            message.save(update_fields=["send_after"])
            transaction.on_commit(lambda: _enqueue(message))
            return message, None
        if not decision.send or decision.phone is None:
            return _finish(message, SmsMessage.Status.WITHHELD, decision.reason), None
        try:
            text = templates.render(
                message.template,
                message.params,
                signature=gateway.signature(),
                also_forbidden=facts.other_names,
            )
        except templates.TemplateError as error:
            return _finish(message, SmsMessage.Status.FAILED, f"template_{error.code}"), None
        backend = gateway.gateway()
        message.status = SmsMessage.Status.SENDING
        message.attempts += 1
        message.backend = backend.name
        message.phone_index = phone_index(decision.phone)
        message.save(update_fields=["status", "attempts", "backend", "phone_index"])
        return message, gateway.OutgoingSms(
            phone=decision.phone,
            template=message.template,
            params=dict(message.params),
            text=text,
            idempotency_key=message.idempotency_key,
        )


def send_message(*, message_id: int, now: datetime | None = None) -> SmsMessage:
    """Send one scheduled message if it is due and every rule allows it (rules.py), else wait,
    withhold or cancel it, with the reason recorded. The provider is called outside any
    transaction; a transient failure puts the message back with a growing delay (up to five
    attempts), a permanent one fails it. Every outcome is an audit event; a message already
    sent, withheld or cancelled is left alone, so a retry or a second worker never sends twice."""
    now = now or timezone.now()
    message, outgoing = _claim(message_id, now)
    if outgoing is None:
        return message
    try:
        provider_id = gateway.gateway().send(outgoing)
    except gateway.TransientSmsError as error:
        with transaction.atomic():
            message = SmsMessage.objects.select_for_update().get(pk=message.pk)
            if message.attempts >= MAX_ATTEMPTS:
                return _finish(message, SmsMessage.Status.FAILED, error.code[:40])
            message.send_after = now + timedelta(minutes=2**message.attempts)
            message = _finish(message, SmsMessage.Status.SCHEDULED, error.code[:40])
            transaction.on_commit(lambda: _enqueue(message))
            return message
    except gateway.PermanentSmsError as error:
        with transaction.atomic():
            return _finish(message, SmsMessage.Status.FAILED, error.code[:40])
    with transaction.atomic():
        return _finish(
            message, SmsMessage.Status.SENT, provider_id=provider_id[:80], sent_at=timezone.now()
        )


def send_due(*, now: datetime | None = None) -> int:
    """Send every scheduled message whose time has come (the sweep; the worker's tasks do the
    same one by one). Returns how many were sent."""
    now = now or timezone.now()
    due = (
        SmsMessage.objects.filter(status=SmsMessage.Status.SCHEDULED, send_after__lte=now)
        .order_by("send_after", "pk")
        .values_list("pk", flat=True)
    )
    sent = 0
    for message_id in list(due):
        if send_message(message_id=message_id, now=now).status == SmsMessage.Status.SENT:
            sent += 1
    return sent


# --- what the provider tells us -----------------------------------------------------------------


@transaction.atomic
def record_reports(*, backend: str, body: bytes) -> int:
    """Delivery reports pushed by the provider: each sent message becomes delivered or not."""
    reports = gateway.gateway().parse_reports(body)
    updated = 0
    for report in reports:
        updated += SmsMessage.objects.filter(
            backend=backend,
            provider_id=report.provider_id,
            status__in=[SmsMessage.Status.SENT, SmsMessage.Status.SENDING],
        ).update(
            status=SmsMessage.Status.DELIVERED
            if report.delivered
            else SmsMessage.Status.UNDELIVERED,
            reason="" if report.delivered else report.code[:40],
            status_at=report.at or timezone.now(),
        )
    audit.record(
        actor=None,
        action="sms.reports",
        details={"backend": backend, "reports": len(reports), "updated": updated},
    )
    return updated


@transaction.atomic
def record_replies(*, backend: str, body: bytes) -> int:
    """Replies pushed by the provider: 回复TD (or 退订) from a number we sent to opts its party
    out of every message (PIPL: stopping is as easy as agreeing). Returns parties opted out."""
    parties: set[int] = set()
    for reply in gateway.gateway().parse_replies(body):
        number = normalise_mobile(reply.phone)
        if number is None or reply.text.strip().upper() not in OPT_OUT_WORDS:
            continue
        parties |= set(
            SmsMessage.objects.filter(phone_index=phone_index(number)).values_list(
                "party", flat=True
            )
        )
    for party in Party.objects.filter(pk__in=parties).select_related("case__office"):
        opt_out(party=party, source=ContactPreference.OptOutSource.REPLY, by=None)
    return len(parties)


def opt_out(*, party: Party, source: str, by: User | None) -> ContactPreference:
    """The party wants no more messages: recorded, and every scheduled one is cancelled."""
    contact, _created = ContactPreference.objects.get_or_create(
        party=party, defaults={"updated_at": timezone.now()}
    )
    if contact.opted_out_at is None:
        contact.opted_out_at = timezone.now()
        contact.opted_out_source = source
    contact.updated_by, contact.updated_at = by, timezone.now()
    contact.save()
    cancel_for_party(party, "opted_out")
    audit.record(actor=by, action="contact.opt_out", obj=party, details={"source": source})
    return contact
