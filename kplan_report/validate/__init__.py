"""Loading ``source/`` and checking it, within and across files; the message format."""
