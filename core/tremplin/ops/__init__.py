"""Operations: backups, restores and moving an installation from SQLite to PostgreSQL."""
