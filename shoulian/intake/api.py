"""JSON interface for machine channels: the 110 command center and administrative
law-enforcement organs deliver alerts here (``POST /api/intake/alerts``).

Authentication: ``Authorization: Bearer <token>`` of an ``ApiClient`` (created with
``manage.py intake_api_client create``; only the token's hash is stored). Every request needs an
``Idempotency-Key`` header (R5): a retry with the same key and body gets the same answer, the same
key with another body gets 422, a missing key 400. There is no session, so no CSRF token: this is
the only view of the app exempt from CSRF.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from shoulian.core import context
from shoulian.intake import services
from shoulian.intake.choices import PartyRole, Urgency
from shoulian.intake.forms import PartyForm
from shoulian.intake.models import Category
from shoulian.privacy.choices import IdType

MAX_BODY = 256 * 1024
MAX_PARTIES = 20


class ApiAlertForm(forms.Form):
    external_ref = forms.CharField(max_length=64)
    received_at = forms.DateTimeField()
    handled_at = forms.DateTimeField(required=False)
    incident_at = forms.DateTimeField(required=False)
    incident_until = forms.DateTimeField(required=False)
    incident_place = forms.CharField(max_length=200)
    narrative = forms.CharField(max_length=5000)
    category_code = forms.CharField(max_length=12)
    urgency = forms.ChoiceField(choices=Urgency.choices, required=False)
    handling_unit_code = forms.CharField(max_length=12)
    source_organ = forms.CharField(max_length=100, required=False)

    def clean_category_code(self) -> Category:
        code = self.cleaned_data["category_code"].strip()
        category = Category.objects.selectable().filter(code=code).first()
        if category is None:
            raise ValidationError("不在分类标准中或已停用的类别代码。", code="category")
        return category


def _error(status: int, code: str, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": code, "message": message, **extra}, status=status)


def _form_errors(form: forms.Form, prefix: str = "") -> dict[str, list[str]]:
    return {f"{prefix}{k}": [str(m) for m in v] for k, v in form.errors.items()}


def _parties(payload: Any) -> tuple[list[services.PartyInput], dict[str, list[str]]]:
    if payload in (None, ""):
        return [], {}
    if not isinstance(payload, list) or len(payload) > MAX_PARTIES:
        return [], {"parties": [f"应为不超过 {MAX_PARTIES} 项的数组。"]}
    parties, errors = [], {}
    for index, item in enumerate(payload):
        if not isinstance(item, dict):
            errors[f"parties[{index}]"] = ["应为对象。"]
            continue
        data = {
            "role": item.get("role", PartyRole.REPORTER),
            "name": item.get("name", ""),
            "gender": item.get("gender", "unknown"),
            "id_type": item.get("id_type", IdType.RESIDENT_ID if item.get("id_number") else ""),
            "id_number": item.get("id_number", ""),
            "phone": item.get("phone", ""),
            "address": item.get("address", ""),
            "note": item.get("note", ""),
        }
        if any(isinstance(v, dict | list) for v in data.values()):
            errors[f"parties[{index}]"] = ["字段值应为字符串，不能是对象或数组。"]
            continue
        form = PartyForm(data={k: "" if v is None else str(v) for k, v in data.items()})
        if not form.is_valid():
            errors.update(_form_errors(form, f"parties[{index}]."))
        elif not form.is_blank():
            parties.append(form.to_input())
    return parties, errors


def _client(request: HttpRequest) -> Any:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return services.api_client_authenticate(token.strip())


def _body(request: HttpRequest) -> bytes | None:
    """The body, or None when it is over MAX_BODY: judged on the declared length before reading,
    and on what was read (Django itself refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE with its
    HTML 400; the API answers its own JSON 413 instead)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY:
        return None
    try:
        body = request.body
    except RequestDataTooBig:
        return None
    return None if len(body) > MAX_BODY else body


@csrf_exempt
@login_not_required
@never_cache
def alert_create(request: HttpRequest) -> JsonResponse:
    ctx = context.current()
    with context.acting(source_ip=ctx.source_ip, request_id=ctx.request_id, channel="api"):
        wait = services.api_auth_wait(source_ip=ctx.source_ip)
        if wait:
            # Neither the token nor the journal is touched: the throttle's start was journalled.
            response = _error(
                429,
                "too_many_failures",
                f"认证失败次数过多，请 {wait} 秒后再试。",
                retry_after=wait,
            )
            response["Retry-After"] = str(wait)
            return response
        client = _client(request)
        if client is None:
            services.api_auth_failed(reason="missing or unknown token", source_ip=ctx.source_ip)
            response = _error(401, "unauthorized", "缺少或无效的访问令牌。")
            response["WWW-Authenticate"] = 'Bearer realm="shoulian-intake"'
            return response
        if request.method != "POST":
            response = _error(405, "method_not_allowed", "只接受 POST。")
            response["Allow"] = "POST"
            return response
        if request.content_type != "application/json":
            return _error(
                415, "unsupported_media_type", "请求体须为 JSON（Content-Type: application/json）。"
            )
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key or len(key) > 80:
            return _error(
                400, "idempotency_key_required", "请求头须带 Idempotency-Key（1–80 个字符）。"
            )
        body = _body(request)
        if body is None:
            return _error(413, "too_large", f"请求体过大（不超过 {MAX_BODY // 1024} KB）。")
        try:
            payload = json.loads(body or b"null")
        except RecursionError:
            return _error(400, "invalid_json", "请求体的 JSON 嵌套过深。")
        except (ValueError, UnicodeDecodeError):
            return _error(400, "invalid_json", "请求体不是有效的 JSON。")
        if not isinstance(payload, dict):
            return _error(400, "invalid_json", "请求体应为 JSON 对象。")
        form = ApiAlertForm(
            data={k: v for k, v in payload.items() if k in ApiAlertForm.base_fields}
        )
        parties, party_errors = _parties(payload.get("parties"))
        # A nested value where a field expects text would reach the form as its repr.
        nested = {
            k: ["应为字符串，不能是对象或数组。"]
            for k in ApiAlertForm.base_fields
            if isinstance(payload.get(k), dict | list)
        }
        if nested:
            return _error(400, "invalid", "字段校验未通过。", fields=nested)
        if not form.is_valid() or party_errors:
            return _error(
                400,
                "invalid",
                "字段校验未通过。",
                fields={**_form_errors(form), **party_errors},
            )
        d = form.cleaned_data
        data = services.AlertInput(
            channel=client.channel,
            received_at=d["received_at"],
            handled_at=d.get("handled_at"),
            incident_at=d.get("incident_at") or d["received_at"],
            incident_until=d.get("incident_until"),
            incident_place=d["incident_place"],
            narrative=d["narrative"],
            category=d["category_code"],
            urgency=d.get("urgency") or Urgency.NORMAL,
            external_ref=d["external_ref"],
            source_organ=d.get("source_organ", ""),
            parties=tuple(parties),
        )
        try:
            registration = services.alert_import(
                client=client,
                data=data,
                handling_unit_code=d["handling_unit_code"],
                idempotency_key=key,
            )
        except services.IdempotencyConflict as exc:
            return _error(422, "idempotency_key_reused", str(exc))
        except PermissionDenied as exc:
            return _error(403, "forbidden", str(exc))
        except ValidationError as exc:
            fields = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            return _error(400, "invalid", "字段校验未通过。", fields=fields)
        response = JsonResponse(registration.response, status=201)
        if registration.replayed:
            response["Idempotent-Replayed"] = "true"
        response["Location"] = reverse("intake:alert_detail", kwargs={"pk": registration.alert.pk})
        return response
