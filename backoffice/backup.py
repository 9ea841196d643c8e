"""Consistent database dumps and their restore.

PostgreSQL: pg_dump's custom format (one snapshot, so consistent while the site runs) and pg_restore in a
single transaction. SQLite: the online backup API, page by page from a live connection, and the same API in
reverse. The dump's first bytes say which kind it is, so `restore` needs no format flag.
"""
import os
import sqlite3
import subprocess
from pathlib import Path

import dj_database_url
from django.db import connections

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    pass


def database_settings(*, alias="default", url=None):
    """The settings dict of a configured alias, or of a database given by URL (a scratch target, say)."""
    if url:
        return dj_database_url.parse(url)
    return connections[alias].settings_dict


def vendor(settings_dict):
    engine = settings_dict["ENGINE"]
    if "postgresql" in engine:
        return "postgresql"
    if "sqlite3" in engine:
        return "sqlite"
    raise BackupError(f"Backups support PostgreSQL and SQLite, not {engine}.")


def backup(path, *, alias="default", url=None):
    """Write a dump to `path` (via a .partial file renamed at the end, so a failed run leaves no half dump)."""
    settings_dict = database_settings(alias=alias, url=url)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if vendor(settings_dict) == "postgresql":
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(partial)], settings_dict)
        else:
            source = _sqlite_source(alias, url, settings_dict)
            target = sqlite3.connect(partial)
            try:
                source.backup(target)
            finally:
                target.close()
                if url:
                    source.close()
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def restore(path, *, alias="default", url=None):
    """Replace the database's contents with the dump at `path`. Stop the web and worker processes first."""
    settings_dict = database_settings(alias=alias, url=url)
    path = Path(path)
    with open(path, "rb") as f:
        head = f.read(16)
    kind = vendor(settings_dict)
    if not url:
        connections[alias].close()
    if head.startswith(PG_MAGIC):
        if kind != "postgresql":
            raise BackupError(f"{path} is a PostgreSQL dump; the target database is {kind}.")
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
              "--exit-on-error", "--dbname", str(settings_dict["NAME"]), str(path)], settings_dict)
    elif head.startswith(SQLITE_MAGIC):
        if kind != "sqlite":
            raise BackupError(f"{path} is a SQLite backup; the target database is {kind}.")
        _sqlite_restore(path, alias, url, settings_dict)
    elif kind == "postgresql":
        # A plain-SQL dump (pg_dump without --format=custom), e.g. made by hand.
        _run(["psql", "--quiet", "--single-transaction", "-v", "ON_ERROR_STOP=1", "--file", str(path)], settings_dict)
    else:
        raise BackupError(f"{path} is neither a PostgreSQL dump nor a SQLite backup.")


def _pg_env(settings_dict):
    env = dict(os.environ)
    options = settings_dict.get("OPTIONS") or {}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"),
                     ("NAME", "PGDATABASE")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    if options.get("sslmode"):
        env["PGSSLMODE"] = options["sslmode"]
    return env


def _run(argv, settings_dict):
    # Connection details, the password included, travel in the environment, never on the command line
    # where `ps` would show them.
    try:
        result = subprocess.run(argv, env=_pg_env(settings_dict), capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(f"{argv[0]} is not installed; install the PostgreSQL client of the server's major version.")
    if result.returncode != 0:
        raise BackupError(f"{argv[0]} failed ({result.returncode}): {result.stderr.strip()}")


def _sqlite_source(alias, url, settings_dict):
    if url:
        return sqlite3.connect(settings_dict["NAME"])
    # Django's own connection also reaches the in-memory database the test runner uses.
    connection = connections[alias]
    connection.ensure_connection()
    return connection.connection


def _sqlite_restore(path, alias, url, settings_dict):
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"{path} fails SQLite's integrity check.")
        target = _sqlite_source(alias, url, settings_dict)
        try:
            source.backup(target)
        finally:
            if url:
                target.close()
    finally:
        source.close()
