#!/usr/bin/env python3
"""Check Shoulian audit-journal proofs offline, without Shoulian or Django.

Needs Python 3.10+ and the ``cryptography`` package, nothing else. An outside auditor keeps this
file, the public key handed over in person and the files the bureau exports:

    audit_verify_standalone.py proof  FILE.json   --key public-key.pem
        one object's events (manage.py audit_proof): every event is in the tree the checkpoint
        signs, and is what it says it is.
    audit_verify_standalone.py checkpoints DIR    --key public-key.pem
        a directory filled by manage.py audit_checkpoint --export: every checkpoint is signed and
        each one extends the one before (consistency proofs), so history was only ever appended.

Exit status: 0 verified, 1 verification failed, 2 unusable input.

The hashing follows RFC 6962 / RFC 9162 §2.1: leaf = SHA-256(0x00 || prev leaf hash || event
body), node = SHA-256(0x01 || left || right). Checkpoints are C2SP signed notes with Ed25519.
This is deliberately an independent implementation of the checks, not an import of the system's.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

EXT = "shoulian-audit-checkpoint"


class Failed(Exception):
    pass


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def node(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right)


def load_key(path: Path) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(path.read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path}: not an Ed25519 public key")
    return key


def open_note(note: str, key: Ed25519PublicKey) -> dict:
    """Check the signed checkpoint; return its fields."""
    text, sep, signatures = note.partition("\n\n")
    if not sep:
        raise Failed("checkpoint has no signature")
    text += "\n"
    lines = text.splitlines()
    if len(lines) < 5:
        raise Failed("checkpoint is too short")
    origin = lines[0]
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    key_hash = sha256(origin.encode() + b"\n\x01" + raw)[:4]
    verified = False
    for line in signatures.splitlines():
        match = re.fullmatch("\u2014 (\\S+) (\\S+)", line)
        if not match or match.group(1) != origin:
            continue
        blob = base64.b64decode(match.group(2))
        if blob[:4] != key_hash:
            continue
        try:
            key.verify(blob[4:], text.encode())
        except InvalidSignature as exc:
            raise Failed("checkpoint signature does not verify") from exc
        verified = True
    if not verified:
        raise Failed("checkpoint is not signed by the given key")
    ext = {}
    for line in lines[3:]:
        parts = line.split(" ")
        if len(parts) == 3 and parts[0] == EXT:
            ext[parts[1]] = parts[2]
    return {
        "origin": origin,
        "size": int(lines[1]),
        "root": base64.b64decode(lines[2]),
        "head": base64.b64decode(ext["head"]),
        "time_us": int(ext["time"]),
    }


def inclusion_ok(index: int, size: int, leaf: bytes, path: list, root: bytes) -> bool:
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = node(p, r)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn // 2, sn // 2
        else:
            r = node(r, p)
        fn, sn = fn // 2, sn // 2
    return sn == 0 and r == root


def consistency_ok(m: int, n: int, old_root: bytes, new_root: bytes, path: list) -> bool:
    """RFC 9162 §2.1.4.2."""
    if m == n:
        return not path and old_root == new_root
    if not 0 < m < n or not path:
        return False
    if m & (m - 1) == 0:
        path = [old_root, *path]
    fn, sn = m - 1, n - 1
    while fn % 2 == 1:
        fn, sn = fn // 2, sn // 2
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn // 2, sn // 2
        else:
            sr = node(sr, c)
        fn, sn = fn // 2, sn // 2
    return sn == 0 and fr == old_root and sr == new_root


def when(us: int) -> str:
    # timezone.utc rather than datetime.UTC: auditors' machines may run Python 3.10.
    moment = datetime.fromtimestamp(us / 1_000_000, tz=timezone.utc)  # noqa: UP017
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def check_proof(path: Path, key: Ed25519PublicKey) -> list:
    proof = json.loads(path.read_text(encoding="utf-8"))
    if proof.get("format") != "shoulian-audit-proof/1":
        raise ValueError("not a Shoulian audit proof file")
    cp = open_note(proof["checkpoint"], key)
    claimed = proof["object"]
    lines = [f"checkpoint: {cp['origin']} size {cp['size']} signed {when(cp['time_us'])}"]
    positions = set()
    for entry in proof["events"]:
        position = int(entry["position"])
        body = entry["body"].encode("utf-8")
        leaf = sha256(b"\x00" + bytes.fromhex(entry["prev_hash"]) + body)
        audit_path = [bytes.fromhex(h) for h in entry["inclusion_proof"]]
        if not inclusion_ok(position, cp["size"], leaf, audit_path, cp["root"]):
            raise Failed(
                f"position {position}: event is not in the signed tree (altered or forged)"
            )
        # Only a body the signed tree vouches for is read.
        event = json.loads(body)
        if f"{event.get('object_type')}:{event.get('object_id')}" != claimed:
            raise Failed(f"position {position}: event is about another object")
        if position in positions:
            raise Failed(f"position {position} appears twice")
        positions.add(position)
        actor = event.get("actor_username") or "-"
        lines.append(
            f"  #{position:<8} {when(event['occurred_us'])}  type {event['event_type']:<5} "
            f"{event['outcome']:<8} by {actor} from {event.get('source_ip') or '-'}"
        )
    lines.append(f"OK: {len(positions)} events of {claimed} verified against the checkpoint")
    return lines


def check_directory(directory: Path, key: Ed25519PublicKey) -> list:
    checkpoints = {}
    for entry in directory.glob("checkpoint-*.txt"):
        cp = open_note(entry.read_text(encoding="utf-8"), key)
        if entry.name != f"checkpoint-{cp['size']}.txt":
            raise Failed(f"{entry.name} holds a checkpoint of size {cp['size']}")
        checkpoints[cp["size"]] = cp
    if not checkpoints:
        raise ValueError(f"no checkpoint files in {directory}")
    sizes = sorted(checkpoints)
    lines = []
    for old, new in zip(sizes, sizes[1:], strict=False):
        proof_file = directory / f"consistency-{old}-{new}.json"
        if not proof_file.exists():
            raise Failed(f"no consistency proof from {old} to {new}")
        proof = json.loads(proof_file.read_text(encoding="utf-8"))
        path = [bytes.fromhex(h) for h in proof["proof"]]
        if (proof["old_size"], proof["new_size"]) != (old, new) or not consistency_ok(
            old, new, checkpoints[old]["root"], checkpoints[new]["root"], path
        ):
            raise Failed(
                f"checkpoint {new} does not extend checkpoint {old}: history was rewritten"
            )
        if checkpoints[new]["time_us"] < checkpoints[old]["time_us"]:
            raise Failed(f"checkpoint {new} was signed before checkpoint {old}")
        lines.append(f"  {old} -> {new}: append-only")
    lines.append(f"OK: {len(sizes)} checkpoints, latest size {sizes[-1]}")
    return lines


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=["proof", "checkpoints"])
    parser.add_argument("target", type=Path)
    parser.add_argument("--key", type=Path, required=True, help="the Ed25519 public key (PEM)")
    args = parser.parse_args(argv)
    try:
        key = load_key(args.key)
        check = check_proof if args.kind == "proof" else check_directory
        lines = check(args.target, key)
    except Failed as exc:
        print(f"FAILED: {exc}")
        return 1
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"ERROR: cannot read input: {exc}")
        return 2
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
