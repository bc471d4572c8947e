"""A reusable lifecycle engine: one declared table of transitions per object kind, one guard
registry, one refusal type, one compare-and-set apply that journals each accepted transition
exactly once (STYLE "Where logic goes"; healthchecks' ``sendalerts`` compare-and-set).

Used by the alert workflow (``workflow/workflow.py``), complaints and follow-up tasks
(``feedback/lifecycles.py``) and supervision's findings with their rectification chain
(``supervision/workflow.py``); meant for bulletin approval next. An app
declares, once, at import time::

    guards: GuardRegistry[MyCtx] = GuardRegistry()

    @guards("reason", form_only=True)          # reads only the submitted form
    def _reason(ctx: MyCtx) -> None:
        if not ctx.payload.get("reason"):
            raise Refusal("reason_required", "请写明理由。")

    @guards("not_own")                         # reads the database: checked by available() too
    def _not_own(ctx: MyCtx) -> None: ...

    LIFECYCLE = Lifecycle(
        name="rectification",
        rows=(Row("open", "submit", "submitted", frozenset({Role.OFFICER}), EventType.X, ("reason",)),
              ...),
        guards=guards,
        journal=shoulian.audit.journal,        # core sits below audit: the journal is passed in
        refused_event=EventType.X_REFUSED,
        authorize=my_role_and_unit_check,      # optional; default: the actor holds one of the roles
    )

and its one service, an entry point, runs::

    with LIFECYCLE.refusals(actor=actor, obj=("rectification", pk), action=action):
        with transaction.atomic(durable=True):           # durable where it is an entry point
            obj = load_visible(actor, pk)                  # Refusal("not_found", …, permission=True)
            row = LIFECYCLE.row_or_refuse(obj.status, action)
            ctx = MyCtx(actor=actor, obj=obj, action=action, payload=payload, now=now)
            LIFECYCLE.check(ctx, row)
            LIFECYCLE.apply(obj, row, expected_version=v, actor=actor, updates={...},
                            then=write_side_rows, data=lambda result: {...})

Rules the engine holds:

- **Rows** are ``(source, action) → target`` with the roles that may take it, the journal event
  type of an accepted transition and the guard names, checked in order. Two rows with one key, or a
  row naming an unregistered guard, fail at import (``ImproperlyConfigured``).
- **Guards** raise ``Refusal``; ``permission=True`` marks who-may-act refusals (403), the others
  are state or form refusals (400). A guard registered ``form_only=True`` looks only at the
  submitted form: ``available()`` (the buttons on a page) skips exactly those and runs every other
  guard, so the buttons can never drift from ``check()``. Guards see ``ctx.action``, so a guard that
  depends on which row is checked is not form-only.
- **apply** is the one compare-and-set: ``UPDATE … SET state=target, version=version+1 WHERE
  pk AND state=source AND version=expected``. A lost race is ``Refusal("conflict")`` (R6). After
  it won, ``then()`` writes the side rows and exactly one journal event of ``row.event`` is written
  in the same transaction (U5, Z5).
- **refusals()** turns a ``Refusal`` into the caller's exception and journals it (one denial
  event, ``refused_event``) through ``journal.deny``, whose write survives the rollback of an outer
  transaction (U1: a refused step inside an outer service is still on record).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, NoReturn, Protocol, TypeVar

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models

C = TypeVar("C")
R = TypeVar("R", bound="Row")
T = TypeVar("T")
GuardFunc = TypeVar("GuardFunc", bound=Callable[..., None])


class Refusal(Exception):  # noqa: N818 - a refusal is the outcome, not an error of the code
    """A check said no. ``code`` is stable (journal data, tests, the page's explanation);
    ``permission`` refusals are about who acts (403), the others about state or form (400)."""

    def __init__(self, code: str, message: str, *, permission: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.permission = permission


# --- the exceptions a service raises for a refusal ------------------------------------------------
class Refused(ValidationError):
    """Not possible now (status, missing reason, nothing pending): a 400."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code=code)
        self.refusal_code = code


class Conflict(Refused):
    """Somebody else changed the object since the page was read (R6)."""


class Denied(PermissionDenied):
    """The actor may not do this (role, unit, own proposal, 辅警): a 403."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.refusal_code = code


@dataclass(frozen=True)
class Errors:
    """Which exception classes a lifecycle's service raises; an app may subclass them."""

    denied: type[Denied] = Denied
    conflict: type[Conflict] = Conflict
    refused: type[Refused] = Refused

    def for_refusal(self, refusal: Refusal) -> Exception:
        if refusal.permission:
            return self.denied(refusal.message, refusal.code)
        if refusal.code == "conflict":
            return self.conflict(refusal.message, refusal.code)
        return self.refused(refusal.message, refusal.code)


# --- guards -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Guard(Generic[C]):
    name: str
    check: Callable[[C], None]
    # Looks at nothing but the submitted form: a page cannot know it before the form is sent.
    form_only: bool = False


class GuardRegistry(Generic[C]):
    """Named guards of one lifecycle (or one family of lifecycles sharing a context type)."""

    def __init__(self) -> None:
        self._guards: dict[str, Guard[C]] = {}

    def __call__(self, name: str, *, form_only: bool = False) -> Callable[[GuardFunc], GuardFunc]:
        def register(func: GuardFunc) -> GuardFunc:
            if name in self._guards and self._guards[name].check is not func:
                raise ImproperlyConfigured(f"guard {name!r} is registered twice")
            self._guards[name] = Guard(name, func, form_only)
            return func

        return register

    def __getitem__(self, name: str) -> Guard[C]:
        return self._guards[name]

    def __contains__(self, name: object) -> bool:
        return name in self._guards

    def names(self, *, form_only: bool | None = None) -> frozenset[str]:
        return frozenset(
            g.name for g in self._guards.values() if form_only is None or g.form_only == form_only
        )

    def run(self, ctx: C, names: Iterable[str], *, with_form: bool = True) -> None:
        """Run the named guards in order; ``with_form=False`` skips the form-only ones."""
        for name in names:
            guard = self._guards[name]
            if with_form or not guard.form_only:
                guard.check(ctx)


# --- the table ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    """One declared transition. Apps may subclass it to add columns their ``authorize`` reads
    (the workflow's unit condition and its "legal decision" flag)."""

    source: str
    action: str
    target: str
    roles: frozenset[str]
    # The journal event type (an ``audit.catalogue.EventType``) of an accepted transition.
    event: int
    guards: tuple[str, ...] = ()


class Journal(Protocol):
    """What the engine needs of the audit journal (``shoulian.audit.journal`` is one)."""

    def record(
        self,
        event_type: Any,
        *,
        obj: Any = ...,
        outcome: Any = ...,
        data: Mapping[str, Any] | None = ...,
        actor: Any = ...,
    ) -> Any: ...

    def deny(
        self,
        actor: Any,
        *,
        action: str,
        obj: Any = ...,
        code: str | None = ...,
        event_type: Any = ...,
        error: Exception | None = ...,
    ) -> NoReturn: ...


@dataclass(frozen=True)
class Accepted(Generic[T]):
    """What ``apply`` did: the journal event and what ``then()`` returned."""

    event: Any
    result: T | None


def _roles_of(actor: Any) -> frozenset[str]:
    return frozenset(getattr(actor, "role_set", ()) or ())


def default_authorize(ctx: Any, row: Row) -> None:
    """The actor (``ctx.actor``) holds one of the row's roles."""
    if not (_roles_of(ctx.actor) & row.roles):
        raise Refusal("role", "您的角色不能办理此操作。", permission=True)


class Lifecycle(Generic[C, R]):
    """One object kind's declared lifecycle (see the module docstring)."""

    def __init__(
        self,
        *,
        name: str,
        rows: Iterable[R],
        guards: GuardRegistry[C],
        journal: Journal,
        refused_event: int,
        authorize: Callable[[C, R], None] = default_authorize,
        state_field: str = "status",
        version_field: str = "version",
        errors: Errors | None = None,
        conflict_message: str = "该记录已被他人修改，您的操作未保存。请刷新页面后再操作。",
    ) -> None:
        self.name = name
        self.rows: tuple[R, ...] = tuple(rows)
        self.guards = guards
        self.journal = journal
        self.refused_event = refused_event
        self.authorize = authorize
        self.state_field = state_field
        self.version_field = version_field
        self.errors = errors or Errors()
        self.conflict_message = conflict_message
        self._by_key: dict[tuple[str, str], R] = {}
        self._by_source: dict[str, list[R]] = {}
        for row in self.rows:
            key = (row.source, row.action)
            if key in self._by_key:
                raise ImproperlyConfigured(f"{name}: two rows for {key}")
            unknown = [g for g in row.guards if g not in guards]
            if unknown:
                raise ImproperlyConfigured(f"{name}: row {key} names unknown guards {unknown}")
            self._by_key[key] = row
            self._by_source.setdefault(row.source, []).append(row)

    # --- reading the table --------------------------------------------------------------------
    def row(self, source: str, action: str) -> R | None:
        return self._by_key.get((source, action))

    def rows_from(self, source: str) -> list[R]:
        return list(self._by_source.get(source, ()))

    def actions(self) -> frozenset[str]:
        return frozenset(row.action for row in self.rows)

    def row_or_refuse(self, source: str, action: str, message: str | None = None) -> R:
        row = self.row(source, action)
        if row is None:
            raise Refusal("illegal", message or "当前状态下不能办理此操作。")
        return row

    # --- checking ------------------------------------------------------------------------------
    def checked_row(self, ctx: C, source: str, action: str, illegal_message: str) -> R:
        """The row for ``(source, action)``, checked for ``ctx``. Who may act is checked before
        what the state allows: an actor without the right learns nothing about the object's
        state (Z3)."""
        row = self.row(source, action)
        if row is None:
            like = next((r for r in self.rows if r.action == action), None)
            if like is not None:
                self.authorize(ctx, like)
            raise Refusal("illegal", illegal_message)
        self.check(ctx, row)
        return row

    def check(self, ctx: C, row: R) -> None:
        """Raise ``Refusal`` unless the actor may apply ``row`` now with the submitted form."""
        self.authorize(ctx, row)
        self.guards.run(ctx, row.guards)

    def available(self, ctx: C, source: str, *, bind: Callable[[C, R], C] | None = None) -> list[R]:
        """Rows from ``source`` the actor could apply now, before any form is sent: every check
        of ``check()`` except the form-only guards. ``bind(ctx, row)`` gives the context for one
        row (the context names the action being checked); by default ``ctx.action`` is set."""
        found = []
        before = getattr(ctx, "action", None)
        try:
            for row in self.rows_from(source):
                row_ctx = bind(ctx, row) if bind is not None else _with_action(ctx, row.action)
                if self.why_not(row_ctx, row) is None:
                    found.append(row)
        finally:
            if bind is None and before is not None:
                _with_action(ctx, before)
        return found

    def why_not(self, ctx: C, row: R) -> Refusal | None:
        """The refusal that keeps the actor from ``row`` before the form is sent (what a page
        explains instead of showing the form), or None; ``ctx.action`` is set to the row's."""
        _with_action(ctx, row.action)
        try:
            self.authorize(ctx, row)
            self.guards.run(ctx, row.guards, with_form=False)
        except Refusal as refusal:
            return refusal
        return None

    # --- applying -------------------------------------------------------------------------------
    def apply(
        self,
        obj: models.Model,
        row: R,
        *,
        expected_version: int,
        actor: Any,
        updates: Mapping[str, Any] | None = None,
        then: Callable[[], T] | None = None,
        data: Mapping[str, Any] | Callable[[T | None], Mapping[str, Any]] | None = None,
        journal_obj: Any = None,
    ) -> Accepted[T]:
        """The compare-and-set of ``row`` on ``obj`` and its one journal event, in the caller's
        transaction. ``then()`` writes the side rows once the update has won; ``data`` (or
        ``data(result of then)``) is the event's data; ``journal_obj`` names the event's object
        when it is not ``obj`` itself (a follow-up task journals on its alert)."""
        manager = type(obj)._default_manager
        won = manager.filter(
            pk=obj.pk, **{self.state_field: row.source, self.version_field: expected_version}
        ).update(
            **{self.state_field: row.target, self.version_field: expected_version + 1},
            **(updates or {}),
        )
        if won != 1:
            raise Refusal("conflict", self.conflict_message)
        setattr(obj, self.state_field, row.target)
        setattr(obj, self.version_field, expected_version + 1)
        for name, value in (updates or {}).items():
            if not hasattr(value, "resolve_expression"):
                setattr(obj, name, value)
        result = then() if then is not None else None
        payload = data(result) if callable(data) else data
        event = self.journal.record(
            row.event,
            obj=journal_obj if journal_obj is not None else obj,
            actor=actor,
            data=payload,
        )
        return Accepted(event=event, result=result)

    # --- refusing -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def refusals(self, *, actor: Any, obj: Any, action: str) -> Iterator[None]:
        """Around a service's transaction: a ``Refusal`` raised inside becomes one denial event
        (``refused_event`` with the action and the code) that survives the rollback, and the
        lifecycle's exception for it."""
        try:
            yield
        except Refusal as refusal:
            self.refuse(refusal, actor=actor, obj=obj, action=action)

    def refuse(self, refusal: Refusal, *, actor: Any, obj: Any, action: str) -> NoReturn:
        self.journal.deny(
            actor,
            action=action,
            obj=obj,
            code=refusal.code,
            event_type=self.refused_event,
            error=self.errors.for_refusal(refusal),
        )


def _with_action(ctx: Any, action: str) -> Any:
    ctx.action = action
    return ctx


__all__ = [
    "Accepted",
    "Conflict",
    "Denied",
    "Errors",
    "Guard",
    "GuardRegistry",
    "Journal",
    "Lifecycle",
    "Refusal",
    "Refused",
    "Row",
    "default_authorize",
]
