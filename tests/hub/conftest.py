"""The hub's tests use the same real hub, logs and PostgreSQL database as the sync client's
(`tests/sync/conftest.py` defines them once)."""

from tests.sync.conftest import hub, log, pg_url

__all__ = ["hub", "log", "pg_url"]
