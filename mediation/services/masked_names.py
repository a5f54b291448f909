"""The parties' names as case lists show them (陈*杰 / 杨*): opened through the door, masked
before they leave the service, and one audit event for the page's reads. May import models,
access, audit, crypto, sealing, identity."""

import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from .. import audit, crypto, sealing
from ..access import Action, cases_for
from ..identity import mask_name
from ..models import Case, Party, User

log = logging.getLogger("tongxin.sealed")

# Shown for a party whose name did not open (the key is not loaded, the tag failed).
UNREADABLE = "？"


@transaction.atomic
def read_masked_names(
    *, user: User, cases: Iterable[Case], request: HttpRequest | None = None
) -> dict[int, str]:
    """The parties' names as lists show them (陈*杰 / 杨*), by case id, for the cases among
    `cases` whose identities the user may open (the others get none). Names are masked here,
    before they leave the service, so a list page never holds a full name. Every opening is
    one `party.identity.read` event for the whole page, listing the records and the field read
    (never one event per row); a name that does not open is shown as ？ and recorded as a
    failed read, with an integrity failure logged as well (SECURITY.md table)."""
    wanted = {case.pk for case in cases}
    if not wanted:
        return {}
    parties = list(
        Party.objects.filter(
            case__in=cases_for(user, Action.READ_IDENTITY).filter(pk__in=wanted),
            name_sealed__isnull=False,
        )
        .select_related("case__office")
        .order_by("case_id", "position")
    )
    names: dict[int, list[str]] = {}
    opened: list[Party] = []
    failed: dict[str, list[Party]] = {}
    for party in parties:
        try:
            name = sealing.open_fields(party, "name")["name"] or ""
        except crypto.KeyUnavailable:
            failed.setdefault("key_unavailable", []).append(party)
            name = UNREADABLE
        except (crypto.IntegrityFailure, crypto.UnsupportedFormat) as error:
            log.error("integrity failure opening party %s: %s", party.uuid, type(error).__name__)
            failed.setdefault("integrity", []).append(party)
            name = UNREADABLE
        else:
            opened.append(party)
            name = mask_name(name)
        names.setdefault(party.case_id, []).append(name)
    for outcome, reason, read in [("ok", "", opened)] + [
        ("failed", reason, rows) for reason, rows in failed.items()
    ]:
        if read:
            _record_list_read(
                user=user, parties=read, outcome=outcome, reason=reason, request=request
            )
    return {case_id: " / ".join(each) for case_id, each in names.items()}


def _record_list_read(
    *, user: User, parties: list[Party], outcome: str, reason: str, request: HttpRequest | None
) -> None:
    offices = {party.case.office for party in parties}
    details: dict[str, Any] = {
        "records": [
            {"type": "party", "uuid": str(party.uuid), "fields": ["name"]} for party in parties
        ],
        "masked": True,
    }
    if reason:
        details["reason"] = reason
    audit.record(
        actor=user,
        action="party.identity.read",
        outcome=outcome,
        office=offices.pop() if len(offices) == 1 else None,
        request=request,
        details=details,
    )
