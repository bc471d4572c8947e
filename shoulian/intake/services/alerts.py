"""Registering alerts: at the desk, from 110 and other systems, and completing the registration of
alerts taken over. Files are written before the rows that name them and removed again when the
transaction does not commit (F6, R7); the audit events are written in the same transaction (U5)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.journal import deny, record
from shoulian.intake import hooks, numbering, uploads
from shoulian.intake import messages as reporter_sms
from shoulian.intake.choices import (
    MACHINE_CHANNELS,
    ON_THE_SPOT_CHANNELS,
    AlertStatus,
    Channel,
    FilePurpose,
    ImportSource,
    PartyRole,
    ReportForm,
)
from shoulian.intake.models import (
    Alert,
    AlertDraft,
    AlertParty,
    ApiClient,
    EvidenceFile,
    EvidenceItem,
    IdempotencyKey,
)
from shoulian.intake.services.common import (
    AlertInput,
    ConcurrentUpdate,
    FileInput,
    IdempotencyConflict,
    ItemInput,
    PartyInput,
    Registration,
    require_desk_clerk,
)
from shoulian.org.choices import UnitKind
from shoulian.org.models import Unit
from shoulian.org.selectors import bureau_of, bureau_places
from shoulian.privacy.fields import BlindIndexField
from shoulian.privacy.validators import (
    normalize_id_number,
    normalize_phone,
    validate_not_in_future,
)


def _clean_party(party: PartyInput, index: int) -> PartyInput:
    errors: dict[str, str] = {}
    id_number, phone = party.id_number.strip(), party.phone.strip()
    if not party.name.strip():
        errors["name"] = "请填写姓名（不知姓名的写“不详”）。"
    if id_number:
        if not party.id_type:
            errors["id_type"] = "填写证件号码时请选择证件类型。"
        else:
            try:
                id_number = normalize_id_number(party.id_type, id_number)
            except ValidationError as exc:
                errors["id_number"] = exc.messages[0]
    if phone:
        try:
            phone = normalize_phone(phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages[0]
    if errors:
        raise ValidationError({f"party-{index}-{k}": v for k, v in errors.items()})
    return PartyInput(
        role=party.role,
        name=party.name.strip(),
        gender=party.gender,
        id_type=party.id_type if id_number else "",
        id_number=id_number,
        phone=phone,
        address=party.address.strip(),
        note=party.note.strip(),
    )


def _validate(data: AlertInput, *, machine: bool) -> AlertInput:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for name in ("received_at", "incident_at", "incident_until", "handled_at"):
        value = getattr(data, name)
        if value is None:
            continue
        try:
            validate_not_in_future(value)
        except ValidationError as exc:
            add(name, exc.messages[0])
    if data.incident_at and data.received_at and data.incident_at > data.received_at:
        add("incident_at", "发案时间不能晚于接报时间。")
    if data.incident_until is not None and data.incident_until < data.incident_at:
        add("incident_until", "发案时间（止）不能早于发案时间（起）。")
    if data.handled_at is not None and data.handled_at < data.received_at:
        add("handled_at", "处警时间不能早于接报时间。")
    if not data.incident_place.strip():
        add("incident_place", "请填写发案地点。")
    if not data.narrative.strip():
        add("narrative", "请填写简要案情。")
    if not data.category.is_selectable:
        add("category", "请选择分类标准中启用的具体类别。")
    if data.channel not in Channel.values:
        add("channel", "未知的报警方式。")
    if data.channel == Channel.ADMIN_TRANSFER:
        if not data.source_organ.strip():
            add("source_organ", "行政执法机关移送的警情须填写移送机关。")
        if not data.external_ref.strip():
            add("external_ref", "行政执法机关移送的警情须填写移送函文号。")
    if data.channel == Channel.DISPATCH_110 and not data.external_ref.strip():
        add("external_ref", "110 警情须填写接警单号。")
    if not machine:
        if not any(p.role == PartyRole.REPORTER for p in data.parties):
            add("parties", "至少登记一名报案人。")
        oral_on_the_spot = (
            data.report_form == ReportForm.ORAL and data.channel in ON_THE_SPOT_CHANNELS
        )
        if oral_on_the_spot and not any(f.purpose == FilePurpose.TRANSCRIPT for f in data.files):
            add("files", "当面口头报案须上传询问笔录（签名后的扫描件或照片）。")
    if len(data.files) > uploads.max_files_per_alert():
        add("files", f"每起警情一次最多上传 {uploads.max_files_per_alert()} 个文件。")
    parties = []
    for index, party in enumerate(data.parties):
        try:
            parties.append(_clean_party(party, index))
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return AlertInput(
        **{
            **data.__dict__,
            "parties": tuple(parties),
            "incident_place": data.incident_place.strip(),
            "narrative": data.narrative.strip(),
            "external_ref": data.external_ref.strip(),
            "source_organ": data.source_organ.strip(),
        }
    )


def fingerprint(data: AlertInput) -> str:
    """SHA-256 of the canonical submission: equal for a retry of the same form, different for
    any other content (R5)."""

    def moment(value: datetime | None) -> str | None:
        return value.astimezone(UTC).isoformat() if value else None

    canonical = {
        "channel": data.channel,
        "received_at": moment(data.received_at),
        "incident_at": moment(data.incident_at),
        "incident_until": moment(data.incident_until),
        "handled_at": moment(data.handled_at),
        "incident_place": data.incident_place,
        "narrative": data.narrative,
        "category": data.category.code,
        "urgency": data.urgency,
        "report_form": data.report_form,
        "external_ref": data.external_ref,
        "source_organ": data.source_organ,
        "parties": [p.__dict__ for p in data.parties],
        "items": [i.__dict__ for i in data.items],
        "files": [[f.inspection.sha256, f.purpose, f.original_name] for f in data.files],
    }
    encoded = json.dumps(canonical, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def alert_summary(alert: Alert) -> dict[str, Any]:
    """The answer to a registration, stored with its idempotency key and replayed unchanged."""
    return {
        "id": alert.pk,
        "number": alert.number,
        "status": alert.status,
        "channel": alert.channel,
        "registered_at": alert.registered_at.isoformat(),
        "registration_due_at": (
            due.isoformat() if (due := hooks.registration_due_of(alert)) else None
        ),
        "intake_event_sha256": alert.intake_event_sha256,
    }


def _replay(scope: str, key: str, digest: str) -> Registration | None:
    existing = IdempotencyKey.objects.filter(scope=scope, key=key).select_related("alert").first()
    if existing is None:
        return None
    if existing.fingerprint != digest or existing.alert is None:
        record(
            EventType.IDEMPOTENCY_CONFLICT,
            obj=existing.alert,
            outcome=Outcome.DENIED,
            data={"scope": scope, "key": key[:80]},
        )
        raise IdempotencyConflict(
            "该提交编号已用于另一份内容不同的登记，未重复登记。请刷新页面后重新填写。"
        )
    return Registration(alert=existing.alert, replayed=True, response=existing.response)


def _event_sha256(event: Any) -> str:
    return hashlib.sha256(event.body.encode("utf-8")).hexdigest()


def _write_parties(alert: Alert, parties: Sequence[PartyInput], start: int = 0) -> None:
    rows = []
    for position, party in enumerate(parties, start=start):
        row = AlertParty(
            alert=alert,
            role=party.role,
            name=party.name,
            gender=party.gender,
            id_type=party.id_type,
            address=party.address,
            note=party.note,
            position=position,
        )
        row.id_number = party.id_number or None
        row.phone = party.phone or None
        # bulk_create skips Field.pre_save; the blind index is filled here instead.
        for index_field in ("id_number_index", "phone_index"):
            cast(BlindIndexField, AlertParty._meta.get_field(index_field)).pre_save(row, add=True)
        rows.append(row)
    AlertParty.objects.bulk_create(rows)


def _write_items(alert: Alert, items: Sequence[ItemInput], start: int = 1) -> None:
    EvidenceItem.objects.bulk_create(
        [
            EvidenceItem(
                alert=alert,
                position=position,
                name=item.name.strip(),
                quantity=item.quantity,
                features=item.features.strip(),
                pages=item.pages,
            )
            for position, item in enumerate(items, start=start)
        ]
    )


def _write_files(
    alert: Alert,
    files: Sequence[FileInput],
    stored: Sequence[uploads.StoredFile],
    actor: Any,
    now: datetime,
) -> list[EvidenceFile]:
    rows = EvidenceFile.objects.bulk_create(
        [
            EvidenceFile(
                alert=alert,
                purpose=f.purpose,
                kind=f.inspection.kind,
                original_name=f.original_name[:255],
                stored_name=s.stored_name,
                content_type=f.inspection.mime,
                size=s.size,
                sha256=s.sha256,
                uploaded_by=actor,
                uploaded_at=now,
            )
            for f, s in zip(files, stored, strict=True)
        ]
    )
    for row in rows:
        # Chain of custody (F5): the hash taken at intake is in the tamper-evident journal.
        record(
            EventType.EVIDENCE_FILE_RECEIVED,
            obj=row,
            actor=actor,
            data={
                "alert": alert.number,
                "sha256": row.sha256,
                "size": row.size,
                "content_type": row.content_type,
                "purpose": row.purpose,
                "stored_name": row.stored_name,
            },
        )
    return rows


def _store_files(files: Sequence[FileInput], written: list[str]) -> list[uploads.StoredFile]:
    stored = []
    for f in files:
        result = uploads.store(f.upload, extension=f.inspection.extension)
        written.append(result.stored_name)
        if result.sha256 != f.inspection.sha256:
            raise ValidationError({"files": "文件在上传过程中发生变化，请重新选择文件。"})
        stored.append(result)
    return stored


def _party_audit(parties: Sequence[PartyInput]) -> list[dict[str, Any]]:
    # Keys ending in id_number / mobile are masked and keyed-hashed by the journal itself, so the
    # inspector can follow one person across events without the journal holding the number.
    return [
        {
            "role": p.role,
            **({"id_number": p.id_number} if p.id_number else {}),
            **({"mobile": p.phone} if p.phone else {}),
        }
        for p in parties
    ]


@dataclass(frozen=True)
class Jurisdiction:
    area_id: int
    station_id: int
    station_code: str


def _jurisdiction(bureau: Unit, place_name: str) -> Jurisdiction | None:
    """The 辖区 whose place names occur in ``place_name``, longest match first — the rule of
    ``org.selectors.area_for_place``, read as plain values: every registration runs it, and a
    bureau has hundreds of place names."""
    best: tuple[int, Jurisdiction] | None = None
    rows = bureau_places(bureau)
    for name, area_id, station_id, code in rows:
        if name in place_name and (best is None or len(name) > best[0]):
            best = (len(name), Jurisdiction(area_id, station_id, code))
    return best[1] if best else None


def _create(
    *,
    data: AlertInput,
    unit: Unit,
    actor: Any,
    scope: str,
    key: str,
    digest: str,
    handling_unit: Unit | None,
    event_type: EventType,
    registration_complete: bool,
    api_client: ApiClient | None = None,
    import_source: str = "",
    draft: AlertDraft | None = None,
    now: datetime | None = None,
) -> Registration:
    written: list[str] = []
    try:
        stored = _store_files(data.files, written)
        # Read before the transaction: on SQLite the transaction holds the database's one write
        # lock, so everything done inside it is done by one registration at a time.
        area = _jurisdiction(bureau_of(unit), data.incident_place)
        with transaction.atomic():
            now = now or timezone.now()
            today = timezone.localdate(now)
            sequence = numbering.next_sequence(unit, today)
            alert = Alert.objects.create(
                number=numbering.format_number(unit, today, sequence),
                channel=data.channel,
                report_form=data.report_form,
                urgency=data.urgency,
                status=AlertStatus.REGISTERED,
                received_at=data.received_at,
                registered_at=now,
                registered_by=actor,
                registering_unit=unit,
                handling_unit=handling_unit,
                incident_at=data.incident_at,
                incident_until=data.incident_until,
                incident_place=data.incident_place,
                jurisdiction_area_id=area.area_id if area else None,
                jurisdiction_station_id=area.station_id if area else None,
                narrative=data.narrative,
                category=data.category,
                registered_category=data.category,
                is_case_type=data.category.is_case_type,
                query_code=numbering.new_query_code(),
                external_ref=data.external_ref,
                source_organ=data.source_organ,
                import_source=import_source,
                api_client=api_client,
                handled_at=data.handled_at,
                registration_completed_at=now if registration_complete else None,
            )
            _write_parties(alert, data.parties)
            _write_items(alert, data.items)
            # The periods this registration starts (三个当场, 110 补录) are the deadline engine's,
            # started by the subscribers above intake; a 110 alert's registration is due when the
            # engine counted (``hooks.registration_due``).
            hooks.dispatch(hooks.IntakeEvent.REGISTERED, alert, now)
            # The "received" SMS with the query code, in the outbox of this transaction (R2);
            # the worker sends it after commit, so a gateway outage never slows intake (R4).
            reporter_sms.alert_registered(
                alert,
                now=now,
                mobiles=[p.phone for p in data.parties if p.role == PartyRole.REPORTER and p.phone],
            )
            event = record(
                event_type,
                obj=alert,
                actor=actor,
                data={
                    "number": alert.number,
                    "channel": alert.channel,
                    "category": data.category.code,
                    "is_case_type": alert.is_case_type,
                    "registering_unit": unit.code,
                    "handling_unit": handling_unit.code if handling_unit else None,
                    "jurisdiction_station": area.station_code if area else None,
                    "received_at": alert.received_at,
                    "registration_due_at": hooks.registration_due_of(alert),
                    "external_ref": alert.external_ref,
                    "api_client": api_client.name if api_client else None,
                    "parties": _party_audit(data.parties),
                    "evidence_items": len(data.items),
                    "evidence_files": [s.sha256 for s in stored],
                },
            )
            _write_files(alert, data.files, stored, actor, now)
            alert.intake_event_id = event.pk
            alert.intake_event_sha256 = _event_sha256(event)
            Alert.objects.filter(pk=alert.pk).update(
                intake_event_id=alert.intake_event_id,
                intake_event_sha256=alert.intake_event_sha256,
            )
            response = alert_summary(alert)
            # A concurrent duplicate (double-click, client retry) waits for this transaction on
            # the number counter (PostgreSQL row lock, SQLite write lock), fails here on the
            # unique key, rolls back whole and replays this registration (R5).
            IdempotencyKey.objects.create(
                scope=scope, key=key, fingerprint=digest, alert=alert, response=response
            )
            if draft is not None:
                AlertDraft.objects.filter(pk=draft.pk, owner=actor).delete()
    except IntegrityError:
        uploads.discard(written)
        replay = _replay(scope, key, digest)
        if replay is not None:
            return replay
        if (
            data.external_ref
            and Alert.objects.filter(channel=data.channel, external_ref=data.external_ref).exists()
        ):
            # Two imports of one dispatch sheet under different keys raced; the first won.
            raise ValidationError(
                {"external_ref": f"来源编号 {data.external_ref} 已登记，未重复登记。"}
            ) from None
        raise
    except BaseException:
        uploads.discard(written)
        raise
    return Registration(alert=alert, replayed=False, response=response)


def alert_register(
    *,
    actor: Any,
    data: AlertInput,
    idempotency_key: str,
    draft: AlertDraft | None = None,
    now: datetime | None = None,
) -> Registration:
    """Register an alert at the desk: on the spot, with parties, evidence list and files.

    A repeated submission with the same key returns the first registration (R5). ``now`` is the
    registration time; only the demo seeder and data migrations pass a past one."""
    unit = require_desk_clerk(actor)
    if data.channel in MACHINE_CHANNELS and data.channel != Channel.ADMIN_TRANSFER:
        raise ValidationError({"channel": "110 警情通过 110 接口或导入登记。"})
    scope = f"user:{actor.pk}"
    key = idempotency_key.strip()
    if not key:
        raise ValidationError("缺少提交编号，请刷新页面后重试。")
    cleaned = _validate(data, machine=False)
    digest = fingerprint(cleaned)
    # No look-up of the key first: a repeated submission is rare, and it fails on the key's
    # unique index at the end of _create and replays from there.
    # A 派出所 desk handles its own walk-in reports unless the center routes them elsewhere;
    # the center's alerts wait for routing.
    handling = unit if unit.kind == UnitKind.STATION else None
    return _create(
        data=cleaned,
        unit=unit,
        actor=actor,
        scope=scope,
        key=key,
        digest=digest,
        handling_unit=handling,
        event_type=EventType.ALERT_REGISTERED,
        registration_complete=True,
        draft=draft,
        now=now,
    )


def _station_in_bureau(bureau: Unit, code: str) -> Unit:
    unit = Unit.objects.filter(code=code.strip().upper(), is_active=True).first()
    if unit is None or not unit.path.startswith(bureau.path) or unit.kind == UnitKind.BUREAU:
        raise ValidationError({"handling_unit": f"处警单位代码 {code} 不是本局的在用单位。"})
    return unit


def alert_import(
    *,
    data: AlertInput,
    handling_unit_code: str,
    idempotency_key: str,
    client: ApiClient | None = None,
    actor: Any = None,
    now: datetime | None = None,
) -> Registration:
    """Take over an alert from the 110 command center or an administrative law-enforcement
    organ, through the API (``client``) or a CSV import by a center clerk (``actor``).

    The alert was handled already (110) or still needs examination (移送): its full registration
    is due within 24 hours of handling: the deadline engine's ``urgent_registration``."""
    if client is not None:
        if not client.is_active:
            raise PermissionDenied("接口客户端已吊销。")
        if data.channel != client.channel:
            raise ValidationError({"channel": "该接口客户端不能登记此报警方式。"})
        unit, scope, source = client.unit, f"client:{client.pk}", ImportSource.API
    else:
        unit = require_desk_clerk(actor)
        scope, source = f"user:{actor.pk}", ImportSource.CSV
    if data.channel not in MACHINE_CHANNELS:
        raise ValidationError({"channel": "只有 110 警情和行政执法机关移送的警情可以导入。"})
    key = idempotency_key.strip()
    if not key:
        raise ValidationError("缺少幂等键（Idempotency-Key）。")
    cleaned = _validate(data, machine=True)
    handling = _station_in_bureau(bureau_of(unit), handling_unit_code)
    digest = fingerprint(cleaned) + handling.code
    digest = hashlib.sha256(digest.encode()).hexdigest()
    replay = _replay(scope, key, digest)
    if replay is not None:
        return replay
    duplicate = Alert.objects.filter(
        channel=cleaned.channel, external_ref=cleaned.external_ref
    ).first()
    if duplicate is not None:
        raise ValidationError(
            {"external_ref": f"来源编号 {cleaned.external_ref} 已登记为警情 {duplicate.number}。"}
        )
    return _create(
        data=cleaned,
        unit=unit,
        actor=actor,
        scope=scope,
        key=key,
        digest=digest,
        handling_unit=handling,
        event_type=EventType.ALERT_IMPORTED,
        registration_complete=False,
        api_client=client,
        import_source=source,
        now=now,
    )


def alert_complete_registration(
    *,
    actor: Any,
    alert: Alert,
    version: int,
    data: AlertInput,
    now: datetime | None = None,
) -> Alert:
    """Complete the registration of an alert taken over from 110 or an organ: the full
    classification, place, narrative, parties and evidence. The first of two concurrent editors
    wins; the other gets ``ConcurrentUpdate`` (R6)."""
    if not actor.has_role(Role.CLERK, Role.OFFICER):
        deny(actor, action="complete_registration", obj=alert)
    if not Alert.objects.visible_to(actor).filter(pk=alert.pk).exists():
        deny(actor, action="complete_registration", obj=alert)
    if alert.registration_completed_at is not None:
        raise ValidationError("该警情已完成登记。")
    cleaned = _validate(
        AlertInput(
            **{
                **data.__dict__,
                "channel": alert.channel,
                "external_ref": alert.external_ref,
                "source_organ": alert.source_organ or data.source_organ,
                "received_at": alert.received_at,
                "handled_at": alert.handled_at,
            }
        ),
        machine=True,
    )
    if not any(p.role == PartyRole.REPORTER for p in cleaned.parties) and not (
        alert.parties.filter(role=PartyRole.REPORTER).exists()
    ):
        raise ValidationError({"parties": "至少登记一名报案人。"})
    written: list[str] = []
    try:
        stored = _store_files(cleaned.files, written)
        with transaction.atomic():
            now = now or timezone.now()
            area = _jurisdiction(bureau_of(alert.registering_unit), cleaned.incident_place)
            updated = Alert.objects.filter(
                pk=alert.pk, version=version, registration_completed_at__isnull=True
            ).update(
                category=cleaned.category,
                is_case_type=cleaned.category.is_case_type,
                urgency=cleaned.urgency,
                incident_at=cleaned.incident_at,
                incident_until=cleaned.incident_until,
                incident_place=cleaned.incident_place,
                jurisdiction_area_id=area.area_id if area else None,
                jurisdiction_station_id=area.station_id if area else None,
                narrative=cleaned.narrative,
                registration_completed_at=now,
                version=F("version") + 1,
                updated_at=now,
            )
            if updated != 1:
                raise ConcurrentUpdate("该警情已被他人修改或已完成登记，请刷新后查看最新内容。")
            alert.refresh_from_db()
            due = hooks.registration_due_of(alert)
            start = alert.parties.count()
            _write_parties(alert, cleaned.parties, start=start)
            items_start = alert.evidence_items.order_by("-position").first() or None
            _write_items(
                alert, cleaned.items, start=(items_start.position + 1) if items_start else 1
            )
            _write_files(alert, cleaned.files, stored, actor, now)
            record(
                EventType.ALERT_REGISTRATION_COMPLETED,
                obj=alert,
                actor=actor,
                data={
                    "number": alert.number,
                    "category": cleaned.category.code,
                    "overdue": bool(due and now > due),
                    "parties": _party_audit(cleaned.parties),
                    "evidence_items": len(cleaned.items),
                    "evidence_files": [s.sha256 for s in stored],
                },
            )
            hooks.dispatch(hooks.IntakeEvent.REGISTRATION_COMPLETED, alert, now)
    except BaseException:
        uploads.discard(written)
        raise
    return alert


# --- idempotency keys -------------------------------------------------------------------------
IDEMPOTENCY_RETENTION = timedelta(days=30)


def idempotency_purge() -> int:
    cutoff = timezone.now() - IDEMPOTENCY_RETENTION
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
