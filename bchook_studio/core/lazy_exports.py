"""Package attributes imported from their submodules on first access (PEP 562).

A package whose `__init__` imports every submodule makes importing any one of
them load them all, SQLite or h11 included. A package that lists its public
names here loads each defining submodule only when the name is first read.
"""

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, submodules: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return `__getattr__` and `__dir__` for `package`.

    `submodules` maps each public name to the module that defines it.
    """

    def __getattr__(name: str) -> Any:  # noqa: N807 - the module hook's name
        module_name = submodules.get(name)
        if module_name is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module_name), name)
        # Later reads find the value without calling this hook again.
        setattr(importlib.import_module(package), name, value)
        return value

    def __dir__() -> list[str]:  # noqa: N807 - the module hook's name
        names = set(vars(importlib.import_module(package)))
        return sorted(names | set(submodules))

    return __getattr__, __dir__
