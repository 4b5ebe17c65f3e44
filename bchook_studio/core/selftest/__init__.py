"""Checks that an installed or frozen copy of the app has everything it runs on.

`bchook-studio self-test` runs them. They read only what the running package
loads: its modules and the resources `core.resources` finds for it. Run from a
frozen bundle, a pass therefore shows that the bundle carries what the app
needs. The Qt checks are in `bchook_studio.gui.selftest`.
"""
