"""What crosses the network between a checkpoint's laptop, a hub and the hub above it: the
record batch (`records`), the daily report (`reports`), the codes of a hub's refusals
(`refusals`) and the constants both sides agree on. The laptop's client (`checkpoint.sync`) and
the hub (`checkpoint.hub`) both import from here and from nowhere else for the format; the
document for other systems is `docs/wire-format.md`."""

DEFAULT_BATCH = 2000
"""Records per request when the caller does not say (the CLI's --batch-size default)."""

PROBLEM_HEADER = "X-Checkpoint-Problem"
"""Header of a hub's 5xx answer naming what went wrong, for the client to say it plainly."""
DISK_FULL = "disk-full"
"""`PROBLEM_HEADER` of a 503 answered because the hub's disk is full (nothing was stored)."""
