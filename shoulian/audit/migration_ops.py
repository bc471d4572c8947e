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


class AddJournalColumn(migrations.AddField):
    """AddField for a column generated from the event body: VIRTUAL on SQLite, where
    ``ALTER TABLE … ADD COLUMN`` accepts only that kind and Django would otherwise rebuild the
    table (copying the journal and dropping its append-only triggers with the old table); STORED
    on PostgreSQL, which rewrites the table in place without firing its row triggers. Either way
    the database derives the value of every existing row: there is nothing to backfill, and the
    hashed bodies are not touched."""

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor != "sqlite":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        field = model._meta.get_field(self.name)
        field.db_persist = False
        definition, params = schema_editor.column_sql(model, field, include_default=False)
        schema_editor.execute(
            f"ALTER TABLE {schema_editor.quote_name(model._meta.db_table)} "
            f"ADD COLUMN {schema_editor.quote_name(field.column)} {definition}",
            params,
        )
