"""Key rotation: re-encrypt stored personal data under the current key, and rebuild indexes.

The fields to process are found, not listed: every ``EncryptedField`` and ``BlindIndexField`` of
the project's models (declaring the field is the registration). Rows are taken in primary-key
batches, each locked and rewritten in one transaction with its audit event, so a concurrent edit
of the same row waits instead of being overwritten with the old value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models, transaction

from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import record
from shoulian.privacy.crypto import index_for, key_ring
from shoulian.privacy.fields import BlindIndexField, EncryptedField
from shoulian.privacy.registry import project_models


@dataclass
class RotationResult:
    model: str
    rows: int = 0
    reencrypted_rows: int = 0
    reindexed_rows: int = 0
    old_key_ids: set[str] = field(default_factory=set)


def encrypted_models(
    candidates: Iterable[type[models.Model]] | None = None,
) -> list[type[models.Model]]:
    return [
        model
        for model in (project_models() if candidates is None else candidates)
        if any(isinstance(f, EncryptedField) for f in model._meta.concrete_fields)
    ]


def rotate_model(
    model: type[models.Model],
    *,
    batch_size: int = 500,
    reindex: bool = False,
    dry_run: bool = False,
) -> RotationResult:
    current = key_ring().current_id
    encrypted = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]
    indexes = [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]
    names = [f.name for f in encrypted + indexes]
    result = RotationResult(model._meta.label)
    last_pk = None
    while True:
        with transaction.atomic():
            rows = model._base_manager.order_by("pk").only(*names)
            if not dry_run:
                rows = rows.select_for_update()
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            batch = list(rows[:batch_size])
            if not batch:
                return result
            last_pk = batch[-1].pk
            changed: list[models.Model] = []
            reencrypted = reindexed = 0
            for obj in batch:
                stale: set[str] = set()
                for f in encrypted:
                    value = getattr(obj, f.attname)
                    if value is not None and value.key_id is not None and value.key_id != current:
                        stale.add(value.key_id)
                new_index = False
                if reindex:
                    for index in indexes:
                        source = getattr(obj, index.source)
                        kind = index.source_field().kind
                        digest = None if source is None else index_for(source.plaintext(), kind)
                        if digest != getattr(obj, index.attname):
                            setattr(obj, index.attname, digest)
                            new_index = True
                # Saving renews exactly the values not under ``current`` (Protected.token()).
                reencrypted += bool(stale)
                result.old_key_ids |= stale
                reindexed += new_index
                if stale or new_index:
                    changed.append(obj)
            result.rows += len(batch)
            result.reencrypted_rows += reencrypted
            result.reindexed_rows += reindexed
            if dry_run or not changed:
                continue
            model._base_manager.bulk_update(changed, names)
            if reencrypted:
                record(
                    EventType.PERSONAL_DATA_REENCRYPTED,
                    data={"model": model._meta.label, "rows": reencrypted, "key_id": current},
                )
            if reindexed:
                record(
                    EventType.PERSONAL_DATA_REINDEXED,
                    data={"model": model._meta.label, "rows": reindexed},
                )
