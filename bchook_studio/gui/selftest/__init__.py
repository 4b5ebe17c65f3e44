"""Self-test checks that need Qt or the editor: the platform plugin and lexers.

The checks that need no Qt are in `bchook_studio.core.selftest`.
"""
