"""XML bodies: the safe parser, well-formedness problems and pretty printing."""

import contextlib
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from bchook_studio.core.formats import (
    FormatError,
    FormatProblem,
    ParserLimit,
    check_xml,
    parse_xml,
    pretty_xml_text,
    safe_xml_parser,
    xml_text,
    xml_to_json,
)
from bchook_studio.core.formats.xml_text import (
    ENTITIES_MESSAGE,
    INTERNAL_SUBSET_MESSAGE,
    xml_bytes,
)

DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n'
    "<!DOCTYPE lolz [\n"
    ' <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{level} "' + f"&lol{level - 1 or ''};" * 10 + '">\n'
        for level in range(1, 10)
    )
    + "]>\n"
    "<lolz>&lol9;</lolz>\n"
)

QUADRATIC_BLOWUP = (
    '<!DOCTYPE a [<!ENTITY big "' + "x" * 100_000 + '">]>\n'
    "<a>" + "&big;" * 50_000 + "</a>"
)


class FifoWatch:
    """A named pipe that records whether anything opened it for reading.

    A reader blocks in open() until a writer appears. A background thread keeps
    trying a non-blocking open for writing, which succeeds only while a reader
    waits. It then writes a marker, so the reader goes on.
    """

    MARKER = b"FIFO-SECRET-MARKER"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.opened_by_reader = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        deadline = time.monotonic() + 30
        while not self._stop.is_set() and time.monotonic() < deadline:
            try:
                descriptor = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                time.sleep(0.005)
                continue
            self.opened_by_reader = True
            os.write(descriptor, self.MARKER)
            os.close(descriptor)
            return

    def __enter__(self) -> "FifoWatch":
        os.mkfifo(self.path)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


@contextlib.contextmanager
def watched_fifo(tmp_path: Path) -> Iterator[FifoWatch]:
    with FifoWatch(tmp_path / "secret") as watch:
        yield watch


needs_fifo = pytest.mark.skipif(
    not hasattr(os, "mkfifo") or sys.platform == "win32",
    reason="named pipes are a POSIX feature",
)


def test_check_xml_valid():
    assert check_xml("<a><b>1</b></a>") is None


def test_check_xml_mismatched_tag():
    problem = check_xml("<a>\n  <b>\n</c></a>")
    assert problem == FormatProblem(
        3, 5, "Opening and ending tag mismatch: b line 2 and c"
    )


def test_check_xml_message_without_position():
    problem = check_xml("<a>x</a><b/>")
    assert problem is not None
    assert problem.message == "Extra content at the end of the document"
    assert str(problem) == "1:9: Extra content at the end of the document"


def test_check_xml_column_counts_characters():
    problem = check_xml("<a>\n  é<b>ü</c></a>")
    assert problem is not None
    assert problem.line == 2
    assert problem.column == 12


@pytest.mark.parametrize("text", ["", "  \n", b"", b"\r\n"])
def test_check_xml_empty(text):
    assert check_xml(text) == FormatProblem(1, 1, "the document is empty")


def test_check_xml_undefined_entity():
    problem = check_xml("<a>&nbsp;</a>")
    assert problem is not None
    assert problem.message == "Entity 'nbsp' not defined"


def test_check_xml_utf8_declaration_str():
    text = f"{DECLARATION}\n<webhook>\n  <name>Zoë</name>\n</webhook>\n"
    assert check_xml(text) is None


def test_pretty_xml_utf8_declaration_str():
    text = f"{DECLARATION}<webhook><name>Zoë</name></webhook>"
    expected = f"{DECLARATION}\n<webhook>\n  <name>Zoë</name>\n</webhook>\n"
    assert pretty_xml_text(text) == expected


def test_pretty_xml_latin1_declaration_str():
    declaration = '<?xml version="1.0" encoding="ISO-8859-1"?>'
    text = f"{declaration}<a><b>é€</b></a>"
    expected = f"{declaration}\n<a>\n  <b>é€</b>\n</a>\n"
    assert pretty_xml_text(text) == expected


@pytest.mark.parametrize(
    "declaration",
    [
        "<?xml version='1.0' encoding='ISO-8859-1' standalone='yes'?>",
        '<?xml version="1.0"?>',
        '<?xml version="1.0" standalone="no" ?>',
        '<?xml  version = "1.1"\n  encoding = "UTF-16" ?>',
        '<?xml version="1.0" encoding="utf-8"?>',
    ],
    ids=["standalone", "version-only", "space", "multiline", "lower-case"],
)
def test_pretty_xml_keeps_declaration_verbatim(declaration):
    text = f"{declaration}<a><b>x</b></a>"
    expected = f"{declaration}\n<a>\n  <b>x</b>\n</a>\n"
    assert pretty_xml_text(text) == expected


def test_pretty_xml_no_declaration():
    assert pretty_xml_text("<a><b>x</b></a>") == "<a>\n  <b>x</b>\n</a>\n"


def test_pretty_xml_bom_not_shown():
    text = '\ufeff<?xml version="1.0"?><a/>'
    assert pretty_xml_text(text) == '<?xml version="1.0"?>\n<a/>\n'


def test_pretty_xml_stylesheet_kept():
    text = '<?xml-stylesheet href="a.xsl"?><a/>'
    assert pretty_xml_text(text) == '<?xml-stylesheet href="a.xsl"?>\n<a/>\n'


def test_pretty_xml_declared_is_idempotent():
    once = pretty_xml_text("<?xml version='1.0' encoding='UTF-16'?><a><b/></a>")
    assert pretty_xml_text(once) == once


def test_latin1_declaration_replaced_in_bytes():
    text = "<?xml version='1.0' encoding='ISO-8859-1'?><a/>"
    data = xml_bytes(text)
    assert data == b"<?xml version='1.0' encoding='UTF-8'     ?><a/>"


def test_latin1_declaration_keeps_columns():
    body = "<a>é</b>"
    latin1 = check_xml(f'<?xml version="1.0" encoding="ISO-8859-1"?>{body}')
    padded = check_xml(f'<?xml version="1.0" encoding="UTF-8"     ?>{body}')
    assert latin1 is not None
    assert latin1 == padded


def test_pretty_xml_latin1_bytes():
    declaration = '<?xml version="1.0" encoding="ISO-8859-1"?>'
    data = f"{declaration}<a>é</a>".encode("latin-1")
    assert pretty_xml_text(data) == f"{declaration}\n<a>é</a>\n"


def test_pretty_xml_utf16_bytes():
    declaration = '<?xml version="1.0" encoding="UTF-16"?>'
    data = f"{declaration}<a><b>ü</b></a>".encode("utf-16")
    assert pretty_xml_text(data) == f"{declaration}\n<a>\n  <b>ü</b>\n</a>\n"


def test_pretty_xml_utf16_bytes_without_bom():
    declaration = "<?xml version='1.0' encoding='UTF-16BE'?>"
    data = f"{declaration}<a>ü</a>".encode("utf-16-be")
    assert pretty_xml_text(data) == f"{declaration}\n<a>ü</a>\n"


def test_pretty_xml_utf8_bytes_with_bom():
    data = '\ufeff<?xml version="1.0"?><a>ü</a>'.encode()
    assert pretty_xml_text(data) == '<?xml version="1.0"?>\n<a>ü</a>\n'


def test_check_xml_utf16_declaration_str():
    assert check_xml('<?xml version="1.0" encoding="UTF-16"?><a>ü</a>') is None


def test_check_xml_bytes_with_bom():
    assert check_xml(b"\xef\xbb\xbf<a>\xc3\xa9</a>") is None


def test_check_xml_lone_surrogate():
    problem = check_xml("<a>\n x\ud800</a>")
    assert problem is not None
    assert problem.line == 2
    assert problem.column == 3
    assert "U+D800" in problem.message


def test_check_xml_too_deep():
    depth = 300
    problem = check_xml("<a>" * depth + "</a>" * depth)
    assert problem is not None
    assert problem.limit is ParserLimit.DEPTH
    assert (problem.line, problem.column) == (1, 257 * len("<a>"))
    assert problem.message == (
        "the document nests elements more than 256 levels deep, deeper than "
        "Hook Studio's XML parser reads"
    )


def test_check_xml_max_depth_reads():
    assert check_xml("<a>" * 256 + "</a>" * 256) is None


def test_check_xml_long_text_node():
    problem = check_xml("<a>" + "x" * 10_000_001 + "</a>")
    assert problem is not None
    assert problem.limit is ParserLimit.SIZE
    assert "XML_PARSE_HUGE" not in problem.message
    assert "10,000,000 bytes" in problem.message


def test_xml_syntax_problem_no_limit():
    problem = check_xml("<a><b></a>")
    assert problem is not None
    assert problem.limit is None


def test_billion_laughs_reported_quickly():
    started = time.perf_counter()
    problem = check_xml(BILLION_LAUGHS)
    elapsed = time.perf_counter() - started
    assert problem is not None
    assert problem.message == ENTITIES_MESSAGE
    assert problem.line == 3
    assert elapsed < 0.1


def test_billion_laughs_never_expanded():
    with pytest.raises(FormatError) as caught:
        pretty_xml_text(BILLION_LAUGHS)
    assert caught.value.problem.message == ENTITIES_MESSAGE


def test_quadratic_blowup_reported_quickly():
    started = time.perf_counter()
    problem = check_xml(QUADRATIC_BLOWUP)
    elapsed = time.perf_counter() - started
    assert problem is not None
    assert problem.message == ENTITIES_MESSAGE
    assert elapsed < 0.5


def test_entities_in_utf16_bytes_reported():
    data = BILLION_LAUGHS.replace('"1.0"?>', '"1.0" encoding="UTF-16"?>')
    problem = check_xml(data.encode("utf-16"))
    assert problem is not None
    assert problem.message == ENTITIES_MESSAGE


def test_internal_subset_without_entities():
    problem = check_xml("<!-- c -->\n<!DOCTYPE a [<!ELEMENT a ANY>]><a/>")
    assert problem == FormatProblem(2, 1, INTERNAL_SUBSET_MESSAGE)


def test_external_doctype_allowed():
    text = '<!DOCTYPE a SYSTEM "a.dtd"><a>&x;</a>'
    assert check_xml(text) is None


def test_external_doctype_entity_kept_raw():
    text = '<!DOCTYPE a SYSTEM "a.dtd"><a><b>&x;</b></a>'
    expected = '<!DOCTYPE a SYSTEM "a.dtd">\n<a>\n  <b>&x;</b>\n</a>\n'
    assert pretty_xml_text(text) == expected


@needs_fifo
def test_fifo_watch_detects_reader(tmp_path):
    # A parser that resolves entities does open the pipe, so the watch works.
    with watched_fifo(tmp_path) as watch:
        text = f'<!DOCTYPE a [<!ENTITY x SYSTEM "file://{watch.path}">]><a>&x;</a>'
        parser = etree.XMLParser(resolve_entities=True, no_network=True)
        root = etree.fromstring(text.encode(), parser)
    assert watch.opened_by_reader
    assert root.text == FifoWatch.MARKER.decode()


@needs_fifo
def test_external_entity_never_read(tmp_path):
    with watched_fifo(tmp_path) as watch:
        text = f'<!DOCTYPE a [<!ENTITY x SYSTEM "file://{watch.path}">]><a>&x;</a>'
        problem = check_xml(text)
        with pytest.raises(FormatError):
            pretty_xml_text(text)
        with pytest.raises(FormatError):
            xml_to_json(text)
    assert problem is not None
    assert problem.message == ENTITIES_MESSAGE
    assert not watch.opened_by_reader


@needs_fifo
def test_safe_parser_never_reads_files(tmp_path):
    # The parser on its own, without the DOCTYPE scan in front of it.
    with watched_fifo(tmp_path) as watch:
        documents = [
            f'<!DOCTYPE a [<!ENTITY x SYSTEM "file://{watch.path}">]><a>&x;</a>',
            f'<!DOCTYPE a [<!ENTITY % x SYSTEM "file://{watch.path}"> %x;]><a/>',
            f'<!DOCTYPE a SYSTEM "file://{watch.path}"><a/>',
        ]
        serialized = []
        for document in documents:
            root = etree.fromstring(document.encode(), safe_xml_parser())
            serialized.append(etree.tostring(root))
    assert not watch.opened_by_reader
    for output in serialized:
        assert FifoWatch.MARKER not in output


@needs_fifo
def test_utf16_external_entity_never_read(tmp_path):
    with watched_fifo(tmp_path) as watch:
        text = (
            '<?xml version="1.0" encoding="UTF-16"?>'
            f'<!DOCTYPE a [<!ENTITY x SYSTEM "file://{watch.path}">]><a>&x;</a>'
        )
        problem = check_xml(text.encode("utf-16"))
    assert problem is not None
    assert problem.message == ENTITIES_MESSAGE
    assert not watch.opened_by_reader


def test_safe_parser_never_connects():
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        url = f"http://127.0.0.1:{port}/x"
        external_dtd = f'<!DOCTYPE a SYSTEM "{url}"><a/>'
        general_entity = f'<!DOCTYPE a [<!ENTITY x SYSTEM "{url}">]><a>&x;</a>'
        parameter_entity = f'<!DOCTYPE a [<!ENTITY % x SYSTEM "{url}"> %x;]><a/>'
        for document in (external_dtd, general_entity, parameter_entity):
            etree.fromstring(document.encode(), safe_xml_parser())
        problems = [
            check_xml(document)
            for document in (external_dtd, general_entity, parameter_entity)
        ]

        server.setblocking(False)
        with pytest.raises(BlockingIOError):
            server.accept()

    assert problems[0] is None
    assert problems[1] == FormatProblem(1, 14, ENTITIES_MESSAGE)
    assert problems[2] == FormatProblem(1, 14, ENTITIES_MESSAGE)


def test_parse_xml_returns_tree():
    tree = parse_xml("<a><b>1</b></a>")
    assert tree.getroot().tag == "a"
    assert tree.getroot()[0].text == "1"


def test_pretty_xml_layout():
    text = "<a>  <b>x</b>\n\n<c><d>  y  </d><e/></c></a>"
    expected = "<a>\n  <b>x</b>\n  <c>\n    <d>  y  </d>\n    <e/>\n  </c>\n</a>\n"
    assert pretty_xml_text(text) == expected


def test_pretty_xml_keeps_comments_and_instructions():
    text = "<!-- before --><?app go?><a><!-- in --><b/></a><!-- after -->"
    expected = (
        "<!-- before -->\n"
        "<?app go?>\n"
        "<a>\n"
        "  <!-- in -->\n"
        "  <b/>\n"
        "</a>\n"
        "<!-- after -->\n"
    )
    assert pretty_xml_text(text) == expected


def test_pretty_xml_escapes():
    text = "<a t='&quot;&lt;'>&lt;&amp;&gt;<![CDATA[<x>]]>&#13;</a>"
    expected = '<a t="&quot;&lt;">&lt;&amp;&gt;&lt;x&gt;&#13;</a>\n'
    assert pretty_xml_text(text) == expected


def test_pretty_xml_idempotent():
    once = pretty_xml_text("<a><b><c>1</c></b><d/></a>")
    assert pretty_xml_text(once) == once


def test_pretty_xml_bad_input():
    with pytest.raises(FormatError) as caught:
        pretty_xml_text("<a><b></a>")
    assert caught.value.problem.line == 1
    assert caught.value.problem.message.startswith("Opening and ending tag mismatch")


def test_pretty_xml_keeps_mixed_content():
    text = "<a><p>Hi <b><i>x</i></b> there<!-- c --></p><q><r>1</r></q></a>"
    expected = (
        "<a>\n"
        "  <p>Hi <b><i>x</i></b> there<!-- c --></p>\n"
        "  <q>\n"
        "    <r>1</r>\n"
        "  </q>\n"
        "</a>\n"
    )
    assert pretty_xml_text(text) == expected


def reference_pretty_xml_text(text: str) -> str:
    """Pretty-print with XPath and etree.indent, as pretty_xml_text once did.

    The generated documents have no XML declaration, so none is written.
    """
    tree = parse_xml(text, remove_blank_text=True)
    root = tree.getroot()
    mixed = root.xpath("descendant-or-self::*[*][text()[normalize-space()]]")
    mixed.extend(entity.getparent() for entity in root.iter(etree.Entity))
    saved_texts = [(element, element.text) for element in mixed]
    saved_nodes = [
        (node, node.text, node.tail)
        for element in mixed
        for node in element.iterdescendants()
    ]
    etree.indent(root, space="  ")
    for element, element_text in saved_texts:
        element.text = element_text
    for node, node_text, tail in saved_nodes:
        if isinstance(node.tag, str):
            node.text = node_text
        node.tail = tail

    def serialize(node: etree._Element) -> str:
        return etree.tostring(node, encoding="unicode", with_tail=False)

    lines = []
    if tree.docinfo.doctype:
        lines.append(tree.docinfo.doctype)
    preceding = list(root.itersiblings(preceding=True))
    lines.extend(serialize(node) for node in reversed(preceding))
    lines.append(serialize(root))
    lines.extend(serialize(node) for node in root.itersiblings())
    lines.append("")
    return "\n".join(lines)


# Text between nodes: white space that the parser may keep or drop, and text
# that is not XML white space (a no-break space is not). Also escapes, CDATA,
# and a new line followed by 60 spaces, which looks like a line 30 levels deep.
XML_TEXTS = st.sampled_from(
    [
        " ",
        "\n",
        "\n    ",
        "\t\r\n",
        "x",
        " x ",
        "\xa0",
        "é€😀",
        "&lt;&amp;&gt;",
        "&#13;",
        "<![CDATA[<c>]]>",
        "<![CDATA[ ]]>",
        "a\n" + " " * 60 + "b",
        "&x;",
    ]
)
XML_MARKUP = st.sampled_from(["<!--c-->", "<!-- x\n  <y> -->", "<?pi?>", "<?pi a b?>"])
XML_ATTRIBUTES = st.sampled_from(
    ["", ' a="1"', ' xml:space="preserve"', ' b="&#10;&gt;&quot;"', ' xmlns:p="urn:p"']
)
XML_TAGS = st.sampled_from(["a", "b", "item"])


def xml_element(tag: str, attributes: str, content: list[str]) -> str:
    if not content:
        return f"<{tag}{attributes}/>"
    return f"<{tag}{attributes}>{''.join(content)}</{tag}>"


def xml_elements(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(
        xml_element, XML_TAGS, XML_ATTRIBUTES, st.lists(children, max_size=5)
    )


XML_NODES = st.recursive(
    st.one_of(
        XML_TEXTS,
        XML_MARKUP,
        st.builds(xml_element, XML_TAGS, XML_ATTRIBUTES, st.just([])),
    ),
    xml_elements,
    max_leaves=30,
)


def nest_xml(inner: str, depth: int) -> str:
    return "<d>" * depth + inner + "</d>" * depth


@st.composite
def xml_documents(draw: st.DrawFn) -> str:
    """Documents with prolog, nested content, mixed content and deep chains."""
    root = draw(xml_elements(XML_NODES))
    depth = draw(st.sampled_from([0, 0, 0, 28, 29, 30, 31, 40]))
    root = nest_xml(root, depth)
    prolog = "".join(draw(st.lists(st.one_of(XML_MARKUP, st.just("\n")), max_size=3)))
    epilog = "".join(draw(st.lists(XML_MARKUP, max_size=2)))
    # An entity reference needs a DOCTYPE with an external DTD to parse.
    if draw(st.booleans()):
        return f'{prolog}<!DOCTYPE a SYSTEM "a.dtd">{root}{epilog}'
    return prolog + root.replace("&x;", "x") + epilog


@settings(deadline=None, max_examples=400)
@given(xml_documents())
def test_pretty_xml_matches_reference(text):
    assert pretty_xml_text(text) == reference_pretty_xml_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "<a><b>1</b><!--c--><?pi x?><c/><d><e>2</e></d></a>",
        "<a><p>Hi <b>x</b> there</p><q>x<r/></q><s><t/>y</s></a>",
        "<a><p>Hi<!-- c --></p><q> <r/> </q></a>",
        '<a xml:space="preserve"> <b/> </a>',
        '<!DOCTYPE a SYSTEM "a.dtd"><a><b>&x;</b><c>1&x;<d/></c></a>',
        nest_xml("<x>1</x>", 29),
        nest_xml("<x>1</x>", 30),
        nest_xml("<x>1</x>", 45),
        "<a>" + "t<b/>" * 2000 + "</a>",
    ],
    ids=[
        "nodes",
        "mixed",
        "comment-text",
        "preserve",
        "entities",
        "depth-30",
        "depth-31",
        "depth-46",
        "many-tails",
    ],
)
def test_pretty_xml_cases_match_reference(text):
    assert pretty_xml_text(text) == reference_pretty_xml_text(text)


def test_element_only_uses_libxml2_indent():
    root = parse_xml("<a><b>1</b><!--c--><c><d/></c></a>").getroot()
    assert xml_text._serialize_element_only(root, "<?p?>") == (
        "<?p?>\n<a>\n  <b>1</b>\n  <!--c-->\n  <c>\n    <d/>\n  </c>\n</a>\n"
    )


@pytest.mark.parametrize(
    "text",
    [
        "<a>x<b/></a>",
        "<a><b/>x</a>",
        '<a xml:space="preserve"> <c/></a>',
        nest_xml("<x/>", 30),
    ],
    ids=["text", "tail", "blank", "deep"],
)
def test_element_only_declines(text):
    root = parse_xml(text, remove_blank_text=True).getroot()
    assert xml_text._serialize_element_only(root, DECLARATION) is None


def test_mixed_content_elements_listed_once():
    root = parse_xml("<a>x<b/>y<c>z<d/></c>w</a>").getroot()
    mixed = xml_text._mixed_content_elements(root)
    assert [element.tag for element in mixed] == ["a", "c"]
