"""Access rules of the assessment pages for the URL matrix (Z1, Z3)."""

from __future__ import annotations

from typing import Any

from shoulian.accounts.choices import Role
from shoulian.core.tests.matrix import Rule

STAFF = frozenset(Role.values) - {Role.ADMIN}
READERS = frozenset({Role.LEGAL_BRIGADE, Role.CENTER_HEAD, Role.BUREAU_HEAD, Role.INSPECTOR})
LEGAL = frozenset({Role.LEGAL_BRIGADE})
ACCOUNTABILITY = frozenset({Role.LEGAL_BRIGADE, Role.CENTER_HEAD, Role.BUREAU_HEAD})
ACCOUNTABILITY_READERS = ACCOUNTABILITY | {Role.INSPECTOR}
REFERRERS = frozenset({Role.LEGAL_BRIGADE, Role.BUREAU_HEAD})
INSPECTOR = frozenset({Role.INSPECTOR})


def _entry(unit: Any, officer: Any) -> Any:
    """A deduction of ``officer`` (or of ``unit``) as the nightly job writes it; the matrix needs
    one row per persona without months of alerts and patrols."""
    from django.utils import timezone

    from shoulian.assessment.models import Scheme, ScoreEntry
    from shoulian.assessment.periods import month_of

    now = timezone.now()
    return ScoreEntry.objects.create(
        bureau=unit.bureau(), subject="officer" if officer else "unit", unit=unit,
        officer=officer, kind="deduction", item_kind="finding_rule", item_code="bounced_alert",
        item_label="矩阵测试", points=-1, scheme=Scheme.objects.get(bureau=None, version=1),
        period=month_of(now), occurred_at=now, posted_at=now, fact_key="matrix",
    )  # fmt: skip


def _own_entry(user: Any, own: Any, other: Any) -> dict[str, Any]:
    return {"pk": _entry(user.unit, user).pk}


def _foreign_entry(user: Any, own: Any, other: Any) -> dict[str, Any]:
    return {"pk": _entry(other.station, None).pk}


def _unit(user: Any, own: Any, other: Any) -> dict[str, Any]:
    # The readers open any unit of the bureau; the others their own (a station or the center).
    return {"pk": own.station.pk if user.role_set & READERS else user.unit_id}


def _foreign_unit(user: Any, own: Any, other: Any) -> dict[str, Any]:
    return {"pk": other.station.pk}


def _officer(user: Any, own: Any, other: Any) -> dict[str, Any]:
    return {"pk": user.pk}


def _foreign_officer(user: Any, own: Any, other: Any) -> dict[str, Any]:
    from shoulian.accounts.models import User

    return {"pk": User.objects.filter(unit__path__startswith=other.bureau.path).first().pk}  # type: ignore[union-attr]


def _scheme(user: Any, own: Any, other: Any) -> dict[str, Any]:
    from shoulian.assessment.models import Scheme

    return {"pk": Scheme.objects.get(bureau=None, version=1).pk}


def _foreign_scheme(user: Any, own: Any, other: Any) -> dict[str, Any]:
    from shoulian.assessment.models import Scheme

    scheme = Scheme.objects.create(
        bureau=other.bureau, version=99, title="他局办法", document_number="他局",
        effective_from="2026-01-01",
    )  # fmt: skip
    return {"pk": scheme.pk}


def _interview(unit: Any) -> Any:
    from django.utils import timezone

    from shoulian.accounts.models import User
    from shoulian.assessment.models import Interview

    people = list(User.objects.filter(unit__path__startswith=unit.bureau().path)[:2])
    now = timezone.now()
    return Interview.objects.create(
        bureau=unit.bureau(), unit=unit, interviewee=people[0], interviewer=people[-1],
        held_at=now, place="会议室", reason="矩阵", outcome="矩阵", number="矩阵", created_at=now,
    )  # fmt: skip


def _referral(unit: Any) -> Any:
    from django.utils import timezone

    from shoulian.accounts.models import User
    from shoulian.assessment.models import Referral

    person = User.objects.filter(unit__path__startswith=unit.bureau().path).first()
    return Referral.objects.create(
        bureau=unit.bureau(), unit=unit, reason="矩阵", number="矩阵", referred_by=person,
        referred_at=timezone.now(),
    )  # fmt: skip


def _own_interview(user: Any, own: Any, other: Any) -> dict[str, Any]:
    return {"pk": _interview(own.station).pk}


def _foreign_interview(user: Any, own: Any, other: Any) -> dict[str, Any]:
    return {"pk": _interview(other.station).pk}


def _own_referral(user: Any, own: Any, other: Any) -> dict[str, Any]:
    return {"pk": _referral(own.station).pk}


def _foreign_referral(user: Any, own: Any, other: Any) -> dict[str, Any]:
    return {"pk": _referral(other.station).pk}


def _doc(make: Any) -> Any:
    return lambda user, own, other: {**make(user, own, other), "fmt": "pdf"}


ACCESS = {
    "assessment:overview": Rule(STAFF),
    "assessment:rankings": Rule(READERS),
    "assessment:export": Rule(READERS),
    "assessment:run": Rule(LEGAL, ok=405),
    "assessment:unit": Rule(STAFF, kwargs=_unit, foreign=_foreign_unit),
    "assessment:officer": Rule(STAFF, kwargs=_officer, foreign=_foreign_officer),
    "assessment:entry": Rule(STAFF, kwargs=_own_entry, foreign=_foreign_entry),
    "assessment:challenges": Rule(STAFF),
    "assessment:schemes": Rule(STAFF),
    "assessment:scheme_new": Rule(LEGAL),
    "assessment:scheme": Rule(STAFF, kwargs=_scheme, foreign=_foreign_scheme),
    "assessment:scheme_publish": Rule(LEGAL, kwargs=_scheme, ok=405),
    "assessment:bonus": Rule(LEGAL),
    "assessment:interviews": Rule(ACCOUNTABILITY_READERS),
    "assessment:interview_new": Rule(ACCOUNTABILITY),
    "assessment:interview": Rule(
        ACCOUNTABILITY_READERS, kwargs=_own_interview, foreign=_foreign_interview
    ),
    "assessment:interview_document": Rule(
        ACCOUNTABILITY_READERS, kwargs=_doc(_own_interview), foreign=_doc(_foreign_interview)
    ),
    "assessment:referrals": Rule(ACCOUNTABILITY_READERS),
    "assessment:referral_new": Rule(REFERRERS),
    "assessment:referral": Rule(
        ACCOUNTABILITY_READERS, kwargs=_own_referral, foreign=_foreign_referral
    ),
    "assessment:referral_document": Rule(
        ACCOUNTABILITY_READERS, kwargs=_doc(_own_referral), foreign=_doc(_foreign_referral)
    ),
    "assessment:referral_bundle": Rule(INSPECTOR, kwargs=_own_referral, foreign=_foreign_referral),
}
