"""Qt widgets and models; they call bchook_studio.core, never the reverse."""
