"""The supervisor's list of registry events that were not applied, and settling one.
May import models, audit and the cases service."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit
from ..models import RegistryEvent, User
from .cases import update_case


@transaction.atomic
def resolve_event(
    *,
    event: RegistryEvent,
    resolved_by: User,
    resolution: str,
    accept_registry_date: bool = False,
    request: HttpRequest | None = None,
) -> RegistryEvent:
    """The supervisor settles an event on their list, saying how (code resolution_required). For
    a receipt date that differs, they may take the registry's date for the case (its deadlines
    follow); anything else they correct on the case itself, then mark it resolved here.
    Code not_for_review when the event is not waiting."""
    event = (
        RegistryEvent.objects.select_for_update()
        .select_related("application__case")
        .get(pk=event.pk)
    )
    if event.status != RegistryEvent.Status.REVIEW:
        raise ValidationError(_("This event is not waiting for review."), code="not_for_review")
    resolution = resolution.strip()
    if not resolution:
        raise ValidationError(
            {
                "resolution": ValidationError(
                    _("Say how it was resolved."), code="resolution_required"
                )
            }
        )
    if accept_registry_date:
        if event.reason != "received_date_differs":
            raise ValidationError(
                _("Only a receipt date can be taken from the registry."), code="not_a_date"
            )
        case = event.application.case
        update_case(
            case=case,
            updated_by=resolved_by,
            category=case.category,
            received_on=event.occurred_on,
            request=request,
        )
    event.status = RegistryEvent.Status.RESOLVED
    event.resolved_by, event.resolved_at = resolved_by, timezone.now()
    event.resolution = resolution[:200]
    event.save(update_fields=["status", "resolved_by", "resolved_at", "resolution"])
    audit.record(
        actor=resolved_by,
        action="registry.event.resolve",
        obj=event,
        request=request,
        details={"reason": event.reason, "registry_date": accept_registry_date},
    )
    return event
