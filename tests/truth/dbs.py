"""The databases of the truth suite (tests/truth/run.py): a private PostgreSQL
cluster and a private MariaDB server, both started by scripts/truth, and
SQLite files; one fresh database per case and dialect. The `db_*` helpers
read what a run left behind (catalog defaults, probes, tables, the alembic
version), whatever the dialect.
"""

from __future__ import annotations

import threading


class Postgres:
    def __init__(self, port: int):
        import psycopg

        self.psycopg = psycopg
        self.port = port
        self.lock = threading.Lock()
        self.n = 0
        self.admin = psycopg.connect(self.dsn("postgres"), autocommit=True)

    def dsn(self, db: str) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={db}"

    def version(self) -> str:
        return self.admin.execute("SHOW server_version").fetchone()[0].split()[0]

    def new_database(self) -> str:
        with self.lock:
            self.n += 1
            db = f"truth_{self.n}"
            self.admin.execute(f'CREATE DATABASE "{db}"')
        return db

    def url(self, db: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{db}"

    def connect(self, db: str):
        return self.psycopg.connect(self.dsn(db), autocommit=True)


def db_default(dialect: str, conn, table: str, column: str) -> str | None:
    if dialect == "postgresql":
        row = conn.execute(
            "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a "
            "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
            "WHERE a.attrelid = to_regclass(%s) AND a.attname = %s",
            (table, column),
        ).fetchone()
    elif dialect == "mariadb":
        row = conn.execute(
            "SELECT column_default FROM information_schema.columns "
            "WHERE table_schema = DATABASE() AND table_name = %s AND column_name = %s",
            (table, column),
        ).fetchone()
    else:
        row = next((r[4:5] for r in conn.execute(f'PRAGMA table_info("{table}")') if r[1] == column), None)
    if row is None:
        raise LookupError(f"no column {table}.{column}")
    return row[0]


def db_probe(dialect: str, conn, statements: list[str]) -> tuple[str | None, str | None]:
    """Runs the statements; returns (first row of the last one, or None) or the error."""
    try:
        result = None
        for sql in statements:
            cur = conn.execute(sql)
            result = cur.fetchone() if cur.description else None
        if dialect == "sqlite":
            conn.commit()
        if result is None:
            return None, None
        return "|".join("NULL" if v is None else str(v) for v in result), None
    except Exception as e:  # the driver's error is the probe's result
        if dialect == "sqlite":
            conn.rollback()
        return None, f"{type(e).__module__}.{type(e).__name__}: {e}".splitlines()[0]


def db_tables(dialect: str, conn) -> set[str]:
    if dialect == "postgresql":
        q = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    elif dialect == "mariadb":
        q = "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
    else:
        q = "SELECT name FROM sqlite_master WHERE type = 'table'"
    return {r[0] for r in conn.execute(q).fetchall()}


def db_version(dialect: str, conn) -> str:
    if "alembic_version" not in db_tables(dialect, conn):
        return ""
    return ",".join(sorted(r[0] for r in conn.execute("SELECT version_num FROM alembic_version").fetchall()))


class _MyConnection:
    """A PyMySQL connection with the `execute()` of psycopg and sqlite3."""

    def __init__(self, conn):
        self.conn = conn

    def execute(self, sql: str, args=None):
        cur = self.conn.cursor()
        cur.execute(sql, args)
        return cur

    def commit(self) -> None:
        self.conn.commit()

    def rollback(self) -> None:
        self.conn.rollback()

    def close(self) -> None:
        self.conn.close()


class MariaDB:
    """The private MariaDB server of scripts/truth (`--skip-grant-tables`: any
    user, all privileges; bound to 127.0.0.1)."""

    def __init__(self, port: int):
        import pymysql

        self.pymysql = pymysql
        self.port = port
        self.lock = threading.Lock()
        self.n = 0
        self.admin = self.connect(None)

    def version(self) -> str:
        return self.admin.execute("SELECT VERSION()").fetchone()[0]

    def new_database(self) -> str:
        with self.lock:
            self.n += 1
            db = f"truth_{self.n}"
            self.admin.execute(f"CREATE DATABASE `{db}`")
        return db

    def url(self, db: str) -> str:
        return f"mysql+pymysql://root@127.0.0.1:{self.port}/{db}"

    def connect(self, db: str | None) -> _MyConnection:
        return _MyConnection(self.pymysql.connect(
            host="127.0.0.1", port=self.port, user="root", database=db, autocommit=True))
