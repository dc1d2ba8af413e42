"""Kept for older imports: the throw-away PostgreSQL server lives in tremplin.testing."""

from tremplin.testing.postgres import PostgresServer

__all__ = ["PostgresServer"]
