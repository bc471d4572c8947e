"""Before intake drops ``Alert.registration_due_at`` (intake 0007), every due time it holds is
kept as the deadline engine's ``urgent_registration`` of that alert: an alert taken over before
the engine counted it gets its deadline now, with the stored due time unchanged, started at the
end of on-scene handling, stopped when its registration was completed. Alerts that have one
already keep it (the column was fed from it). Nothing is lost, and the patrol rule, the list
badge and the API read the one due time from then on."""

from zoneinfo import ZoneInfo

from django.db import migrations

CODE = "urgent_registration"
# The rule version in force is chosen by the legal (Beijing) date, as the engine does.
LEGAL_TZ = ZoneInfo("Asia/Shanghai")


def backfill(apps, schema_editor):
    Alert = apps.get_model("intake", "Alert")
    Deadline = apps.get_model("deadlines", "Deadline")
    DeadlineRule = apps.get_model("deadlines", "DeadlineRule")
    alerts = Alert.objects.filter(registration_due_at__isnull=False).order_by("pk")
    if not alerts.exists():
        return
    have = set(
        Deadline.objects.filter(object_type="alert", code=CODE).values_list("object_id", flat=True)
    )
    rules = list(DeadlineRule.objects.filter(code=CODE, bureau__isnull=True).order_by(
        "effective_from", "version"
    ))
    if not rules:
        raise RuntimeError(
            "urgent_registration rule missing: cannot keep the alerts' registration due times"
        )
    rows = []
    for alert in alerts.iterator():
        if str(alert.pk) in have:
            continue
        started = alert.handled_at or alert.received_at
        day = started.astimezone(LEGAL_TZ).date()
        rule = next((r for r in reversed(rules) if r.effective_from <= day), rules[0])
        done = alert.registration_completed_at
        rows.append(
            Deadline(
                rule=rule,
                code=CODE,
                object_type="alert",
                object_id=str(alert.pk),
                title=f"警情 {alert.number}",
                unit_id=alert.registering_unit_id,
                started_at=min(started, alert.registration_due_at),
                due_at=alert.registration_due_at,
                status="stopped" if done else "open",
                stopped_at=done,
            )
        )
    Deadline.objects.bulk_create(rows, batch_size=500)


def restore(apps, schema_editor):
    """Backwards (after intake 0007's reverse has put the column back, empty): each alert's
    column gets its latest ``urgent_registration`` due time again, so a rollback loses none."""
    Alert = apps.get_model("intake", "Alert")
    Deadline = apps.get_model("deadlines", "Deadline")
    latest = {}
    for object_id, due in (
        Deadline.objects.filter(object_type="alert", code=CODE)
        .order_by("started_at", "pk")
        .values_list("object_id", "due_at")
        .iterator()
    ):
        latest[object_id] = due
    ids = [int(object_id) for object_id in latest if object_id.isdigit()]
    for start in range(0, len(ids), 500):
        alerts = list(Alert.objects.filter(pk__in=ids[start : start + 500]))
        for alert in alerts:
            alert.registration_due_at = latest[str(alert.pk)]
        Alert.objects.bulk_update(alerts, ["registration_due_at"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0006_conclusion_chains_and_penalty"),
        ("intake", "0005_api_auth_throttle"),
        ("deadlines", "0005_rule_versions_issue_12"),
    ]

    operations = [migrations.RunPython(backfill, restore, elidable=False)]
