"""SMS gateways behind one interface.

``ConsoleGateway`` (the default) appends one JSON line per message to a file under
``SHOULIAN_VAR_DIR`` and logs the message id: development and demo machines send nothing.
``HttpGateway`` posts to a provider's endpoint with a signed request. Both receive the
``message_id`` of every attempt; the provider drops a repeat of an id it has already accepted,
which is what makes a resend after a crash harmless (R2).

The HTTP protocol (a thin adapter fits any provider to it):

    POST <SHOULIAN_SMS_URL>   Content-Type: application/json; charset=utf-8
    X-Sms-Key: <key>  X-Sms-Timestamp: <unix seconds>  X-Sms-Nonce: <32 hex>
    X-Sms-Signature: hex(HMAC-SHA256(secret, timestamp + "\\n" + nonce + "\\n" + body))
    {"message_id": "<uuid>", "to": "<mobile>", "text": "...", "sign_name": "...", "template": "..."}

    2xx {"id": "<provider reference>", "duplicate": false}: accepted (a duplicate is success too)
    429, 5xx, timeout, connection error: temporary, retried with backoff
    other 4xx: permanent (bad number, bad signature): the message is dead at once
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import http.client
import json
import logging
import os
import secrets
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutgoingSms:
    message_id: str
    to: str
    text: str
    template: str
    sign_name: str


@dataclass(frozen=True)
class SendResult:
    provider_ref: str = ""
    duplicate: bool = False


class GatewayError(Exception):
    """A send that did not succeed. ``permanent`` ones are not retried."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Gateway(Protocol):
    name: str

    def send(self, sms: OutgoingSms) -> SendResult: ...


class ConsoleGateway:
    """Appends one JSON line per message to ``path``. Like a provider, it keeps one copy of a
    message id: a worker killed between writing and recording resends under the same id, and the
    second write is skipped (reported as a duplicate). The check and the append happen under an
    exclusive ``flock`` on the file, so threads and processes sharing it agree."""

    name = "console"
    # Message ids already in each file, and how far the file has been read (per process).
    _seen: dict[str, tuple[int, set[str]]] = {}
    _seen_lock = threading.Lock()

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def _ids_in(self, out: IO[bytes]) -> set[str]:
        """The ids in the file, reading only what was appended since this process last looked."""
        key = str(self.path.resolve())
        offset, ids = self._seen.get(key, (0, set()))
        out.seek(0, os.SEEK_END)
        size = out.tell()
        if size < offset:  # the file was truncated or replaced
            offset, ids = 0, set()
        out.seek(offset)
        for line in out.read().splitlines():
            try:
                ids.add(str(json.loads(line)["message_id"]))
            except (ValueError, KeyError, TypeError):
                continue  # a torn or foreign line
        self._seen[key] = (out.tell(), ids)
        return ids

    def send(self, sms: OutgoingSms) -> SendResult:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {
                "message_id": sms.message_id,
                "to": sms.to,
                "template": sms.template,
                "sign_name": sms.sign_name,
                "text": sms.text,
                "at": time.time(),
            },
            ensure_ascii=False,
        )
        with self._seen_lock, self.path.open("a+b") as out:
            fcntl.flock(out, fcntl.LOCK_EX)
            try:
                ids = self._ids_in(out)
                if sms.message_id in ids:
                    log.info("sms %s already written to %s: skipped", sms.message_id, self.path)
                    return SendResult(provider_ref=f"console:{sms.message_id}", duplicate=True)
                out.seek(0, os.SEEK_END)
                out.write(line.encode("utf-8") + b"\n")
                out.flush()
                os.fsync(out.fileno())
                ids.add(sms.message_id)
                key = str(self.path.resolve())
                self._seen[key] = (out.tell(), ids)
            finally:
                fcntl.flock(out, fcntl.LOCK_UN)
        # U7: the log names the message, never the number or the text.
        log.info("sms %s (%s) written to %s", sms.message_id, sms.template, self.path)
        return SendResult(provider_ref=f"console:{sms.message_id}")


def sign(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    message = timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str, timestamp: str, nonce: str, body: bytes, signature: str, *, max_skew: int = 300
) -> bool:
    """The provider's check, here for the fake gateway in the tests and for adapters."""
    try:
        skew = abs(time.time() - int(timestamp))
    except ValueError:
        return False
    return skew <= max_skew and hmac.compare_digest(sign(secret, timestamp, nonce, body), signature)


class HttpGateway:
    name = "http"

    def __init__(self, *, url: str, key: str, secret: str, timeout: float) -> None:
        if not url.startswith(("https://", "http://")):
            raise ImproperlyConfigured("SHOULIAN_SMS_URL must be an http(s) URL")
        if not key or not secret:
            raise ImproperlyConfigured("SHOULIAN_SMS_KEY and SHOULIAN_SMS_SECRET must be set")
        self.url, self.key, self.secret, self.timeout = url, key, secret, timeout

    def send(self, sms: OutgoingSms) -> SendResult:
        body = json.dumps(
            {
                "message_id": sms.message_id,
                "to": sms.to,
                "text": sms.text,
                "sign_name": sms.sign_name,
                "template": sms.template,
            },
            ensure_ascii=False,
        ).encode()
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "X-Sms-Key": self.key,
                "X-Sms-Timestamp": timestamp,
                "X-Sms-Nonce": nonce,
                "X-Sms-Signature": sign(self.secret, timestamp, nonce, body),
                "X-Sms-Message-Id": sms.message_id,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read(64 * 1024)
        except urllib.error.HTTPError as exc:
            permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
            raise GatewayError(f"HTTP {exc.code}", permanent=permanent) from None
        except TimeoutError as exc:
            raise GatewayError(f"timeout after {self.timeout:g}s") from exc
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError):
                raise GatewayError(f"timeout after {self.timeout:g}s") from exc
            raise GatewayError(f"connection failed: {reason}") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise GatewayError(f"connection failed: {type(exc).__name__}") from exc
        try:
            answer = json.loads(raw or b"{}")
        except ValueError:
            answer = {}
        if not isinstance(answer, dict):
            answer = {}
        return SendResult(
            provider_ref=str(answer.get("id") or "")[:100], duplicate=bool(answer.get("duplicate"))
        )


def default_gateway() -> Gateway:
    kind = getattr(settings, "SHOULIAN_SMS_GATEWAY", "console")
    if kind == "http":
        return HttpGateway(
            url=settings.SHOULIAN_SMS_URL,
            key=settings.SHOULIAN_SMS_KEY,
            secret=settings.SHOULIAN_SMS_SECRET,
            timeout=float(getattr(settings, "SHOULIAN_SMS_TIMEOUT_SECONDS", 10)),
        )
    return ConsoleGateway(settings.SHOULIAN_SMS_OUTBOX_FILE)
