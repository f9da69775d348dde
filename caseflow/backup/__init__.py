"""Backup and restore of the whole database (SQLite backup API or pg_dump), optionally
encrypted with BACKUP_KEY. ``services`` does the work; ``cli`` adds the commands."""
