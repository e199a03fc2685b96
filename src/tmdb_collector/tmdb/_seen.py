"""Which ids were seen already, in memory bounded by the largest id rather than the id count."""

from __future__ import annotations

__all__ = ["SeenIds"]

# Ids below this live in the bitmap (at most 32 MiB); TMDB's ids are in the low millions today,
# so the rare larger one goes to a set instead of growing the bitmap without bound.
_BITMAP_LIMIT = 1 << 28


class SeenIds:
    """A growable bitmap of non-negative ids: one bit per id."""

    __slots__ = ("_bits", "_count", "_overflow")

    def __init__(self) -> None:
        self._bits = bytearray()
        self._overflow: set[int] = set()
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def __contains__(self, id_: object) -> bool:
        if not isinstance(id_, int) or id_ < 0:
            return False
        if id_ >= _BITMAP_LIMIT:
            return id_ in self._overflow
        byte, bit = divmod(id_, 8)
        return byte < len(self._bits) and bool(self._bits[byte] >> bit & 1)

    def add(self, id_: int) -> bool:
        """Mark ``id_`` seen; True when it was new."""
        if id_ < 0:
            raise ValueError(f"ids are never negative, got {id_}")
        if id_ >= _BITMAP_LIMIT:
            if id_ in self._overflow:
                return False
            self._overflow.add(id_)
            self._count += 1
            return True
        byte, bit = divmod(id_, 8)
        if byte >= len(self._bits):
            # Doubling keeps growth amortised O(1) for ids arriving in any order.
            size = max(byte + 1, min(2 * len(self._bits), _BITMAP_LIMIT // 8))
            self._bits.extend(bytes(size - len(self._bits)))
        mask = 1 << bit
        if self._bits[byte] & mask:
            return False
        self._bits[byte] |= mask
        self._count += 1
        return True
