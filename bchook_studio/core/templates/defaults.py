"""The default body template of each format: the event itself."""

from bchook_studio.core.formats import XML_DECLARATION, BodyFormat

JSON_DEFAULT_TEMPLATE = "{{ event | tojson(indent=2) }}\n"
XML_DEFAULT_TEMPLATE = f"{XML_DECLARATION}\n{{{{ event | toxml }}}}\n"


def default_template(body_format: BodyFormat) -> str:
    """Return the template that sends the event data as it is.

    Rendered against a topic's example event, it gives the bytes that
    `bchook-studio show TOPIC --format F` prints. Because it refers to `event`
    rather than copying it, it follows edits to the event data.
    """
    if body_format is BodyFormat.XML:
        return XML_DEFAULT_TEMPLATE
    return JSON_DEFAULT_TEMPLATE
