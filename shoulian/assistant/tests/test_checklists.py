"""The element checklists as versioned data the legal brigade revises (issue 18 §1)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from shoulian.assistant import services
from shoulian.assistant.choices import CRIMINAL_NATURES, Nature, ThresholdKind
from shoulian.assistant.models import Checklist
from shoulian.assistant.selectors import current_checklists
from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.models import AuditEvent
from shoulian.conftest import login_as

pytestmark = pytest.mark.django_db


def events(event_type: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=int(event_type)).order_by("pk"))


def test_every_nature_is_seeded_with_its_elements_and_sources() -> None:
    checklists = current_checklists()
    assert set(checklists) == set(Nature.values)
    for label, c in checklists.items():
        assert c.version == 1 and not c.verified and c.province == "福建省"
        assert c.object_text and c.conduct_text and c.subject_text and c.intent_text, label
        assert c.procedure, label
        if label in CRIMINAL_NATURES:
            assert c.statute.startswith("《中华人民共和国刑法》"), label
            assert c.threshold_text and c.threshold_source, label
            assert c.threshold_kind != ThresholdKind.NOT_APPLICABLE, label
            assert c.evidence_items and c.conduct_question, label


def test_conversion_tells_the_victim_to_sue_and_disputes_give_the_civil_route() -> None:
    checklists = current_checklists()
    assert "自诉" in checklists["侵占"].procedure and "告诉" in checklists["侵占"].statute
    assert "民事诉讼" in checklists["经济纠纷"].procedure
    assert "仲裁" in checklists["劳动纠纷"].procedure


def test_province_figures_not_known_to_the_project_are_left_for_the_legal_brigade() -> None:
    theft = current_checklists()["盗窃"]
    assert theft.province_threshold_yuan is None and "待法制大队核对" in theft.province_note
    assert theft.effective_threshold_yuan == 1000


def test_the_legal_brigade_revises_a_checklist_into_a_new_journalled_version(legal) -> None:
    base = current_checklists()["盗窃"]
    revised = services.checklist_revise(
        actor=legal,
        base=base,
        change_note="核对福建省标准",
        province_threshold_yuan=3000,
        province_source="福建省高级人民法院、福建省人民检察院（核对后的文件）",
        verified=True,
    )
    assert revised.version == 2 and revised.province_threshold_yuan == 3000
    assert revised.statute == base.statute and revised.changed_by == legal
    assert current_checklists()["盗窃"].pk == revised.pk
    assert Checklist.objects.filter(label="盗窃").count() == 2
    [event] = events(EventType.NATURE_CHECKLIST_REVISED)
    assert event.data["changes"]["province_threshold_yuan"] == [None, 3000]
    assert event.data["version"] == 2


def test_a_revision_needs_a_note_and_a_change(legal) -> None:
    base = current_checklists()["诈骗"]
    with pytest.raises(ValidationError):
        services.checklist_revise(actor=legal, base=base, change_note=" ", verified=True)
    with pytest.raises(ValidationError):
        services.checklist_revise(
            actor=legal, base=base, change_note="无变化", statute=base.statute
        )
    assert not events(EventType.NATURE_CHECKLIST_REVISED)


def test_a_revision_from_an_old_version_is_refused(legal) -> None:
    base = current_checklists()["诈骗"]
    services.checklist_revise(actor=legal, base=base, change_note="第一次", verified=True)
    with pytest.raises(ValidationError):
        services.checklist_revise(actor=legal, base=base, change_note="第二次", procedure="x")


def test_only_the_legal_brigade_revises_and_the_refusal_is_journalled(officer) -> None:
    base = current_checklists()["诈骗"]
    with pytest.raises(PermissionDenied):
        services.checklist_revise(actor=officer, base=base, change_note="x", verified=True)
    [denied] = events(EventType.ACCESS_DENIED)
    assert denied.outcome == Outcome.DENIED
    assert Checklist.objects.filter(label="诈骗").count() == 1


def test_the_pages_list_show_and_revise(legal, officer) -> None:
    client = login_as(Client(), officer)
    page = client.get(reverse("assistant:checklists")).content.decode()
    assert "职务侵占" in page and "待法制大队核对" in page
    theft = current_checklists()["盗窃"]
    detail = client.get(reverse("assistant:checklist", args=[theft.pk])).content.decode()
    assert (
        "法释〔2013〕8号" in detail
        and "修订" not in detail.split("版本记录")[0].split("<h1>")[1][:40]
    )

    legal_client = login_as(Client(), legal)
    form = legal_client.get(reverse("assistant:checklist_edit", args=[theft.pk]))
    assert form.status_code == 200
    data = {k: v for k, v in form.context["form"].initial.items() if v is not None}
    data.update(threshold_date="2013-04-02", province_threshold_yuan="3000", change_note="核对")
    response = legal_client.post(reverse("assistant:checklist_edit", args=[theft.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert current_checklists()["盗窃"].province_threshold_yuan == 3000
    # The old version is history: revising it again redirects to the version in force.
    again = legal_client.get(reverse("assistant:checklist_edit", args=[theft.pk]))
    assert again.status_code == 302
