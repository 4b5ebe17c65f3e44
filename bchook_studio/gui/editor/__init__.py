"""The code editor widget and its incremental syntax highlighting."""
