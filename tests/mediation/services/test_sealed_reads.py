"""Opening sealed values: who may, and every opening and refusal in the audit trail
(mediation/services/sealed_reads.py; SECURITY.md, 'Access')."""

from datetime import date

import pytest

from mediation import services
from mediation.models import AuditEvent, Purpose, Referral
from tests.factories import held_session_with_note, open_divorce_case

NO = dict.fromkeys(services.SCREEN_QUESTIONS, False)


def events(action, outcome="ok"):
    return AuditEvent.objects.filter(action=action, outcome=outcome)


@pytest.fixture
def case(counselor, xlt):
    """A case with a named first party, a screen of each party and a referral."""
    case = open_divorce_case(xlt, counselor)
    first, second = case.parties.all()
    services.update_party(party=first, updated_by=counselor, name="张示例")
    services.record_consent(
        case=case, party=second, purpose=Purpose.SENSITIVE, given=False, recorded_by=counselor
    )
    services.screen_party(party=first, answers={**NO, "afraid": True}, screened_by=counselor)
    services.screen_party(party=second, answers=NO, screened_by=counselor)
    services.refer(
        case=case,
        party=first,
        destination=Referral.Destination.WOMENS_FEDERATION,
        reason="示例：需要庇护",
        referred_on=date(2026, 9, 10),
        referred_by=counselor,
    )
    return case


def test_the_counsellor_and_the_supervisor_open_identities_and_others_are_refused(
    case, counselor, supervisor, other_counselor
):
    party = case.parties.first()

    mine = services.read_party_identity(user=counselor, party=party)
    supervised = services.read_party_identity(user=supervisor, party=party)
    refused = services.read_party_identity(user=other_counselor, party=party)

    assert mine.values["name"] == supervised.values["name"] == "张示例"
    assert not refused.ok
    assert refused.values == {}
    assert events("party.identity.read").count() == 2
    assert events("party.identity.read", "denied").get().actor == other_counselor


def test_the_case_page_opens_only_recorded_names_and_only_for_those_who_may(
    case, counselor, other_counselor
):
    parties = list(case.parties.all())

    names = services.read_party_names(user=counselor, case=case, parties=parties)
    nothing = services.read_party_names(user=other_counselor, case=case, parties=parties)

    assert {pk: opened.values["name"] for pk, opened in names.items()} == {parties[0].pk: "张示例"}
    assert nothing == {}
    assert events("party.identity.read").count() == 1


def test_the_supervisor_never_opens_note_text(counselor, supervisor, xlt):
    case = open_divorce_case(xlt, counselor)
    session, note = held_session_with_note(case, counselor, body="示例笔记：保密")

    refused = services.read_note(user=supervisor, note=note)
    listed = services.read_session_notes(user=supervisor, session=session)
    read = services.read_session_notes(user=counselor, session=session)

    assert not refused.ok
    assert "保密" not in str(refused)
    assert listed == [(note, None)]
    assert [(n, o.values["body"]) for n, o in read] == [(note, "示例笔记：保密")]
    assert events("note.read", "denied").count() == 1
    assert events("note.read").get().actor == counselor


def test_screening_answers_open_for_the_counsellor_only(case, counselor, supervisor):
    positive = case.parties.first().screens.get()

    opened = services.read_screen(user=counselor, screen=positive)
    refused = services.read_screen(user=supervisor, screen=positive)

    assert opened.kept
    assert opened.answers == {**NO, "afraid": True}
    assert not refused.ok
    assert refused.answers == {}
    assert events("screen.read").count() == 1
    assert events("screen.read", "denied").get().actor == supervisor


def test_referral_reasons_open_for_everyone_who_sees_the_case(
    case, counselor, supervisor, other_counselor
):
    referral = case.referrals.get()

    assert services.read_referral_reason(user=supervisor, referral=referral).ok
    assert services.read_referral_reason(user=counselor, referral=referral).ok
    refused = services.read_referral_reason(user=other_counselor, referral=referral)

    assert not refused.ok
    assert events("referral.read").count() == 2
    assert events("referral.read", "denied").get().actor == other_counselor


def test_the_sealed_answers_of_a_case_for_its_counsellor(case, counselor):
    opened = services.read_sealed_answers(user=counselor, case=case)

    (first, first_answers), (second, second_answers) = opened.screens
    assert opened.may_read_screens
    assert (first.party.position, first_answers.answers["afraid"]) == (1, True)
    assert (second.party.position, second_answers) == (2, None)  # kept without consent: no
    assert [reason.values["reason"] for _, reason in opened.referrals] == ["示例：需要庇护"]
    assert events("screen.read").count() == 1
    assert events("referral.read").count() == 1


def test_the_sealed_answers_of_a_case_for_its_supervisor_leave_out_the_screening_answers(
    case, supervisor
):
    opened = services.read_sealed_answers(user=supervisor, case=case)

    assert not opened.may_read_screens
    assert [answers for _, answers in opened.screens] == [None, None]
    assert [reason.ok for _, reason in opened.referrals] == [True]
    assert not AuditEvent.objects.filter(action="screen.read").exists()


def test_a_page_of_notes_is_one_audit_event_listing_what_it_opened(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    session, note = held_session_with_note(case, counselor, body="示例笔记：第一份")
    services.sign_note(note=note, signed_by=counselor)
    addenda = [
        services.add_addendum(note=note, author=counselor, body=f"示例补充{n}") for n in (1, 2)
    ]
    before = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()

    opened = services.read_session_notes(user=counselor, session=session)

    (event,) = AuditEvent.objects.filter(seq__gt=before)
    assert [o.values["body"] for _, o in opened] == ["示例笔记：第一份"]
    assert (event.action, event.outcome) == ("note.read", "ok")
    assert (event.object_type, event.object_uuid) == ("counselingsession", str(session.uuid))
    assert event.details == {
        "records": [
            {"type": "sessionnote", "uuid": str(note.uuid), "fields": list(note.SEALED_FIELDS)},
            *({"type": "noteaddendum", "uuid": str(a.uuid), "fields": ["body"]} for a in addenda),
        ]
    }
    assert "示例" not in str(event.details)
