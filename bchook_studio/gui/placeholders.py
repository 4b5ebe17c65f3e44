"""Fill the %1, %2… placeholders of translated strings in one pass, like QString.arg.

Chained `str.replace("%1", a).replace("%2", b)` goes wrong when a value itself
contains "%2", as URL-encoded text often does ("%20"). `fill` never looks
inside the values it inserts.
"""

import re

_PLACEHOLDER = re.compile(r"%([1-9])")


def fill(template: str, *values: object) -> str:
    """Return `template` with %1 replaced by the first value, %2 the second…

    A placeholder without a matching value is left as it is.
    """

    def replace(match: re.Match[str]) -> str:
        position = int(match.group(1)) - 1
        if position < len(values):
            return str(values[position])
        return match.group(0)

    return _PLACEHOLDER.sub(replace, template)
