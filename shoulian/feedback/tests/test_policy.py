"""The action dimension of ``visible_to``: feedback's registered role policy (core.policy)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from shoulian.conftest import make_user
from shoulian.feedback.models import Complaint
from shoulian.feedback.tests.helpers import file_complaint


def test_center_clerk_sees_complaints_but_cannot_answer_them(clerk: Any) -> None:
    complaint = file_complaint(unit=clerk.unit)
    assert list(Complaint.objects.visible_to(clerk)) == [complaint]
    assert not Complaint.objects.visible_to(clerk, action="answer").exists()


def test_station_desk_clerk_sees_no_complaints(bureau_a: Any) -> None:
    file_complaint(unit=bureau_a.center)
    station_clerk = make_user("stationclerk", bureau_a.station, "clerk")
    assert not Complaint.objects.visible_to(station_clerk).exists()


def test_only_the_own_centers_head_may_answer(head: Any, bureau_head: Any, outsider: Any) -> None:
    complaint = file_complaint(unit=head.unit)
    assert list(Complaint.objects.visible_to(head, action="answer")) == [complaint]
    # The bureau head reads the bureau's complaints but answers none of them.
    assert list(Complaint.objects.visible_to(bureau_head)) == [complaint]
    assert not Complaint.objects.visible_to(bureau_head, action="answer").exists()
    assert not Complaint.objects.visible_to(outsider, action="answer").exists()


def test_legal_brigade_scope_does_not_make_complaints_its_business(legal: Any) -> None:
    file_complaint(unit=legal.unit.bureau())
    assert not Complaint.objects.visible_to(legal).exists()


def test_an_unregistered_action_fails_loudly(head: Any) -> None:
    with pytest.raises(ImproperlyConfigured):
        Complaint.objects.visible_to(head, action="delete")
