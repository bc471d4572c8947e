"""Migration operations for the journal's tables."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models


class CreateJournalModel(migrations.CreateModel):
    """CreateModel whose generated columns are STORED on PostgreSQL (the only kind it has) and
    VIRTUAL on SQLite: the event row then holds little more than the body, and the verifier,
    which reads every body, reads a third fewer pages. Indexes on the columns work either way."""

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        model = to_state.apps.get_model(app_label, self.name)
        if schema_editor.connection.vendor == "sqlite":
            for field in model._meta.local_fields:
                if isinstance(field, models.GeneratedField):
                    field.db_persist = False  # type: ignore[attr-defined]
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.create_model(model)
