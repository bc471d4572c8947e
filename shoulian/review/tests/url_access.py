"""Access rules of the review pages for the URL matrix (Z1, Z3). Objects are made through the
services, once per bureau, by helper accounts of that bureau."""

from __future__ import annotations

from typing import Any

from shoulian.accounts.choices import Role
from shoulian.core.tests.matrix import Rule

READERS = frozenset(
    {
        Role.OFFICER,
        Role.LEADER,
        Role.LEGAL_OFFICER,
        Role.CENTER_HEAD,
        Role.LEGAL_BRIGADE,
        Role.BUREAU_HEAD,
        Role.INSPECTOR,
    }
)
REVIEWERS = frozenset({Role.LEGAL_OFFICER, Role.CENTER_HEAD, Role.LEGAL_BRIGADE})
AV_ROLES = frozenset(
    {Role.OFFICER, Role.LEADER, Role.LEGAL_OFFICER, Role.CENTER_HEAD, Role.LEGAL_BRIGADE}
)
CAMPAIGN_READERS = frozenset(
    {Role.LEGAL_BRIGADE, Role.CENTER_HEAD, Role.BUREAU_HEAD, Role.INSPECTOR}
)
PATROL = frozenset({Role.CENTER_HEAD, Role.LEGAL_BRIGADE, Role.BUREAU_HEAD, Role.INSPECTOR})


def _alert(bureau: Any) -> Any:
    from shoulian.workflow.tests.url_access import _alert as routed_alert

    return routed_alert(bureau)


def _av(bureau: Any) -> Any:
    import hashlib

    from shoulian.review.models import AvRecord
    from shoulian.review.services import av_record_link
    from shoulian.workflow.tests.url_access import _staff

    alert = _alert(bureau)
    found = AvRecord.objects.filter(alert=alert).first()
    if found is not None:
        return found
    officer = _staff(bureau, "officer", bureau.station, Role.OFFICER)
    return av_record_link(
        actor=officer,
        alert=alert,
        store="执法记录仪管理平台",
        external_id=f"M-{bureau.bureau.code}",
        sha256=hashlib.sha256(bureau.bureau.code.encode()).hexdigest(),
        duration_seconds=60,
    )


def _campaign(bureau: Any) -> Any:
    """A closed campaign of the bureau with its one alert scored (report available)."""
    import datetime as dt

    from django.utils import timezone

    from shoulian.review import campaigns
    from shoulian.review.models import Campaign
    from shoulian.workflow.tests.url_access import _staff

    found = Campaign.objects.filter(bureau=bureau.bureau).first()
    if found is not None:
        return found
    _alert(bureau)
    legal = _staff(bureau, "legal", bureau.legal_brigade, Role.LEGAL_BRIGADE)
    today = timezone.localdate()
    campaign = campaigns.campaign_define(
        actor=legal,
        title="矩阵测试专项评查",
        kind="special",
        period_start=today - dt.timedelta(days=3),
        period_end=today,
    )
    campaigns.campaign_draw(actor=legal, campaign=campaign, expected_version=1, seed="m")
    for entry in campaign.entries.all():
        campaigns.campaign_score(actor=legal, entry=entry, failed={})
    campaigns.campaign_close(actor=legal, campaign=campaign, expected_version=2, conclusion="规范")
    return campaign


def _entry(bureau: Any) -> Any:
    return _campaign(bureau).entries.first()


def _guidance(bureau: Any) -> Any:
    from shoulian.review.models import Guidance
    from shoulian.review.services import guidance_request
    from shoulian.workflow.tests.url_access import _staff

    alert = _alert(bureau)
    found = Guidance.objects.filter(alert=alert).first()
    if found is not None:
        return found
    officer = _staff(bureau, "officer", bureau.station, Role.OFFICER)
    return guidance_request(actor=officer, alert=alert, question="盗窃还是侵占，请指导定性。")


def _on_alert(u: Any, own: Any, other: Any) -> dict[str, Any]:
    return {"pk": _alert(own).pk}


def _on_foreign_alert(u: Any, own: Any, other: Any) -> dict[str, Any]:
    return {"pk": _alert(other).pk}


ACCESS = {
    "review:patrol": Rule(PATROL),
    "review:unit": Rule(frozenset({Role.LEGAL_OFFICER})),
    "review:queue": Rule(frozenset({Role.LEGAL_BRIGADE})),
    "review:alert": Rule(READERS, kwargs=_on_alert, foreign=_on_foreign_alert),
    "review:review_form": Rule(REVIEWERS, kwargs=_on_alert, foreign=_on_foreign_alert),
    "review:av_add": Rule(AV_ROLES, kwargs=_on_alert, foreign=_on_foreign_alert),
    "review:guidance_ask": Rule(
        frozenset({Role.OFFICER, Role.LEADER, Role.LEGAL_OFFICER}),
        kwargs=_on_alert,
        foreign=_on_foreign_alert,
    ),
    # The asking unit's roles and the bureau-wide ones (unit scope of the guidance).
    "review:guidance": Rule(
        READERS,
        kwargs=lambda u, own, other: {"pk": _guidance(own).pk},
        foreign=lambda u, own, other: {"pk": _guidance(other).pk},
    ),
    "review:cases": Rule(READERS),
    "review:campaigns": Rule(CAMPAIGN_READERS),
    "review:campaign_new": Rule(frozenset({Role.LEGAL_BRIGADE})),
    "review:checklists": Rule(CAMPAIGN_READERS),
    "review:checklist_new": Rule(frozenset({Role.LEGAL_BRIGADE})),
    "review:campaign": Rule(
        CAMPAIGN_READERS,
        kwargs=lambda u, own, other: {"pk": _campaign(own).pk},
        foreign=lambda u, own, other: {"pk": _campaign(other).pk},
    ),
    "review:campaign_report": Rule(
        CAMPAIGN_READERS,
        kwargs=lambda u, own, other: {"pk": _campaign(own).pk, "fmt": "docx"},
        foreign=lambda u, own, other: {"pk": _campaign(other).pk, "fmt": "docx"},
    ),
    "review:entry": Rule(
        frozenset({Role.LEGAL_BRIGADE, Role.CENTER_HEAD}),
        kwargs=lambda u, own, other: {"pk": _entry(own).pk},
        foreign=lambda u, own, other: {"pk": _entry(other).pk},
    ),
    "review:av_review": Rule(
        REVIEWERS,
        kwargs=lambda u, own, other: {"pk": _av(own).pk},
        foreign=lambda u, own, other: {"pk": _av(other).pk},
    ),
}
