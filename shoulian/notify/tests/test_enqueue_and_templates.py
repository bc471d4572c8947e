"""The outbox service and the template registry: one row per key, encrypted recipient, text from
the template with its own placeholders only (Z8)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.notify import delivery, texts
from shoulian.notify.choices import SmsStatus, TemplateKey
from shoulian.notify.models import SmsMessage, SmsTemplate, SmsTemplateVersion
from shoulian.notify.services import sms_enqueue, sms_template_update

pytestmark = pytest.mark.django_db

CONTEXT = {"bureau": "甲县公安局", "code": "493817", "minutes": "10"}


def enqueue(key: str = "otp:1", to: str = "13800138000", **extra: Any) -> SmsMessage | None:
    return sms_enqueue(template=TemplateKey.ONE_TIME_CODE, to=to, context=CONTEXT, key=key, **extra)


def test_enqueue_writes_one_row_and_the_same_key_again_writes_nothing() -> None:
    first = enqueue()
    assert first is not None and first.status == SmsStatus.PENDING
    assert (
        first.text == "【甲县公安局】您的查询验证码为493817，10分钟内有效。请勿将验证码告诉他人。"
    )
    again = enqueue()
    assert again is not None and again.pk == first.pk
    assert SmsMessage.objects.count() == 1
    assert AuditEvent.objects.filter(event_type=EventType.SMS_QUEUED).count() == 1


def test_enqueue_without_a_mobile_writes_nothing() -> None:
    assert enqueue(to="") is None
    assert enqueue(to="0598-5821234") is None  # a fixed line takes no SMS
    assert not SmsMessage.objects.exists()


def test_recipient_is_encrypted_at_rest_and_shown_masked() -> None:
    message = enqueue()
    assert message is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT mobile FROM notify_smsmessage WHERE id = %s", [message.pk])
        stored = cursor.fetchone()[0]
    assert "13800138000" not in stored
    fresh = SmsMessage.objects.get(pk=message.pk)
    assert fresh.mobile.plaintext() == "13800138000"
    assert fresh.masked_mobile == "138****8000"
    assert str(fresh.mobile) == "138****8000"


def test_unknown_placeholder_is_refused_with_a_chinese_reason() -> None:
    with pytest.raises(ValidationError, match=r"占位符 \{name\} 不能用于本模板"):
        sms_template_update(
            actor=None, key=TemplateKey.FILED, text="【{bureau}】{name}您好，已立案。"
        )
    with pytest.raises(ValidationError, match="占位符"):
        texts.validate_text(TemplateKey.ONE_TIME_CODE, "【{bureau}】编号{number}")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("【{bureau}】已立案，请联系13912345678。", "手机号码"),
        ("【{bureau}】已立案，报案人11010519491231002X。", "身份证号码"),
        ("【{bureau}】已立案，回复至 wang@example.com。", "电子邮箱"),
        ("【{bureau}】已立案{number.alert}", "写法不正确"),
        ("【{bureau}】已立案{number!r}", "写法不正确"),
        ("【{bureau}】已立案{", "花括号"),
        ("", "不能为空"),
    ],
)
def test_template_that_could_carry_personal_data_is_refused(text: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        sms_template_update(actor=None, key=TemplateKey.FILED, text=text)
    assert SmsTemplate.objects.get(key=TemplateKey.FILED).version == 1


def test_a_template_must_keep_what_the_message_is_for() -> None:
    with pytest.raises(ValidationError, match=r"必须包含占位符 \{code\}"):
        sms_template_update(
            actor=None, key=TemplateKey.ONE_TIME_CODE, text="【{bureau}】验证码已发送。"
        )
    with pytest.raises(ValidationError, match=r"\{deadline\}"):
        sms_template_update(actor=None, key=TemplateKey.NOT_FILED, text="【{bureau}】不予立案。")


def test_every_seeded_template_is_valid_and_renders_without_leftover_braces() -> None:
    assert set(SmsTemplate.objects.values_list("key", flat=True)) == set(TemplateKey.values)
    for key in TemplateKey.values:
        words = SmsTemplate.objects.get(key=key).text
        texts.validate_text(key, words)
        rendered = texts.render(key, words, {name: "X" for name in texts.PLACEHOLDERS[key]})
        assert "{" not in rendered and "}" not in rendered


def test_template_edit_keeps_the_old_wording_journals_it_and_new_messages_use_it(
    head: Any,
) -> None:
    words = "【{bureau}】验证码{code}，{minutes}分钟内有效，切勿告诉他人。"
    sms_template_update(actor=head, key=TemplateKey.ONE_TIME_CODE, text=words, expected_version=1)
    # The head's bureau gets its own wording; the national one stays as it was.
    template = SmsTemplate.objects.get(key=TemplateKey.ONE_TIME_CODE, bureau__isnull=False)
    assert (template.version, template.updated_by) == (2, head)
    assert list(template.versions.values_list("version", flat=True)) == [2]
    national = SmsTemplate.objects.get(key=TemplateKey.ONE_TIME_CODE, bureau__isnull=True)
    assert (
        SmsTemplateVersion.objects.get(template=national, version=1).text
        == (texts.DEFAULT_TEXTS[TemplateKey.ONE_TIME_CODE])
    )
    assert AuditEvent.objects.filter(event_type=EventType.SMS_TEMPLATE_CHANGED).count() == 1
    message = enqueue(unit=head.unit)
    assert message is not None
    assert message.text == "【甲县公安局】验证码493817，10分钟内有效，切勿告诉他人。"
    assert message.template_version == 2
    with pytest.raises(ValidationError, match="已被他人修改"):
        sms_template_update(
            actor=head, key=TemplateKey.ONE_TIME_CODE, text="x{code}", expected_version=1
        )


def test_context_values_for_placeholders_the_template_lacks_are_never_rendered() -> None:
    message = sms_enqueue(
        template=TemplateKey.ONE_TIME_CODE,
        to="13800138000",
        context={**CONTEXT, "number": "SECRET-NUMBER", "name": "王小明"},
        key="otp:2",
    )
    assert message is not None
    assert "王小明" not in message.text and "SECRET" not in message.text


def test_a_mobile_passed_as_a_placeholder_value_is_refused() -> None:
    with pytest.raises(texts.UnsafeValue):
        sms_enqueue(
            template=TemplateKey.ONE_TIME_CODE,
            to="13800138000",
            context={**CONTEXT, "code": "13912345678"},
            key="otp:3",
        )
    assert not SmsMessage.objects.exists()


def test_a_message_for_a_change_long_past_is_written_expired_and_never_sent() -> None:
    long_ago = timezone.now() - dt.timedelta(days=30)
    message = enqueue(now=long_ago)
    assert message is not None and message.status == SmsStatus.EXPIRED
    sweep = delivery.deliver_due()
    assert sweep.sent == 0
    message.refresh_from_db()
    assert message.status == SmsStatus.EXPIRED and message.attempts == 0


def test_a_message_nobody_sent_within_its_age_expires_at_the_next_sweep() -> None:
    message = enqueue()
    assert message is not None
    later = timezone.now() + dt.timedelta(hours=73)
    sweep = delivery.deliver_due(now=later)
    assert (sweep.expired, sweep.sent) == (1, 0)
    message.refresh_from_db()
    assert message.status == SmsStatus.EXPIRED
    assert AuditEvent.objects.filter(event_type=EventType.SMS_EXPIRED).count() == 1


def test_console_gateway_writes_the_message_to_its_file(settings: Any) -> None:
    import json
    from pathlib import Path

    message = enqueue()
    assert message is not None
    sweep = delivery.deliver_due()
    assert sweep.sent == 1
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT and message.attempts == 1
    lines = Path(settings.SHOULIAN_SMS_OUTBOX_FILE).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["message_id"] for line in lines] == [str(message.message_id)]


def test_a_verification_code_is_starred_for_staff_and_scrubbed_once_sent(bureau_a: Any) -> None:
    message = sms_enqueue(
        template=TemplateKey.ONE_TIME_CODE,
        to="13800138000",
        context={"code": "493817", "minutes": "10"},
        key="otp:scrub",
        unit=bureau_a.center,
    )
    assert message is not None
    # Without a bureau in the context the message speaks for the bureau it belongs to.
    assert message.text.startswith(f"【{bureau_a.bureau.name}】")
    assert "493817" in message.text and "493817" not in message.shown_text
    assert "******" in message.shown_text
    delivery.deliver_due()
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT
    assert "493817" not in message.text


def test_a_verification_code_is_never_resent_by_hand(head: Any) -> None:
    from shoulian.notify.services import sms_retry

    message = enqueue(now=timezone.now() - dt.timedelta(days=5))
    assert message is not None and message.status == SmsStatus.EXPIRED
    with pytest.raises(ValidationError, match="验证码短信不重发"):
        sms_retry(actor=head, message=message)


class _QueueWithScheduler:
    """The worker's queue as in production: tasks run in the consumer, not in the caller."""

    immediate = False


def test_milestone_messages_ask_the_worker_once_per_batch_and_codes_at_once(
    bureau_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from unittest import mock

    from shoulian.notify import services, tasks

    services._batch["asked_at"] = -services.BATCH_SECONDS
    with (
        mock.patch.object(services, "HUEY", _QueueWithScheduler()),
        mock.patch.object(tasks.deliver_batch, "schedule") as batch,
        mock.patch.object(services, "_kick") as at_once,
    ):
        for n in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                sms_enqueue(
                    template=TemplateKey.RECEIVED,
                    to="13800138000",
                    context={"number": f"N{n}", "query_code": "ABCDE-12345"},
                    key=f"received:{n}",
                    unit=bureau_a.center,
                )
        with django_capture_on_commit_callbacks(execute=True):
            code = enqueue(key="otp:batch")
    # Three registrations within the batch window: one delayed sweep carries all three.
    batch.assert_called_once_with(delay=services.BATCH_SECONDS)
    # The verification code does not wait for a batch.
    assert code is not None
    at_once.assert_called_once_with(code.pk)


def test_the_deploy_check_refuses_the_console_gateway_outside_demo_and_debug(
    settings: Any,
) -> None:
    from shoulian.notify.checks import real_sms_gateway_in_production

    settings.DEBUG, settings.DEMO_MODE = False, False
    settings.SHOULIAN_SMS_GATEWAY = "console"
    assert [e.id for e in real_sms_gateway_in_production(None)] == ["shoulian.E010"]
    settings.SHOULIAN_SMS_GATEWAY = "http"
    assert real_sms_gateway_in_production(None) == []
    settings.SHOULIAN_SMS_GATEWAY, settings.DEMO_MODE = "console", True
    assert real_sms_gateway_in_production(None) == []


def test_a_bureaus_wording_reaches_its_own_citizens_only(
    head: Any, bureau_a: Any, bureau_b: Any
) -> None:
    words = "【{bureau}】本局专用：您的查询验证码为{code}，{minutes}分钟内有效。"
    sms_template_update(actor=head, key=TemplateKey.ONE_TIME_CODE, text=words)
    mine = enqueue(key="otp:a", unit=bureau_a.center)
    theirs = enqueue(key="otp:b", unit=bureau_b.center)
    assert mine is not None and "本局专用" in mine.text
    assert theirs is not None and "本局专用" not in theirs.text
    # The national wording is untouched, and another bureau sees neither the words nor who
    # wrote them.
    from shoulian.accounts.choices import Role
    from shoulian.conftest import make_user
    from shoulian.notify import selectors

    other_head = make_user("head.b", bureau_b.center, Role.CENTER_HEAD)
    row = next(t for t in selectors.templates(other_head) if t.key == TemplateKey.ONE_TIME_CODE)
    assert not row.own and "本局专用" not in row.text
    history = selectors.template_history(other_head, TemplateKey.ONE_TIME_CODE)
    assert history
    assert all(v.created_by_id != head.pk for v in history)
