"""BrainCert Hook Studio: design, send and receive BrainCert LMS webhooks."""

import os
import sys

APP_NAME = "BrainCert Hook Studio"
DIST_NAME = "bchook-studio"

_METADATA_PREFIX = "bchook_studio-"
_METADATA_SUFFIX = ".dist-info"


def _installed_version() -> str:
    """Return the version of the installed distribution.

    An installed wheel, an editable install and the frozen app's bundle each
    hold a `bchook_studio-<version>.dist-info` folder on sys.path, named so by
    the wheel format. Reading the version from that name spares the window
    importing importlib.metadata, whose email and zipfile modules cost about
    20 ms and 3 MiB at start-up. When the first sys.path entry that has such a
    folder has more than one, importlib.metadata picks the version.
    """
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        found = [
            name
            for name in names
            if name.lower().startswith(_METADATA_PREFIX)
            and name.endswith(_METADATA_SUFFIX)
        ]
        if len(found) == 1:
            return found[0][len(_METADATA_PREFIX) : -len(_METADATA_SUFFIX)]
        if found:
            break
    return _metadata_version()


def _metadata_version() -> str:
    from importlib import metadata

    try:
        return metadata.version(DIST_NAME)
    except metadata.PackageNotFoundError:  # a checkout on sys.path, never installed
        return "0.0.0+checkout"


__version__ = _installed_version()
