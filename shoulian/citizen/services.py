"""Writes of the citizen channels: the progress query's challenge and verification (Z7), the
kiosk devices and their enrolment. Every service is atomic and journals in the same transaction.

Z7 in one paragraph: the first step (query code + mobile) does the same work whatever the input —
the same look-ups, one challenge row, one journal event, one queued job — and the citizen always
gets the same next page. Whether a code is sent is decided by the worker (``send_code``), outside
the request, so neither the answer nor its timing tells a matching code from a wrong one."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.audit.canonical import keyed_hash
from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.journal import deny, record, record_read_unsynced
from shoulian.citizen.choices import QueryChannel, Step, Subject
from shoulian.citizen.models import Kiosk, QueryAttempt, QueryChallenge
from shoulian.core.memo import TTLMemo
from shoulian.core.scoping import ScopeDomain, covers
from shoulian.intake.choices import PartyRole
from shoulian.intake.models import Alert, AlertParty
from shoulian.intake.services.kiosk import KIOSK_UNIT_KINDS
from shoulian.org.models import Unit
from shoulian.privacy.choices import Kind
from shoulian.privacy.crypto import index_for

# Z7 / A4: a code lives 5 minutes and dies after 5 wrong tries; a verified view lasts 15 minutes.
CODE_LIFETIME = timedelta(minutes=5)
MAX_CODE_ATTEMPTS = 5
VERIFIED_LIFETIME = timedelta(minutes=15)
# Z7 throttles, per hour: 5 per query code, 20 per client address. A kiosk counts as one address
# of its own (many citizens share it), with a higher allowance that only code requests use up: a
# citizen typing the SMS code there must not spend the next citizen's turn (the code's own limit
# still counts both steps).
THROTTLE_WINDOW = timedelta(hours=1)
PER_CODE_LIMIT = 5
PER_ADDRESS_LIMIT = 20
PER_KIOSK_LIMIT = 120
CHALLENGE_RETENTION = timedelta(days=1)
ATTEMPT_RETENTION = timedelta(days=2)
ENROLMENT_LIFETIME = timedelta(hours=24)
KIOSK_MANAGERS = (Role.CENTER_HEAD, Role.ADMIN)


@dataclass(frozen=True)
class Verified:
    """A passed verification: what the signed view cookie is bound to."""

    token: str
    subject_type: str
    subject_id: int


# --- hashing ------------------------------------------------------------------------------------
def code_hash(query_code: str) -> str:
    """Keyed hash of a query code (the journal's keyed hash): throttle key and journal value."""
    return keyed_hash("query-code:" + query_code)


def address_hash(address: str) -> str:
    return keyed_hash("client-address:" + address)


def _otp_hash(token: str, code: str) -> str:
    key = hashlib.sha256(("shoulian.citizen.otp:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, f"{token}:{code}".encode(), hashlib.sha256).hexdigest()


# --- throttling (Z7) ----------------------------------------------------------------------------
def _serialise(*keys: str) -> None:
    """Count-then-insert must not interleave between workers. SQLite's BEGIN IMMEDIATE already
    serialises writers; PostgreSQL takes a transaction-level advisory lock per key."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted(set(keys)):
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(key[:15], 16)])


def _throttle(*, step: str, code_key: str, address_key: str, kiosk: bool, now: datetime) -> bool:
    """Record one attempt and say whether it is within the limits; inside the caller's
    transaction. Refused attempts are recorded but not counted, so the window reopens."""
    _serialise(code_key, address_key)
    since = now - THROTTLE_WINDOW
    recent = QueryAttempt.objects.filter(at__gte=since, allowed=True)
    per_code = recent.filter(code_hash=code_key).count()
    at_address = recent.filter(address_hash=address_key)
    if kiosk:
        at_address = at_address.filter(step=Step.START)
    per_address = at_address.count()
    limit = PER_KIOSK_LIMIT if kiosk else PER_ADDRESS_LIMIT
    allowed = per_code < PER_CODE_LIMIT and per_address < limit
    QueryAttempt.objects.create(
        step=step, code_hash=code_key, address_hash=address_key, allowed=allowed, at=now
    )
    if not allowed:
        record(
            EventType.QUERY_THROTTLED,
            outcome=Outcome.DENIED,
            data={
                "step": step,
                "code_hash": code_key,
                "address_hash": address_key,
                "limit": "code" if per_code >= PER_CODE_LIMIT else "address",
            },
        )
    return allowed


def client_key(*, address: str | None, kiosk: Kiosk | None) -> str:
    if kiosk is not None:
        return address_hash(f"kiosk:{kiosk.pk}")
    return address_hash(address or "unknown")


# --- the query ----------------------------------------------------------------------------------
def _match(query_code: str, mobile: str) -> tuple[str, int | None]:
    """The subject the code and mobile open, or ("", None). The same queries run for every
    input: the alert by code, its reporters by the mobile's blind index, the complaint by code."""
    from shoulian.feedback.selectors import complaint_by_query_code, complaint_mobile_matches

    alert = (
        Alert.objects.filter(query_code=query_code)
        .values_list("pk", "category__is_sensitive")
        .first()
    )
    alert_id, sensitive = alert if alert else (0, False)
    reporter = AlertParty.objects.filter(
        alert_id=alert_id, role=PartyRole.REPORTER, phone_index=index_for(mobile, Kind.PHONE)
    ).exists()
    complaint = complaint_by_query_code(query_code)
    if alert is not None and reporter and not sensitive:
        return Subject.ALERT, int(alert_id)
    if complaint is not None and complaint_mobile_matches(complaint, mobile):
        return Subject.COMPLAINT, int(complaint.pk)
    # Unknown code, wrong mobile, sensitive category: no subject, no code, the same answer.
    return "", None


def query_start(
    *,
    query_code: str,
    mobile: str,
    address: str | None,
    kiosk: Kiosk | None = None,
    now: datetime | None = None,
) -> QueryChallenge:
    """Step 1: a challenge for every request. ``query_code`` and ``mobile`` are normalised by
    the form. The code SMS is sent by the worker after commit (``send_code``)."""
    from shoulian.citizen import tasks

    now = now or timezone.now()
    code_key = code_hash(query_code)
    address_key = client_key(address=address, kiosk=kiosk)
    with transaction.atomic():
        allowed = _throttle(
            step=Step.START,
            code_key=code_key,
            address_key=address_key,
            kiosk=kiosk is not None,
            now=now,
        )
        subject_type, subject_id = _match(query_code, mobile)
        if not allowed:
            subject_type, subject_id = "", None
        challenge = QueryChallenge(
            channel=QueryChannel.KIOSK if kiosk else QueryChannel.WEB,
            subject_type=subject_type,
            subject_id=subject_id,
            code_hash=code_key,
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
        challenge.mobile = mobile  # type: ignore[assignment]
        challenge.save()
        record(
            EventType.QUERY_CODE_REQUESTED,
            obj=challenge,
            outcome=Outcome.SUCCESS if allowed else Outcome.DENIED,
            data={
                "code_hash": code_key,
                "matched": subject_id is not None,
                "subject": subject_type,
                "kiosk": kiosk.pk if kiosk else None,
            },
        )
        pk = challenge.pk
        # robust: a queue that refuses the job must not turn the committed step into an error
        # page; the minute sweep (send_pending_codes) sends the code anyway.
        transaction.on_commit(lambda: tasks.send_query_code(pk), robust=True)
    return challenge


def send_pending_codes(*, now: datetime | None = None) -> int:
    """The worker's sweep: matched, live challenges whose code job never ran (the queue was
    down when the citizen asked). Returns how many codes were sent."""
    now = now or timezone.now()
    pending = QueryChallenge.objects.filter(
        subject_id__isnull=False, sent_at__isnull=True, expires_at__gt=now
    ).values_list("pk", flat=True)
    return sum(send_code(challenge_id=pk, now=now) for pk in list(pending[:500]))


def send_code(*, challenge_id: int, now: datetime | None = None) -> bool:
    """The worker's half of step 1: a matched challenge gets its code by SMS (notify's outbox,
    in this transaction); an unmatched one gets nothing."""
    from shoulian.notify.services import sms_enqueue

    now = now or timezone.now()
    with transaction.atomic():
        challenge = QueryChallenge.objects.select_for_update().filter(pk=challenge_id).first()
        if (
            challenge is None
            or challenge.subject_id is None
            or challenge.sent_at is not None
            or challenge.expires_at <= now
        ):
            return False
        code = f"{secrets.randbelow(1_000_000):06d}"
        QueryChallenge.objects.filter(pk=challenge.pk).update(
            otp_hash=_otp_hash(challenge.token.hex, code), sent_at=now
        )
        alert, unit = None, None
        if challenge.subject_type == Subject.ALERT:
            alert = Alert.objects.select_related("registering_unit").get(pk=challenge.subject_id)
        else:
            from shoulian.feedback.models import Complaint

            unit = Complaint.objects.select_related("center").get(pk=challenge.subject_id).center
        sms_enqueue(
            template="one_time_code",
            to=challenge.mobile.plaintext() if challenge.mobile else "",
            context={"code": code, "minutes": str(int(CODE_LIFETIME.total_seconds() // 60))},
            key=f"otp:{challenge.token}",
            alert=alert,
            unit=unit,
            now=now,
            # A code that arrives after the challenge expired is useless and confusing.
            max_age=challenge.expires_at - now,
        )
        record(
            EventType.QUERY_CODE_SENT,
            obj=challenge,
            data={
                "subject": challenge.subject_type,
                "subject_unit_path": subject_unit_path(
                    challenge.subject_type, challenge.subject_id
                ),
            },
        )
    return True


def query_verify(
    *,
    token: str,
    code: str,
    address: str | None,
    kiosk: Kiosk | None = None,
    now: datetime | None = None,
) -> Verified | None:
    """Step 2: the SMS code. None for anything but a live, matched challenge with the right code
    (no reason is given: Z7). Five wrong tries kill the challenge; a code works once."""
    now = now or timezone.now()
    with transaction.atomic():
        challenge = QueryChallenge.objects.filter(token=token).first()
        code_key = challenge.code_hash if challenge else code_hash("")
        allowed = _throttle(
            step=Step.VERIFY,
            code_key=code_key,
            address_key=client_key(address=address, kiosk=kiosk),
            kiosk=kiosk is not None,
            now=now,
        )
        if challenge is None or not allowed:
            return None
        counted = QueryChallenge.objects.filter(
            pk=challenge.pk,
            verified_at__isnull=True,
            attempts__lt=MAX_CODE_ATTEMPTS,
            expires_at__gt=now,
        ).update(attempts=F("attempts") + 1)
        good = (
            counted == 1
            and challenge.subject_id is not None
            and bool(challenge.otp_hash)
            and hmac.compare_digest(challenge.otp_hash, _otp_hash(challenge.token.hex, code))
        )
        if not good:
            record(
                EventType.QUERY_VERIFY_FAILED,
                obj=challenge,
                outcome=Outcome.DENIED,
                data={"attempt": challenge.attempts + 1, "code_hash": code_key},
            )
            return None
        QueryChallenge.objects.filter(pk=challenge.pk).update(verified_at=now)
        record(
            EventType.QUERY_VERIFIED,
            obj=challenge,
            data={
                "subject": challenge.subject_type,
                "subject_unit_path": subject_unit_path(
                    challenge.subject_type, challenge.subject_id
                ),
            },
        )
    assert challenge.subject_id is not None  # noqa: S101 - checked by ``good``
    return Verified(
        token=challenge.token.hex,
        subject_type=challenge.subject_type,
        subject_id=challenge.subject_id,
    )


def query_viewed(*, subject_type: str, subject_id: int, challenge: str, status: str) -> None:
    """Journal one view of the public page (a read event, no personal data in it).

    It is the one write of a request a citizen repeats: on PostgreSQL it is written without
    waiting for the WAL flush (``record_read_unsynced``); business changes keep their
    synchronous commit."""
    record_read_unsynced(
        EventType.QUERY_VIEWED,
        obj=(subject_type, subject_id),
        fields=["public_status"],
        challenge=challenge,
        public_status=status,
        subject_unit_path=subject_unit_path(subject_type, subject_id),
    )


# An alert's registering unit and a complaint's center never change: their unit's path is read
# once per process and subject, not on every refresh of the page.
_subject_paths: TTLMemo[str] = TTLMemo(600)


def subject_unit_path(subject_type: str, subject_id: int | None) -> str:
    """The unit an alert or complaint belongs to, for the journal of citizens' events (Z2: only
    that bureau's inspector sees them)."""
    if subject_id is None:
        return ""

    def load() -> str:
        if subject_type == Subject.ALERT:
            rows = Alert.objects.filter(pk=subject_id).values_list("registering_unit__path")
        else:
            from shoulian.feedback.models import Complaint

            rows = Complaint.objects.filter(pk=subject_id).values_list("center__path")
        row = rows.first()
        return str(row[0]) if row else ""

    return _subject_paths.get((subject_type, subject_id), load)


def verified_mobile(token: str) -> str:
    """The mobile a verified challenge was opened with (for a complaint filed on the page)."""
    challenge = QueryChallenge.objects.filter(token=token, verified_at__isnull=False).first()
    if challenge is None or not challenge.mobile:
        raise PermissionDenied("查询已失效，请重新验证。")
    return challenge.mobile.plaintext()


def query_purge(*, now: datetime | None = None) -> int:
    """Daily: challenges (with the mobile typed) and throttle rows past their use."""
    now = now or timezone.now()
    with transaction.atomic():
        challenges, _ = QueryChallenge.objects.filter(
            created_at__lt=now - CHALLENGE_RETENTION
        ).delete()
        attempts, _ = QueryAttempt.objects.filter(at__lt=now - ATTEMPT_RETENTION).delete()
    return challenges + attempts


# --- kiosks -------------------------------------------------------------------------------------
def _require_manager(actor: Any, unit: Unit | None, action: str, obj: Any = None) -> None:
    """Kiosks are enrolled by the center head (the hall is the center's) or the bureau's system
    administrator (devices are configuration, and enrolling one shows no case content), each in
    their own bureau only."""
    ok = (
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and actor.is_active
        and actor.has_role(*KIOSK_MANAGERS)
        and unit is not None
        and covers(actor, unit, ScopeDomain.ORG)
    )
    if not ok:
        deny(actor, action=action, obj=obj, message="无权管理自助终端。")


def _enrolment_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(24)
    return token, hashlib.sha256(token.encode()).hexdigest()


def kiosk_create(*, actor: Any, unit: Unit, name: str) -> tuple[Kiosk, str]:
    """A kiosk of ``unit`` (a center) and its first one-time enrolment token."""
    with transaction.atomic():
        _require_manager(actor, unit, "kiosk_create")
        if unit.kind not in KIOSK_UNIT_KINDS or not unit.is_active:
            raise ValidationError({"unit": "自助终端只能设在在用的受立案管理中心。"})
        name = name.strip()
        if not name:
            raise ValidationError({"name": "请填写终端名称。"})
        if Kiosk.objects.filter(unit=unit, name=name).exists():
            raise ValidationError({"name": "该单位已有同名终端。"})
        token, digest = _enrolment_token()
        kiosk = Kiosk.objects.create(
            unit=unit,
            name=name,
            created_by=actor,
            epoch=1,
            enrolment_token_hash=digest,
            enrolment_expires_at=timezone.now() + ENROLMENT_LIFETIME,
        )
        record(EventType.KIOSK_CREATED, obj=kiosk, data={"unit": unit.code, "name": name})
        record(EventType.KIOSK_ENROLMENT_ISSUED, obj=kiosk, data={"epoch": kiosk.epoch})
    return kiosk, token


def kiosk_new_enrolment(*, actor: Any, kiosk: Kiosk) -> str:
    """A fresh one-time link; the devices enrolled before stop working (the epoch moves)."""
    with transaction.atomic():
        _require_manager(actor, kiosk.unit, "kiosk_new_enrolment", kiosk)
        token, digest = _enrolment_token()
        Kiosk.objects.filter(pk=kiosk.pk).update(
            epoch=F("epoch") + 1,
            enrolment_token_hash=digest,
            enrolment_expires_at=timezone.now() + ENROLMENT_LIFETIME,
            enrolled_at=None,
        )
        kiosk.refresh_from_db()
        record(EventType.KIOSK_ENROLMENT_ISSUED, obj=kiosk, data={"epoch": kiosk.epoch})
    return token


def kiosk_enrol(*, token: str, now: datetime | None = None) -> Kiosk | None:
    """Use a one-time link: the kiosk whose cookie the caller now sets, or None (unknown, used or
    expired link)."""
    now = now or timezone.now()
    digest = hashlib.sha256(token.encode()).hexdigest()
    with transaction.atomic():
        kiosk = (
            Kiosk.objects.select_related("unit")
            .filter(enrolment_token_hash=digest, enrolment_expires_at__gt=now, enabled=True)
            .first()
        )
        if kiosk is None:
            return None
        claimed = Kiosk.objects.filter(pk=kiosk.pk, enrolment_token_hash=digest).update(
            enrolment_token_hash="", enrolment_expires_at=None, enrolled_at=now
        )
        if not claimed:
            return None
        kiosk.enrolled_at = now
        record(EventType.KIOSK_ENROLLED, obj=kiosk, data={"epoch": kiosk.epoch})
    return kiosk


def kiosk_set_enabled(*, actor: Any, kiosk: Kiosk, enabled: bool) -> Kiosk:
    """Disable (at once: every request checks the flag) or enable again."""
    with transaction.atomic():
        _require_manager(actor, kiosk.unit, "kiosk_set_enabled", kiosk)
        Kiosk.objects.filter(pk=kiosk.pk).update(enabled=enabled)
        kiosk.enabled = enabled
        record(EventType.KIOSK_ENABLED if enabled else EventType.KIOSK_DISABLED, obj=kiosk)
    return kiosk
