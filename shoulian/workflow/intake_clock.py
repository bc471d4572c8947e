"""The periods of intake's own nodes, started and stopped from intake's events (``intake.hooks``):

- ``walkin_registration`` (三个当场): a report made in person (walk-in, kiosk, 扭送) runs from its
  receipt (``received_at``) until the 接报案回执 is first printed; ``on_the_spot_compliance``
  (selectors) measures it with the evidence list.
- ``urgent_registration``: a 110 or transferred alert taken over before its full registration runs
  from the end of on-scene handling (``handled_at``) for 24 hours until the registration is
  completed. Its due time is the one intake shows (the list badge, the registration tab, the
  API's answer) through ``intake.hooks.registration_due``, and the patrol rule reads: the alert
  keeps no copy of it (the ``registration_due_at`` column was retired by intake migration 0007).

Both sit with the registering unit, whose desk must act. Registered in ``apps.py``.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shoulian.deadlines.models import Deadline
from shoulian.intake.choices import ON_THE_SPOT_CHANNELS
from shoulian.intake.hooks import (
    IntakeEvent,
    IntakeRecord,
    on_intake_event,
    provides_registration_due,
)
from shoulian.workflow import clock

WALKIN = "walkin_registration"
URGENT = "urgent_registration"
# The desk's own periods: they show in 我的期限 and intake's list, not as the due time of a
# routing or handling task (the review period is).
INTAKE_CODES = frozenset({WALKIN, URGENT})


@on_intake_event
def intake_clock(record: IntakeRecord) -> None:
    # The engine takes no time ahead of its clock; an event dated ahead of it (a skewed kiosk, a
    # test laying out the future) counts as happening now.
    alert, at = record.alert, min(record.at, timezone.now())
    if record.event == IntakeEvent.REGISTERED:
        if alert.channel in ON_THE_SPOT_CHANNELS:
            clock.start(alert, WALKIN, alert.registering_unit, min(alert.received_at, at))
        elif alert.registration_completed_at is None:
            handled = alert.handled_at or alert.received_at
            clock.start(alert, URGENT, alert.registering_unit, min(handled, at))
    elif record.event == IntakeEvent.REGISTRATION_COMPLETED:
        clock.stop(alert, URGENT, "已完成补录登记", at)
    elif record.event == IntakeEvent.RECEIPT_ISSUED:
        clock.stop(alert, WALKIN, "已出具接报案回执", at)


@provides_registration_due
def urgent_registration_due(alert_ids: list[int]) -> dict[int, dt.datetime]:
    """The due time of each alert's 110 registration: its latest ``urgent_registration``."""
    rows = (
        Deadline.objects.filter(
            object_type="alert", object_id__in=[str(pk) for pk in alert_ids], code=URGENT
        )
        .exclude(due_at=None)
        .order_by("object_id", "id")
        .values_list("object_id", "due_at")
    )
    return {int(object_id): due for object_id, due in rows if due is not None}
