"""Messages from core errors and values, shaped as words for dialogs and labels."""


def as_sentence(text: str) -> str:
    """Return `text` with a capital first letter and a final full stop.

    Core error messages start in lower case and may lack the stop, as the
    command line prints them after "error: ".
    """
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def kind_words(kind: str) -> str:
    """Return a failure kind as words: "read_timeout" becomes "read timeout"."""
    return kind.replace("_", " ")
