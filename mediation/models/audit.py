"""The audit trail: append-only events, chained by keyed links (SECURITY.md, 'Audit trail').

Rows are written only by mediation.audit: an event in the transaction of the change it
describes, its link (an HMAC under an audit key from the key ring, over the event and the link
before it) by the chainer, in batches. Database triggers refuse UPDATE and DELETE of events and
links on both engines, and TRUNCATE on PostgreSQL (migrations 0006 and 0009); the application's
database role is granted neither UPDATE nor DELETE on them.

Events written before keyed links (Tongxin up to 2026-11) carry their own plain SHA-256 chain in
`prev_hash` and `hash`; they hold chain positions 1..N and the first keyed link's event
(`audit.switch_over`) records their head, so they stay verifiable.
"""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

GENESIS = "0" * 64


class AuditEventQuerySet(models.QuerySet):
    def chain(self):
        return self.order_by("seq")

    def legacy(self):
        """Events of the plain SHA-256 chain, before the switch to keyed links."""
        return self.filter(hash__isnull=False)

    def chained_between(self, after: int, upto: int):
        """Events at chain positions after `after` up to `upto` (positions, not sequence
        numbers: concurrent writers commit out of sequence order, the chain does not)."""
        return self.filter(
            Q(link__position__gt=after, link__position__lte=upto)
            | Q(hash__isnull=False, seq__gt=after, seq__lte=upto)
        )

    def head_before(self, moment: datetime) -> tuple[int, str]:
        """(position, hash) of the chain's last event dated before `moment`: the state of the
        trail a report vouches for. (0, genesis) if none."""
        link = (
            AuditLink.objects.filter(event__at__lt=moment)
            .order_by("-position")
            .values_list("position", "mac")
            .first()
        )
        if link is not None:
            return link
        legacy = (
            self.legacy().filter(at__lt=moment).order_by("-seq").values_list("seq", "hash").first()
        )
        return legacy or (0, GENESIS)


class AuditEvent(models.Model):
    class Outcome(models.TextChoices):
        OK = "ok", _("done")
        DENIED = "denied", _("denied")
        FAILED = "failed", _("failed")

    seq = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_username = models.CharField(_("account"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=40, blank=True)
    office_code = models.CharField(_("office"), max_length=12, blank=True)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("record type"), max_length=40, blank=True)
    object_uuid = models.CharField(_("record"), max_length=36, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    request_id = models.CharField(_("request"), max_length=32, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    # The plain SHA-256 chain of events written before keyed links; empty on newer events,
    # whose hash is NULL (unique where set, so a keyed event adds nothing to that index).
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        # Every event is written into each index: none for what no query asks (a pattern
        # twin of the record's UUID, looked up by equality only) nor for the legacy hash of the
        # events written after it (NULL on every keyed event).
        indexes = [
            models.Index(fields=["at"], name="audit_at_idx"),
            models.Index(fields=["object_uuid"], name="audit_object_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["hash"], condition=Q(hash__isnull=False), name="audit_legacy_hash_unique"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.outcome}"


class AuditLink(models.Model):
    """One link of the keyed chain: the HMAC, under audit key `key_id`, of the previous link's
    MAC, this position and the event's content. Positions follow the legacy events' numbers."""

    position = models.BigIntegerField(primary_key=True)
    event = models.OneToOneField(
        AuditEvent, on_delete=models.PROTECT, related_name="link", db_column="event_seq"
    )
    key_id = models.CharField(max_length=40)
    mac = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit chain link")

    def __str__(self) -> str:
        return f"link {self.position}"


class AuditPending(models.Model):
    """An event written and not yet chained. The chainer takes these in sequence order and
    deletes them as it links them; normally it is empty again within milliseconds."""

    event = models.OneToOneField(
        AuditEvent,
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="+",
        db_column="event_seq",
    )

    class Meta:
        verbose_name = _("audit event awaiting its link")

    def __str__(self) -> str:
        return f"pending {self.event_id}"


class AuditChainHead(models.Model):
    """One row: the chain's last position and MAC (or, before keyed links, the last legacy
    event's number and hash). Chainers lock it, so the chain never forks."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"head {self.last_seq}"
