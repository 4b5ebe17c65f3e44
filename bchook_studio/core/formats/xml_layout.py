"""Names and escaping rules of the reversible JSON-to-XML layout.

The layout in short:

- The document element is `<webhook>`, with `type` when the value is not an
  object.
- An object key is a child element, or `<entry key="...">` when the key is not
  a usable element name. An `<entry>` without `key` is the key "entry".
- An array is `type="array"` with one `<item>` per entry.
- `type` is number, boolean, null, object (only for an empty object) or array.
  A string has no `type`, and an empty string is an empty element.
- Text that XML 1.0 cannot carry is written JSON-escaped with `encoding="json"`,
  or `key-encoding="json"` for a key.
"""

import functools
import json
import re
from typing import Any

ROOT_TAG = "webhook"
ITEM_TAG = "item"
ENTRY_TAG = "entry"

TYPE_ATTRIBUTE = "type"
ENCODING_ATTRIBUTE = "encoding"
KEY_ATTRIBUTE = "key"
KEY_ENCODING_ATTRIBUTE = "key-encoding"
JSON_ENCODING = "json"

TYPE_NUMBER = "number"
TYPE_BOOLEAN = "boolean"
TYPE_NULL = "null"
TYPE_OBJECT = "object"
TYPE_ARRAY = "array"
TYPES = (TYPE_NUMBER, TYPE_BOOLEAN, TYPE_NULL, TYPE_OBJECT, TYPE_ARRAY)

# libxml2 without XML_PARSE_HUGE reads at most 256 element levels, so a JSON
# value nests at most 255 containers below the document element.
MAX_ELEMENT_DEPTH = 256
# libxml2 without XML_PARSE_HUGE rejects longer names.
MAX_NAME_LENGTH = 50_000

# Characters outside the XML 1.0 Char production: most C0 controls, unpaired
# surrogates, U+FFFE and U+FFFF.
_XML_ILLEGAL_CHARACTER_PATTERN = (
    "[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


@functools.cache
def xml_illegal_character() -> re.Pattern[str]:
    """Compile the pattern of one character that XML 1.0 cannot carry, once.

    Compiling this class of large ranges took about 5 ms, so it is compiled on
    first use and not when the formats package is imported.
    """
    return re.compile(_XML_ILLEGAL_CHARACTER_PATTERN)


def __getattr__(name: str) -> Any:
    """Compile XML_ILLEGAL_CHARACTER when the module attribute is first read."""
    if name == "XML_ILLEGAL_CHARACTER":
        return xml_illegal_character()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.lru_cache(maxsize=4096)
def is_usable_name(key: str) -> bool:
    """Tell whether an object key can be written as an element name.

    A usable name is one lxml accepts as a tag, without a colon or a brace
    (lxml reads `{uri}name` as a namespace), not starting with "xml" in any
    case, and short enough for libxml2 to read back.
    """
    if not key or len(key) > MAX_NAME_LENGTH:
        return False
    if ":" in key or "{" in key or key[:3].lower() == "xml":
        return False

    # Imported here so that importing the layout's names does not load lxml.
    from lxml import etree

    try:
        etree.Element(key)
    except ValueError:
        return False
    return True


def needs_json_encoding(text: str) -> bool:
    """Tell whether text contains a character that XML 1.0 cannot carry."""
    return xml_illegal_character().search(text) is not None


def encode_json_text(text: str) -> str:
    """Escape text as the inside of a JSON string literal, without the quotes.

    Control characters, quotes and backslashes are escaped as json.dumps does,
    and unpaired surrogates, U+FFFE and U+FFFF as `\\uXXXX`, so that the
    result contains only characters XML 1.0 can carry.
    """
    escaped = json.dumps(text, ensure_ascii=False)[1:-1]
    return xml_illegal_character().sub(_escape_code_point, escaped)


def decode_json_text(text: str) -> str:
    """Read text written by encode_json_text; raise ValueError if it is invalid."""
    value: str = json.loads('"' + text + '"')
    return value


def _escape_code_point(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"
