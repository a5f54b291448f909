"""A party's text-message settings (safe number, opt-out) and the reminders sent or withheld.
May import access, forms, models and services."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from .. import access
from ..forms_registry import ContactForm
from ..http import AuthenticatedHttpRequest
from ..models import SmsMessage
from ..services import contact
from .common import form_errors_from, party_of, render_case_form


@never_cache
@sensitive_post_parameters()
def party_contact(
    request: AuthenticatedHttpRequest, case_uuid: UUID, position: int
) -> HttpResponse:
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    party = party_of(case, position)
    opened = contact.read_safe_phone(user=request.user, party=party, request=request)
    preference = getattr(party, "contact", None)
    form = ContactForm(
        request.POST or None,
        initial={
            "safe_phone": opened.values.get("safe_phone") or "",
            "opted_out": bool(preference and preference.opted_out),
        },
    )
    if not opened.ok:
        for field in form.fields.values():
            field.disabled = True
        messages.error(request, opened.error)
    elif request.method == "POST" and form.is_valid():
        try:
            contact.set_contact_preferences(
                party=party, updated_by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("mediation:case-detail", case_uuid=case.uuid)
    return render_case_form(
        request,
        case,
        form,
        title=_("%(party)s: text messages") % {"party": party.label},
        intro=_(
            "Reminders go only to a party who agreed to follow-up contact, never in quiet hours "
            "(21:00-08:00), never with a case detail. Replying TD stops them."
        ),
        template="mediation/party_contact.html",
        disabled=not opened.ok,
        messages_sent=SmsMessage.objects.filter(party=party).order_by("-send_after")[:10],
    )
