"""Access rules of the workflow pages for the URL matrix (Z1, Z3). Objects are made through the
services, once per bureau, by helper accounts of that bureau."""

from __future__ import annotations

from typing import Any

from shoulian.accounts.choices import Role
from shoulian.core.tests.matrix import Rule

CONTENT = frozenset(Role.values) - {Role.ADMIN}
ACTING = CONTENT - {Role.INSPECTOR}
APPROVERS = frozenset(
    {Role.LEADER, Role.LEGAL_OFFICER, Role.CENTER_HEAD, Role.LEGAL_BRIGADE, Role.BUREAU_HEAD}
)


def _staff(bureau: Any, key: str, unit: Any, role: str) -> Any:
    from shoulian.accounts.models import User
    from shoulian.conftest import make_user

    username = f"wf{key}{bureau.bureau.code}"
    return User.objects.filter(username=username).first() or make_user(username, unit, role)


def _alert(bureau: Any) -> Any:
    """An alert registered at the bureau's center and routed to its first station."""
    from shoulian.intake.models import Alert
    from shoulian.workflow.choices import Action
    from shoulian.workflow.tests.helpers import act, new_alert

    found = Alert.objects.filter(
        registering_unit=bureau.center, handling_unit=bureau.station, status="routed"
    ).first()
    if found is not None:
        return found
    clerk = _staff(bureau, "clerk", bureau.center, Role.CLERK)
    alert = new_alert(clerk)
    act(clerk, alert, Action.ROUTE, unit=bureau.station, reason="矩阵测试")
    return alert


def _decision(bureau: Any) -> Any:
    from shoulian.workflow.models import Decision
    from shoulian.workflow.tests.helpers import handling, propose

    found = Decision.objects.filter(alert__registering_unit=bureau.center, status="pending").first()
    if found is not None:
        return found
    clerk = _staff(bureau, "clerk", bureau.center, Role.CLERK)
    officer = _staff(bureau, "officer", bureau.station, Role.OFFICER)
    return propose(officer, handling(clerk, officer))


def _document(bureau: Any) -> Any:
    from shoulian.workflow.models import Document
    from shoulian.workflow.tests.helpers import approve

    found = Document.objects.filter(bureau=bureau.bureau).first()
    if found is not None:
        return found
    decision = _decision(bureau)
    approve(_staff(bureau, "leader", bureau.station, Role.LEADER), decision)
    approve(_staff(bureau, "chief", bureau.bureau, Role.BUREAU_HEAD), decision)
    return Document.objects.get(decision=decision)


def _rule(bureau: Any) -> Any:
    from shoulian.intake.models import Category
    from shoulian.workflow.models import RoutingRule
    from shoulian.workflow.routing import routing_rule_create

    found = RoutingRule.objects.filter(bureau=bureau.bureau).first()
    if found is not None:
        return found
    head = _staff(bureau, "head", bureau.center, Role.CENTER_HEAD)
    return routing_rule_create(
        actor=head,
        bureau=bureau.bureau,
        unit=bureau.criminal,
        category=Category.objects.get(code="0106"),
    )


ACCESS = {
    "workflow:queue": Rule(ACTING),
    "workflow:routing": Rule(frozenset({Role.CLERK, Role.CENTER_HEAD})),
    "workflow:rules": Rule(frozenset({Role.CENTER_HEAD})),
    "workflow:rule_toggle": Rule(
        frozenset({Role.CENTER_HEAD}),
        kwargs=lambda u, own, other: {"pk": _rule(own).pk},
        foreign=lambda u, own, other: {"pk": _rule(other).pk},
        ok=405,
    ),
    "workflow:inbox": Rule(frozenset({Role.OFFICER, Role.LEADER, Role.LEGAL_OFFICER})),
    "workflow:approvals": Rule(APPROVERS),
    "workflow:alert": Rule(
        CONTENT,
        kwargs=lambda u, own, other: {"pk": _alert(own).pk},
        foreign=lambda u, own, other: {"pk": _alert(other).pk},
    ),
    # The alert file (警情档案): the alert's own scope decides, every tab alike.
    "workflow:file": Rule(
        CONTENT,
        kwargs=lambda u, own, other: {"pk": _alert(own).pk},
        foreign=lambda u, own, other: {"pk": _alert(other).pk},
    ),
    "workflow:file_tab": Rule(
        CONTENT,
        kwargs=lambda u, own, other: {"pk": _alert(own).pk, "tab": "sms"},
        foreign=lambda u, own, other: {"pk": _alert(other).pk, "tab": "sms"},
    ),
    "workflow:action": Rule(
        ACTING,
        kwargs=lambda u, own, other: {"pk": _alert(own).pk, "action": "sign_for"},
        foreign=lambda u, own, other: {"pk": _alert(other).pk, "action": "sign_for"},
    ),
    "workflow:decision": Rule(
        CONTENT,
        kwargs=lambda u, own, other: {"pk": _decision(own).pk},
        foreign=lambda u, own, other: {"pk": _decision(other).pk},
    ),
    "workflow:document": Rule(
        CONTENT,
        kwargs=lambda u, own, other: {"pk": _document(own).pk, "fmt": "pdf"},
        foreign=lambda u, own, other: {"pk": _document(other).pk, "fmt": "pdf"},
    ),
    "workflow:settings": Rule(frozenset({Role.ADMIN})),
    # The approval chains are the legal brigade's (三员分立: not the administrator's).
    "workflow:chains": Rule(frozenset({Role.LEGAL_BRIGADE})),
    "workflow:chain_edit": Rule(
        frozenset({Role.LEGAL_BRIGADE}), kwargs=lambda u, own, other: {"kind": "admin_accept"}
    ),
}
