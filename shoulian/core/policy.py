"""Role policy as registries: core knows no role and no unit kind; the apps that own them say.

Two registries, both filled from the apps' ``AppConfig.ready()`` (never edited here):

- **the scope rule** (one, registered by ``accounts``, which owns the roles): which unit's
  subtree a user may see in a scope domain (content or org). ``core.scoping`` narrows every
  scoped queryset with it.
- **action rules** (one per model and action, registered by the model's app): who may do
  ``action`` ("view", "answer", "record" …) on rows of the model, on top of the unit scope.
  ``Model.objects.visible_to(user, action=...)`` applies both: NetBox's
  ``restrict(user, action)``, with roles and unit kinds in place of stored object permissions.

A model with no rule for "view" is scoped by unit only (most content models); any other action
must be registered, so a typo or a forgotten rule fails loudly instead of allowing everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured

from shoulian.core.types import Actor, UnitLike

VIEW = "view"

# What views pass in (``request.user``) and services receive: a member of staff, or nobody.
Viewer = Actor | AnonymousUser | None


def signed_in(user: Viewer) -> Actor | None:
    """The active member of staff, or None for nobody, an anonymous visitor or a disabled one."""
    if user is None or isinstance(user, AnonymousUser):
        return None
    if not user.is_authenticated or not user.is_active:
        return None
    return user


class ScopeDomain(StrEnum):
    CONTENT = "content"
    ORG = "org"


ScopeRule = Callable[[Actor, ScopeDomain], UnitLike | None]

_scope_rule: list[ScopeRule] = []


def register_scope_rule(rule: ScopeRule) -> ScopeRule:
    """Set the one function that answers "which subtree may ``user`` see in ``domain``"."""
    if _scope_rule and _scope_rule[0] is not rule:
        raise ImproperlyConfigured("A scope rule is already registered.")
    _scope_rule[:] = [rule]
    return rule


def scope_rule() -> ScopeRule:
    if not _scope_rule:
        # Fail closed and loudly: without the rule nobody could be scoped correctly.
        raise ImproperlyConfigured("No scope rule registered (shoulian.accounts is not installed).")
    return _scope_rule[0]


@dataclass(frozen=True)
class Rule:
    """Who may perform an action: any of ``roles`` wherever they sit, and the roles of
    ``seated`` only while their unit is of that kind (a 接报警员 at the 受立案管理中心, not at a
    派出所's desk). With ``own_unit`` the row must belong to the user's own unit, not only to its
    visible subtree (the center head answers complaints addressed to their own center)."""

    roles: frozenset[str] = frozenset()
    seated: Mapping[str, frozenset[str]] = field(default_factory=dict)
    own_unit: bool = False

    def __hash__(self) -> int:
        return hash((self.roles, tuple(sorted(self.seated.items())), self.own_unit))

    def permits(self, user: Actor | None) -> bool:
        """``user`` is an active, signed-in member of staff (``scoping.signed_in``) or None."""
        if user is None:
            return False
        roles = user.role_set
        if roles & self.roles:
            return True
        unit = user.unit
        return unit is not None and bool(roles & self.seated.get(unit.kind, frozenset()))


def rule(
    *roles: str, seated: Mapping[str, Iterable[str]] | None = None, own_unit: bool = False
) -> Rule:
    return Rule(
        roles=frozenset(roles),
        seated={kind: frozenset(rs) for kind, rs in (seated or {}).items()},
        own_unit=own_unit,
    )


_rules: dict[tuple[str, str], Rule] = {}


def register(model: type[Any] | str, **actions: Rule) -> None:
    """``register(Complaint, view=rule(...), answer=rule(...))`` from the app's ``ready()``."""
    label = _label(model)
    for action, action_rule in actions.items():
        key = (label, action)
        if key in _rules and _rules[key] != action_rule:
            raise ImproperlyConfigured(f"{label}: a rule for {action!r} is already registered.")
        _rules[key] = action_rule


def rule_for(model: type[Any] | str, action: str) -> Rule | None:
    """The registered rule; None for an unregistered "view" (unit scope only); an unregistered
    other action is an error."""
    label = _label(model)
    found = _rules.get((label, action))
    if found is None and action != VIEW:
        raise ImproperlyConfigured(f"{label}: no rule registered for action {action!r}.")
    return found


def allows(user: Viewer, model: type[Any] | str, action: str) -> bool:
    """Whether the registered rule for ``action`` on ``model`` permits ``user`` (roles only; the
    unit check is the caller's ``covers`` or ``visible_to``)."""
    found = rule_for(model, action)
    if found is None:
        raise ImproperlyConfigured(
            f"{_label(model)}: allows() needs a registered rule, not 'view'."
        )
    return found.permits(signed_in(user))


def registered() -> dict[tuple[str, str], Rule]:
    """Every action rule (tests and docs read them)."""
    return dict(_rules)


def _label(model: type[Any] | str) -> str:
    return model if isinstance(model, str) else str(model._meta.label_lower)
