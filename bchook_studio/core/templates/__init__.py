"""Body templates: `{{ … }}` placeholders over the event data, in a Jinja2 sandbox.

A template is Jinja2 syntax rendered with a sandbox that is strict about
undefined names. Names available in a template:

- each top-level event field as a name (`{{ payload.user.email }}`,
  `{{ created_at }}`), and the whole event as `event`;
- `topic.key`, `topic.title` (and the topic's other catalogue fields);
- `studio.now_iso()`, `studio.now_unix()`, `studio.uuid()` and
  `studio.raw(value)`.

`event`, `topic` and `studio` win over event fields of the same name, which
are reached as `event.topic` and so on. On a dict, `a.b` means the key `b`
before any dict method, so `payload.items` is the event's `items` field.

Escaping follows the format. In JSON, a placeholder inside a string literal
is written as string content (`"id-{{ n }}"`), and one outside as a JSON value
(numbers keep their spelling, objects and lists are one-line JSON, strings get
quotes). So JSON punctuation belongs in the template text, as in
`{% if not loop.last %},{% endif %}`, because `{{ "," }}` writes `","`. In XML
every placeholder is escaped, with `"` and `'` too. Characters XML 1.0 cannot
carry become U+FFFD with a warning. Booleans are written `true` and `false`
everywhere, and None is `null` in JSON and nothing in XML. An inline `if`
without `else` that is false writes nothing. The place of a placeholder is
found by following the template text in order, so a quote opened in one
branch of an `{% if %}` and closed in another is not followed.

`|safe`, `|raw` and `studio.raw()` insert text unescaped, and so does the
output of macros and `{% set %}` blocks, which was escaped where it was
written. `|tojson(indent=None)` and `|toxml(root="webhook")` write a value in
the studio's JSON and XML layouts, inserted as they are where they fit (JSON
outside strings, XML text) and escaped elsewhere.

Rendering is bounded by RenderLimits: time, output size, and the size of
strings, lists and integers a template builds. A problem in the template is
returned in the RenderResult, not raised: `render_template` raises only
TypeError, for an event that is not a dict.

Importing this package does not import Jinja2; the first render does.
"""

from datetime import datetime
from typing import Any

from bchook_studio.core.formats import BodyFormat
from bchook_studio.core.templates.defaults import default_template
from bchook_studio.core.templates.event_data import parse_event
from bchook_studio.core.templates.fields import (
    HELPER_EXPRESSIONS,
    RESERVED_NAMES,
    field_paths,
)
from bchook_studio.core.templates.results import (
    ProblemKind,
    RenderLimits,
    RenderResult,
    TemplateProblem,
)
from bchook_studio.core.topics import Topic

__all__ = [
    "HELPER_EXPRESSIONS",
    "RESERVED_NAMES",
    "ProblemKind",
    "RenderLimits",
    "RenderResult",
    "TemplateProblem",
    "default_template",
    "field_paths",
    "parse_event",
    "render_template",
]


def render_template(
    template: str,
    event: dict[str, Any],
    body_format: BodyFormat,
    *,
    topic: Topic | None = None,
    now: datetime | None = None,
    seed: int | None = None,
    limits: RenderLimits | None = None,
    check_body: bool = True,
) -> RenderResult:
    """Render a body template against event data.

    `event` is a dict, best parsed with `parse_event` so that number spellings
    survive. `now` (a naive datetime is taken as UTC) and `seed` fix
    what `studio.now_iso()`, `studio.now_unix()` and `studio.uuid()` return;
    without them the helpers use the clock and the system's randomness.
    `limits` defaults to RenderLimits(). With `check_body`, a rendered body that
    is not well formed gets a MALFORMED_BODY problem, positioned in the body.

    Safe to call from several threads at once. The time limit is enforced in
    the calling thread (see templates.deadline). Raise TypeError only when
    `event` is not a dict.
    """
    from bchook_studio.core.templates.render import render_template as render

    return render(
        template,
        event,
        body_format,
        topic=topic,
        now=now,
        seed=seed,
        limits=limits,
        check_body=check_body,
    )
