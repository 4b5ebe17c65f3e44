"""Split a shell command into words as bash does for the common quoting forms.

Supported, with bash's rules:

- single quotes, inside which every character is literal;
- double quotes, inside which a backslash escapes only `$`, a backtick, `"`,
  a backslash and a new line, which it removes. Before any other character
  the backslash stays. `$"..."` reads the same;
- bash's ANSI-C strings `$'...'` with the escapes \\n \\t \\r \\a \\b \\f \\v
  \\e \\E \\\\ \\' \\" \\? \\xHH \\uHHHH \\UHHHHHHHH \\NNN (octal) and \\cX; a
  NUL ends the string's value there, because an argument cannot contain one;
- a backslash outside quotes, which makes the next character literal, and a
  backslash before a new line, which joins the lines;
- a `#` that starts a word, which starts a comment up to the end of the line.

Nothing is expanded: `$NAME`, `${...}`, `$(...)` and backticks stay in the
words as written, and so do `;`, `|`, `&`, `<`, `>` and brackets. A new line
outside quotes separates words as a space does, so a command spread over lines
without continuations still reads as one. A backslash before CR LF joins lines
as it does before LF, for files saved on Windows.
"""

_BLANKS = frozenset(" \t\r\n")
_DOUBLE_QUOTE_ESCAPES = frozenset('$`"\\')
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_OCTAL_DIGITS = frozenset("01234567")

_ANSI_C_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "e": "\x1b",
    "E": "\x1b",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}

# Escapes of $'...' that take hexadecimal digits, and their maximum count.
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}

MAX_CODE_POINT = 0x10FFFF


class ShellSyntaxError(ValueError):
    """A command that cannot be split, such as one with an unclosed quote."""


def split_shell_words(text: str) -> list[str]:
    """Return the words of `text`, or raise ShellSyntaxError for an open quote.

    Bytes that `\\xHH` or octal escapes produce and that are not UTF-8 are kept
    as surrogate escapes, so `word.encode("utf-8", "surrogateescape")` gives
    the bytes bash would pass.
    """
    words: list[str] = []
    current: list[str] = []
    started = False
    index = 0
    while index < len(text):
        char = text[index]
        if char in _BLANKS:
            if started:
                words.append("".join(current))
                current = []
                started = False
            index += 1
        elif char == "#" and not started:
            newline = text.find("\n", index)
            index = len(text) if newline < 0 else newline
        elif char == "\\":
            continuation = _continuation_length(text, index + 1)
            if continuation:
                index += 1 + continuation
                continue
            if index + 1 < len(text):
                current.append(text[index + 1])
                index += 2
            else:
                # A backslash that ends the text stays, as in bash.
                current.append("\\")
                index += 1
            started = True
        elif char == "'":
            end = text.find("'", index + 1)
            if end < 0:
                raise ShellSyntaxError("a single-quoted string has no closing quote")
            current.append(text[index + 1 : end])
            started = True
            index = end + 1
        elif char == '"' or text.startswith('$"', index):
            start = index + (1 if char == '"' else 2)
            index = _read_double_quoted(text, start, current)
            started = True
        elif text.startswith("$'", index):
            index = _read_ansi_c(text, index + 2, current)
            started = True
        else:
            current.append(char)
            started = True
            index += 1

    if started:
        words.append("".join(current))
    return words


def _continuation_length(text: str, index: int) -> int:
    """Return the length of the line break at `index` (LF or CR LF), or 0."""
    if text.startswith("\n", index):
        return 1
    if text.startswith("\r\n", index):
        return 2
    return 0


def _read_double_quoted(text: str, index: int, output: list[str]) -> int:
    """Append the value of a "..." string starting at `index`; return its end."""
    while index < len(text):
        char = text[index]
        if char == '"':
            return index + 1
        if char != "\\":
            output.append(char)
            index += 1
            continue

        continuation = _continuation_length(text, index + 1)
        following = text[index + 1 : index + 2]
        if continuation:
            index += 1 + continuation
        elif following in _DOUBLE_QUOTE_ESCAPES and following:
            output.append(following)
            index += 2
        else:
            output.append("\\")
            index += 1
    raise ShellSyntaxError("a double-quoted string has no closing quote")


def _read_ansi_c(text: str, index: int, output: list[str]) -> int:
    """Append the value of a $'...' string starting after `$'`; return its end."""
    data = bytearray()
    ended = False
    while index < len(text):
        char = text[index]
        if char == "'":
            output.append(data.decode("utf-8", "surrogateescape"))
            return index + 1
        if char == "\\" and index + 1 < len(text):
            value, index = _ansi_c_escape(text, index + 1)
        else:
            value, index = char.encode("utf-8", "surrogateescape"), index + 1
        if b"\0" in value:
            # bash ends the string's value at a NUL and skips the rest of it.
            value = value[: value.index(b"\0")]
            if not ended:
                data += value
            ended = True
        elif not ended:
            data += value
    raise ShellSyntaxError("a $'...' string has no closing quote")


def _ansi_c_escape(text: str, index: int) -> tuple[bytes, int]:
    """Decode the escape whose letter is at `index`; return its bytes and the end."""
    escape = text[index]
    index += 1
    if escape in _ANSI_C_ESCAPES:
        return _ANSI_C_ESCAPES[escape].encode(), index

    if escape in _HEX_ESCAPES:
        digits = _take(text, index, _HEX_DIGITS, _HEX_ESCAPES[escape])
        if not digits:
            return ("\\" + escape).encode(), index
        value = int(digits, 16)
        if escape == "x":
            return bytes([value]), index + len(digits)
        if value > MAX_CODE_POINT:
            return ("\\" + escape + digits).encode(), index + len(digits)
        return chr(value).encode("utf-8", "surrogatepass"), index + len(digits)

    if escape in _OCTAL_DIGITS:
        digits = escape + _take(text, index, _OCTAL_DIGITS, 2)
        return bytes([int(digits, 8) & 0xFF]), index + len(digits) - 1

    if escape == "c" and index < len(text):
        control = text[index]
        code = 0x7F if control == "?" else ord(control.upper()) & 0x1F
        return bytes([code]), index + 1

    return ("\\" + escape).encode("utf-8", "surrogateescape"), index


def _take(text: str, index: int, allowed: frozenset[str], limit: int) -> str:
    end = index
    while end < len(text) and end - index < limit and text[end] in allowed:
        end += 1
    return text[index:end]
