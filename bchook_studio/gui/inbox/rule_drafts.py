"""Response rules as the rules editor stores them while the user types.

A draft keeps each field as entered, so a half-typed value is not lost. The
rule is built from it only when the dialog checks or applies the list.
"""

from dataclasses import dataclass, replace

from bchook_studio.core.receiver import Fault, RequiredCredentials, ResponseRule

NEW_RULE_PREFIX = "/webhook"
"""The path prefix of a rule added in the editor, the path of receiver:/webhook."""


@dataclass(frozen=True)
class RuleDraft:
    """The fields of one rule in the editor, as text and numbers."""

    name: str = ""
    path_prefix: str = "/"
    status: int = 200
    delay_ms: int = 0
    headers_text: str = ""
    """Response headers, one `Name: value` per line."""

    body_text: str = ""
    binary_body: bytes | None = None
    """A body that is not UTF-8, kept as it is until `body_text` is typed."""

    require_credentials: bool = False
    username: str = ""
    password: str = ""
    fault: Fault = Fault.NONE
    slow_interval_ms: int = 50

    def with_changes(self, **changes: object) -> "RuleDraft":
        """Return a copy with the given fields replaced."""
        return replace(self, **changes)


def draft_from_rule(rule: ResponseRule) -> RuleDraft:
    """Return the editor fields of `rule`."""
    try:
        body_text, binary_body = rule.body.decode("utf-8"), None
    except UnicodeDecodeError:
        body_text, binary_body = "", rule.body
    credentials = rule.credentials
    return RuleDraft(
        name=rule.name,
        path_prefix=rule.path_prefix,
        status=rule.status,
        delay_ms=rule.delay_ms,
        headers_text="\n".join(f"{name}: {value}" for name, value in rule.headers),
        body_text=body_text,
        binary_body=binary_body,
        require_credentials=credentials is not None,
        username=credentials.username if credentials else "",
        password=credentials.password if credentials else "",
        fault=rule.fault,
        slow_interval_ms=rule.slow_interval_ms,
    )


def parse_header_lines(text: str) -> tuple[tuple[str, str], ...]:
    """Return the `Name: value` lines of `text` as pairs; blank lines are skipped.

    Raises ValueError naming a line without a colon. The names and values are
    checked when the rule is built.
    """
    headers = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon:
            raise ValueError(
                f"response header line {number}, {line.strip()!r}, has no colon. "
                "Write it as 'Name: value'."
            )
        headers.append((name.strip(" \t"), value.strip(" \t")))
    return tuple(headers)


def build_rule(draft: RuleDraft, is_last: bool) -> ResponseRule:
    """Return the rule the draft describes, or raise ValueError naming the bad value.

    The last rule matches every request, so its prefix is always "/".
    """
    credentials = None
    if draft.require_credentials:
        credentials = RequiredCredentials(draft.username, draft.password)
    body = draft.body_text.encode("utf-8")
    if draft.binary_body is not None and not draft.body_text:
        body = draft.binary_body
    return ResponseRule(
        path_prefix="/" if is_last else draft.path_prefix.strip(),
        status=draft.status,
        delay_ms=draft.delay_ms,
        headers=parse_header_lines(draft.headers_text),
        body=body,
        credentials=credentials,
        fault=draft.fault,
        slow_interval_ms=draft.slow_interval_ms,
        name=draft.name.strip(),
    )
