"""Everything the CLI and tests drive. Nothing in this package imports Qt."""
