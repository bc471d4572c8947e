"""The scale benchmarks' data generator (bench/generate.py) makes data the product itself accepts:
a clean journal, unique keys, encrypted fields that open, selectors and pages that work on the
copies. Small (the demo's 21-alert template, 200 alerts): the volume is the benchmarks' business."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.test import Client, override_settings
from django.urls import reverse

from bench.generate import generate, owned_models
from shoulian.accounts.models import User
from shoulian.audit import verify
from shoulian.conftest import login_as
from shoulian.deadlines.models import Deadline
from shoulian.intake.models import Alert, AlertParty
from shoulian.org.models import Unit
from shoulian.privacy.crypto import index_for


@override_settings(DEMO_MODE=True)
def test_generated_data_passes_the_products_own_checks(db: None, small_demo: None) -> None:
    # One test: the template is seeded through the services, which takes most of its time.
    generated = generate(200, 20, seed=7, log=lambda _line: None)
    journal_is_clean(generated)
    unique_keys_hold()
    copies_open_through_the_product()


def journal_is_clean(generated: Any) -> None:
    assert Alert.objects.count() == 200 == generated.alerts
    assert Unit.objects.count() == 20
    # Every owned table grew with the alerts: nothing is left on the template.
    assert generated.copies >= 8
    assert generated.events > 10 * 200
    report = verify.verify(full=True)
    assert report.ok, report.findings
    assert report.pending == 0
    assert report.tree_size == generated.events


def unique_keys_hold() -> None:
    for model in owned_models():
        groups = [[f.attname] for f in model._meta.concrete_fields if f.unique]
        groups += [
            [model._meta.get_field(n).attname for n in c.fields]
            for c in model._meta.constraints
            if isinstance(c, models.UniqueConstraint) and c.fields and c.condition is None
        ]
        for group in groups:
            rows = model.objects.all()
            for name in group:  # NULLs never collide in a unique key
                rows = rows.exclude(**{f"{name}__isnull": True})
            dupes = rows.values(*group).annotate(n=models.Count("pk")).filter(n__gt=1).exists()
            assert not dupes, (model, group)
    numbers = set(Alert.objects.values_list("number", flat=True))
    assert len(numbers) == 200


def copies_open_through_the_product() -> None:
    # Copies are spread back over the history: the oldest alert is a copy (its number carries
    # the copy's suffix), and so is the newest row.
    oldest = Alert.objects.order_by("received_at", "pk").first()
    copy = Alert.objects.order_by("-pk").first()
    assert oldest is not None and copy is not None
    assert oldest.number.count("-") == copy.number.count("-") == 3
    # The copy's deadlines point at the copy, and its flow's steps at the copy's versions.
    for d in Deadline.objects.filter(object_type="alert", object_id=str(copy.pk)):
        assert d.due_at is None or d.started_at <= d.due_at
    # Personal data: the cloned ciphertext opens, and the blind index finds the copy.
    party = AlertParty.objects.filter(alert=copy).exclude(phone_index="").first()
    if party is not None:
        phone = party.phone.plaintext()
        assert phone
        found = AlertParty.objects.filter(phone_index=index_for(phone, "phone"))
        assert party.pk in set(found.values_list("pk", flat=True))
    # The alert's page and the intake list open for the center's staff.
    clerk = User.objects.filter(roles__role="clerk", unit__kind="center").order_by("pk").first()
    assert clerk is not None
    client = login_as(Client(), clerk)
    assert client.get(reverse("intake:alert_list")).status_code == 200
    viewer = User.objects.filter(roles__role="center_head").order_by("pk").first() or clerk
    client = login_as(Client(), viewer)
    response = client.get(reverse("workflow:alert", args=[copy.pk]))
    assert response.status_code == 200
    assert copy.number in response.content.decode()
