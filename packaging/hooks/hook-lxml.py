"""Collect no lxml submodules beyond those the app imports.

The contributed hook collects every lxml submodule (objectify, html, isoschematron
and more, about 5 MB). The app imports only `lxml.etree`, whose own hook adds
the modules etree loads from C code.
"""

hiddenimports: list[str] = []
