"""A set of text block numbers stored as sorted ranges, for the highlighter's queue."""

import logging
from bisect import bisect_right
from operator import itemgetter

logger = logging.getLogger(__name__)

_range_start = itemgetter(0)


class BlockRanges:
    """Block numbers stored as sorted, disjoint, non-adjacent [first, last] ranges.

    The highlighter keeps the blocks it still has to lex here. A whole document of
    a million lines is one range, so adding, removing and testing a number cost
    O(log n) in the number of ranges plus the list moves of a split or a merge.
    """

    def __init__(self) -> None:
        self._ranges: list[list[int]] = []

    def __bool__(self) -> bool:
        return bool(self._ranges)

    def __contains__(self, number: int) -> bool:
        index = self._index_at_or_before(number)
        return index >= 0 and number <= self._ranges[index][1]

    def __repr__(self) -> str:
        return f"BlockRanges({self.ranges()!r})"

    def ranges(self) -> list[tuple[int, int]]:
        """Return the stored ranges as (first, last) pairs, in order."""
        return [(first, last) for first, last in self._ranges]

    def clear(self) -> None:
        self._ranges.clear()

    def first(self) -> int | None:
        """Return the smallest number in the set, or None when it is empty."""
        return self._ranges[0][0] if self._ranges else None

    def next_from(self, number: int) -> int | None:
        """Return the smallest number in the set that is >= `number`, or None."""
        index = self._index_at_or_before(number)
        if index >= 0 and number <= self._ranges[index][1]:
            return number
        if index + 1 < len(self._ranges):
            return self._ranges[index + 1][0]
        return None

    def last_of_range(self, number: int) -> int | None:
        """Return the last number of the range holding `number`, or None if absent."""
        index = self._index_at_or_before(number)
        if index >= 0 and number <= self._ranges[index][1]:
            return self._ranges[index][1]
        return None

    def add(self, first: int, last: int) -> None:
        """Add the numbers first..last, both included, merging touching ranges."""
        if first > last:
            return
        index = self._index_at_or_before(first)

        # Extend the left neighbour when it overlaps or touches the new range.
        if index >= 0 and self._ranges[index][1] >= first - 1:
            first = self._ranges[index][0]
        else:
            index += 1

        # Swallow every following range that overlaps or touches it.
        end = index
        while end < len(self._ranges) and self._ranges[end][0] <= last + 1:
            last = max(last, self._ranges[end][1])
            end += 1
        self._ranges[index:end] = [[first, last]]

    def discard(self, first: int, last: int | None = None) -> None:
        """Remove the numbers first..last (default: only `first`) from the set."""
        if last is None:
            last = first
        if first > last:
            return
        index = max(self._index_at_or_before(first), 0)
        end = self._index_at_or_before(last) + 1
        remaining: list[list[int]] = []
        for start, stop in self._ranges[index:end]:
            if start < first:
                remaining.append([start, min(stop, first - 1)])
            if stop > last:
                remaining.append([max(start, last + 1), stop])
        self._ranges[index:end] = remaining

    def apply_edit(self, first: int, old_last: int, delta: int) -> None:
        """Renumber the set after an edit replaced blocks first..old_last.

        `delta` is the change in the document's block count. Numbers before the
        edit stay, numbers after it move by `delta`, and numbers inside it are
        dropped, because the caller adds the edited blocks as a whole.
        """
        renumbered: list[list[int]] = []
        for start, end in self._ranges:
            if start < first:
                renumbered.append([start, min(end, first - 1)])
            if end > old_last:
                renumbered.append([max(start, old_last + 1) + delta, end + delta])
        self._ranges = renumbered

    def _index_at_or_before(self, number: int) -> int:
        """Return the index of the last range starting at or before `number`."""
        return bisect_right(self._ranges, number, key=_range_start) - 1
