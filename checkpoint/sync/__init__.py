"""Sending the local log upward: wire schema, client, and the hub (`hub/`) that receives it."""
