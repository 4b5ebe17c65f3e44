"""BrainCert Hook Studio: design, send and receive BrainCert LMS webhooks."""

from importlib import metadata

APP_NAME = "BrainCert Hook Studio"
DIST_NAME = "bchook-studio"

try:
    __version__ = metadata.version(DIST_NAME)
except metadata.PackageNotFoundError:  # a checkout on sys.path, never installed
    __version__ = "0.0.0+checkout"
