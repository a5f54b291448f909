"""A case's timeline on its page: what happened and who did it, newest first, built from the
case's records and, for prints, the audit trail. Plain columns only: no sealed value is opened
here, so no name, note, answer or reason can reach it. May import models only."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ..models import (
    AuditEvent,
    Case,
    ConsentRecord,
    ConsentSignature,
    Party,
    Purpose,
    SafetyScreen,
    SessionNote,
    User,
)

DOCUMENT_LABELS: dict[str, Callable[[], str]] = {
    "consent_form": lambda: _("Consent form printed"),
    "record_form": lambda: _("Record form printed"),
    "referral_letter": lambda: _("Referral letter printed"),
    "case_summary": lambda: _("Case summary printed"),
}


@dataclass(frozen=True)
class Entry:
    """One line of the timeline: when (a day for records kept by day), what, and who."""

    at: datetime
    what: str
    who: str = ""
    day_only: bool = False
    struck: bool = False


def _day(day: date) -> datetime:
    """Records kept by the day sort at the end of their day."""
    return timezone.make_aware(datetime.combine(day, time.max))


def _who(user: User | None) -> str:
    return user.display_name if user is not None else _("the clock")


def _opening_and_assignments(case: Case) -> list[Entry]:
    entries = [Entry(case.opened_at, _("Case opened"), _who(case.opened_by))]
    for assignment in case.assignments.select_related("counselor", "assigned_by"):
        entries.append(
            Entry(
                assignment.assigned_at,
                _("%(name)s assigned") % {"name": assignment.counselor.display_name},
                _who(assignment.assigned_by),
            )
        )
        if assignment.ended_at:
            entries.append(
                Entry(
                    assignment.ended_at,
                    _("%(name)s no longer assigned") % {"name": assignment.counselor.display_name},
                )
            )
    return entries


def _consents(case: Case, parties: list[Party]) -> list[Entry]:
    verbs = {
        ConsentRecord.Action.GIVEN: _("%(party)s agreed: %(purpose)s"),
        ConsentRecord.Action.REFUSED: _("%(party)s did not agree: %(purpose)s"),
        ConsentRecord.Action.WITHDRAWN: _("%(party)s withdrew: %(purpose)s"),
    }
    records = ConsentRecord.objects.filter(party__case=case).select_related("party", "recorded_by")
    entries = [
        Entry(
            record.recorded_at,
            verbs[ConsentRecord.Action(record.action)]
            % {"party": record.party.label, "purpose": Purpose(record.purpose).label},
            _who(record.recorded_by),
        )
        for record in records
    ]
    for party in parties:
        entries += [
            Entry(
                signature.signed_at,
                _("%(party)s signed") % {"party": party.label},
                _who(signature.recorded_by),
            )
            for signature in party.signatures.all()
        ]
    return entries


def _screens_and_referrals(case: Case, parties: list[Party]) -> list[Entry]:
    entries = []
    for party in parties:
        for screen in party.screens.all():
            what = (
                _("%(party)s screened: positive")
                if screen.positive
                else _("%(party)s screened: negative")
            )
            entries.append(
                Entry(screen.screened_at, what % {"party": party.label}, _who(screen.screened_by))
            )
    for referral in case.referrals.select_related("referred_by"):
        entries.append(
            Entry(
                _day(referral.referred_on),
                _("Referred to %(service)s") % {"service": referral.get_destination_display()},
                _who(referral.referred_by),
                day_only=True,
            )
        )
    return entries


def _sessions_and_notes(case: Case) -> list[Entry]:
    entries = []
    sessions = case.sessions.select_related("booked_by", "cancelled_by", "lead_counselor")
    signed = SessionNote.objects.filter(signed_at__isnull=False).select_related("author")
    for session in sessions.prefetch_related(Prefetch("notes", queryset=signed)):
        kind = session.get_kind_display()
        entries.append(
            Entry(
                session.booked_at,
                _("Session of %(when)s booked (%(kind)s)")
                % {
                    "when": date_format(timezone.localtime(session.starts_at), "DATETIME_FORMAT"),
                    "kind": kind,
                },
                _who(session.booked_by),
            )
        )
        if session.status == session.Status.HELD:
            entries.append(
                Entry(
                    session.starts_at,
                    _("Session held (%(kind)s)") % {"kind": kind},
                    _who(session.lead_counselor),
                )
            )
        if session.cancelled_at:
            entries.append(
                Entry(
                    session.cancelled_at,
                    _("Session %(status)s: %(reason)s")
                    % {
                        "status": session.get_status_display(),
                        "reason": session.get_cancel_reason_display(),
                    },
                    _who(session.cancelled_by) if session.cancelled_by else "",
                )
            )
        for note in session.notes.all():
            if note.signed_at:
                entries.append(Entry(note.signed_at, _("Note signed"), _who(note.author)))
    return entries


def _results_and_outcomes(case: Case) -> list[Entry]:
    entries = []
    if case.result and case.result_on:
        entries.append(
            Entry(
                _day(case.result_on),
                _("Counselling result: %(result)s") % {"result": case.get_result_display()},
                _who(case.result_recorded_by) if case.result_recorded_by else "",
                day_only=True,
            )
        )
    for outcome in case.outcomes.select_related("recorded_by", "voided_by"):
        entries.append(
            Entry(
                outcome.recorded_at,
                _("Registry outcome: %(outcome)s, %(day)s")
                % {
                    "outcome": outcome.get_kind_display(),
                    "day": date_format(outcome.decided_on, "DATE_FORMAT"),
                },
                _who(outcome.recorded_by),
                struck=outcome.is_voided,
            )
        )
        if outcome.voided_at:
            entries.append(
                Entry(outcome.voided_at, _("Registry outcome voided"), _who(outcome.voided_by))
            )
    for follow_up in case.follow_ups.select_related("party", "recorded_by"):
        if follow_up.done_on:
            entries.append(
                Entry(
                    _day(follow_up.done_on),
                    _("%(months)s-month follow-up: %(status)s")
                    % {"months": follow_up.months, "status": follow_up.get_status_display()},
                    _who(follow_up.recorded_by) if follow_up.recorded_by else "",
                    day_only=True,
                )
            )
    return entries


def _attachments_and_prints(case: Case) -> list[Entry]:
    entries = [
        Entry(
            attachment.uploaded_at,
            _("Document attached: %(kind)s") % {"kind": attachment.get_kind_display()},
            _who(attachment.uploaded_by),
        )
        for attachment in case.attachments.defer(
            "content_sealed", "filename_sealed"
        ).select_related("uploaded_by")
    ]
    referral_uuids = [str(uuid) for uuid in case.referrals.values_list("uuid", flat=True)]
    prints = AuditEvent.objects.filter(
        action="document.print",
        outcome=AuditEvent.Outcome.OK,
        object_uuid__in=[str(case.uuid), *referral_uuids],
    ).select_related("actor")
    for event in prints:
        label = DOCUMENT_LABELS.get(event.details.get("document", ""))
        if label:
            entries.append(Entry(event.at, label(), _who(event.actor)))
    return entries


def case_timeline(case: Case) -> list[Entry]:
    """Everything that happened in a case, newest first (DOMAIN.md's case work, step by
    step): opening, assignments, consents and signatures, screens, sessions, signed notes,
    results, outcomes (voided ones struck through), follow-ups, referrals, attachments and
    prints."""
    parties = list(
        case.parties.prefetch_related(
            Prefetch("screens", queryset=SafetyScreen.objects.select_related("screened_by")),
            Prefetch(
                "signatures",
                queryset=ConsentSignature.objects.select_related("recorded_by").only(
                    "party_id", "signed_at", "recorded_by"
                ),
            ),
        )
    )
    entries = [
        *_opening_and_assignments(case),
        *_consents(case, parties),
        *_screens_and_referrals(case, parties),
        *_sessions_and_notes(case),
        *_results_and_outcomes(case),
        *_attachments_and_prints(case),
    ]
    # Equal times keep the order of the steps, newest step first (the case is opened before
    # anything else happens in it).
    order = sorted(enumerate(entries), key=lambda pair: (pair[1].at, pair[0]), reverse=True)
    return [entry for _index, entry in order]
