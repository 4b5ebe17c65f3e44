"""XML bodies: the one safe parser, well-formedness checks and pretty printing.

Code that parses XML from a user or a server uses safe_xml_parser or parse_xml.
The parser resolves no entities, loads no DTD and touches no network. A document
whose DOCTYPE has an internal subset (where entities are declared) is rejected:
before libxml2 parses it when the encoding is ASCII-compatible, UTF-16 or
UTF-32, and after the non-expanding parse otherwise.

Text given as `str` is the characters the user typed, so it is parsed as UTF-8
whatever encoding its XML declaration names. A declared encoding other than
UTF-8 is replaced by UTF-8 in the bytes handed to the parser, padded with spaces
so that columns after it do not move. Text given as `bytes` is parsed as is,
declaration and byte order mark included, which is how a receiver reads the
same bytes.

lxml is imported by the functions that parse or serialize, not with this
module, so that importing the formats package (for BodyFormat or a constant)
does not load lxml.
"""

from __future__ import annotations

import codecs
import logging
import re
from typing import TYPE_CHECKING

from bchook_studio.core.formats.problems import (
    FormatError,
    FormatProblem,
    ParserLimit,
)

if TYPE_CHECKING:
    from lxml import etree

logger = logging.getLogger(__name__)

ENTITIES_MESSAGE = "the document declares entities; Hook Studio never expands them"
INTERNAL_SUBSET_MESSAGE = (
    "the document's DOCTYPE has an internal subset; Hook Studio never applies it. "
    "Remove the [...] part of the DOCTYPE"
)
EMPTY_MESSAGE = "the document is empty"
INDENT = "  "

# The white space characters of XML and of XPath's normalize-space().
_XML_SPACE = " \t\r\n"
# The start of a line 30 levels deep in two-space indented XML.
_DEEP_LINE_START = "\n" + INDENT * 30

# The encoding declared by an XML declaration at the very start of the text.
_DECLARED_ENCODING = re.compile(
    r"""\ufeff?<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(?:"[^"]*"|'[^']*')"""
    r"""[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])([^"']*)\1"""
)
_UTF8_NAMES = frozenset({"utf-8", "utf8"})
# The XML declaration at the very start of the text, after a byte order mark.
# Its pseudo-attributes cannot contain ">".
_DECLARATION = re.compile(r"\ufeff?(<\?xml[ \t\r\n]+version[ \t\r\n]*=[^>]*\?>)")
# Bytes read to find the declaration of a document given as bytes.
# NOTE: a declaration padded with spaces beyond this is not found, so the
# pretty text of such a document has no declaration.
_DECLARATION_SCAN_BYTES = 4096

_BLANK = re.compile(rb"[ \t\r\n]*")
# Items allowed before a DOCTYPE: a byte order mark, white space, the XML
# declaration and other processing instructions, and comments.
_PROLOG_ITEM = re.compile(rb"\xef\xbb\xbf|[ \t\r\n]+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
# A DOCTYPE up to the "[" that opens its internal subset.
_DOCTYPE_WITH_SUBSET = re.compile(
    rb"""<!DOCTYPE[ \t\r\n]+[^ \t\r\n\[>]+"""
    rb"""(?:[ \t\r\n]+(?:SYSTEM|PUBLIC)(?:[ \t\r\n]+(?:"[^"]*"|'[^']*'))+)?"""
    rb"""[ \t\r\n]*\["""
)
# The first bytes of a UTF-32 or UTF-16 document, with or without a byte order
# mark. UTF-32 comes first because its little-endian mark starts like UTF-16's.
_WIDE_ENCODING_PREFIXES = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
    (b"<\x00", "utf-16-le"),
    (b"\x00<", "utf-16-be"),
)


def safe_xml_parser(*, remove_blank_text: bool = False) -> etree.XMLParser:
    """Create the parser for XML that a user or a server supplies.

    Every security setting is passed explicitly because lxml's defaults changed
    between 5.x and 6.x. Without huge_tree, libxml2 limits documents to 256
    element levels, names to 50,000 characters and text nodes to 10,000,000
    bytes. A parser is not thread-safe, so each parse creates its own.
    """
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        dtd_validation=False,
        huge_tree=False,
        recover=False,
        remove_blank_text=remove_blank_text,
    )


def xml_bytes(text: str | bytes) -> bytes:
    """Return the bytes to parse for XML text, as the module docstring describes.

    Raise FormatError for a str containing an unpaired surrogate, which no
    encoding can carry.
    """
    if isinstance(text, bytes):
        return text

    declaration = _DECLARED_ENCODING.match(text)
    if declaration and declaration.group(2).lower() not in _UTF8_NAMES:
        name_start, name_end = declaration.span(2)
        padding = " " * max(0, (name_end - name_start) - len("UTF-8"))
        quote = declaration.group(1)
        text = text[:name_start] + "UTF-8" + quote + padding + text[name_end + 1 :]

    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as error:
        line = text.count("\n", 0, error.start) + 1
        column = error.start - (text.rfind("\n", 0, error.start) + 1) + 1
        code_point = ord(text[error.start])
        message = (
            f"the text contains an unpaired surrogate U+{code_point:04X}, "
            "which XML cannot carry; remove it"
        )
        raise FormatError(FormatProblem(line, column, message)) from None


def parse_xml(
    text: str | bytes, *, remove_blank_text: bool = False
) -> etree._ElementTree:
    """Parse XML with the safe parser, or raise FormatError.

    A document with an internal DTD subset is rejected, and entity references
    allowed by an external DTD stay unexpanded nodes in the tree.
    """
    from lxml import etree

    data = xml_bytes(text)
    if _BLANK.fullmatch(data):
        raise FormatError(FormatProblem(1, 1, EMPTY_MESSAGE))

    subset_problem = _internal_subset_problem(data)
    if subset_problem is not None:
        logger.debug("rejected an XML document with an internal DTD subset")
        raise FormatError(subset_problem)

    parser = safe_xml_parser(remove_blank_text=remove_blank_text)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise FormatError(_syntax_problem(parser, error)) from None

    tree: etree._ElementTree = root.getroottree()
    _check_declarations(tree)
    return tree


def _internal_subset_problem(data: bytes) -> FormatProblem | None:
    data = _ascii_compatible_view(data)
    position = 0
    while match := _PROLOG_ITEM.match(data, position):
        position = match.end()

    doctype = _DOCTYPE_WITH_SUBSET.match(data, position)
    if doctype is None:
        return None

    entity = data.find(b"<!ENTITY", doctype.end())
    if entity >= 0:
        return _problem_at_byte(data, entity, ENTITIES_MESSAGE)
    return _problem_at_byte(data, position, INTERNAL_SUBSET_MESSAGE)


def _ascii_compatible_view(data: bytes) -> bytes:
    """Return UTF-16 and UTF-32 documents as UTF-8, and other bytes unchanged.

    The DOCTYPE scan reads bytes as ASCII, which is right for UTF-8 and the other
    ASCII-compatible encodings. Any other encoding still goes through
    _check_declarations after the non-expanding parse.
    """
    for prefix, codec in _WIDE_ENCODING_PREFIXES:
        if data.startswith(prefix):
            return data.decode(codec, errors="replace").encode("utf-8")
    return data


def _problem_at_byte(data: bytes, index: int, message: str) -> FormatProblem:
    line_start = data.rfind(b"\n", 0, index) + 1
    line = data.count(b"\n", 0, index) + 1
    column = len(data[line_start:index].decode("utf-8", errors="replace")) + 1
    return FormatProblem(line, column, message)


def _check_declarations(tree: etree._ElementTree) -> None:
    dtd = tree.docinfo.internalDTD
    if dtd is None:
        return
    if any(True for _ in dtd.iterentities()):
        raise FormatError(FormatProblem(1, None, ENTITIES_MESSAGE))
    if dtd.elements():
        raise FormatError(FormatProblem(1, None, INTERNAL_SUBSET_MESSAGE))


_POSITION_SUFFIX = re.compile(r", line \d+, column \d+.*\Z", re.DOTALL)

# The start of libxml2's message when a document nests elements deeper than its
# limit, which is 256 levels without XML_PARSE_HUGE (checked with libxml2 2.14).
_DEPTH_MESSAGE = re.compile(r"Excessive depth in document: (\d+)")
# libxml2's advice to set XML_PARSE_HUGE, an option users of Hook Studio cannot set.
_HUGE_OPTION_ADVICE = re.compile(r"[,;]?\s*(?:use|try) XML_PARSE_HUGE(?: option)?")
# The error types libxml2 2.14 gives for a text node, attribute value or name
# over its limit. Other versions give other types, so a message containing
# "huge", as in "use XML_PARSE_HUGE option" or "Huge input lookup", counts too.
_SIZE_LIMIT_TYPES = frozenset({"ERR_RESOURCE_LIMIT", "ERR_NAME_TOO_LONG"})
_SIZE_LIMITS = (
    "Hook Studio's XML parser reads text nodes, attribute values, comments and "
    "CDATA sections of at most 10,000,000 bytes and names of at most 50,000 "
    "characters"
)


def _syntax_problem(
    parser: etree.XMLParser, error: etree.XMLSyntaxError
) -> FormatProblem:
    # The parser's own log contains only this parse's errors. The first one is
    # the cause, and later ones often follow from it.
    errors = parser.error_log.filter_from_errors()
    if errors:
        first = errors[0]
        line, column = first.line or 1, first.column or None
        message, kind = first.message, first.type_name
    else:
        line, column = error.position
        line, column = line or 1, column or None
        message, kind = _POSITION_SUFFIX.sub("", str(error.msg)), ""

    problem = _limit_problem(line, column, message, kind)
    if problem is None:
        problem = FormatProblem(line, column, message)
    return problem


def _limit_problem(
    line: int, column: int | None, message: str, kind: str
) -> FormatProblem | None:
    """Return a plain problem for a libxml2 limit error, or None for other errors.

    The safe parser never sets huge_tree (XML_PARSE_HUGE), because lxml 6
    documents it as disabling security restrictions. libxml2's parser.h lists
    what it lifts: text nodes of 1 GB instead of 10 MB, 2048 element levels
    instead of 256 and 40 levels of entities instead of 20.
    """
    depth = _DEPTH_MESSAGE.search(message)
    if depth is not None:
        plain = (
            f"the document nests elements more than {depth.group(1)} levels deep, "
            "deeper than Hook Studio's XML parser reads"
        )
        return FormatProblem(line, column, plain, ParserLimit.DEPTH)

    if kind in _SIZE_LIMIT_TYPES or "huge" in message.lower():
        reason = _HUGE_OPTION_ADVICE.sub("", message).strip().rstrip(".")
        plain = f"{reason}. {_SIZE_LIMITS}"
        return FormatProblem(line, column, plain, ParserLimit.SIZE)
    return None


def check_xml(text: str | bytes) -> FormatProblem | None:
    """Return the first well-formedness problem of XML text, or None.

    A document that declares entities or has any other internal DTD subset is a
    problem even when well formed. The caller decides whether to show it raw.
    """
    try:
        parse_xml(text)
    except FormatError as error:
        return error.problem
    return None


def pretty_xml_text(text: str | bytes) -> str:
    """Reformat XML with two-space indent and a final new line.

    The XML declaration is kept as the document wrote it, encoding included,
    because the result is text and not bytes in that encoding. A document
    without one gets none, and a byte order mark is dropped. White space
    between elements is replaced. Text inside elements is kept, and so is the
    whole content of elements that mix text or entity references with child
    elements. Raise FormatError for text that check_xml reports.
    """
    tree = parse_xml(text, remove_blank_text=True)
    root = tree.getroot()

    lines = []
    declaration = _declaration(text)
    if declaration is not None:
        lines.append(declaration)
    if tree.docinfo.doctype:
        lines.append(tree.docinfo.doctype)
    preceding = list(root.itersiblings(preceding=True))
    lines.extend(_serialize_node(node) for node in reversed(preceding))
    prolog = "\n".join(lines) if lines else None

    document = _serialize_element_only(root, prolog)
    if document is None:
        indent_keeping_mixed_content(root)
        document = _serialize_node(root, prolog) + "\n"

    following = [_serialize_node(node) + "\n" for node in root.itersiblings()]
    if following:
        document += "".join(following)
    return document


def _declaration(text: str | bytes) -> str | None:
    """Return the XML declaration at the start of a parsed document, or None.

    The declaration contains only ASCII characters, so for bytes it is read
    from the start of the document decoded as UTF-8 or, for UTF-16 and UTF-32,
    from that encoding.
    """
    if isinstance(text, bytes):
        head = _ascii_compatible_view(text[:_DECLARATION_SCAN_BYTES])
        text = head.removeprefix(codecs.BOM_UTF8).decode("utf-8", errors="replace")
    match = _DECLARATION.match(text)
    return match.group(1) if match else None


def indent_keeping_mixed_content(root: etree._Element) -> None:
    """Indent by two spaces per level, as etree.indent does, but leave mixed content.

    etree.indent replaces white space around the children of every element,
    which would change the text of `<p>Hi <b>you</b> there</p>`. Elements that
    mix text or entity references with child elements keep their whole content.
    """
    from lxml import etree

    mixed = _mixed_content_elements(root)
    saved_texts = [(element, element.text) for element in mixed]
    saved_nodes = [
        (node, node.text, node.tail)
        for element in mixed
        for node in element.iterdescendants()
    ]

    etree.indent(root, space=INDENT)

    for element, text in saved_texts:
        element.text = text
    for node, text, tail in saved_nodes:
        if isinstance(node.tag, str):
            node.text = text
        node.tail = tail


def _mixed_content_elements(root: etree._Element) -> list[etree._Element]:
    """Return the elements in root's subtree whose content indenting must keep.

    Those are the elements with a child element and a text node that is not only
    XML white space, as `descendant-or-self::*[*][text()[normalize-space()]]`
    selects them, and the parents of entity references, each once. This pass in
    Python took 65 ms against 96 ms for the XPath query, for 383,000 elements on
    a 2-core x86-64 VM.
    """
    from lxml import etree

    mixed: dict[etree._Element, None] = {}
    text = root.text
    if text is not None and text.strip(_XML_SPACE) and _has_child_element(root):
        mixed[root] = None

    for node in root.iterdescendants():
        tail = node.tail
        if tail is not None and tail.strip(_XML_SPACE):
            parent = node.getparent()
            if _has_child_element(parent):
                mixed[parent] = None
        if len(node):
            text = node.text
            if text is not None and text.strip(_XML_SPACE) and _has_child_element(node):
                mixed[node] = None

    for entity in root.iter(etree.Entity):
        mixed[entity.getparent()] = None
    return list(mixed)


def _has_child_element(element: etree._Element) -> bool:
    # A child whose tag is a string is an element: comments, processing
    # instructions and entity references have a factory function as their tag.
    return any(isinstance(child.tag, str) for child in element)


def _serialize_element_only(root: etree._Element, prolog: str | None) -> str | None:
    """Serialize root indented by libxml2 after `prolog` if given, or return None.

    libxml2's pretty printer puts every child node on a line of its own, indented
    by two spaces per level, up to 60 spaces (MAX_INDENT in libxml2's xmlsave.c,
    checked with libxml2 2.14). An element with a text node or an entity
    reference among its children is written as it is. When no element has both
    text and child nodes and no line is 30 or more levels deep, this equals
    indent_keeping_mixed_content followed by serialization, without the pass
    that adds white space nodes to the tree. Otherwise return None.
    """
    if _has_text_beside_child_nodes(root):
        return None

    # lxml ends pretty-printed output with a new line.
    text = _serialize_node(root, prolog, pretty_print=True)
    # Text containing a new line followed by 60 spaces matches too, and only
    # sends the document down the slower path.
    if _DEEP_LINE_START in text:
        return None
    return text


def _has_text_beside_child_nodes(root: etree._Element) -> bool:
    if len(root) and root.text is not None:
        return True
    for node in root.iterdescendants():
        if node.tail is not None:
            return True
        if len(node) and node.text is not None:
            return True
    return False


def _serialize_node(
    node: etree._Element, prolog: str | None = None, *, pretty_print: bool = False
) -> str:
    """Serialize a node without its tail, after `prolog` and a new line if given.

    lxml writes its doctype argument as it is, so passing the prolog there
    spares copying a large document into a joined string.
    """
    from lxml import etree

    return etree.tostring(
        node,
        encoding="unicode",
        with_tail=False,
        doctype=prolog,
        pretty_print=pretty_print,
    )
