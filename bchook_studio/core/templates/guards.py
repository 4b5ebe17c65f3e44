"""Checks that stop a template from building values too large to render.

The sandbox runs each check before the operation that would build the value, so
that no single step can allocate gigabytes or run for minutes inside C code,
where the time limit cannot stop it. Sizes are estimates of a value's length as
text ("weight"): a string counts its characters, a list or dict the weight of
its items plus separators, an integer about a third of its bits.

NOTE: comparisons and sorts (`a == b`, `|sort`) run in C without a time check.
Their cost is bounded only because no value may weigh more than the limit.
Comparing two separately built nested lists of the largest allowed weight took
under 0.1 s, but not every shape of value has been measured.
"""

import math
import operator
import re
import string
from collections.abc import Callable, Iterator, Mapping
from itertools import chain
from typing import Any

MAX_RANGE = 100_000
"""Maximum length of a `range()`, and number of slices of `|slice`, in a template."""

_CHECK_INTERVAL = 4096
_NUMBER_IN_SPEC = re.compile(r"\d+")
# A printf-style conversion: flags, width, precision, length and type.
_PERCENT_CONVERSION = re.compile(
    r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]"
)


class LimitExceeded(Exception):
    """A render step would pass one of the render limits."""


def _scalar_weight(value: object) -> int:
    if isinstance(value, (str, bytes)):
        return len(value)
    if isinstance(value, bool) or value is None:
        return 5
    if isinstance(value, int):
        return value.bit_length() // 3 + 1
    if isinstance(value, float):
        return 24
    if isinstance(value, range):
        return 8 * len(value)
    return 16


def _children(value: object) -> Iterator[Any] | None:
    if isinstance(value, dict):
        return chain.from_iterable(value.items())
    if isinstance(value, (list, tuple)):
        return iter(value)
    return None


class SizeMeter:
    """Measures the weight of values, remembering containers already measured.

    Templates cannot change a list or dict (the sandbox rejects mutating
    methods), so a container's weight stays valid for the whole render. Shared
    sub-containers are counted once per reference, which is what writing them
    out costs. `tick` is called every few thousand items, so that a deadline
    can stop a long measurement.
    """

    def __init__(self, limit: int, tick: Callable[[], None]) -> None:
        self.limit = limit
        self._tick = tick
        self._steps = 0
        # id -> (container, weight). The container is kept so that its id is
        # not reused by another object during the render.
        self._known: dict[int, tuple[object, int]] = {}

    def measure(self, value: object) -> int:
        """Return the weight of a value, or raise LimitExceeded above the limit."""
        children = _children(value)
        if children is None:
            return self.check(_scalar_weight(value))
        known = self._known.get(id(value))
        if known is not None:
            return known[1]

        stack: list[tuple[object, Iterator[Any], list[int]]] = [(value, children, [2])]
        on_stack = {id(value)}
        while True:
            container, items, total = stack[-1]
            child = next(items, _END)
            if child is _END:
                stack.pop()
                on_stack.discard(id(container))
                self.remember(container, total[0])
                if not stack:
                    return total[0]
                parent_total = stack[-1][2]
                parent_total[0] = self.check(parent_total[0] + total[0])
                continue

            self._step()
            grandchildren = _children(child)
            if grandchildren is None:
                total[0] = self.check(total[0] + _scalar_weight(child) + 2)
            elif id(child) in self._known:
                total[0] = self.check(total[0] + self._known[id(child)][1] + 2)
            elif id(child) in on_stack:
                raise LimitExceeded("the value contains itself")
            else:
                total[0] += 2
                stack.append((child, grandchildren, [2]))
                on_stack.add(id(child))

    def remember(self, value: object, weight: int) -> None:
        """Record the weight of a container the caller has just built."""
        if _children(value) is not None:
            self._known[id(value)] = (value, weight)

    def check(self, weight: int) -> int:
        """Return the weight, or raise LimitExceeded when it passes the limit."""
        if weight > self.limit:
            raise LimitExceeded(
                f"the value would be longer than {self.limit:,} characters as text, "
                "the most a template may build"
            )
        return weight

    def _step(self) -> None:
        self._steps += 1
        if self._steps % _CHECK_INTERVAL == 0:
            self._tick()


_END = object()


def _is_sequence(value: object) -> bool:
    return isinstance(value, (str, bytes, list, tuple))


def checked_add(left: Any, right: Any, meter: SizeMeter) -> Any:
    """Add two values, rejecting a string or list longer than the limit."""
    if _is_sequence(left) and _is_sequence(right):
        weight = meter.measure(left) + meter.measure(right)
        meter.check(weight)
        result = operator.add(left, right)
        meter.remember(result, weight)
        return result
    return operator.add(left, right)


def checked_multiply(left: Any, right: Any, meter: SizeMeter, max_bits: int) -> Any:
    """Multiply, rejecting repeated sequences and integers above the limits."""
    if isinstance(right, int) and _is_sequence(left):
        return _repeat(left, right, meter)
    if isinstance(left, int) and _is_sequence(right):
        return _repeat(right, left, meter)
    if _is_plain_int(left) and _is_plain_int(right):
        bits = left.bit_length() + right.bit_length()
        if bits > max_bits:
            raise LimitExceeded(
                f"the product would have about {bits:,} bits; templates may build "
                f"integers of at most {max_bits:,} bits"
            )
    return operator.mul(left, right)


def _is_plain_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _repeat(sequence: Any, count: int, meter: SizeMeter) -> Any:
    if count <= 0:
        return operator.mul(sequence, count)
    unit = meter.measure(sequence)
    if unit and count > meter.limit // unit:
        raise LimitExceeded(
            f"repeating a value {count:,} times would make it about {unit * count:,} "
            f"characters long, more than the limit of {meter.limit:,}"
        )
    result = operator.mul(sequence, count)
    meter.remember(result, unit * count)
    return result


def checked_power(base: Any, exponent: Any, max_bits: int) -> Any:
    """Raise to a power, rejecting an integer result above `max_bits`."""
    if _is_plain_int(base) and _is_plain_int(exponent) and exponent > 0:
        magnitude = abs(base)
        if magnitude > 1:
            bits = exponent * math.log2(magnitude)
            if bits > max_bits:
                raise LimitExceeded(
                    f"{base} ** {exponent} would have about {bits:,.0f} bits; "
                    f"templates may build integers of at most {max_bits:,} bits"
                )
    try:
        return operator.pow(base, exponent)
    except OverflowError:
        raise LimitExceeded(
            f"{base!r} ** {exponent!r} is too large for a floating-point number"
        ) from None


def checked_modulo(left: Any, right: Any, meter: SizeMeter) -> Any:
    """Apply `%`, checking widths and argument sizes when it formats a string."""
    if isinstance(left, str):
        check_percent_format(left, right, meter)
    return operator.mod(left, right)


def check_percent_format(template: str, arguments: Any, meter: SizeMeter) -> None:
    """Reject a printf-style format whose widths or arguments pass the limit."""
    values = _format_values(arguments)
    meter.measure(values)
    for match in _PERCENT_CONVERSION.finditer(template):
        for number in match.groups():
            if number == "*":
                _check_star_arguments(values, meter.limit)
            elif number is not None:
                _check_width(int(number), meter.limit)


def check_brace_format(
    template: str, args: tuple[Any, ...], kwargs: Mapping[str, Any], meter: SizeMeter
) -> None:
    """Reject a str.format call whose widths or arguments pass the limit."""
    values = [*args, *kwargs.values()]
    meter.measure(values)
    for _, field_name, spec, _ in string.Formatter().parse(template):
        if field_name is None or not spec:
            continue
        if "{" in spec:
            # The width comes from an argument, so every integer argument
            # must be a possible width.
            _check_star_arguments(values, meter.limit)
        for number in _NUMBER_IN_SPEC.findall(spec):
            _check_width(int(number), meter.limit)


def _format_values(arguments: Any) -> list[Any]:
    if isinstance(arguments, tuple):
        return list(arguments)
    if isinstance(arguments, Mapping):
        return list(arguments.values())
    return [arguments]


def _check_star_arguments(values: list[Any], limit: int) -> None:
    for value in values:
        if _is_plain_int(value):
            _check_width(abs(value), limit)


def _check_width(width: int, limit: int) -> None:
    if width > limit:
        raise LimitExceeded(
            f"a width or precision of {width:,} is more than the limit of "
            f"{limit:,} characters"
        )


def prepare_str_call(
    method: Any, args: tuple[Any, ...], meter: SizeMeter
) -> tuple[Any, ...]:
    """Check a call of a string method and return the arguments to call it with.

    Only the methods that can build a result much longer than the string itself
    are checked: padding, tab expansion, join, replace and translate. The parts
    given to join are read into a list first, so that their size is known.
    Raise LimitExceeded when the result would pass the limit.
    """
    owner = getattr(method, "__self__", None)
    if not isinstance(owner, (str, bytes)):
        return args
    name = getattr(method, "__name__", "")

    if name in ("center", "ljust", "rjust", "zfill") and args:
        if isinstance(args[0], int):
            _check_width(args[0], meter.limit)
    elif name == "expandtabs":
        tab_size = args[0] if args and isinstance(args[0], int) else 8
        meter.check(len(owner) * max(tab_size, 1))
    elif name == "join" and args:
        parts = list(args[0])
        check_join(len(owner), parts, meter)
        return (parts, *args[1:])
    elif name == "replace" and len(args) >= 2:
        check_replace(owner, args[0], args[1], meter)
    elif name == "translate" and args:
        meter.check(len(owner) * _longest_replacement(args[0]))
    return args


def check_join(separator_length: int, parts: list[Any], meter: SizeMeter) -> None:
    """Reject joining parts whose text with separators would pass the limit."""
    meter.check(meter.measure(parts) + separator_length * max(len(parts) - 1, 0))


def check_replace(text: Any, old: Any, new: Any, meter: SizeMeter) -> None:
    """Reject a replace whose result would pass the limit."""
    if not isinstance(text, (str, bytes)):
        return
    if isinstance(old, type(text)) and isinstance(new, type(text)):
        count = text.count(old) if old else len(text) + 1
        meter.check(len(text) + count * max(len(new) - len(old), 0))


def check_width(width: Any, meter: SizeMeter) -> None:
    """Reject a padding width or item count above the limit."""
    if _is_plain_int(width):
        _check_width(width, meter.limit)


def _longest_replacement(table: Any) -> int:
    values = table.values() if isinstance(table, Mapping) else table
    longest = 1
    if isinstance(values, (list, tuple)) or isinstance(table, Mapping):
        for value in values:
            if isinstance(value, (str, bytes)):
                longest = max(longest, len(value))
    return longest
