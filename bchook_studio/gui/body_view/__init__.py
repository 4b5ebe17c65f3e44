"""A read-only view for response bodies of any size, painted a line at a time."""
