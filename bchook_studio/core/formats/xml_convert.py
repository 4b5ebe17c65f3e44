"""Convert JSON values to the studio's XML layout and back.

The layout is described in xml_layout. `json_to_xml` writes what
`bchook-studio show TOPIC --format xml` prints: a UTF-8 XML declaration, the
document with two-space indent and a final new line. Numbers keep their JSON
spelling in both directions (see json_text.JsonNumber).

lxml is imported by the functions that build elements, not with this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bchook_studio.core.formats import XML_DECLARATION
from bchook_studio.core.formats import xml_layout as layout
from bchook_studio.core.formats.json_text import (
    JsonNumber,
    number_spelling,
    parse_json_unique_keys,
    pretty_json,
)
from bchook_studio.core.formats.xml_reader import xml_to_json
from bchook_studio.core.formats.xml_text import INDENT

if TYPE_CHECKING:
    from collections.abc import Callable

    from lxml import etree

    # etree.SubElement, passed down so that building an element needs no
    # module-level lxml import: it creates a child with the tag and appends it.
    _SubElement = Callable[[etree._Element, str], etree._Element]

__all__ = [
    "json_text_to_xml_text",
    "json_to_xml",
    "json_to_xml_element",
    "xml_text_to_json_text",
    "xml_to_json",
]


def json_to_xml(value: object) -> str:
    """Write a JSON value as an XML document in the studio's layout.

    Raise ValueError for NaN, infinite floats and values nested more than 255
    levels deep, and TypeError for keys that are not strings and values that
    are not JSON.
    """
    from lxml import etree

    root = json_to_xml_element(value)
    etree.indent(root, space=INDENT)
    return f"{XML_DECLARATION}\n{etree.tostring(root, encoding='unicode')}\n"


def json_to_xml_element(value: object) -> etree._Element:
    """Build the unindented `<webhook>` element for a JSON value."""
    from lxml import etree

    root = etree.Element(layout.ROOT_TAG)
    _fill(root, value, 1, etree.SubElement)
    return root


def json_text_to_xml_text(text: str) -> str:
    """Convert JSON text to XML text, keeping number spellings.

    Raise FormatError when the JSON is not well formed, and ConversionError
    when an object repeats a key, whose earlier value XML could not keep.
    """
    return json_to_xml(parse_json_unique_keys(text))


def xml_text_to_json_text(text: str | bytes) -> str:
    """Convert XML text in the studio's layout to pretty JSON text.

    Raise FormatError when the XML is not well formed and ConversionError when
    it does not follow the layout.
    """
    return pretty_json(xml_to_json(text))


def _fill(
    element: etree._Element, value: Any, depth: int, sub_element: _SubElement
) -> None:
    # The order of the checks matters: bool is a subclass of int, and
    # JsonNumber a subclass of float.
    if isinstance(value, str):
        _set_text(element, value)
    elif isinstance(value, dict):
        _fill_object(element, value, depth, sub_element)
    elif isinstance(value, (list, tuple)):
        _fill_array(element, value, depth, sub_element)
    elif value is None:
        element.set(layout.TYPE_ATTRIBUTE, layout.TYPE_NULL)
    elif value is True or value is False:
        element.set(layout.TYPE_ATTRIBUTE, layout.TYPE_BOOLEAN)
        element.text = "true" if value else "false"
    elif isinstance(value, (int, float, JsonNumber)):
        element.set(layout.TYPE_ATTRIBUTE, layout.TYPE_NUMBER)
        element.text = number_spelling(value)
    else:
        raise TypeError(
            f"a {type(value).__name__} value cannot be written as XML; "
            "convert it to a string, number, boolean, null, list or dict first"
        )


def _fill_object(
    element: etree._Element,
    value: dict[Any, Any],
    depth: int,
    sub_element: _SubElement,
) -> None:
    if not value:
        element.set(layout.TYPE_ATTRIBUTE, layout.TYPE_OBJECT)
        return

    _check_depth(depth)
    for key, member in value.items():
        if not isinstance(key, str):
            raise TypeError(
                f"object keys must be strings to write XML, not "
                f"{type(key).__name__} {key!r}"
            )
        child = _member_element(element, key, sub_element)
        _fill(child, member, depth + 1, sub_element)


def _fill_array(
    element: etree._Element,
    value: list[Any] | tuple[Any, ...],
    depth: int,
    sub_element: _SubElement,
) -> None:
    element.set(layout.TYPE_ATTRIBUTE, layout.TYPE_ARRAY)
    if value:
        _check_depth(depth)
    for entry in value:
        _fill(sub_element(element, layout.ITEM_TAG), entry, depth + 1, sub_element)


def _check_depth(depth: int) -> None:
    if depth >= layout.MAX_ELEMENT_DEPTH:
        raise ValueError(
            f"the value nests objects and arrays more than "
            f"{layout.MAX_ELEMENT_DEPTH - 1} levels deep (or contains itself), "
            f"deeper than an XML parser without the huge-tree option reads "
            f"({layout.MAX_ELEMENT_DEPTH} element levels)"
        )


def _member_element(
    parent: etree._Element, key: str, sub_element: _SubElement
) -> etree._Element:
    if layout.is_usable_name(key):
        return sub_element(parent, key)

    child = sub_element(parent, layout.ENTRY_TAG)
    if layout.needs_json_encoding(key):
        child.set(layout.KEY_ATTRIBUTE, layout.encode_json_text(key))
        child.set(layout.KEY_ENCODING_ATTRIBUTE, layout.JSON_ENCODING)
    else:
        child.set(layout.KEY_ATTRIBUTE, key)
    return child


def _set_text(element: etree._Element, text: str) -> None:
    # NOTE: libxml2 without the huge-tree option rejects text nodes over
    # 10,000,000 bytes, so a longer string converts but cannot be read back.
    if not text:
        return
    if layout.needs_json_encoding(text):
        element.set(layout.ENCODING_ATTRIBUTE, layout.JSON_ENCODING)
        element.text = layout.encode_json_text(text)
    else:
        element.text = text
