"""Times written as BrainCert's events write them."""

from datetime import UTC, datetime


def format_iso(moment: datetime) -> str:
    """Write a time as BrainCert's events do: UTC, milliseconds and a Z."""
    utc = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
