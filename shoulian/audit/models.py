"""The audit journal (全程留痕): events, their sequence, the Merkle tree index and signed checkpoints.

The canonical body of an event is the only stored truth. Every searchable column is a generated
column the database derives from the body, so nobody can make a column say something the hashed
body does not; the verifier checks that the columns are still generated (one catalogue query).

Rows are written only by ``shoulian.audit.journal.record`` (events) and ``shoulian.audit.sealer``
(leaves, nodes, checkpoints). Every other write through the ORM is refused and journalled (Z6);
triggers refuse UPDATE and DELETE underneath (U3, migration 0002).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from django.db import NotSupportedError, models
from django.db.models.expressions import Func

from shoulian.audit import guard
from shoulian.audit.catalogue import Outcome

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class BodyMember(Func):
    """A top-level member of the canonical JSON body, read by the database itself.

    Used only inside generated columns: both expressions are deterministic (SQLite) and immutable
    (PostgreSQL), which generated columns require.
    """

    _CASTS: ClassVar[dict[str, str]] = {"int": "bigint", "text": "text"}

    def __init__(self, key: str, kind: str = "text", **extra: Any) -> None:
        if not key.isidentifier() or kind not in self._CASTS:
            raise ValueError(f"bad body member {key!r} ({kind})")
        self.key = key
        self.kind = kind
        output: models.Field[Any, Any] = (
            models.BigIntegerField() if kind == "int" else models.TextField()
        )
        super().__init__(models.F("body"), output_field=output, **extra)

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> Any:
        raise NotSupportedError(
            f"the audit journal supports SQLite and PostgreSQL, not {connection.vendor}"
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"json_extract({sql}, '$.{self.key}')", params

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"((({sql})::jsonb ->> '{self.key}')::{self._CASTS[self.kind]})", params


class ScopePath(Func):
    """Where an event belongs, for the inspector's scope (issue 14): the actor's unit path, or for
    events nobody signed in caused the path of the unit they concern (``data.subject_unit_path``,
    set by ``journal.build_body``); "" when they concern no unit (system jobs, seen by every
    inspector). A subject recorded with an empty path is "?", which no inspector's subtree holds,
    as before the column (the body matched neither "about the bureau" nor "about nobody").

    Derived from the body like the other columns, so it is outside the hash and cannot disagree
    with it; deterministic (SQLite) and immutable (PostgreSQL) as generated columns require.
    """

    output_field = models.TextField()

    def __init__(self, **extra: Any) -> None:
        super().__init__(models.F("body"), **extra)

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> Any:
        raise NotSupportedError(
            f"the audit journal supports SQLite and PostgreSQL, not {connection.vendor}"
        )

    @staticmethod
    def _combine(actor: str, subject: str) -> str:
        return (
            f"COALESCE(NULLIF({actor}, ''), "
            f"CASE WHEN {subject} = '' THEN '?' ELSE {subject} END, '')"
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        actor = f"json_extract({sql}, '$.actor_unit_path')"
        subject = f"json_extract({sql}, '$.data.subject_unit_path')"
        return self._combine(actor, subject), params * 3

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        actor = f"(({sql})::jsonb ->> 'actor_unit_path')"
        subject = f"((({sql})::jsonb -> 'data') ->> 'subject_unit_path')"
        return self._combine(actor, subject), params * 3


def _generated(key: str, kind: str = "text", verbose_name: str = "") -> models.GeneratedField:
    output: models.Field[Any, Any] = (
        models.BigIntegerField(verbose_name) if kind == "int" else models.TextField(verbose_name)
    )
    return models.GeneratedField(
        expression=BodyMember(key, kind),
        output_field=output,
        db_persist=True,
        verbose_name=verbose_name,
    )


# The columns derived from the body, in the order the canonical serialisation names them.
GENERATED_COLUMNS: dict[str, str] = {
    "event_type": "int",
    "occurred_us": "int",
    "actor_id": "int",
    "actor_username": "text",
    "actor_roles": "text",
    "actor_unit_id": "int",
    "actor_unit_path": "text",
    "source_ip": "text",
    "channel": "text",
    "request_id": "text",
    "object_type": "text",
    "object_id": "text",
    "outcome": "text",
}


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Bulk writes are refused and journalled (U2, Z6); inserts go through the journal API."""

    def update(self, **kwargs: Any) -> int:
        raise guard.refuse("update", self.model)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise guard.refuse("delete", self.model)

    def _raw_delete(self, using: Any) -> int:
        raise guard.refuse("delete", self.model)

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise guard.refuse("update", self.model)

    def update_or_create(self, *args: Any, **kwargs: Any) -> Any:
        raise guard.refuse("update", self.model)

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> Any:
        guard.require_writer(self.model)
        return super().bulk_create(objs, *args, **kwargs)

    def create(self, **kwargs: Any) -> Any:
        guard.require_writer(self.model)
        return super().create(**kwargs)


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise guard.refuse("update", type(self))
        guard.require_writer(type(self))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise guard.refuse("delete", type(self))


class AuditEvent(AppendOnlyModel):
    id = models.BigAutoField(primary_key=True)
    # Canonical JSON (sorted keys, no spaces, ASCII): exactly the bytes that are hashed.
    body = models.TextField("规范化内容")
    # PostgreSQL: the writing transaction's id, set by a trigger. The sealer takes only events of
    # transactions older than every running one, so a slow commit is never skipped (docs/audit.md).
    xact = models.BigIntegerField(null=True, editable=False)

    event_type = _generated("event_type", "int", "事件类型")
    occurred_us = _generated("occurred_us", "int", "时间(UTC微秒)")
    actor_id = _generated("actor_id", "int", "操作人ID")
    actor_username = _generated("actor_username", "text", "操作人")
    actor_roles = _generated("actor_roles", "text", "角色")
    actor_unit_id = _generated("actor_unit_id", "int", "单位ID")
    actor_unit_path = _generated("actor_unit_path", "text", "单位路径")
    source_ip = _generated("source_ip", "text", "来源地址")
    channel = _generated("channel", "text", "渠道")
    request_id = _generated("request_id", "text", "请求ID")
    object_type = _generated("object_type", "text", "对象类型")
    object_id = _generated("object_id", "text", "对象ID")
    outcome = _generated("outcome", "text", "结果")
    scope_path = models.GeneratedField(
        expression=ScopePath(),
        output_field=models.TextField("范围路径"),
        db_persist=True,
        verbose_name="范围路径",
    )

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor_id", "occurred_us"], name="audit_actor_idx"),
            models.Index(fields=["event_type", "occurred_us"], name="audit_type_idx"),
            models.Index(fields=["xact", "id"], name="audit_xact_idx"),
            # The journal page filtered by outcome (a rare "denied" among millions, issue 14).
            models.Index(fields=["outcome", "occurred_us"], name="audit_outcome_idx"),
            # The journal by time (it replaces the index of occurred_us alone), with the id for
            # the keyset order and the inspector's scope beside it (issue 14): the page walks it
            # newest first, checks each event's scope in the index and reads only the rows it
            # shows (on SQLite the column is virtual: the index holds its value, the row would
            # parse the body again).
            models.Index(fields=["occurred_us", "id", "scope_path"], name="audit_scope_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.event_type} {self.object_type}:{self.object_id}"

    @property
    def content(self) -> dict[str, Any]:
        cached: dict[str, Any] | None = self.__dict__.get("_content")
        if cached is None:
            cached = json.loads(self.body)
            self.__dict__["_content"] = cached
        return cached

    @property
    def data(self) -> dict[str, Any]:
        return dict(self.content.get("data") or {})

    @property
    def occurred_at(self) -> datetime:
        return EPOCH + timedelta(microseconds=self.occurred_us)

    @property
    def role_list(self) -> list[str]:
        return [r for r in (self.actor_roles or "").split(",") if r]

    def get_outcome_display(self) -> str:
        return str(Outcome(self.outcome).label) if self.outcome in Outcome.values else self.outcome


class AuditLeaf(AppendOnlyModel):
    """The event at ``position`` in the log. Assigned by the sealer, never by a writer, so that
    concurrent writers never wait on each other for a predecessor's hash.

    ``leaf_hash`` = SHA-256(0x00 || leaf_hash(position-1) || body): an RFC 6962 leaf hash whose
    input starts with its predecessor's, so the leaves are also a hash chain."""

    # An auto field only for its column type: on SQLite that makes the position the table's rowid,
    # so the verifier walks the leaves in table order instead of through a separate index. The
    # sealer always sets it explicitly.
    position = models.BigAutoField(primary_key=True)
    # Not a foreign key: a purge beyond the retention period removes bodies and keeps the chain.
    event_id = models.BigIntegerField(unique=True)
    leaf_hash = models.BinaryField(max_length=32)

    class Meta:
        verbose_name = "日志序列"
        verbose_name_plural = "日志序列"

    def __str__(self) -> str:
        return f"leaf {self.position}"


class AuditTreeNode(AppendOnlyModel):
    """Hashes of complete Merkle subtrees of 2**level leaves (level ≥ 8): with them a proof needs
    O(log n) reads instead of the whole log."""

    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    node_hash = models.BinaryField(max_length=32)

    class Meta:
        verbose_name = "默克尔树节点"
        verbose_name_plural = "默克尔树节点"
        constraints = [
            models.UniqueConstraint(fields=["level", "index"], name="audit_node_unique"),
        ]

    def __str__(self) -> str:
        return f"node {self.level}/{self.index}"


class AuditCheckpoint(AppendOnlyModel):
    """A signed tree head. ``note`` is the signed text exactly as exported to auditors; the other
    columns repeat what it says, for queries."""

    tree_size = models.BigIntegerField(unique=True)
    root_hash = models.BinaryField(max_length=32)
    head_hash = models.BinaryField(max_length=32)
    signed_us = models.BigIntegerField("签署时间(UTC微秒)")
    key_id = models.CharField(max_length=8)
    note = models.TextField()
    # The sealer's resume point (PostgreSQL transaction id); not signed, not needed to verify.
    watermark = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "检查点"
        verbose_name_plural = "检查点"

    def __str__(self) -> str:
        return f"checkpoint {self.tree_size}"

    @property
    def signed_at(self) -> datetime:
        return EPOCH + timedelta(microseconds=self.signed_us)
