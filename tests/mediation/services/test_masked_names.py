"""The names a case list shows (mediation/services/masked_names.py): masked before they leave the
service, only for cases whose identities the reader may open, one audit event per page."""

from mediation import services
from mediation.models import AuditEvent
from tests.factories import open_divorce_case


def test_a_page_of_cases_gets_masked_names_only_where_the_reader_may_open_them(
    counselor, other_counselor, xlt, ps
):
    mine = open_divorce_case(xlt, counselor)
    first, second = mine.parties.all()
    services.update_party(party=first, updated_by=counselor, name="陈小杰")
    services.update_party(party=second, updated_by=counselor, name="杨树")
    theirs = open_divorce_case(ps, other_counselor)
    services.update_party(party=theirs.parties.first(), updated_by=other_counselor, name="李四")
    before = AuditEvent.objects.filter(action="party.identity.read").count()

    names = services.read_masked_names(user=counselor, cases=[mine, theirs])

    assert names == {mine.pk: "陈*杰 / 杨*"}
    read = AuditEvent.objects.filter(action="party.identity.read").order_by("seq")[before:]
    assert [(event.outcome, event.details["masked"]) for event in read] == [("ok", True)]
    assert len(read[0].details["records"]) == 2


def test_no_cases_read_nothing(counselor):
    assert services.read_masked_names(user=counselor, cases=[]) == {}
    assert not AuditEvent.objects.filter(action="party.identity.read").exists()
