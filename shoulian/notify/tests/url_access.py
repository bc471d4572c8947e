"""Access rules of the SMS outbox pages for the URL matrix (Z1, Z3): the center head only."""

from __future__ import annotations

from typing import Any

from shoulian.accounts.choices import Role
from shoulian.core.tests.matrix import Rule

HEAD = frozenset({Role.CENTER_HEAD})
ADMIN = frozenset({Role.ADMIN})
NOT_ADMIN = frozenset(r for r in Role.values if r != Role.ADMIN)


def _user_of(bureau: Any) -> Any:
    from shoulian.accounts.models import User

    return User.objects.filter(unit__path__startswith=bureau.bureau.path).order_by("pk").first()


def _message(bureau: Any) -> Any:
    """A dead message of the bureau (queued through the service, failed by the gateway)."""
    from django.utils import timezone

    from shoulian.notify.choices import SmsStatus, TemplateKey
    from shoulian.notify.models import SmsMessage
    from shoulian.notify.services import sms_enqueue

    key = f"matrix:{bureau.bureau.code}"
    found = SmsMessage.objects.filter(key=key).first()
    if found is not None:
        return found
    message = sms_enqueue(
        template=TemplateKey.ONE_TIME_CODE,
        to="13800138000",
        context={"code": "123456", "minutes": "10"},
        key=key,
        unit=bureau.center,
        now=timezone.now(),
    )
    assert message is not None
    SmsMessage.objects.filter(pk=message.pk).update(status=SmsStatus.DEAD)
    return message


ACCESS = {
    "notify:outbox": Rule(HEAD),
    "notify:retry": Rule(
        HEAD,
        kwargs=lambda u, own, other: {"pk": _message(own).pk},
        foreign=lambda u, own, other: {"pk": _message(other).pk},
        ok=405,
    ),
    "notify:templates": Rule(HEAD),
    "notify:template_edit": Rule(HEAD, kwargs=lambda u, own, other: {"key": "received"}),
    "notify:staff_mobile": Rule(
        ADMIN,
        kwargs=lambda u, own, other: {"pk": u.pk},
        foreign=lambda u, own, other: {"pk": _user_of(other).pk},
        ok=405,
    ),
    "notify:my_sms": Rule(NOT_ADMIN),
}
