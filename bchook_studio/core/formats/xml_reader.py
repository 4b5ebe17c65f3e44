"""Read XML in the studio's JSON-to-XML layout back into a JSON value.

XML that does not follow the layout raises ConversionError with the line and,
where the start tag can be found on that line, the column of the element or
attribute at fault.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from bchook_studio.core.formats import xml_layout as layout
from bchook_studio.core.formats.json_text import JSON_NUMBER, number_from_spelling
from bchook_studio.core.formats.problems import (
    ConversionError,
    FormatProblem,
    describe_text,
)
from bchook_studio.core.formats.xml_text import parse_xml

if TYPE_CHECKING:
    from lxml import etree

_VALUE_ATTRIBUTES = frozenset({layout.TYPE_ATTRIBUTE, layout.ENCODING_ATTRIBUTE})
_ENTRY_ATTRIBUTES = _VALUE_ATTRIBUTES | {
    layout.KEY_ATTRIBUTE,
    layout.KEY_ENCODING_ATTRIBUTE,
}
_XML_WHITESPACE = " \t\r\n"
_ARRAY_HINT = 'mark the parent type="array" and name each entry <item> to write a list'


def xml_to_json(text: str | bytes) -> Any:
    """Read an XML document in the studio's layout into a JSON value.

    Numbers whose spelling Python would change come back as JsonNumber. Raise
    FormatError for XML that is not well formed and ConversionError for XML
    that does not follow the layout.
    """
    tree = parse_xml(text)
    return _LayoutReader(tree, text).read()


class _LayoutReader:
    def __init__(self, tree: etree._ElementTree, source: str | bytes) -> None:
        self._tree = tree
        self._source = source
        self._source_lines: list[str] | None = None
        # Without the text "xmlns" anywhere, no element can declare a namespace,
        # which spares the costly nsmap lookup for every element.
        if isinstance(source, str):
            self._may_declare_namespaces = "xmlns" in source
        else:
            self._may_declare_namespaces = b"xmlns" in source

    def read(self) -> Any:
        root = self._tree.getroot()
        for node in root.itersiblings(preceding=True):
            self._reject_node(node)
        for node in root.itersiblings():
            self._reject_node(node)

        self._check_element(root, _VALUE_ATTRIBUTES)
        if root.tag != layout.ROOT_TAG:
            raise self._error(
                root,
                f"the document element is <{root.tag}>, but the JSON layout "
                f"starts with <{layout.ROOT_TAG}>; rename it to convert",
            )
        return self._read_value(root)

    def _read_value(self, element: etree._Element) -> Any:
        kind = element.get(layout.TYPE_ATTRIBUTE)
        children = self._child_elements(element)
        self._check_encoding(element, kind, children)

        if kind is None:
            if children:
                return self._read_object(element, children)
            return self._read_string(element)
        if kind == layout.TYPE_OBJECT:
            return self._read_object(element, children)
        if kind == layout.TYPE_ARRAY:
            return self._read_array(element, children)
        if kind not in layout.TYPES:
            raise self._error(
                element,
                f'type="{kind}" on {self._name(element)} is not one of '
                f"{', '.join(layout.TYPES)}; a string has no type attribute",
                layout.TYPE_ATTRIBUTE,
            )

        if children:
            raise self._error(
                children[0],
                f'{self._name(element)} has type="{kind}" and cannot contain '
                "elements; remove them or change the type",
            )
        return self._read_scalar(element, kind, element.text or "")

    def _read_object(
        self, element: etree._Element, children: list[etree._Element]
    ) -> dict[str, Any]:
        self._reject_text(element, element.text)
        result: dict[str, Any] = {}
        first_lines: dict[str, int | None] = {}

        for child in children:
            self._reject_text(element, child.tail)
            is_entry = child.tag == layout.ENTRY_TAG
            allowed = _ENTRY_ATTRIBUTES if is_entry else _VALUE_ATTRIBUTES
            self._check_element(child, allowed)
            key = self._read_key(child) if is_entry else child.tag
            if key in result:
                raise self._error(
                    child,
                    f"{self._name(child)} repeats the key {describe_text(key)} "
                    f"of {self._name(element)}, first given on line "
                    f"{first_lines[key]}; {_ARRAY_HINT}",
                )
            first_lines[key] = child.sourceline
            result[key] = self._read_value(child)
        return result

    def _read_array(
        self, element: etree._Element, children: list[etree._Element]
    ) -> list[Any]:
        self._reject_text(element, element.text)
        result = []
        for child in children:
            self._reject_text(element, child.tail)
            if child.tag != layout.ITEM_TAG:
                raise self._error(
                    child,
                    f'{self._name(element)} has type="array", so its entries '
                    f"must be <{layout.ITEM_TAG}> elements, not "
                    f"{self._name(child)}; rename it",
                )
            self._check_element(child, _VALUE_ATTRIBUTES)
            result.append(self._read_value(child))
        return result

    def _read_string(self, element: etree._Element) -> str:
        text = element.text or ""
        if element.get(layout.ENCODING_ATTRIBUTE) is None:
            return text
        try:
            return layout.decode_json_text(text)
        except ValueError as error:
            raise self._error(
                element,
                f'{self._name(element)} has encoding="json", but its text '
                f"{describe_text(text)} is not a JSON-escaped string ({error}); "
                "escape it as inside a JSON string literal, without the quotes",
            ) from None

    def _read_scalar(self, element: etree._Element, kind: str, text: str) -> Any:
        if kind == layout.TYPE_NUMBER:
            if JSON_NUMBER.fullmatch(text):
                return number_from_spelling(text)
            expected = "a JSON number such as 12, -0.5 or 1e2"
        elif kind == layout.TYPE_BOOLEAN:
            if text == "true":
                return True
            if text == "false":
                return False
            expected = "true or false"
        else:
            if not text:
                return None
            expected = "an empty element"

        raise self._error(
            element,
            f'{self._name(element)} has type="{kind}" and contains '
            f"{describe_text(text)}; expected {expected}",
        )

    def _read_key(self, entry: etree._Element) -> str:
        key = entry.get(layout.KEY_ATTRIBUTE)
        key_encoding = entry.get(layout.KEY_ENCODING_ATTRIBUTE)
        if key_encoding is None:
            return layout.ENTRY_TAG if key is None else key

        if key is None:
            raise self._error(
                entry,
                f'{self._name(entry)} has key-encoding="{key_encoding}" but no '
                "key attribute; add the key or remove key-encoding",
                layout.KEY_ENCODING_ATTRIBUTE,
            )
        if key_encoding != layout.JSON_ENCODING:
            raise self._error(
                entry,
                f'key-encoding="{key_encoding}" on {self._name(entry)} is not '
                f'supported; the only value is "{layout.JSON_ENCODING}"',
                layout.KEY_ENCODING_ATTRIBUTE,
            )
        try:
            return layout.decode_json_text(key)
        except ValueError as error:
            raise self._error(
                entry,
                f'{self._name(entry)} has key-encoding="json", but its key '
                f"{describe_text(key)} is not a JSON-escaped string ({error})",
                layout.KEY_ATTRIBUTE,
            ) from None

    def _check_element(self, element: etree._Element, allowed: frozenset[str]) -> None:
        """Reject namespaces, and attributes whose names are not in `allowed`."""
        if "{" in element.tag:
            raise self._error(
                element,
                f"{self._name(element)} is in a namespace; the JSON layout has "
                "no namespaces, so remove the prefix and its xmlns declaration",
            )
        if self._may_declare_namespaces and element.nsmap:
            prefix = next(iter(element.nsmap))
            declaration = "xmlns" if prefix is None else f"xmlns:{prefix}"
            raise self._error(
                element,
                f"{self._name(element)} declares a namespace ({declaration}); "
                "the JSON layout has no namespaces, so remove the declaration",
            )

        names = element.keys()
        if not names:
            return
        for name in names:
            if name not in allowed:
                message = self._attribute_message(element, name)
                raise self._error(element, message, name)

    def _attribute_message(self, element: etree._Element, name: str) -> str:
        element_name = self._name(element)
        if "{" in name:
            return (
                f"an attribute of {element_name} is in a namespace; the JSON "
                "layout has no namespaces, so remove it"
            )
        if name in (layout.KEY_ATTRIBUTE, layout.KEY_ENCODING_ATTRIBUTE):
            return (
                f"attribute {name} on {element_name} is allowed only on "
                f"<{layout.ENTRY_TAG}> members of an object; remove it"
            )
        return (
            f"attribute {name} on {element_name} is not part of the JSON layout, "
            "which allows only type, encoding, key and key-encoding; remove it or "
            "write its value as a child element"
        )

    def _check_encoding(
        self,
        element: etree._Element,
        kind: str | None,
        children: list[etree._Element],
    ) -> None:
        encoding = element.get(layout.ENCODING_ATTRIBUTE)
        if encoding is None:
            return
        if encoding != layout.JSON_ENCODING:
            raise self._error(
                element,
                f'encoding="{encoding}" on {self._name(element)} is not '
                f'supported; the only value is "{layout.JSON_ENCODING}"',
                layout.ENCODING_ATTRIBUTE,
            )
        if kind is not None or children:
            raise self._error(
                element,
                f'encoding="json" on {self._name(element)} is allowed only on '
                "string values, which have no type and no child elements",
                layout.ENCODING_ATTRIBUTE,
            )

    def _child_elements(self, element: etree._Element) -> list[etree._Element]:
        children = list(element)
        for child in children:
            if not isinstance(child.tag, str):
                self._reject_node(child)
        return children

    def _reject_text(self, element: etree._Element, text: str | None) -> None:
        if text and text.strip(_XML_WHITESPACE):
            raise self._error(
                element,
                f"{self._name(element)} mixes the text {describe_text(text.strip())} "
                "with child elements; a value is either text or elements, so move "
                "the text into an element of its own",
            )

    def _reject_node(self, node: etree._Element) -> None:
        from lxml import etree

        if isinstance(node, etree._Comment):
            message = "a comment has no place in the JSON layout; remove it to convert"
            token = "<!--"
        elif isinstance(node, etree._ProcessingInstruction):
            message = (
                f"the processing instruction <?{node.target}?> has no place in the "
                "JSON layout; remove it to convert"
            )
            token = "<?"
        elif isinstance(node, etree._Entity):
            message = (
                f"&{node.name}; is an entity reference, which Hook Studio never "
                "expands; replace it with the text it stands for"
            )
            token = f"&{node.name};"
        else:
            message = "this node has no place in the JSON layout; remove it"
            token = "<"
        line = node.sourceline or 1
        column = self._find_column(line, token)
        raise ConversionError(FormatProblem(line, column, message))

    def _error(
        self, element: etree._Element, message: str, attribute: str | None = None
    ) -> ConversionError:
        line = element.sourceline or 1
        column = self._start_tag_column(element)
        if column is not None and attribute is not None:
            column = self._attribute_column(line, column, attribute) or column
        return ConversionError(FormatProblem(line, column, message))

    def _name(self, element: etree._Element) -> str:
        name = self._source_name(element)
        key = element.get(layout.KEY_ATTRIBUTE) if name == layout.ENTRY_TAG else None
        if key is not None:
            return f"<{name} key={describe_text(key)}>"
        return f"<{name}>"

    @staticmethod
    def _source_name(element: etree._Element) -> str:
        from lxml import etree

        local_name = etree.QName(element).localname
        return f"{element.prefix}:{local_name}" if element.prefix else local_name

    # Positions are looked up only to report an error, so the scans below may
    # walk the whole document.

    def _start_tag_column(self, element: etree._Element) -> int | None:
        line = element.sourceline
        if line is None:
            return None
        occurrence = 0
        for other in self._tree.iter(element.tag):
            if other is element:
                break
            if other.sourceline == line:
                occurrence += 1

        name = re.escape(self._source_name(element))
        starts = list(re.finditer(f"<{name}(?=[ \t\r\n/>])", self._line(line)))
        if occurrence < len(starts):
            return starts[occurrence].start() + 1
        return None

    def _attribute_column(self, line: int, tag_column: int, name: str) -> int | None:
        pattern = re.compile(rf"[ \t\r\n]({re.escape(name)})[ \t\r\n]*=")
        match = pattern.search(self._line(line), tag_column - 1)
        return match.start(1) + 1 if match else None

    def _find_column(self, line: int, token: str) -> int | None:
        index = self._line(line).find(token)
        return index + 1 if index >= 0 else None

    def _line(self, number: int) -> str:
        if self._source_lines is None:
            self._source_lines = self._decoded_source().split("\n")
        if 1 <= number <= len(self._source_lines):
            return self._source_lines[number - 1]
        return ""

    def _decoded_source(self) -> str:
        if isinstance(self._source, str):
            return self._source
        encoding = self._tree.docinfo.encoding or "utf-8"
        try:
            return self._source.decode(encoding, errors="replace")
        except LookupError:
            return self._source.decode("utf-8", errors="replace")
