"""The template sandbox: rejected escapes and runaway templates stopped in time."""

import time

import pytest

from bchook_studio.core.formats import BodyFormat, parse_json
from bchook_studio.core.templates import ProblemKind, RenderLimits, render_template
from bchook_studio.core.templates.filters import SLOW_FILTER_INPUT_LIMITS
from bchook_studio.core.topics import find_topic

LIMITS = RenderLimits(time_limit=1.0, max_output_bytes=1_000_000)
# A runaway template must stop within the time limit plus this margin.
MARGIN = 1.5


def render(template, limits=LIMITS):
    event = parse_json(find_topic("sale.new").example_text())
    started = time.monotonic()
    result = render_template(template, event, BodyFormat.JSON, limits=limits)
    return result, time.monotonic() - started


@pytest.mark.parametrize(
    ("template", "name"),
    [
        ("{{ ''.__class__ }}", "__class__"),
        ("{{ event.__class__.__mro__ }}", "__class__"),
        ("{{ studio.now_iso.__globals__ }}", "__globals__"),
        ("{{ studio._now }}", "_now"),
        ("{{ cycler.__init__.__globals__ }}", "__init__"),
        ("{{ cycler(1).next.__self__ }}", "__self__"),
        ("{{ joiner.__call__.__globals__ }}", "__call__"),
        ("{{ namespace.__init__.__globals__ }}", "__init__"),
        ("{{ namespace(a=1).__class__ }}", "__class__"),
        ("{{ lipsum.__globals__['os'] }}", "__globals__"),
        ("{{ range.__self__ }}", "__self__"),
        ("{{ dict.__subclasses__() }}", "__subclasses__"),
        ("{{ dict.mro() }}", "mro"),
        ("{{ self.__init__ }}", "__init__"),
        ("{{ '{0.__class__}'.format(1) }}", "__class__"),
        ("{{ '{a.__class__.__base__}'.format_map({'a': 1}) }}", "__class__"),
        ("{{ payload['items'].append(1) }}", "append"),
        ("{{ payload.update({}) }}", "update"),
        ("{{ ''['__class__'] }}", "__class__"),
    ],
)
def test_escape_rejected(template, name):
    result, _ = render(template)

    problem = result.problems[0]
    assert result.text is None
    assert problem.kind is ProblemKind.SANDBOX
    assert problem.message.startswith("templates cannot")
    assert repr(name) in problem.message
    assert "jinja" not in problem.message.lower()


@pytest.mark.parametrize(
    "template",
    [
        "{{ 9**(9**9) }}",
        "{{ 2**100000 }}",
        "{{ 10 ** 400.0 }}",
        "{{ 'a' * 10**10 }}",
        "{{ [1] * 10**10 }}",
        "{{ ('a' * 100000) * 100000 }}",
        "{% set ns = namespace(n=3) %}{% for i in range(40) %}"
        "{% set ns.n = ns.n * ns.n %}{% endfor %}{{ ns.n > 0 }}",
        "{% set ns = namespace(s='x') %}{% for i in range(60) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}",
        "{% set ns = namespace(s=['x']) %}{% for i in range(60) %}"
        "{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s | length }}",
        "{% set ns = namespace(s=['x']) %}{% for i in range(60) %}"
        "{% set ns.s = [ns.s, ns.s] %}{% endfor %}{{ ns.s | string | length }}",
        "{{ 'x' | center(10**9) }}",
        "{{ 'x'.ljust(10**9) }}",
        "{{ 'x' | indent(10**9) }}",
        "{{ '%0999999999d' % 1 }}",
        "{{ '%*d' % (999999999, 1) }}",
        "{{ '%999999999s' | format(1) }}",
        "{{ '{:>999999999}'.format(1) }}",
        "{{ '{:>{w}}'.format(1, w=999999999) }}",
        "{{ '{:.999999999f}'.format(1.0) }}",
        "{{ ('a' * 100000).replace('a', 'a' * 1000) }}",
        "{{ ('a' * 100000) | replace('a', 'a' * 1000) }}",
        "{{ ('\t' * 100000).expandtabs(100000) }}",
        "{{ ('x' * 100000).join(range(100000) | map('string')) }}",
        "{{ range(100000) | map('string') | join('x' * 100000) }}",
        "{{ [1] | batch(10**9, 'x') | list }}",
        "{{ range(100000) | batch(1) | list | sum(start=[]) | length }}",
        "{{ range(10**9) | length }}",
        "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}",
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}"
        "{% endfor %}",
        "{% for i in range(100000) %}{% for j in range(100000) %}{{ j }}"
        "{% endfor %}{% endfor %}",
        "{{ 'x' * 600000 }}{{ 'x' * 600000 }}",
        "{{ lipsum(n=100000) }}",
        "{{ lipsum(n=1000, max=1000) }}",
        "{{ range(10) | slice(10**9) | list | length }}",
        "{% for i in range(100000) %}{% for j in range(100000) %}"
        "{{ range(10) | map('string') | first }}{% endfor %}{% endfor %}",
    ],
)
def test_runaway_stopped(template):
    result, seconds = render(template)

    assert result.text is None
    assert result.problems[0].kind is ProblemKind.LIMIT
    assert seconds < LIMITS.time_limit + MARGIN


def test_left_associative_power_renders():
    # Jinja reads 9**9**9 as (9**9)**9, a 78-digit number.
    result, seconds = render("{{ 9**9**9 }}")

    assert result.text == str((9**9) ** 9)
    assert seconds < 1


def test_time_limit_message_and_line():
    template = "{\n{% for i in range(100000) %}\n{% for j in range(100000) %}"
    template += "{% endfor %}{% endfor %}\n}"

    result, _ = render(template)

    problem = result.problems[0]
    assert "longer than 1 s" in problem.message
    assert problem.line == 3


def test_output_cap_message():
    result, _ = render("{{ 'x' * 600000 }}{{ 'x' * 600000 }}")

    assert "larger than the limit of 1,000,000 bytes" in result.problems[0].message


def test_output_cap_counts_utf8_bytes():
    limits = RenderLimits(max_output_bytes=1000)

    fits, _ = render('"{{ "é" * 499 }}"', limits)
    too_big, _ = render('"{{ "é" * 500 }}"', limits)

    assert fits.ok
    assert too_big.problems[0].kind is ProblemKind.LIMIT


def test_limit_error_column():
    result, _ = render('{\n  "a": {{ 9 ** (9 ** 9) }}\n}')

    problem = result.problems[0]
    assert (problem.line, problem.column) == (2, 8)


def test_large_ints_allowed_below_limit():
    result, _ = render("{{ (2 ** 10000) > 0 }}")

    assert result.text == "true"


def test_repeat_below_limit_allowed():
    result, _ = render("{{ ('ab' * 1000) | length }}")

    assert result.text == "2000"


def test_list_accumulation_allowed():
    template = (
        "{% set ns = namespace(items=[]) %}{% for i in range(2000) %}"
        "{% set ns.items = ns.items + [i] %}{% endfor %}{{ ns.items | length }}"
    )

    result, seconds = render(template)

    assert result.text == "2000"
    assert seconds < 2


def test_range_limit_message():
    result, _ = render("{{ range(1000000) | length }}")

    assert "at most 100,000 numbers" in result.problems[0].message


@pytest.mark.parametrize("name", sorted(SLOW_FILTER_INPUT_LIMITS))
def test_slow_filter_input_limited(name):
    template = '{{ ("a " * 1500000) | ' + name + " | length }}"
    result, elapsed = render(template, RenderLimits())

    assert f"|{name} takes at most" in result.problems[0].message
    assert elapsed < MARGIN


def test_slow_filter_within_limit_renders():
    result, _ = render('{{ ("word " * 1000) | wordwrap(20) | length }}')

    assert result.problems == []
    assert result.text == "4999"


def test_huge_integer_output_explained():
    result, _ = render("{{ 10 ** 4301 }}", RenderLimits())

    assert result.problems[0].kind is ProblemKind.LIMIT
    assert "too many digits" in result.problems[0].message
    assert "set_int_max_str_digits" not in result.problems[0].message
