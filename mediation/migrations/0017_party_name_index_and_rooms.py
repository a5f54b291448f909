"""Rooms as data of an office, sessions booked into them, and the keyed blind index of party
names (for search). Each office gets the rooms its sessions already named, or as many as its
`rooms` count says; the name index is filled from the sealed names when the key ring is loaded
(otherwise `manage.py keys rebuild-blind-index` fills it later)."""

import logging

import django.db.models.deletion
from django.db import migrations, models

log = logging.getLogger("tongxin.migrations")

ROOM_NAMES = ["调解室一", "调解室二", "调解室三", "调解室四", "调解室五"]


def rooms_of_offices(apps, schema_editor):
    RegistryOffice = apps.get_model("mediation", "RegistryOffice")
    Room = apps.get_model("mediation", "Room")
    CounselingSession = apps.get_model("mediation", "CounselingSession")
    for office in RegistryOffice.objects.all():
        used = sorted(
            set(
                CounselingSession.objects.filter(office=office)
                .exclude(room="")
                .values_list("room", flat=True)
            )
        )
        count = max(office.rooms, 1)
        names = used or (["调解室"] if count == 1 else ROOM_NAMES[:count])
        for name in names:
            room, _ = Room.objects.get_or_create(office=office, name=name[:30])
            CounselingSession.objects.filter(office=office, room=name).update(booked_room=room)


def index_names(apps, schema_editor):
    Party = apps.get_model("mediation", "Party")
    named = Party.objects.exclude(name_sealed=None).filter(name_index="")
    if not named.exists():
        return
    from mediation import crypto, keyring, sealing
    from mediation.identity import NAME_INDEX_PREFIX, normalise_name

    try:
        key = keyring.ring().blind_index_key
    except crypto.KeyRingError:
        log.warning("No key ring: run `manage.py keys rebuild-blind-index` to index party names.")
        return
    for party in named.iterator():
        try:
            name = sealing.open_fields(party, "name")["name"] or ""
        except (crypto.KeyUnavailable, crypto.IntegrityFailure, crypto.UnsupportedFormat):
            continue
        normalised = normalise_name(name)
        if normalised:
            index = crypto.blind_index(key, NAME_INDEX_PREFIX + normalised)
            Party.objects.filter(pk=party.pk).update(name_index=index)


class Migration(migrations.Migration):
    dependencies = [
        ("mediation", "0016_registry_api_sms_notices"),
    ]

    operations = [
        migrations.AddField(
            model_name="party",
            name="name_index",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64),
        ),
        migrations.CreateModel(
            name="Room",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=30, verbose_name="name")),
                ("capacity", models.PositiveSmallIntegerField(default=4, help_text="How many people the room seats, counsellors included.", verbose_name="capacity")),
                ("joint_sessions", models.BooleanField(default=True, help_text="Large and quiet enough for both spouses and a counsellor.", verbose_name="suitable for joint sessions")),
                ("active", models.BooleanField(default=True, verbose_name="in use")),
                ("office", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="room_set", to="mediation.registryoffice", verbose_name="office")),
            ],
            options={
                "verbose_name": "room",
                "verbose_name_plural": "rooms",
                "ordering": ["office__code", "name"],
            },
        ),
        migrations.AddField(
            model_name="counselingsession",
            name="booked_room",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="sessions", to="mediation.room", verbose_name="room"),
        ),
        migrations.AddIndex(
            model_name="counselingsession",
            index=models.Index(fields=["office", "starts_at"], name="session_office_start_idx"),
        ),
        migrations.AddConstraint(
            model_name="counselingsession",
            constraint=models.UniqueConstraint(condition=models.Q(("status__in", ["booked", "held"]), ("booked_room__isnull", False)), fields=("booked_room", "starts_at"), name="session_no_double_booking_booked_room"),
        ),
        migrations.AddConstraint(
            model_name="room",
            constraint=models.UniqueConstraint(fields=("office", "name"), name="room_unique_name_per_office"),
        ),
        migrations.AddConstraint(
            model_name="room",
            constraint=models.CheckConstraint(condition=models.Q(("capacity__gte", 1)), name="room_seats_someone"),
        ),
        migrations.RunPython(rooms_of_offices, migrations.RunPython.noop),
        migrations.RunPython(index_names, migrations.RunPython.noop),
    ]
