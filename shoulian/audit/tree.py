"""Subtree hashes of the stored log, for roots and proofs in O(log n) reads.

Complete subtrees of 2**level leaves with level ≥ TILE_LEVEL are stored as ``AuditTreeNode`` rows
by the sealer; anything smaller is hashed from at most one tile (256) of leaf hashes.
"""

from __future__ import annotations

from shoulian.audit import merkle
from shoulian.audit.models import AuditLeaf, AuditTreeNode

TILE_LEVEL = 8
TILE = 1 << TILE_LEVEL


class TreeIncomplete(LookupError):
    pass


class TreeStore:
    def __init__(self) -> None:
        self.leaves: dict[int, bytes] = {}
        self.nodes: dict[tuple[int, int], bytes] = {}

    # --- reads, cached per tile -------------------------------------------------------------
    def _load_tile(self, tile: int) -> None:
        start = tile * TILE
        rows = AuditLeaf.objects.filter(position__gte=start, position__lt=start + TILE).values_list(
            "position", "leaf_hash"
        )
        for position, digest in rows:
            self.leaves.setdefault(position, bytes(digest))

    def leaf(self, position: int) -> bytes:
        if position not in self.leaves:
            self._load_tile(position // TILE)
        try:
            return self.leaves[position]
        except KeyError as exc:
            raise TreeIncomplete(f"序号 {position} 的日志叶子不存在") from exc

    def leaf_hashes(self, start: int, end: int) -> list[bytes]:
        return [self.leaf(p) for p in range(start, end)]

    def node(self, level: int, index: int) -> bytes:
        key = (level, index)
        if key not in self.nodes:
            row = (
                AuditTreeNode.objects.filter(level=level, index=index)
                .values_list("node_hash", flat=True)
                .first()
            )
            if row is None:
                raise TreeIncomplete(f"默克尔树节点 ({level}, {index}) 不存在")
            self.nodes[key] = bytes(row)
        return self.nodes[key]

    # --- hashes ---------------------------------------------------------------------------
    def subtree(self, start: int, end: int) -> bytes:
        size = end - start
        if size == 1:
            return self.leaf(start)
        if size >= TILE and merkle.is_perfect(start, end):
            level = size.bit_length() - 1
            return self.node(level, start >> level)
        if size <= TILE:
            return merkle.root(self.leaf_hashes(start, end))
        k = merkle.split_point(size)
        return merkle.node_hash(self.subtree(start, start + k), self.subtree(start + k, end))

    def root(self, size: int) -> bytes:
        return merkle.EMPTY_ROOT if size == 0 else self.subtree(0, size)

    def complete_nodes(self, old_size: int, new_size: int) -> list[tuple[int, int, bytes]]:
        """Nodes that become complete when the log grows from ``old_size`` to ``new_size``, lowest
        level first (each level is built from the one below, already in the cache)."""
        created: list[tuple[int, int, bytes]] = []
        for level in range(TILE_LEVEL, new_size.bit_length()):
            width = 1 << level
            for index in range(old_size >> level, new_size >> level):
                if level == TILE_LEVEL:
                    digest = merkle.root(self.leaf_hashes(index * width, (index + 1) * width))
                else:
                    digest = merkle.node_hash(
                        self.node(level - 1, 2 * index), self.node(level - 1, 2 * index + 1)
                    )
                self.nodes[(level, index)] = digest
                created.append((level, index, digest))
        return created
