"""bchook_studio.app's faster replacement for PySide6's check of imported modules."""

import inspect
import linecache
import sys

import pytest

import bchook_studio.app  # installs the replacement
import bchook_studio.core.caps
import bchook_studio.gui.single_instance

feature = sys.modules.get("shibokensupport.feature")
pytestmark = pytest.mark.skipif(
    not hasattr(feature, "_mod_uses_pyside"),
    reason="this PySide6 has no shibokensupport.feature._mod_uses_pyside",
)


def _check(module) -> bool:
    return feature._mod_uses_pyside(module)


def test_check_replaced():
    assert getattr(feature._mod_uses_pyside, "reads_bytes", False)


def test_check_finds_pyside_user():
    assert _check(bchook_studio.gui.single_instance) is True


def test_check_passes_core_module():
    assert _check(bchook_studio.core.caps) is False


def test_check_matches_source_search():
    modules = [
        module
        for module in list(sys.modules.values())
        if isinstance(getattr(module, "__file__", None), str)
        and module.__file__.endswith(".py")
    ]
    assert len(modules) > 100
    for module in modules:
        assert _check(module) is _source_names_pyside(module), module.__name__


def _source_names_pyside(module) -> bool:
    """The original check: inspect.getsource, and False where it fails."""
    try:
        return "PySide6" in inspect.getsource(module)
    except (OSError, TypeError, SyntaxError):
        # An empty file, for one, has no source lines to return.
        return False


def test_check_leaves_linecache_empty():
    linecache.clearcache()
    _check(bchook_studio.core.caps)
    assert bchook_studio.core.caps.__file__ not in linecache.cache


def test_check_of_builtin_module():
    assert _check(sys) is False
