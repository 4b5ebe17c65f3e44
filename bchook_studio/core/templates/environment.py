"""The sandboxed Jinja environment that renders body templates.

It differs from Jinja's ImmutableSandboxedEnvironment in these ways:

- Every `{{ ... }}` is passed through an escape filter chosen by where it sits
  in the body (see escaping.Place). The PlaceholderEscaping extension adds the
  filter to the token stream, so the user's expression stays as written.
- Autoescape is on, so that the output of macros, `caller()` and `{% set %}`
  blocks (Markup, already escaped) is not escaped twice. Jinja's own HTML
  escaping never applies, because every placeholder's filter returns Markup.
- `a.b` on a dict returns the key `b` when there is one, before any dict
  method, so that `payload.items` is the event's `items` field.
- Operators, string methods, filters, `~` and `namespace` check the guards
  before they build a value, and `range()` stops at 100,000 numbers.
- Undefined names fail at once (StrictUndefined), with messages that name the
  missing field and the fields that exist.
- Templates cannot include, import or extend other templates.
"""

import functools
import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from jinja2 import DictLoader, StrictUndefined
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from jinja2.nodes import Concat, EvalContext
from jinja2.runtime import markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment, modifies_known_mutable
from jinja2.utils import Namespace, generate_lorem_ipsum, missing

from bchook_studio.core.formats import BodyFormat
from bchook_studio.core.templates import guards
from bchook_studio.core.templates.escaping import JsonTracker, XmlTracker
from bchook_studio.core.templates.filters import (
    ESCAPE_FILTERS,
    guard_filter,
    studio_filters,
)
from bchook_studio.core.templates.guards import MAX_RANGE, LimitExceeded
from bchook_studio.core.templates.missing import (
    describe_missing_field,
    describe_missing_name,
    type_name,
)
from bchook_studio.core.templates.state import current_state

logger = logging.getLogger(__name__)

MAX_LIPSUM_WORDS = 100_000
"""Maximum number of words `lipsum()` may generate in a template."""


class StudioUndefined(StrictUndefined):
    """StrictUndefined with messages in the event's terms."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        name = self._undefined_name
        try:
            state = current_state()
        except LookupError:
            state = None
        if state is not None:
            state.missing_name = name

        if isinstance(self._undefined_exception, type) and issubclass(
            self._undefined_exception, SecurityError
        ):
            return _sandbox_message(self._undefined_obj, name)
        if self._undefined_hint or state is None:
            return str(super()._undefined_message)
        if self._undefined_obj is missing:
            if name == "topic":
                return "'topic' is not defined: this render has no topic"
            return describe_missing_name(str(name), state.event)
        return describe_missing_field(self._undefined_obj, name, state.event)


def _sandbox_message(owner: object, name: object) -> str:
    if isinstance(name, str) and modifies_known_mutable(owner, name):
        return (
            f"templates cannot change data, so {name!r} of {type_name(owner)} is "
            "not available"
        )
    return f"templates cannot access {name!r}"


class PlaceholderEscaping(Extension):
    """Wraps each `{{ expr }}` as `{{ (expr) | escape_filter(index) }}`.

    The filter depends on the place the template's literal text leaves the
    placeholder in: inside or outside a JSON string, or in XML text, a tag or
    CDATA. The text is followed in template order, so quotes opened in one
    branch of an `{% if %}` and closed in another are not followed correctly.
    The index counts placeholders in template order, so that a warning can
    name the placeholder's expression.
    """

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        body_format = getattr(self.environment, "studio_body_format", BodyFormat.JSON)
        tracker = JsonTracker() if body_format is BodyFormat.JSON else XmlTracker()
        index = 0
        for token in stream:
            if token.type == "data":
                tracker.feed(token.value)
                yield token
            elif token.type == "variable_begin":
                yield token
                yield Token(token.lineno, "lparen", "(")
                end = yield from _expression_tokens(stream)
                line = end.lineno
                yield Token(line, "rparen", ")")
                yield Token(line, "pipe", "|")
                yield Token(line, "name", ESCAPE_FILTERS[tracker.place])
                yield Token(line, "lparen", "(")
                yield Token(line, "integer", index)
                yield Token(line, "rparen", ")")
                yield end
                index += 1
                tracker.skip_placeholder()
            else:
                yield token


def _expression_tokens(stream: TokenStream) -> Iterator[Token]:
    # Yields the tokens up to `variable_end` and returns that token. A stream
    # that ends early is left to the parser, which reports it.
    for token in stream:
        if token.type == "variable_end":
            return token
        yield token
    return Token(0, "variable_end", "}}")


class StudioCodeGenerator(CodeGenerator):
    """Compiles `a ~ b` to a call that checks the joined length first."""

    def visit_Concat(self, node: Concat, frame: Frame) -> None:  # noqa: N802
        self.write("environment.studio_concat(context.eval_ctx, (")
        for part in node.nodes:
            self.visit(part, frame)
            self.write(", ")
        self.write("))")


class CheckedNamespace(Namespace):
    """`namespace()` whose values are measured, as a loop can grow them."""

    def __init__(*args: Any, **kwargs: Any) -> None:
        meter = current_state().meter
        for value in (*args[1:], *kwargs.values()):
            meter.measure(value)
        Namespace.__init__(*args, **kwargs)

    def __setitem__(self, name: str, value: Any) -> None:
        current_state().meter.measure(value)
        Namespace.__setitem__(self, name, value)


def checked_range(*args: int) -> range:
    """Return range(*args), or raise LimitExceeded above MAX_RANGE numbers."""
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise LimitExceeded(
            f"range() may produce at most {MAX_RANGE:,} numbers in a template, and "
            f"this one would produce {len(numbers):,}"
        )
    return numbers


def checked_lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    """Jinja's `lipsum()`, rejecting more than MAX_LIPSUM_WORDS words."""
    if isinstance(n, int) and isinstance(max, int) and n * max > MAX_LIPSUM_WORDS:
        raise LimitExceeded(
            f"lipsum() may make at most {MAX_LIPSUM_WORDS:,} words in a template; "
            f"lower n ({n:,}) or max ({max:,})"
        )
    return generate_lorem_ipsum(n=n, html=html, min=min, max=max)


class StudioEnvironment(ImmutableSandboxedEnvironment):
    """The environment for one body format and one newline sequence."""

    intercepted_binops = frozenset({"+", "*", "**", "%"})
    code_generator_class = StudioCodeGenerator

    def __init__(
        self, body_format: BodyFormat, newline_sequence: str, escape: bool
    ) -> None:
        super().__init__(
            undefined=StudioUndefined,
            autoescape=True,
            keep_trailing_newline=True,
            newline_sequence=newline_sequence,  # type: ignore[arg-type]
            extensions=[PlaceholderEscaping] if escape else [],
            loader=DictLoader({}),
        )
        self.studio_body_format = body_format
        self.globals["range"] = checked_range
        self.globals["namespace"] = CheckedNamespace
        self.globals["lipsum"] = checked_lipsum
        self.filters = {
            name: guard_filter(name, function)
            for name, function in self.filters.items()
        }
        self.filters.update(studio_filters())

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, StrictUndefined):
            # Fail with the first missing name, not with this attribute.
            obj._fail_with_undefined_error()
        if isinstance(obj, dict) and attribute in obj:
            return obj[attribute]
        if attribute.startswith("_") and not isinstance(obj, Mapping):
            # Rejected whether or not the attribute exists, so that a template
            # cannot probe which internal attributes an object has.
            return self.unsafe_undefined(obj, attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, StrictUndefined):
            obj._fail_with_undefined_error()
        if (
            isinstance(argument, str)
            and argument.startswith("_")
            and not isinstance(obj, Mapping)
        ):
            return self.unsafe_undefined(obj, argument)
        return super().getitem(obj, argument)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        state = current_state()
        if operator == "+":
            return guards.checked_add(left, right, state.meter)
        if operator == "*":
            return guards.checked_multiply(
                left, right, state.meter, state.limits.max_integer_bits
            )
        if operator == "**":
            return guards.checked_power(left, right, state.limits.max_integer_bits)
        if operator == "%":
            return guards.checked_modulo(left, right, state.meter)
        return super().call_binop(context, operator, left, right)

    def call(self, context: Any, function: Any, /, *args: Any, **kwargs: Any) -> Any:
        args = guards.prepare_str_call(function, args, current_state().meter)
        return super().call(context, function, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        template = str(value.__self__)
        is_format_map = value.__name__ == "format_map"

        def checked_format(*args: Any, **kwargs: Any) -> str:
            meter = current_state().meter
            if is_format_map and args and isinstance(args[0], Mapping):
                guards.check_brace_format(template, (), args[0], meter)
            else:
                guards.check_brace_format(template, args, kwargs, meter)
            return wrapper(*args, **kwargs)

        return checked_format

    def studio_concat(self, eval_ctx: EvalContext, parts: tuple[Any, ...]) -> str:
        """Join the parts of `a ~ b`, or raise LimitExceeded when too long."""
        meter = current_state().meter
        total = 0
        for part in parts:
            total += len(part) if isinstance(part, str) else meter.measure(part)
        meter.check(total)
        if eval_ctx.autoescape:
            return markup_join(parts)
        return str_join(parts)


@functools.lru_cache(maxsize=16)
def get_environment(
    body_format: BodyFormat, newline_sequence: str, escape: bool = True
) -> StudioEnvironment:
    """Return the shared environment for a format and newline sequence.

    With `escape=False` placeholders are not wrapped, which is how syntax errors
    are found without the added tokens showing up in messages.
    """
    logger.debug(
        "creating the template environment for %s, newline %r, escape %s",
        body_format.value,
        newline_sequence,
        escape,
    )
    return StudioEnvironment(body_format, newline_sequence, escape)
