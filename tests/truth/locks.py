"""The lock probe of the truth suite: what a migration step does to a live table.

Two kinds, both on PostgreSQL and both deterministic (polling, no fixed sleeps):

* hold (`locks = { table = "t", ... }`): env.py pauses the migration right
  before alembic commits (it waits for an advisory lock the runner holds), so
  every lock the step took is still held. The runner reads them from
  `pg_locks`, tries a plain `SELECT` and an `INSERT` from another session with
  a short `lock_timeout`, then lets the migration commit, and compares the
  table's file node before and after (a changed node = the table was rewritten).
* blocker (`blocker = { table = "t", mode = "ACCESS SHARE", ... }`): another
  session holds a lock on the table (a long `SELECT` holds ACCESS SHARE) while
  the step runs. The runner records which lock the step waits for, and whether
  a `SELECT` that arrives after it must wait too (the lock queue).
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass

HOLD_KEY = 7101  # the advisory lock key env.py waits on (per database)
PROBE_TIMEOUT = "200ms"  # lock_timeout of the probing SELECT/INSERT
POLL = 0.02

# strongest last (PostgreSQL's table lock modes in conflict order)
MODES = [
    "AccessShareLock", "RowShareLock", "RowExclusiveLock", "ShareUpdateExclusiveLock",
    "ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock",
]

ENV_HOLD = '''
def _truth_hold(connection) -> None:
    """Lock probe (tests/truth/locks.py): wait, transaction still open."""
    import os
    key = os.environ.get("MIGLINT_TRUTH_HOLD")
    if key:
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock_shared({int(key)})")
'''


class LockCaseError(Exception):
    pass


@dataclass
class LockExpect:
    kind: str  # "hold" | "blocker"
    table: str
    mode: str | None = None  # hold: strongest mode held; blocker: the mode waited for
    select: str | None = None  # "runs" | "waits"
    insert: str | None = None  # "runs" | "waits"
    insert_sql: str | None = None
    rewrite: bool | None = None
    blocker_mode: str | None = None  # blocker: LOCK TABLE ... IN <mode> MODE
    keep: bool = False  # blocker: hold it until the step exits (a lock_timeout fires)


def parse(t: dict, what: str) -> LockExpect | None:
    if "locks" in t and "blocker" in t:
        raise LockCaseError(f"{what}: give locks or blocker, not both")
    for key, kind in (("locks", "hold"), ("blocker", "blocker")):
        if key not in t:
            continue
        d = t[key]
        allowed = {"table", "mode", "select", "insert", "insert-sql", "rewrite"}
        if kind == "blocker":
            allowed = {"table", "holds", "waits-for", "select", "keep"}
        unknown = set(d) - allowed
        if unknown or "table" not in d:
            raise LockCaseError(f"{what}: {key} needs table; unknown keys {sorted(unknown)}")
        for k in ("select", "insert"):
            if k in d and d[k] not in ("runs", "waits"):
                raise LockCaseError(f"{what}: {key}.{k} must be \"runs\" or \"waits\"")
        if ("insert" in d) != ("insert-sql" in d):
            raise LockCaseError(f"{what}: {key}.insert needs insert-sql (and the reverse)")
        mode = d.get("mode", d.get("waits-for"))
        if mode is not None and mode not in MODES:
            raise LockCaseError(f"{what}: {key}: unknown lock mode {mode!r}; one of {MODES}")
        return LockExpect(
            kind=kind, table=d["table"], mode=mode, select=d.get("select"),
            insert=d.get("insert"), insert_sql=d.get("insert-sql"), rewrite=d.get("rewrite"),
            blocker_mode=d.get("holds", "ACCESS SHARE") if kind == "blocker" else None,
            keep=bool(d.get("keep", False)),
        )
    return None


def _filenode(conn, table: str):
    return conn.execute("SELECT pg_relation_filenode(to_regclass(%s))", (table,)).fetchone()[0]


def _try(pg, db: str, sql: str, rollback: bool) -> str:
    """`runs` or `waits` (cancelled by the short lock_timeout)."""
    conn = pg.psycopg.connect(pg.dsn(db))
    try:
        conn.execute(f"SET lock_timeout = '{PROBE_TIMEOUT}'")
        try:
            conn.execute(sql)
            return "runs"
        except pg.psycopg.errors.LockNotAvailable:
            return "waits"
        finally:
            conn.rollback()
    finally:
        conn.close()


def _waiting_pid(admin, where: str, args: tuple):
    row = admin.execute(
        "SELECT l.pid, l.mode FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
        f"WHERE d.datname = current_database() AND NOT l.granted AND {where}", args,
    ).fetchone()
    return row


def run_step(pg, db: str, cmd: list[str], cwd, env: dict, timeout: int, e: LockExpect):
    """Runs one alembic step under the probe; returns (rc, output, shown, problems)."""
    admin = pg.connect(db)
    shown: list[str] = []
    problems: list[str] = []
    holder = None
    try:
        before = _filenode(admin, e.table)
        env = dict(env)
        if e.kind == "hold":
            admin.execute("SELECT pg_advisory_lock(%s)", (HOLD_KEY,))
            env["MIGLINT_TRUTH_HOLD"] = str(HOLD_KEY)
        else:
            holder = pg.psycopg.connect(pg.dsn(db))
            holder.execute(f"LOCK TABLE {e.table} IN {e.blocker_mode} MODE")
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, errors="replace")
        deadline = time.monotonic() + timeout
        waiting = None
        while proc.poll() is None and time.monotonic() < deadline:
            if e.kind == "hold":
                waiting = _waiting_pid(admin, "l.locktype = 'advisory' AND l.objid = %s", (HOLD_KEY,))
            else:
                waiting = _waiting_pid(admin, "l.relation = to_regclass(%s)", (e.table,))
            if waiting:
                break
            time.sleep(POLL)
        if e.kind == "hold":
            if waiting:
                rows = admin.execute(
                    "SELECT mode FROM pg_locks WHERE pid = %s AND relation = to_regclass(%s) AND granted",
                    (waiting[0], e.table),
                ).fetchall()
                held = max((r[0] for r in rows), key=MODES.index, default=None)
                shown.append(f"holds {held or 'no lock'} on {e.table}")
                if e.mode is not None and held != e.mode:
                    problems.append(f"{e.table}: holds {held}, expected {e.mode}")
                _probe(pg, db, e, shown, problems)
            elif e.mode is not None or e.select or e.insert:
                problems.append("the step ended before reaching the hold point")
            admin.execute("SELECT pg_advisory_unlock(%s)", (HOLD_KEY,))
        else:
            if waiting:
                shown.append(f"waits for {waiting[1]} behind {e.blocker_mode}")
                if e.mode is not None and waiting[1] != e.mode:
                    problems.append(f"waits for {waiting[1]}, expected {e.mode}")
                if e.select:
                    got = _try(pg, db, f"SELECT 1 FROM {e.table} LIMIT 1", True)
                    shown.append(f"a later SELECT {got}")
                    if got != e.select:
                        problems.append(f"a SELECT arriving after it {got}, expected {e.select}")
            elif e.mode is not None or e.select:
                problems.append("the step did not wait for the blocker")
            if e.keep:
                try:
                    proc.wait(timeout=max(1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    pass
                shown.append("blocker kept until the step ended")
            holder.rollback()
        try:
            out, _ = proc.communicate(timeout=max(1, deadline - time.monotonic()))
            rc = proc.returncode
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
            rc, out = -1, (out or "") + f"\nTimeoutExpired: alembic took over {timeout}s"
        if e.rewrite is not None and rc == 0:
            after = _filenode(admin, e.table)
            rewritten = before is not None and after != before
            shown.append("table rewritten" if rewritten else "no rewrite")
            if rewritten != e.rewrite:
                problems.append(f"rewrite {rewritten}, expected {e.rewrite}")
        return rc, out or "", shown, problems
    finally:
        if holder is not None:
            holder.close()
        admin.close()


def _probe(pg, db: str, e: LockExpect, shown: list[str], problems: list[str]) -> None:
    if e.select:
        got = _try(pg, db, f"SELECT 1 FROM {e.table} LIMIT 1", True)
        shown.append(f"SELECT {got}")
        if got != e.select:
            problems.append(f"a SELECT {got}, expected {e.select}")
    if e.insert:
        got = _try(pg, db, e.insert_sql, True)
        shown.append(f"INSERT {got}")
        if got != e.insert:
            problems.append(f"an INSERT {got}, expected {e.insert}")
