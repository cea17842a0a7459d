"""Sending the local log upward: wire schema, client, and the hub (`hub/`) that receives it."""

DEFAULT_BATCH = 2000
"""Records per request when the caller does not say (the CLI's --batch-size default)."""
