"""The feedback app's 督办事项 (``feedback.SupervisionItem``, one per dissatisfied follow-up) become
findings of the rule ``follow_up_dissatisfied``; feedback 0002 then drops their table.

Forward, for every item, oldest first:

- a finding of the rule on the same follow-up already exists (the patrol found the follow-up
  too): the item is merged into it — its id, center, assignee, status and time go into the
  finding's evidence under ``supervision_item`` and its text into ``note`` if the finding has none;
- otherwise a finding is opened exactly as the patrol would have: subject the follow-up (or the
  item itself when it has none), the alert's handling unit (else the registering desk) and
  officer, the rule version in force for the bureau on the item's day, status 待整改, opened at
  the item's time, ``source`` 回访督办事项; its rectification period runs from the migration
  (calendar days of the rule version; the next patrol neither escalates a migrated item at once
  nor leaves it without a period), and the item's assignee (the center head) gets an inbox
  message so nothing addressed to somebody is lost.

No journal event is written (a migration is not a member of staff acting): the items' own
``SUPERVISION_ITEM_OPENED`` events (6220) stay in the journal and the finding names the item.

Backward: every item is rebuilt with its own id from the evidence; findings the migration opened
are deleted with their messages unless anything else names them (a rectification round, a
score entry of the assessment), in which case the finding stays and only the item is rebuilt;
merged findings lose the ``supervision_item`` evidence and the note they got from it.

Not atomic as a whole (the rows move in their own transaction): PostgreSQL refuses to alter a
table with deferred constraint checks pending from rows deleted in the same transaction."""

import datetime as dt

from django.db import migrations, models
from django.utils import timezone

RULE = "follow_up_dissatisfied"
SOURCE = "follow_up_item"


def _bureau_of(unit, bureaus):
    best = None
    for bureau in bureaus:
        if unit.path.startswith(bureau.path) and (
            best is None or len(bureau.path) > len(best.path)
        ):
            best = bureau
    return best or unit


def _rule_for(PatrolRule, bureau, day):
    candidates = PatrolRule.objects.filter(code=RULE, effective_from__lte=day).filter(
        models.Q(bureau__isnull=True) | models.Q(bureau=bureau)
    )
    rule = candidates.order_by("-effective_from", "-id").first()
    return (
        rule
        or PatrolRule.objects.filter(code=RULE, bureau__isnull=True).order_by("version").first()
    )


def forward(apps, schema_editor):
    Item = apps.get_model("feedback", "SupervisionItem")
    Finding = apps.get_model("supervision", "Finding")
    PatrolRule = apps.get_model("supervision", "PatrolRule")
    InboxMessage = apps.get_model("supervision", "InboxMessage")
    Unit = apps.get_model("org", "Unit")
    AlertFlow = apps.get_model("workflow", "AlertFlow")
    if not Item.objects.exists():
        return
    bureaus = list(Unit.objects.filter(kind="bureau"))
    now = timezone.now()
    for item in Item.objects.select_related("alert", "center", "follow_up").order_by(
        "opened_at", "pk"
    ):
        carried = {
            "id": item.pk,
            "center": item.center_id,
            "assigned_to": item.assigned_to_id,
            "status": item.status,
            "source": item.source,
            "opened_at": item.opened_at.isoformat(),
        }
        if item.follow_up_id is not None:
            subject = ("follow_up", str(item.follow_up_id))
        else:
            subject = ("supervision_item", str(item.pk))
        existing = Finding.objects.filter(
            rule_code=RULE, subject_type=subject[0], subject_id=subject[1]
        ).first()
        if existing is not None:
            existing.evidence = {**existing.evidence, "supervision_item": carried}
            if not existing.note:
                existing.note = item.summary
                carried["note_moved"] = True
                existing.evidence["supervision_item"] = carried
            existing.save(update_fields=["evidence", "note"])
            continue
        alert = item.alert
        bureau = _bureau_of(item.center, bureaus)
        rule = _rule_for(PatrolRule, bureau, timezone.localtime(item.opened_at).date())
        officer_id = (
            AlertFlow.objects.filter(alert_id=alert.pk)
            .values_list("handling_officer_id", flat=True)
            .first()
        )
        days = rule.rectify_days or 7
        finding = Finding.objects.create(
            rule_code=RULE,
            rule=rule,
            kind="finding",
            source=SOURCE,
            subject_type=subject[0],
            subject_id=subject[1],
            alert_id=alert.pk,
            bureau=bureau,
            unit_id=alert.handling_unit_id or alert.registering_unit_id,
            officer_id=officer_id,
            base_level=rule.level,
            level=rule.level,
            status="open",
            summary=f"警情 {alert.number}：回访群众不满意"[:300],
            evidence={
                "number": alert.number,
                "follow_up": item.follow_up_id,
                "done_at": item.follow_up.done_at.isoformat()
                if item.follow_up_id and item.follow_up.done_at
                else None,
                "supervision_item": carried,
            },
            note=item.summary,
            opened_at=item.opened_at,
            last_seen_at=item.opened_at,
            due_at=now + dt.timedelta(days=days),
        )
        if item.assigned_to_id is not None:
            InboxMessage.objects.create(
                recipient_id=item.assigned_to_id,
                finding=finding,
                kind="finding",
                title=f"【巡查发现】{finding.summary}"[:200],
                created_at=now,
            )


def _named_elsewhere(finding, InboxMessage):
    """Whether a row other than the finding's inbox messages points at it."""
    for rel in finding._meta.get_fields(include_hidden=True):
        if not (rel.is_relation and rel.auto_created and not rel.concrete):
            continue
        if rel.related_model is InboxMessage:
            continue
        if rel.many_to_many:
            through = rel.through
            names = [
                f.name
                for f in through._meta.fields
                if f.is_relation and f.related_model is type(finding)
            ]
            if any(through._default_manager.filter(**{n: finding.pk}).exists() for n in names):
                return True
        elif rel.related_model._default_manager.filter(**{rel.field.name: finding.pk}).exists():
            return True
    return False


def backward(apps, schema_editor):
    Item = apps.get_model("feedback", "SupervisionItem")
    Finding = apps.get_model("supervision", "Finding")
    InboxMessage = apps.get_model("supervision", "InboxMessage")
    rows = Finding.objects.filter(rule_code=RULE, evidence__has_key="supervision_item")
    for finding in rows.order_by("pk"):
        carried = finding.evidence["supervision_item"]
        follow_up_id = int(finding.subject_id) if finding.subject_type == "follow_up" else None
        moved = finding.source == SOURCE or carried.get("note_moved")
        Item.objects.create(
            pk=carried["id"],
            source=carried.get("source") or "follow_up",
            alert_id=finding.alert_id,
            follow_up_id=follow_up_id,
            center_id=carried["center"],
            assigned_to_id=carried.get("assigned_to"),
            opened_at=dt.datetime.fromisoformat(carried["opened_at"]),
            status=carried.get("status") or "open",
            summary=finding.note if moved else "",
        )
        if finding.source == SOURCE and not _named_elsewhere(finding, InboxMessage):
            InboxMessage.objects.filter(finding=finding).delete()
            finding.delete()
            continue
        finding.evidence = {k: v for k, v in finding.evidence.items() if k != "supervision_item"}
        if carried.get("note_moved"):
            finding.note = ""
        finding.save(update_fields=["evidence", "note"])


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("supervision", "0002_seed_rules"),
        ("feedback", "0001_initial"),
        ("workflow", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="finding",
            name="note",
            field=models.TextField(
                blank=True,
                verbose_name="情况说明",
                help_text="回访督办事项转来的群众意见原文",
            ),
        ),
        migrations.RunPython(forward, backward, atomic=True),
    ]
