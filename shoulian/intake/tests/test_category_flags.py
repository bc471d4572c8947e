"""The legal classification of categories (涉案类, 决定前须法制审核) is the legal brigade's, kept as
versions with an effective date and journalled; the administrator keeps only the tree (三员分立)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.models import AuditEvent
from shoulian.conftest import login_as
from shoulian.intake import services
from shoulian.intake.models import Category, CategoryFlagVersion
from shoulian.intake.tests.helpers import register

pytestmark = pytest.mark.django_db


def leaf(code: str = "0301") -> Category:
    services.category_seed_standard()
    return Category.objects.get(code=code)


def revise(actor: Any, category: Category, **overrides: Any) -> CategoryFlagVersion:
    data = {
        "is_case_type": True,
        "requires_legal_review": True,
        "effective_from": timezone.localdate(),
        "change_reason": "司法解释明确此类借贷纠纷中的诈骗情形，须先行法制审核",
        **overrides,
    }
    return services.category_flags_revise(actor=actor, category=category, **data)


def test_the_legal_brigade_revises_a_category_on_its_page_and_it_applies_at_once(
    legal: Any, clerk: Any
) -> None:
    category = leaf()  # 经济纠纷: shipped as not case-type
    assert not category.is_case_type
    client = login_as(Client(), legal)
    assert "修订法律属性" in client.get(reverse("intake:category_list")).content.decode()
    url = reverse("intake:category_flags", args=[category.pk])
    response = client.post(
        url,
        {
            "is_case_type": "on",
            "requires_legal_review": "on",
            "effective_from": timezone.localdate().isoformat(),
            "change_reason": "依据上级规定调整",
        },
    )
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.is_case_type and category.requires_legal_review
    assert "第1版" in client.get(url).content.decode()
    revised = AuditEvent.objects.get(event_type=EventType.CATEGORY_FLAGS_REVISED)
    assert revised.actor_id == legal.pk
    assert AuditEvent.objects.filter(event_type=EventType.CATEGORY_FLAGS_APPLIED).count() == 1
    # An alert registered now carries the new classification.
    alert = register(clerk, category_code="0301").alert
    assert alert.is_case_type


def test_a_later_version_waits_for_its_day(legal: Any) -> None:
    category = leaf()
    today = timezone.localdate()
    revise(legal, category, effective_from=today + dt.timedelta(days=3))
    category.refresh_from_db()
    assert not category.is_case_type
    assert services.category_flags_apply(today=today + dt.timedelta(days=2)) == 0
    assert services.category_flags_apply(today=today + dt.timedelta(days=3)) == 1
    category.refresh_from_db()
    assert category.is_case_type and category.requires_legal_review
    assert services.category_flags_apply(today=today + dt.timedelta(days=4)) == 0


def test_no_retroactive_or_empty_revision(legal: Any) -> None:
    category = leaf()
    with pytest.raises(ValidationError, match="不能早于今天"):
        revise(legal, category, effective_from=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="无需修订"):
        revise(
            legal,
            category,
            is_case_type=category.is_case_type,
            requires_legal_review=category.requires_legal_review,
        )
    with pytest.raises(ValidationError, match="修订理由"):
        revise(legal, category, change_reason="  ")
    with pytest.raises(ValidationError, match="大类"):
        revise(legal, Category.objects.get(code="03"))
    assert not CategoryFlagVersion.objects.exists()


def test_the_administrator_cannot_change_the_legal_classification(admin_user: Any) -> None:
    category = leaf()
    client = login_as(Client(), admin_user)
    assert client.get(reverse("intake:category_flags", args=[category.pk])).status_code == 403
    # The structure form has no such fields: a posted flag changes nothing.
    client.post(
        reverse("intake:category_edit", args=[category.pk]),
        {"name": category.name, "is_active": "on", "is_case_type": "on"},
    )
    category.refresh_from_db()
    assert not category.is_case_type
    with pytest.raises(PermissionDenied):
        revise(admin_user, category)
    assert AuditEvent.objects.filter(
        event_type=EventType.ACCESS_DENIED, outcome=Outcome.DENIED
    ).exists()
    assert not CategoryFlagVersion.objects.exists()


def test_the_legal_brigade_cannot_change_the_tree(legal: Any) -> None:
    category = leaf()
    client = login_as(Client(), legal)
    edit = client.post(reverse("intake:category_edit", args=[category.pk]), {"name": "改名"})
    assert edit.status_code == 403
    assert client.get(reverse("intake:category_create")).status_code == 403
    with pytest.raises(PermissionDenied):
        services.category_update(
            actor=legal, category=category, name="改名", is_sensitive=False, is_active=True
        )
    category.refresh_from_db()
    assert category.name == "经济纠纷"


def test_other_staff_cannot_revise(clerk: Any, head: Any) -> None:
    category = leaf()
    for user in (clerk, head):
        url = reverse("intake:category_flags", args=[category.pk])
        assert login_as(Client(), user).get(url).status_code == 403
        with pytest.raises(PermissionDenied):
            revise(user, category)
