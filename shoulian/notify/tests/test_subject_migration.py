"""The notice ↔ SMS link reversed (workflow 0003, notify 0003): every existing link survives the
migration both ways."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from shoulian.notify.choices import TemplateKey
from shoulian.notify.tests.helpers import messages
from shoulian.workflow.choices import DecisionKind
from shoulian.workflow.models import Notification
from shoulian.workflow.tests.helpers import approve, handling, propose, reseed_data_migrations

BEFORE = [("workflow", "0002_seed_default_chains"), ("notify", "0002_seed_templates")]
AFTER = [("workflow", "0003_notification_sms_message"), ("notify", "0003_smsmessage_subject")]


def _migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_reversing_the_link_keeps_every_notice_with_its_message(
    clerk: Any, officer: Any, leader: Any
) -> None:
    reseed_data_migrations()
    alert = handling(clerk, officer, category_code="0201")
    approve(
        leader,
        propose(
            officer,
            alert,
            DecisionKind.TRANSFER_OUT,
            authority="某区市场监督管理局",
            legal_basis="《公安机关办理行政案件程序规定》第六十一条",
        ),
    )
    [message] = messages(alert, TemplateKey.TRANSFERRED_OUT)
    notice = Notification.objects.get(alert=alert)
    assert notice.sms_message_id == message.pk
    try:
        _migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT notification_id FROM notify_smsmessage WHERE id = %s", [message.pk]
            )
            assert cursor.fetchone() == (notice.pk,)
        # The old schema has only this link (the notice's column is gone): the forward
        # migration must rebuild both sides from it.
    finally:
        _migrate(AFTER)
        # Then to the latest state, so that later tests find every table (notify 0004 …).
        executor = MigrationExecutor(connection)
        _migrate(executor.loader.graph.leaf_nodes())
    notice.refresh_from_db()
    message.refresh_from_db()
    assert notice.sms_message_id == message.pk
    assert (message.subject_type, message.subject_id) == ("notification", str(notice.pk))
