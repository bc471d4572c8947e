"""Merkle tree hashing, proofs and proof checks as in RFC 6962 §2.1 / RFC 9162 §2.1.

Pure functions over hashes; where a proof needs subtree hashes they come from a ``subtree(start,
end)`` callable, so the sealer and the proof exporter can serve them from stored nodes. The
standalone auditor tool (tools/audit_verify_standalone.py) carries its own copy of the checks on
purpose: an auditor should not have to trust this module to check this module's output.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

HASH_SIZE = 32
ZERO_HASH = bytes(HASH_SIZE)
EMPTY_ROOT = hashlib.sha256(b"").digest()

_sha256 = hashlib.sha256

Subtree = Callable[[int, int], bytes]


def leaf_hash(prev: bytes, body: bytes) -> bytes:
    """RFC 6962 leaf hash of the leaf input ``prev || body``: the predecessor's leaf hash is part of
    every leaf, which chains the leaves and lets a verifier name the first broken position."""
    return _sha256(b"\x00" + prev + body).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two smaller than ``n`` (n ≥ 2): where RFC 6962 splits a tree."""
    return 1 << ((n - 1).bit_length() - 1)


def is_perfect(start: int, end: int) -> bool:
    size = end - start
    return size > 0 and size & (size - 1) == 0 and start % size == 0


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH over leaf hashes. Pairing level by level and lifting an odd last node unchanged builds
    exactly the RFC 6962 tree (its left subtrees are always the complete ones)."""
    if not leaves:
        return EMPTY_ROOT
    level = list(leaves)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def inclusion_path(index: int, size: int, subtree: Subtree) -> list[bytes]:
    """PATH(index, D[0:size]) from RFC 6962 §2.1.1, leaf first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of size {size}")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = split_point(end - start)
        if index < start + k:
            path.append(subtree(start + k, end))
            end = start + k
        else:
            path.append(subtree(start, start + k))
            start += k
    path.reverse()
    return path


def consistency_path(old_size: int, new_size: int, subtree: Subtree) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]) from RFC 6962 §2.1.2."""
    if not 0 < old_size <= new_size:
        raise ValueError(f"no consistency proof from {old_size} to {new_size}")
    path: list[bytes] = []
    start, end, m, complete = 0, new_size, old_size, True
    while m != end - start:
        k = split_point(end - start)
        if m <= k:
            path.append(subtree(start + k, end))
            end = start + k
        else:
            path.append(subtree(start, start + k))
            start, m, complete = start + k, m - k, False
    if not complete:
        path.append(subtree(start, end))
    path.reverse()
    return path


def verify_inclusion(
    index: int, size: int, leaf: bytes, path: Sequence[bytes], root_hash: bytes
) -> bool:
    """RFC 9162 §2.1.3.2."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root_hash


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, path: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2."""
    if old_size == new_size:
        return not path and old_root == new_root
    if not 0 < old_size < new_size or not path:
        return False
    proof = list(path)
    if old_size & (old_size - 1) == 0:
        proof.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
