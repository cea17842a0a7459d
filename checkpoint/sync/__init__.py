"""Sending the local log upward: wire schema, client, and the hub (`hub/`) that receives it."""

DEFAULT_BATCH = 2000
"""Records per request when the caller does not say (the CLI's --batch-size default)."""

PROBLEM_HEADER = "X-Checkpoint-Problem"
"""Header of a hub's 5xx answer naming what went wrong, for the client to say it plainly."""
DISK_FULL = "disk-full"
"""`PROBLEM_HEADER` of a 503 answered because the hub's disk is full (nothing was stored)."""
