"""Session notes: drafts, stale saves, signing, addenda (mediation/services/notes.py)."""

import pytest
from django.core.exceptions import ValidationError

from mediation import sealing, services
from mediation.models import AuditEvent, NoteDraft, Purpose, SessionNote
from mediation.roles import Role
from tests.factories import held_session_with_note, make_user, open_divorce_case
from tests.helpers import error_codes


def test_no_note_without_sensitive_information_consent(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    services.record_consent(
        case=case,
        party=case.parties.last(),
        purpose=Purpose.SENSITIVE,
        given=False,
        recorded_by=counselor,
    )

    with pytest.raises(ValidationError) as error:
        held_session_with_note(case, counselor)

    assert error_codes(error.value) == {"no_sensitive_consent"}


def test_only_the_counsellors_of_the_case_write_its_notes(counselor, other_counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    session, _ = held_session_with_note(case, counselor)

    with pytest.raises(ValidationError) as error:
        services.save_note(session=session, author=other_counselor, body="不该写入")

    assert error_codes(error.value) == {"not_assigned"}


def test_an_empty_note_is_refused_next_to_the_text(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    session, _ = held_session_with_note(case, counselor)

    with pytest.raises(ValidationError) as error:
        services.save_note(session=session, author=counselor, body="  \n")

    assert error_codes(error.value) == {"empty"}
    assert "body" in error.value.error_dict


def test_a_stale_note_save_keeps_the_users_text_out_of_the_database_and_says_so(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    session, note = held_session_with_note(case, counselor, body="示例笔记：版本一")
    services.save_note(
        session=session, author=counselor, body="示例笔记：版本二", expected_version=1
    )

    with pytest.raises(services.StaleNote) as error:
        services.save_note(
            session=session, author=counselor, body="示例笔记：过期的编辑", expected_version=1
        )

    assert error_codes(error.value) == {"stale"}
    fresh = SessionNote.objects.get(pk=note.pk)
    assert services.read_note(user=counselor, note=fresh).values["body"] == "示例笔记：版本二"
    assert note.revisions.count() == 1


def test_each_save_keeps_the_previous_text_as_a_sealed_revision(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    session, _note = held_session_with_note(case, counselor, body="示例笔记：版本一")

    saved = services.save_note(session=session, author=counselor, body="示例笔记：版本二")

    revision = saved.revisions.get()
    assert saved.version == 2
    assert revision.version == 1
    assert "版本一".encode() not in bytes(revision.body_sealed)
    opened = services.read_note(user=counselor, note=saved)
    assert opened.values["body"] == "示例笔记：版本二"


def test_a_signed_note_is_locked_and_takes_addenda(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    session, note = held_session_with_note(case, counselor)
    services.sign_note(note=note, signed_by=counselor)

    with pytest.raises(ValidationError) as error:
        services.save_note(session=session, author=counselor, body="改写", expected_version=1)
    services.add_addendum(note=note, author=counselor, body="示例笔记：补充说明")

    assert error_codes(error.value) == {"signed"}
    opened = services.read_note(user=counselor, note=note)
    assert [o.values["body"] for _, o in opened.addenda] == ["示例笔记：补充说明"]


def test_only_the_author_signs_and_only_once(counselor, xlt):
    colleague = make_user(Role.COUNSELOR, xlt, username="c_xlt_sign")
    case = open_divorce_case(xlt, counselor)
    _, note = held_session_with_note(case, counselor)

    with pytest.raises(ValidationError) as not_author:
        services.sign_note(note=note, signed_by=colleague)
    services.sign_note(note=note, signed_by=counselor)
    with pytest.raises(ValidationError) as again:
        services.sign_note(note=note, signed_by=counselor)

    assert error_codes(not_author.value) == {"not_author"}
    assert error_codes(again.value) == {"signed"}


def test_an_addendum_is_for_a_signed_note_and_its_case_counsellors(counselor, other_counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    _, note = held_session_with_note(case, counselor)

    with pytest.raises(ValidationError) as draft:
        services.add_addendum(note=note, author=counselor, body="补充")
    services.sign_note(note=note, signed_by=counselor)
    with pytest.raises(ValidationError) as stranger:
        services.add_addendum(note=note, author=other_counselor, body="补充")
    with pytest.raises(ValidationError) as empty:
        services.add_addendum(note=note, author=counselor, body=" ")

    assert error_codes(draft.value) == {"not_signed"}
    assert error_codes(stranger.value) == {"not_assigned"}
    assert error_codes(empty.value) == {"empty"}


def test_a_note_is_kept_in_the_sections_of_the_record_form(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    session, _ = held_session_with_note(case, counselor)

    note = services.save_note(
        session=session,
        author=counselor,
        problem="示例：沟通困难",
        approach="示例：联合面谈",
        body="示例：双方回顾争执",
        statement="示例：愿意再试一次",
        assessment="示例：风险低",
        plan="示例：两周后回访",
        expected_version=1,
    )

    opened = services.read_note(user=counselor, note=note)
    assert opened.values == {
        "problem": "示例：沟通困难",
        "approach": "示例：联合面谈",
        "body": "示例：双方回顾争执",
        "statement": "示例：愿意再试一次",
        "assessment": "示例：风险低",
        "plan": "示例：两周后回访",
    }
    revision = note.revisions.get()
    assert sealing.open_fields(revision, "body")["body"] == "示例笔记：第一次面谈"


@pytest.mark.parametrize("section", ["body", "plan"])
def test_a_section_over_twenty_thousand_characters_is_refused_with_the_count(
    counselor, xlt, section
):
    case = open_divorce_case(xlt, counselor)
    session, _ = held_session_with_note(case, counselor)
    text = {"body": "示例", section: "字" * 20_001}

    with pytest.raises(ValidationError) as error:
        services.save_note(session=session, author=counselor, expected_version=1, **text)

    assert error_codes(error.value) == {"too_long"}
    assert "20001" in error.value.error_dict[section][0].messages[0]


def test_twenty_thousand_characters_are_kept(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    session, _ = held_session_with_note(case, counselor)

    note = services.save_note(
        session=session, author=counselor, body="字" * 20_000, expected_version=1
    )

    assert len(services.read_note(user=counselor, note=note).values["body"]) == 20_000


def test_an_addendum_over_the_limit_is_refused(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    _, note = held_session_with_note(case, counselor)
    services.sign_note(note=note, signed_by=counselor)

    with pytest.raises(ValidationError) as error:
        services.add_addendum(note=note, author=counselor, body="补" * 20_001)

    assert error_codes(error.value) == {"too_long"}


def test_a_draft_is_sealed_saved_only_when_changed_and_gone_once_the_note_is_saved(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    session, _note = held_session_with_note(case, counselor)
    sections = {"body": "示例：自动保存的内容", "plan": "示例：下周再谈"}

    draft = services.save_draft(
        session=session, author=counselor, sections=sections, base_version=1
    )
    again = services.save_draft(
        session=session, author=counselor, sections=sections, base_version=1
    )

    assert again.pk == draft.pk
    assert AuditEvent.objects.filter(action="note.draft.save").count() == 1
    assert "自动保存".encode() not in bytes(NoteDraft.objects.get().body_sealed)
    assert services.read_draft(user=counselor, draft=draft).values["plan"] == "示例：下周再谈"
    services.save_note(session=session, author=counselor, body="示例：正式保存", expected_version=1)
    assert not NoteDraft.objects.exists()


def test_a_draft_is_opened_by_its_author_only(counselor, xlt):
    colleague = make_user(Role.COUNSELOR, xlt, username="c_xlt_colleague")
    case = open_divorce_case(xlt, counselor)
    services.assign_counselor(case=case, counselor=colleague, assigned_by=counselor)
    session, _ = held_session_with_note(case, counselor)
    draft = services.save_draft(
        session=session, author=counselor, sections={"body": "示例"}, base_version=1
    )

    assert not services.read_draft(user=colleague, draft=draft).ok


def test_no_draft_for_a_signed_note(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    session, note = held_session_with_note(case, counselor)
    services.sign_note(note=note, signed_by=counselor)

    with pytest.raises(ValidationError) as error:
        services.save_draft(
            session=session, author=counselor, sections={"body": "晚了"}, base_version=1
        )

    assert error_codes(error.value) == {"signed"}
