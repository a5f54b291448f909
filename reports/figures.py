"""The figure catalogue: what each published figure counts, its label, its definition, its sums.
Declarative only: imports model choices of mediation and counselors, never runs a query.

Every figure is an additive count attributed to one office and one month (reports/queries.py
counts them), so any period is the sum of its months and totals are sums of offices. The
definitions are written once, here, and shown beside the figures on the page and in the PDF.
"""

from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from counselors.models import DUTY_HOURS
from mediation.models import (
    Category,
    CounselingSession,
    CounsellingResult,
    OutcomeKind,
    Party,
    Referral,
    Satisfaction,
    Service,
)

from .figure_types import Column, Group, Rate

OUTCOME_LABELS = {
    OutcomeKind.RECONCILED: _("reconciled (withdrawn)"),
    OutcomeKind.LAPSED: _("lapsed (deemed withdrawn)"),
    OutcomeKind.DIVORCED: _("divorced"),
    OutcomeKind.DECLINED: _("declined or consent withdrawn"),
    OutcomeKind.REFERRED: _("referred"),
}

CATEGORIES = Group(
    key="cases",
    title=_("Cases received, by MZ/T 084 category"),
    definition=_(
        "Cases opened in the period (one case per couple or family), by the counselling "
        "category of MZ/T 084-2017, whatever the port they came through. A case is counted in "
        "the month it was opened, even if its work continues into later months."
    ),
    columns=tuple(Column(f"cases.{value}", label) for value, label in Category.choices),
    total=Column("cases.total", _("cases opened")),
)

SESSIONS = Group(
    key="sessions",
    title=_("Counselling sessions held"),
    definition=_(
        "Sessions recorded as held, counted in the month they took place; booked sessions that "
        "were cancelled or not attended are not counted."
    ),
    columns=tuple(
        Column(f"sessions.{value}", label) for value, label in CounselingSession.Kind.choices
    ),
    total=Column("sessions.held", _("sessions held")),
)

SERVICES = Group(
    key="services",
    title=_("Services delivered"),
    definition=_(
        "Held sessions that delivered each free service. A session may deliver several "
        "services, so these columns are not added up."
    ),
    columns=tuple(Column(f"services.{value}", label) for value, label in Service.choices),
)

RESULTS = Group(
    key="results",
    title=_("Counselling results (MZ/T 084)"),
    definition=_(
        "The counsellor's record at the end of counselling (表示和好 / 暂缓离婚 / 选择离婚), "
        "counted in the month the result is dated. It is not the registry outcome."
    ),
    columns=tuple(Column(f"results.{value}", label) for value, label in CounsellingResult.choices),
    total=Column("results.total", _("results recorded")),
)

SATISFACTION = Group(
    key="satisfaction",
    title=_("Satisfaction (MZ/T 084)"),
    definition=_(
        "Answers to the satisfaction question, one per party who answered (anonymous answers "
        "included), counted in the month they were recorded."
    ),
    columns=tuple(
        Column(f"satisfaction.{value}", label) for value, label in Satisfaction.Rating.choices
    ),
    total=Column("satisfaction.total", _("answers")),
)

APPLICATIONS = Group(
    key="applications",
    title=_("Divorce applications and counselling uptake"),
    definition=_(
        "Divorce applications received by the registry in the period (counted in the month of "
        "receipt, the day the cooling-off clock starts from). 'Taken up': at least one party "
        "gave consent to counselling, even if it was withdrawn later. 'Offered, not taken up': "
        "counselling was offered and no party consented. 'Not offered': neither."
    ),
    columns=(
        Column("applications.taken_up", _("counselling taken up")),
        Column("applications.offered_only", _("offered, not taken up")),
        Column("applications.not_offered", _("not offered")),
    ),
    total=Column("applications.total", _("applications received")),
)

OUTCOMES = Group(
    key="outcomes",
    title=_("Registry outcomes of divorce applications"),
    definition=_(
        "The one registry outcome of each divorce application, counted in the month it was "
        "decided. 'Reconciled' is an application withdrawn by a party during the cooling-off "
        "period; 'lapsed' is an application deemed withdrawn because the couple did not come "
        "for the certificate. Lapses are never counted as reconciliations. 'Counselled' means "
        "at least one counselling session of the case was held."
    ),
    columns=tuple(
        Column(f"outcomes.counselled.{kind}", format_lazy("{} · {}", _("counselled"), label))
        for kind, label in OUTCOME_LABELS.items()
    )
    + tuple(
        Column(
            f"outcomes.not_counselled.{kind}", format_lazy("{} · {}", _("not counselled"), label)
        )
        for kind, label in OUTCOME_LABELS.items()
    ),
    total=Column("outcomes.total", _("outcomes")),
)

FOLLOW_UPS = Group(
    key="follow_ups",
    title=_("Follow-ups of reconciled couples"),
    definition=_(
        "Follow-up calls 3 and 6 months after a reconciliation, counted in the month they were "
        "made: the party was reached and the reconciliation held, or had not held, or the party "
        "could not be reached. Calls still due or cancelled are not counted."
    ),
    columns=(
        Column("follow_ups.3.held", _("3 months: held")),
        Column("follow_ups.3.not_held", _("3 months: not held")),
        Column("follow_ups.3.unreachable", _("3 months: not reached")),
        Column("follow_ups.6.held", _("6 months: held")),
        Column("follow_ups.6.not_held", _("6 months: not held")),
        Column("follow_ups.6.unreachable", _("6 months: not reached")),
    ),
    total=Column("follow_ups.total", _("follow-ups made")),
)

REFERRALS = Group(
    key="referrals",
    title=_("Referrals to other services"),
    definition=_("Referrals recorded, by destination, counted in the month of the referral."),
    columns=tuple(
        Column(f"referrals.{value}", label) for value, label in Referral.Destination.choices
    ),
    total=Column("referrals.total", _("referrals")),
)

SCREENS = Group(
    key="screens",
    title=_("Domestic-violence safety screens"),
    definition=_(
        "Safety screens done with one party alone (Anti-Domestic Violence Law), counted in the "
        "month they were done: negative, or positive (any 'yes'). A positive screen never leads "
        "to a joint session; it points to a referral."
    ),
    columns=(
        Column("screens.negative", _("negative")),
        Column("screens.positive", _("positive")),
    ),
    total=Column("screens.total", _("screens done")),
)

REFERRED_FOLLOW_UPS = Group(
    key="referred_follow_ups",
    title=_("Follow-up of referred parties"),
    definition=_(
        "Follow-up calls (回访) made with a party of a case that has a referral to another "
        "service, counted in the month of the call: the party was reached, or could not be "
        "reached. Calls still due or cancelled are not counted."
    ),
    columns=(
        Column("referred_follow_ups.reached", _("reached")),
        Column("referred_follow_ups.unreachable", _("not reached")),
    ),
    total=Column("referred_follow_ups.total", _("follow-ups made")),
)

EDUCATIONS = [*Party.Education.choices, ("unknown", _("not recorded"))]
SEXES = [*Party.Sex.choices, ("unknown", _("not recorded"))]

PARTIES = Group(
    key="parties",
    title=_("Parties who consented to statistics, by sex and education"),
    definition=_(
        "Personal attributes are counted only for parties who gave (and have not withdrawn) "
        "consent to anonymised statistics, in the month their case was opened. Administrative "
        "counts (applications, sessions, results, outcomes) cover every case: they describe the "
        "registry's work, not a person."
    ),
    columns=tuple(
        Column(f"parties.{sex}.{education}", format_lazy("{} / {}", sex_label, education_label))
        for sex, sex_label in SEXES
        for education, education_label in EDUCATIONS
    ),
    total=Column("parties.total", _("parties counted")),
)


def _service_hours_definition() -> str:
    spans = "、".join(f"{start:%H:%M}–{end:%H:%M}" for start, end in DUTY_HOURS.values())
    return gettext(
        "Half-days of duty (坐诊) in the published roster, after swaps and repairs, by the "
        "counsellor's organisation and the office served, counted in the month of the duty. "
        "Only duty delivered is counted: half-days up to and including today; duty published "
        "for later days is planned, not yet delivered. Hours are the half-days times the "
        "registry's duty hours (%(spans)s). Partner organisations are paid for these hours "
        "under the government purchase-of-service contracts. They describe the registry's "
        "service, not couples, so small numbers are not hidden; they are never broken down "
        "by counsellor."
    ) % {"spans": spans}


SERVICE_HOURS = Group(
    key="service_hours",
    title=_("Counsellor service hours by organisation"),
    definition=lazy(_service_hours_definition, str)(),
    columns=(
        Column("service_hours.half_days", _("half-days on duty")),
        Column("service_hours.hours", _("hours")),
    ),
)

GROUPS = (
    CATEGORIES,
    SESSIONS,
    SERVICES,
    RESULTS,
    SATISFACTION,
    APPLICATIONS,
    OUTCOMES,
    FOLLOW_UPS,
    REFERRALS,
    SCREENS,
    REFERRED_FOLLOW_UPS,
    PARTIES,
    SERVICE_HOURS,
)
GROUPS_BY_KEY = {group.key: group for group in GROUPS}

# The MZ/T 084 statistics table (婚姻家庭辅导工作统计表) and the cooling-off figures.
MZT_GROUPS = (CATEGORIES, SESSIONS, SERVICES, RESULTS, SATISFACTION)
COOLING_OFF_GROUPS = (APPLICATIONS, OUTCOMES)
OTHER_GROUPS = (FOLLOW_UPS, REFERRALS)

# The women's federation's figures (妇联): safety screens, referrals to the federation and to
# legal aid, and the follow-up of referred parties. Its referral columns are the REFERRALS
# group's own figures, so both tables show the same cells.
FULIAN_REFERRALS = Group(
    key="fulian_referrals",
    title=_("Referrals"),
    definition=REFERRALS.definition,
    columns=(
        Column(
            f"referrals.{Referral.Destination.WOMENS_FEDERATION}", _("to the women's federation")
        ),
        Column(f"referrals.{Referral.Destination.LEGAL_AID}", _("to legal aid")),
    ),
    defined=False,
)
FULIAN_GROUPS = (SCREENS, FULIAN_REFERRALS, REFERRED_FOLLOW_UPS)
FULIAN_TREND = (
    Column("screens.total", _("screens done")),
    Column("screens.positive", _("screens positive")),
    Column(
        f"referrals.{Referral.Destination.WOMENS_FEDERATION}",
        _("referred to the women's federation"),
    ),
    Column(f"referrals.{Referral.Destination.LEGAL_AID}", _("referred to legal aid")),
    Column("referred_follow_ups.total", _("referred parties followed up")),
)

# Sums that are not a group's total but are published on their own (trend, summary).
SUMS: dict[str, tuple[str, ...]] = {
    "outcomes.reconciled": (
        f"outcomes.counselled.{OutcomeKind.RECONCILED}",
        f"outcomes.not_counselled.{OutcomeKind.RECONCILED}",
    ),
    "outcomes.lapsed": (
        f"outcomes.counselled.{OutcomeKind.LAPSED}",
        f"outcomes.not_counselled.{OutcomeKind.LAPSED}",
    ),
    "outcomes.divorced": (
        f"outcomes.counselled.{OutcomeKind.DIVORCED}",
        f"outcomes.not_counselled.{OutcomeKind.DIVORCED}",
    ),
    "outcomes.counselled": tuple(f"outcomes.counselled.{kind}" for kind in OUTCOME_LABELS),
    "outcomes.not_counselled": tuple(f"outcomes.not_counselled.{kind}" for kind in OUTCOME_LABELS),
    "applications.offered": ("applications.taken_up", "applications.offered_only"),
    "parties.F": tuple(f"parties.F.{education}" for education, _label in EDUCATIONS),
    "parties.M": tuple(f"parties.M.{education}" for education, _label in EDUCATIONS),
    "parties.unknown": tuple(f"parties.unknown.{education}" for education, _label in EDUCATIONS),
    **{
        f"parties.education.{education}": tuple(f"parties.{sex}.{education}" for sex, _ in SEXES)
        for education, _label in EDUCATIONS
    },
}
for _group in GROUPS:
    if _group.total:
        SUMS[_group.total.key] = tuple(column.key for column in _group.columns)

SUM_LABELS = {
    "outcomes.reconciled": _("reconciled couples"),
    "outcomes.lapsed": _("lapsed applications"),
    "outcomes.divorced": _("divorces"),
}

# The headline figures compared with the previous period and the same period a year earlier.
KEY_FIGURES = (
    Column("applications.total", _("divorce applications received")),
    Column("applications.taken_up", _("counselling taken up")),
    Column("sessions.held", _("counselling sessions held")),
    Column("outcomes.reconciled", SUM_LABELS["outcomes.reconciled"]),
    Column("outcomes.lapsed", SUM_LABELS["outcomes.lapsed"]),
    Column("outcomes.divorced", SUM_LABELS["outcomes.divorced"]),
    Column("screens.positive", _("safety screens positive")),
    Column("referrals.total", _("referrals")),
)

RATES = (
    Rate(
        "rate.uptake",
        _("counselling uptake"),
        ("applications.taken_up",),
        ("applications.total",),
        _("Applications in which counselling was taken up, out of all applications received."),
    ),
    Rate(
        "rate.reconciled_counselled",
        _("reconciled among counselled couples"),
        (f"outcomes.counselled.{OutcomeKind.RECONCILED}",),
        ("outcomes.counselled",),
        _(
            "Of the outcomes of counselled cases (at least one session held), the share "
            "reconciled by withdrawal. Lapses are not reconciliations."
        ),
    ),
    Rate(
        "rate.reconciled_not_counselled",
        _("reconciled among couples not counselled"),
        (f"outcomes.not_counselled.{OutcomeKind.RECONCILED}",),
        ("outcomes.not_counselled",),
        _("The same share for cases in which no session was held."),
    ),
    Rate(
        "rate.held_3",
        _("reconciliations holding at 3 months"),
        ("follow_ups.3.held",),
        ("follow_ups.3.held", "follow_ups.3.not_held"),
        _("Of the 3-month follow-ups that reached a party, the share whose reconciliation held."),
    ),
    Rate(
        "rate.held_6",
        _("reconciliations holding at 6 months"),
        ("follow_ups.6.held",),
        ("follow_ups.6.held", "follow_ups.6.not_held"),
        _("Of the 6-month follow-ups that reached a party, the share whose reconciliation held."),
    ),
    Rate(
        "rate.satisfied",
        _("satisfied or fairly satisfied"),
        ("satisfaction.satisfied", "satisfaction.fairly"),
        ("satisfaction.total",),
        _("Answers 'satisfied' or 'fairly satisfied', out of all satisfaction answers."),
    ),
)

SUPPRESSION_DEFINITION = _(
    "Counts from 1 to 4 are shown as '<5'. Other cells marked '×' are hidden as well, so "
    "that no hidden count can be worked out from the totals. A rate is shown only when its "
    "numerator and denominator are both shown."
)
