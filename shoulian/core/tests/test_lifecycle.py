"""The lifecycle engine's declared-table rules, without a database: rows and guards are checked at
import, ``available`` runs every check but the form-only guards, refusals map to exceptions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NoReturn

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError

from shoulian.core.lifecycle import (
    Conflict,
    Errors,
    GuardRegistry,
    Lifecycle,
    Refusal,
    Row,
)


@dataclass
class Actor:
    role_set: frozenset[str]
    is_authenticated: bool = True


@dataclass
class Ctx:
    actor: Actor
    payload: dict[str, Any] = field(default_factory=dict)
    action: str = ""
    seen: list[str] = field(default_factory=list)


class NoJournal:
    def record(self, event_type: Any, **kwargs: Any) -> Any:  # pragma: no cover - not applied
        raise AssertionError("no transition is applied here")

    def deny(
        self,
        actor: Any,
        *,
        action: str,
        obj: Any = None,
        code: str | None = None,
        event_type: Any = None,
        error: Exception | None = None,
    ) -> NoReturn:
        assert error is not None
        raise error


def _machine(*rows: Row) -> Lifecycle[Ctx, Row]:
    guards: GuardRegistry[Ctx] = GuardRegistry()

    @guards("reason", form_only=True)
    def _reason(ctx: Ctx) -> None:
        ctx.seen.append("reason")
        if not ctx.payload.get("reason"):
            raise Refusal("reason_required", "请写明理由。")

    @guards("only_submit")
    def _only_submit(ctx: Ctx) -> None:
        # Depends on the row being checked, not on the form: available() must run it.
        ctx.seen.append(f"only_submit:{ctx.action}")
        if ctx.action != "submit":
            raise Refusal("not_submit", "不是提交。")

    return Lifecycle(
        name="test",
        rows=rows,
        guards=guards,
        journal=NoJournal(),
        refused_event=1,
    )


ROWS = (
    Row("draft", "submit", "submitted", frozenset({"officer"}), 1, ("reason", "only_submit")),
    Row("draft", "discard", "discarded", frozenset({"officer"}), 2, ("only_submit",)),
    Row("draft", "approve", "approved", frozenset({"leader"}), 3),
)


def test_two_rows_for_one_source_and_action_are_refused_at_import() -> None:
    with pytest.raises(ImproperlyConfigured, match="two rows"):
        _machine(ROWS[0], ROWS[0])


def test_a_row_naming_an_unknown_guard_is_refused_at_import() -> None:
    with pytest.raises(ImproperlyConfigured, match="unknown guards"):
        _machine(Row("draft", "x", "y", frozenset({"officer"}), 1, ("missing",)))


def test_available_skips_only_the_form_only_guards() -> None:
    machine = _machine(*ROWS)
    ctx = Ctx(actor=Actor(frozenset({"officer"})), action="before")
    assert [r.action for r in machine.available(ctx, "draft")] == ["submit"]
    # The form-only guard never ran; the row-dependent one ran for each of the actor's rows.
    assert ctx.seen == ["only_submit:submit", "only_submit:discard"]
    assert ctx.action == "before"


def test_check_runs_the_form_guards_too() -> None:
    machine = _machine(*ROWS)
    ctx = Ctx(actor=Actor(frozenset({"officer"})), action="submit")
    with pytest.raises(Refusal) as caught:
        machine.check(ctx, ROWS[0])
    assert caught.value.code == "reason_required" and not caught.value.permission


def test_who_may_act_is_refused_before_what_the_state_allows() -> None:
    machine = _machine(*ROWS)
    ctx = Ctx(actor=Actor(frozenset({"clerk"})), action="approve")
    with pytest.raises(Refusal) as caught:
        machine.checked_row(ctx, "approved", "approve", "已经批准。")
    assert caught.value.code == "role" and caught.value.permission
    ctx = Ctx(actor=Actor(frozenset({"leader"})), action="approve")
    with pytest.raises(Refusal) as caught:
        machine.checked_row(ctx, "approved", "approve", "已经批准。")
    assert caught.value.code == "illegal"


def test_refusals_become_the_lifecycles_exceptions() -> None:
    errors = Errors()
    denied = errors.for_refusal(Refusal("role", "无权。", permission=True))
    conflict = errors.for_refusal(Refusal("conflict", "已变化。"))
    refused = errors.for_refusal(Refusal("illegal", "不能。"))
    assert isinstance(denied, PermissionDenied) and denied.refusal_code == "role"  # type: ignore[attr-defined]
    assert isinstance(conflict, Conflict) and isinstance(conflict, ValidationError)
    assert isinstance(refused, ValidationError) and not isinstance(refused, Conflict)
    machine = _machine(*ROWS)
    with pytest.raises(PermissionDenied):
        with machine.refusals(actor=Actor(frozenset()), obj=None, action="approve"):
            raise Refusal("role", "无权。", permission=True)
