"""The sealer's Ed25519 key and the signed checkpoint format.

A checkpoint is a C2SP signed note (https://c2sp.org/signed-note) carrying a tlog checkpoint
(https://c2sp.org/tlog-checkpoint): origin, tree size, base64 root hash, then two extension lines
of ours (the head leaf hash and the signing time), a blank line and the signature line. It is
plain text an auditor can file away, diff and check with any Ed25519 implementation.

Where the key lives: a PKCS#8 PEM file, ``settings.AUDIT_SIGNING_KEY_FILE`` (default
``VAR_DIR/audit/signing-key.pem``), created by ``manage.py audit_keygen`` with mode 0600. The
database never holds the key or the public keys to trust: whoever can rewrite the database could
otherwise swap them. Retired public keys stay trusted through ``settings.AUDIT_TRUSTED_PUBLIC_KEYS``
(paths to PEM files).
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

FORMAT_LINE = "shoulian-audit-checkpoint"
SIGNATURE_PREFIX = "\u2014 "  # em dash + space, as the signed-note format requires
ED25519_ALGORITHM = b"\x01"


class SigningKeyMissing(RuntimeError):
    pass


class CheckpointInvalid(ValueError):
    pass


def origin() -> str:
    """The log's name; also the key name in signatures. Distinct per deployment (e.g. per city)."""
    return str(getattr(settings, "AUDIT_LOG_ORIGIN", "shoulian.local/audit"))


def key_path() -> Path:
    configured = getattr(settings, "AUDIT_SIGNING_KEY_FILE", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "audit" / "signing-key.pem"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def public_raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def key_id(name: str, key: Ed25519PublicKey) -> bytes:
    """The signed-note key hash: first 4 bytes of SHA-256(name || "\\n" || 0x01 || public key)."""
    return hashlib.sha256(name.encode() + b"\n" + ED25519_ALGORITHM + public_raw(key)).digest()[:4]


def generate_key(path: Path | None = None) -> Ed25519PrivateKey:
    path = path or key_path()
    if path.exists():
        raise FileExistsError(f"签名密钥已存在：{path}")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # O_EXCL: two sealers starting at once must not each write a key and sign with different ones.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return key


def load_signing_key(path: Path | None = None) -> Ed25519PrivateKey:
    path = path or key_path()
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise SigningKeyMissing(
            f"缺少审计日志签名密钥 {path}：请先运行 manage.py audit_keygen"
        ) from exc
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyMissing(f"{path} 不是 Ed25519 私钥")
    return key


def load_public_key(data: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(data)
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointInvalid("公钥不是 Ed25519 公钥")
    return key


def trusted_keys() -> dict[bytes, Ed25519PublicKey]:
    """Public keys a checkpoint may be signed with, by key id: the current key's and retired ones."""
    name = origin()
    keys: dict[bytes, Ed25519PublicKey] = {}
    if key_path().exists():
        public = load_signing_key().public_key()
        keys[key_id(name, public)] = public
    for extra in getattr(settings, "AUDIT_TRUSTED_PUBLIC_KEYS", ()) or ():
        public = load_public_key(Path(extra).read_bytes())
        keys[key_id(name, public)] = public
    return keys


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    tree_size: int
    root_hash: bytes
    head_hash: bytes
    signed_us: int
    key_id: bytes
    note: str


def checkpoint_text(*, tree_size: int, root_hash: bytes, head_hash: bytes, signed_us: int) -> str:
    return (
        f"{origin()}\n{tree_size}\n{b64(root_hash)}\n"
        f"{FORMAT_LINE} head {b64(head_hash)}\n{FORMAT_LINE} time {signed_us}\n"
    )


def sign_checkpoint(
    key: Ed25519PrivateKey, *, tree_size: int, root_hash: bytes, head_hash: bytes, signed_us: int
) -> Checkpoint:
    text = checkpoint_text(
        tree_size=tree_size, root_hash=root_hash, head_hash=head_hash, signed_us=signed_us
    )
    kid = key_id(origin(), key.public_key())
    signature = key.sign(text.encode())
    note = f"{text}\n{SIGNATURE_PREFIX}{origin()} {b64(kid + signature)}\n"
    return Checkpoint(origin(), tree_size, root_hash, head_hash, signed_us, kid, note)


def open_checkpoint(note: str, keys: dict[bytes, Ed25519PublicKey]) -> Checkpoint:
    """Parse a signed checkpoint and check its signature against ``keys``; raise if anything is off."""
    text, sep, signatures = note.partition("\n\n")
    if not sep:
        raise CheckpointInvalid("检查点格式错误：缺少签名")
    text += "\n"
    lines = text.splitlines()
    if len(lines) < 5:
        raise CheckpointInvalid("检查点格式错误：行数不足")
    name = lines[0]
    try:
        size = int(lines[1])
        root_hash = base64.b64decode(lines[2], validate=True)
        extensions = dict(
            line.split(" ", 2)[1:] for line in lines[3:] if line.startswith(FORMAT_LINE)
        )
        head_hash = base64.b64decode(extensions["head"], validate=True)
        signed_us = int(extensions["time"])
    except (ValueError, KeyError) as exc:
        raise CheckpointInvalid(f"检查点格式错误：{exc}") from exc
    if size < 0 or len(root_hash) != 32 or len(head_hash) != 32:
        raise CheckpointInvalid("检查点格式错误：大小或哈希长度不对")
    for line in signatures.splitlines():
        if not line.startswith(SIGNATURE_PREFIX):
            continue
        parts = line[len(SIGNATURE_PREFIX) :].split(" ")
        if len(parts) != 2 or parts[0] != name:
            continue
        try:
            blob = base64.b64decode(parts[1], validate=True)
        except ValueError:
            continue
        kid, signature = blob[:4], blob[4:]
        public = keys.get(kid)
        if public is None or key_id(name, public) != kid:
            continue
        try:
            public.verify(signature, text.encode())
        except InvalidSignature as exc:
            raise CheckpointInvalid("检查点签名无效") from exc
        return Checkpoint(name, size, root_hash, head_hash, signed_us, kid, note)
    raise CheckpointInvalid("检查点没有受信任密钥的签名")
