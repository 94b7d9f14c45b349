"""miglint's truth suite: every case in tests/truth/cases/ is a tiny Alembic
project that is run with the real `alembic` CLI against fresh databases
(PostgreSQL, SQLite, MariaDB, and MySQL in offline `--sql` mode), and linted with
miglint. The case's case.toml says what each database must do and which
codes miglint must report. See tests/truth/README.md.

Run it through scripts/truth, which installs the environment and starts a
private PostgreSQL cluster and MariaDB server; this file only needs the venv's
Python.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import locks
from report import DIALECTS, write_verified
from dbs import MariaDB, Postgres, db_default, db_probe, db_tables, db_version

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CASES_DIR = HERE / "cases"
VERIFIED = ROOT / "rules" / "VERIFIED.md"

STEP_TIMEOUT = 180

# alembic.ini and env.py: alembic's `generic` template, logging kept, the URL
# filled in per run.
ALEMBIC_INI = """\
[alembic]
script_location = {script_location}
prepend_sys_path = .
path_separator = os
sqlalchemy.url = {url}

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
"""

ENV_PY = '''\
from logging.config import fileConfig

from sqlalchemy import engine_from_config
from sqlalchemy import pool

from alembic import context

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = None


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


{HOOKS}

def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        _truth_alter_clause(connection)
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
            _truth_hold(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
'''


ENV_ALTER_CLAUSE = '''
def _truth_alter_clause(connection) -> None:
    """MariaDB cases (`alter-clause`): append a clause to every ALTER TABLE."""
    import os
    clause = os.environ.get("MIGLINT_TRUTH_ALTER_CLAUSE")
    if not clause:
        return
    from sqlalchemy import event

    def append(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("ALTER TABLE"):
            statement = statement.rstrip().rstrip(";") + ", " + clause
        return statement, parameters

    event.listen(connection, "before_cursor_execute", append, retval=True)
'''


class CaseError(Exception):
    """A malformed case.toml."""


# ---------------------------------------------------------------- case model


@dataclass
class Check:
    """`equals` / `contains` / `matches` (regex) / `error` (substring)."""

    equals: str | None = None
    contains: str | None = None
    matches: str | None = None
    error: str | None = None

    def describe(self) -> str:
        if self.error is not None:
            return f"error containing {self.error!r}"
        if self.equals is not None:
            return f"{self.equals!r}"
        if self.contains is not None:
            return f"containing {self.contains!r}"
        return f"matching /{self.matches}/"

    def test(self, value: str | None, error: str | None) -> bool:
        if self.error is not None:
            return error is not None and self.error in error
        if error is not None:
            return False
        if self.equals is not None:
            return value == self.equals
        if self.contains is not None:
            return value is not None and self.contains in value
        return value is not None and re.search(self.matches, value) is not None


@dataclass
class DialectExpect:
    dialect: str
    outcome: str  # "ok" | "fail"
    errors: list[str]
    steps: list[str]
    offline: bool
    default: tuple[str, str, Check] | None = None
    probe: tuple[list[str], Check] | None = None
    version: str | None = None  # alembic_version after the run ("" = none)
    tables_present: list[str] = field(default_factory=list)
    tables_absent: list[str] = field(default_factory=list)
    sql_contains: list[str] = field(default_factory=list)
    sql_lacks: list[str] = field(default_factory=list)
    note: str | None = None
    lock: locks.LockExpect | None = None
    alter_clause: str | None = None  # MariaDB: appended to each ALTER TABLE of the last step


@dataclass
class Case:
    name: str
    path: Path
    rule: str
    summary: str
    dialects: list[str]
    miglint: list[str]
    miglint_dialects: list[str]
    expect: dict[str, DialectExpect]


TOP_KEYS = {"rule", "summary", "dialects", "miglint", "miglint-dialects", "steps", *DIALECTS}
DIALECT_KEYS = {
    "outcome", "error", "steps", "mode", "default", "probe", "version",
    "tables-present", "tables-absent", "sql-contains", "sql-lacks", "note",
    "locks", "blocker", "alter-clause",
}
CODE = re.compile(r"^ML\d{3}$")


def _strs(v, what: str) -> list[str]:
    if isinstance(v, str):
        return [v]
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return list(v)
    raise CaseError(f"{what} must be a string or a list of strings")


def _check(t: dict, what: str, extra: set[str]) -> Check:
    keys = {"equals", "contains", "matches", "error"}
    unknown = set(t) - keys - extra
    if unknown:
        raise CaseError(f"{what}: unknown keys {sorted(unknown)}")
    given = [k for k in keys if k in t]
    if len(given) != 1:
        raise CaseError(f"{what}: give exactly one of equals/contains/matches/error")
    return Check(**{given[0]: str(t[given[0]])})


def load_case(path: Path) -> Case:
    name = path.name
    with open(path / "case.toml", "rb") as f:
        data = tomllib.load(f)
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise CaseError(f"{name}: unknown keys {sorted(unknown)}")
    for key in ("rule", "summary", "dialects", "miglint"):
        if key not in data:
            raise CaseError(f"{name}: `{key}` is required")
    rule = data["rule"]
    if not CODE.match(rule):
        raise CaseError(f"{name}: rule = {rule!r} is not a code")
    dialects = _strs(data["dialects"], f"{name}: dialects")
    for d in dialects:
        if d not in DIALECTS:
            raise CaseError(f"{name}: unknown dialect {d!r}")
    miglint = _strs(data["miglint"], f"{name}: miglint") if data["miglint"] else []
    for c in miglint:
        if not CODE.match(c):
            raise CaseError(f"{name}: miglint lists {c!r}, not a code")
    mdialects = _strs(data.get("miglint-dialects", dialects), f"{name}: miglint-dialects")
    steps = _strs(data.get("steps", ["upgrade head"]), f"{name}: steps")
    if not (path / "versions").is_dir():
        raise CaseError(f"{name}: no versions/ folder")
    expect = {}
    for d in DIALECTS:
        if d in data and d not in dialects:
            raise CaseError(f"{name}: [{d}] given but {d} is not in dialects")
    for d in dialects:
        t = data.get(d)
        if not isinstance(t, dict):
            raise CaseError(f"{name}: [{d}] table missing")
        unknown = set(t) - DIALECT_KEYS
        if unknown:
            raise CaseError(f"{name}: [{d}] unknown keys {sorted(unknown)}")
        outcome = t.get("outcome")
        if outcome not in ("ok", "fail"):
            raise CaseError(f"{name}: [{d}] outcome must be \"ok\" or \"fail\"")
        errors = _strs(t.get("error", []), f"{name}: [{d}] error")
        if outcome == "fail" and not errors:
            raise CaseError(f"{name}: [{d}] a failure needs `error` (the text it fails with)")
        mode = t.get("mode", "offline" if d == "mysql" else "online")
        if mode not in ("online", "offline"):
            raise CaseError(f"{name}: [{d}] mode must be online or offline")
        if d == "mysql" and mode != "offline":
            raise CaseError(f"{name}: [mysql] only runs offline (no MySQL server in the suite)")
        e = DialectExpect(
            dialect=d,
            outcome=outcome,
            errors=errors,
            steps=_strs(t.get("steps", steps), f"{name}: [{d}] steps"),
            offline=mode == "offline",
            note=t.get("note"),
        )
        if "default" in t:
            dt = t["default"]
            if "table" not in dt or "column" not in dt:
                raise CaseError(f"{name}: [{d}] default needs table and column")
            e.default = (dt["table"], dt["column"], _check(dt, f"{name}: [{d}] default", {"table", "column"}))
        if "probe" in t:
            pt = t["probe"]
            if "sql" not in pt:
                raise CaseError(f"{name}: [{d}] probe needs sql")
            e.probe = (_strs(pt["sql"], f"{name}: [{d}] probe.sql"), _check(pt, f"{name}: [{d}] probe", {"sql"}))
        try:
            e.lock = locks.parse(t, f"{name}: [{d}]")
        except locks.LockCaseError as ex:
            raise CaseError(str(ex)) from None
        if e.lock is not None and d != "postgresql":
            raise CaseError(f"{name}: [{d}] lock probes run on PostgreSQL only")
        if "alter-clause" in t:
            if d != "mariadb":
                raise CaseError(f"{name}: [{d}] alter-clause is for MariaDB cases")
            e.alter_clause = str(t["alter-clause"])
        if "version" in t:
            e.version = str(t["version"])
        e.tables_present = _strs(t.get("tables-present", []), f"{name}: tables-present")
        e.tables_absent = _strs(t.get("tables-absent", []), f"{name}: tables-absent")
        e.sql_contains = _strs(t.get("sql-contains", []), f"{name}: sql-contains")
        e.sql_lacks = _strs(t.get("sql-lacks", []), f"{name}: sql-lacks")
        if e.offline and (e.default or e.probe or e.version is not None or e.tables_present or e.tables_absent):
            raise CaseError(f"{name}: [{d}] offline runs have no database to inspect")
        if not e.offline and (e.sql_contains or e.sql_lacks):
            raise CaseError(f"{name}: [{d}] sql-contains/sql-lacks are for offline runs")
        expect[d] = e
    return Case(name, path, rule, str(data["summary"]), dialects, miglint, mdialects, expect)


def load_cases(selected: list[str]) -> list[Case]:
    cases, problems = [], []
    for p in sorted(CASES_DIR.iterdir()):
        if not (p / "case.toml").is_file():
            continue
        if selected and not any(s in p.name for s in selected):
            continue
        try:
            cases.append(load_case(p))
        except CaseError as e:
            problems.append(str(e))
        except tomllib.TOMLDecodeError as e:
            problems.append(f"{p.name}/case.toml: {e}")
    if problems:
        raise CaseError("\n".join(problems))
    return cases


# ---------------------------------------------------------------- running


EXC_LINE = re.compile(
    r"^(?:FAILED: .+|[A-Za-z_][\w.]*(?:Error|Exception|Detected|Exit|Interrupt|Warning)(?:: .*)?)$"
)
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d(?::?\d\d)?)?")
# `<... object at 0x7f55755a8750>`: a Python object address differs on every run
OBJECT_ADDRESS = re.compile(r"\bat 0x[0-9a-fA-F]+\b")


def summarize(output: str) -> str:
    """The first line of the final exception, as alembic printed it."""
    last = None
    for line in output.splitlines():
        if EXC_LINE.match(line):
            last = line
    if last is None:
        lines = [l for l in output.splitlines() if l.strip()]
        last = lines[-1] if lines else "(no output)"
    return last.strip()


@dataclass
class Result:
    case: str
    target: str  # a dialect or "miglint"
    ok: bool
    shown: str  # what happened, for the report and VERIFIED.md
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


class Runner:
    def __init__(self, args, pg: Postgres | None, mdb: MariaDB | None, workdir: Path):
        self.args = args
        self.pg = pg
        self.mdb = mdb
        self.workdir = workdir
        self.alembic = str(Path(sys.executable).parent / "alembic")
        self.env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")

    def normalize(self, text: str, tmp: Path) -> str:
        text = text.replace(str(tmp), "<tmp>").replace(str(ROOT), "<repo>")
        text = OBJECT_ADDRESS.sub("at <address>", text)
        return TIMESTAMP.sub("<timestamp>", text)

    def run_dialect(self, case: Case, dialect: str) -> Result:
        started = time.monotonic()
        e = case.expect[dialect]
        tmp = self.workdir / case.name / dialect
        shutil.copytree(case.path / "versions", tmp / "versions")
        # a case may bring its own env.py (how the migrations run); else the
        # generic one, with the lock probe's hold point
        own_env = case.path / "env.py"
        (tmp / "env.py").write_text(
            own_env.read_text() if own_env.is_file()
            else ENV_PY.replace("{HOOKS}", locks.ENV_HOLD + ENV_ALTER_CLAUSE)
        )
        db = None
        if e.offline:
            url = "mysql+pymysql://truth@localhost/truth"
        elif dialect == "postgresql":
            db = self.pg.new_database()
            url = self.pg.url(db)
        elif dialect == "mariadb":
            db = self.mdb.new_database()
            url = self.mdb.url(db)
        else:
            url = f"sqlite:///{tmp / 'db.sqlite'}"
        (tmp / "alembic.ini").write_text(ALEMBIC_INI.format(script_location=tmp, url=url))

        problems: list[str] = []
        rc, out = 0, ""
        for i, step in enumerate(e.steps):
            cmd = [self.alembic, "-c", str(tmp / "alembic.ini"), *step.split()]
            if e.offline:
                cmd.append("--sql")
            env = self.env
            if i == len(e.steps) - 1 and e.alter_clause is not None:
                env = dict(env, MIGLINT_TRUTH_ALTER_CLAUSE=e.alter_clause)
            if i == len(e.steps) - 1 and e.lock is not None:
                rc, out, lock_shown, lock_problems = locks.run_step(
                    self.pg, db, cmd, tmp, self.env, STEP_TIMEOUT, e.lock)
                (tmp / f"step{i + 1}.log").write_text(f"$ {' '.join(cmd)}\nexit {rc}\n{out}")
                break
            try:
                p = subprocess.run(
                    cmd, cwd=tmp, env=env, capture_output=True, text=True,
                    errors="replace", timeout=STEP_TIMEOUT,
                )
                rc, out = p.returncode, p.stdout + p.stderr
            except subprocess.TimeoutExpired:
                rc, out = -1, f"TimeoutExpired: alembic {step} took over {STEP_TIMEOUT}s"
            (tmp / f"step{i + 1}.log").write_text(f"$ {' '.join(cmd)}\nexit {rc}\n{out}")
            last = i == len(e.steps) - 1
            if not last and rc != 0:
                problems.append(f"`alembic {step}` (step {i + 1}) failed: {summarize(out)}")
                break

        shown_parts = []
        if e.alter_clause is not None:
            shown_parts.append(f"each ALTER TABLE with `, {e.alter_clause}` appended")
        if not problems:
            summary = self.normalize(summarize(out), tmp)
            if e.outcome == "ok":
                if rc != 0:
                    problems.append(f"expected success, `alembic {e.steps[-1]}` failed: {summary}")
                shown_parts.append("ok" if rc == 0 else f"fails: {summary}")
            else:
                if rc == 0:
                    problems.append(f"expected failure with {e.errors!r}, `alembic {e.steps[-1]}` succeeded")
                    shown_parts.append("ok")
                else:
                    missing = [s for s in e.errors if s not in out]
                    if missing:
                        problems.append(f"failed, but the output lacks {missing!r}; it said: {summary}")
                    shown_parts.append(f"fails: {summary}")
            for s in e.sql_contains:
                if s not in out:
                    problems.append(f"the emitted SQL lacks {s!r}")
            for s in e.sql_lacks:
                if s in out:
                    problems.append(f"the emitted SQL contains {s!r}")
            if e.lock is not None:
                shown_parts += lock_shown
                problems += lock_problems
            if e.sql_contains or e.sql_lacks:
                parts = [f"contains {s!r}" for s in e.sql_contains] + [f"no {s!r}" for s in e.sql_lacks]
                shown_parts.append("SQL " + ", ".join(parts))
            if not e.offline:
                try:
                    shown_parts += self.inspect(dialect, e, db, tmp, problems)
                except Exception as ex:  # noqa: BLE001 - any inspection failure is a mismatch
                    problems.append(f"inspecting the database failed: {type(ex).__name__}: {ex}")
        return Result(case.name, dialect, not problems, "; ".join(shown_parts), problems,
                      time.monotonic() - started)

    def inspect(self, dialect, e: DialectExpect, db, tmp: Path, problems: list[str]) -> list[str]:
        if not (e.default or e.probe or e.version is not None or e.tables_present or e.tables_absent):
            return []
        if dialect == "postgresql":
            conn = self.pg.connect(db)
        elif dialect == "mariadb":
            conn = self.mdb.connect(db)
        else:
            conn = sqlite3.connect(tmp / "db.sqlite")
        shown = []
        try:
            if e.version is not None or e.tables_present or e.tables_absent:
                tables = db_tables(dialect, conn)
                for t in e.tables_present:
                    if t not in tables:
                        problems.append(f"table {t} should exist after the run")
                for t in e.tables_absent:
                    if t in tables:
                        problems.append(f"table {t} should not exist after the run")
                if e.tables_present:
                    shown.append("tables present: " + ", ".join(e.tables_present))
                if e.version is not None:
                    v = db_version(dialect, conn)
                    if v != e.version:
                        problems.append(f"alembic_version is {v or '(none)'!r}, expected {e.version or '(none)'!r}")
                    shown.append(f"alembic_version {v or '(none)'}")
            if e.default:
                table, column, check = e.default
                value = db_default(dialect, conn, table, column)
                if not check.test(value, None):
                    problems.append(f"catalog default of {table}.{column} is {value!r}, expected {check.describe()}")
                shown.append(f"catalog default `{self.normalize(str(value), tmp)}`")
            if e.probe:
                statements, check = e.probe
                value, error = db_probe(dialect, conn, statements)
                if not check.test(value, error):
                    got = f"error {error!r}" if error else repr(value)
                    problems.append(f"probe gave {got}, expected {check.describe()}")
                shown.append(f"probe: {self.normalize(error, tmp)}" if error else f"probe reads `{self.normalize(str(value), tmp)}`")
        finally:
            conn.close()
        return shown

    def run_miglint(self, case: Case) -> Result:
        started = time.monotonic()
        tmp = self.workdir / case.name / "miglint"
        tmp.mkdir(parents=True, exist_ok=True)
        config = tmp / "lint.toml"
        config.write_text(
            "dialects = [" + ", ".join(f'"{d}"' for d in case.miglint_dialects) + "]\n"
            'alembic-version = "1.20"\n'
            # the online-safety family is opt-in
            + ("online = true\n" if case.rule.startswith("ML7") else "")
        )
        cmd = [self.args.miglint, "check", str(case.path / "versions"),
               "--output-format", "json", "--config", str(config)]
        p = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, errors="replace", timeout=60)
        problems = []
        try:
            findings = json.loads(p.stdout)
        except json.JSONDecodeError:
            findings = []
            problems.append(f"miglint exited {p.returncode} without JSON: {(p.stderr or p.stdout).strip()[:300]}")
        reported = {}
        for f in findings:
            reported.setdefault(f["code"], f["severity"])
        if not problems:
            expected = set(case.miglint)
            missing = sorted(expected - set(reported))
            extra = sorted(c for c, sev in reported.items() if sev == "error" and c not in expected)
            if missing:
                problems.append(f"miglint did not report {', '.join(missing)}")
            if extra:
                msgs = [f"{f['code']} at line {f['location']['row']}: {f['message']}" for f in findings
                        if f["code"] in extra]
                problems.append("miglint reported errors the case does not expect: " + "; ".join(msgs))
            want_rc = 1 if any(sev == "error" for sev in reported.values()) else 0
            if p.returncode != want_rc:
                problems.append(f"miglint exited {p.returncode}, expected {want_rc}")
        shown = ", ".join(f"{c} ({s})" for c, s in sorted(reported.items())) or "silent"
        return Result(case.name, "miglint", not problems, shown, problems, time.monotonic() - started)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cases", nargs="*", help="only cases whose name contains one of these")
    ap.add_argument("--pg-port", type=int, help="port of the PostgreSQL server (user postgres, trust auth)")
    ap.add_argument("--mariadb-port", type=int, help="port of the MariaDB server (--skip-grant-tables)")
    ap.add_argument("--miglint", help="the miglint binary")
    ap.add_argument("--db-only", action="store_true", help="check the databases only, not miglint")
    ap.add_argument("--dialects", default=",".join(DIALECTS), help="run only these dialects")
    ap.add_argument("--jobs", type=int, default=max(2, (os.cpu_count() or 2) * 2))
    ap.add_argument("--write-verified", action="store_true", help=f"write {VERIFIED.relative_to(ROOT)}")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (logs of every step)")
    args = ap.parse_args()

    try:
        cases = load_cases(args.cases)
    except CaseError as e:
        print(f"truth: bad case files:\n{e}", file=sys.stderr)
        return 2
    if not cases:
        print("truth: no cases selected", file=sys.stderr)
        return 2
    only = set(args.dialects.split(","))
    if args.write_verified and (args.cases or only != set(DIALECTS)):
        print("truth: --write-verified needs the full suite (no case or dialect filter)", file=sys.stderr)
        return 2
    if not args.db_only:
        found = shutil.which(args.miglint) if args.miglint else None
        if not found:
            print(f"truth: --miglint BIN is required unless --db-only (got {args.miglint!r})", file=sys.stderr)
            return 2
        args.miglint = str(Path(found).resolve())
    needs_pg = "postgresql" in only and any("postgresql" in c.dialects for c in cases)
    if needs_pg and not args.pg_port:
        print("truth: --pg-port is required for PostgreSQL cases", file=sys.stderr)
        return 2
    needs_mdb = "mariadb" in only and any("mariadb" in c.dialects for c in cases)
    if needs_mdb and not args.mariadb_port:
        print("truth: --mariadb-port is required for MariaDB cases", file=sys.stderr)
        return 2

    from importlib.metadata import version as dist_version

    pg = Postgres(args.pg_port) if needs_pg else None
    mdb = MariaDB(args.mariadb_port) if needs_mdb else None
    versions = {
        "PostgreSQL": pg.version() if pg else "(not run)",
        "SQLite": f"{sqlite3.sqlite_version} (Python's sqlite3, driver pysqlite)",
        "MySQL": "offline mode only (alembic `--sql`, dialect `mysql+pymysql`)",
        "MariaDB": mdb.version() if mdb else "(not run)",
        "alembic": dist_version("alembic"),
        "SQLAlchemy": dist_version("SQLAlchemy"),
        "psycopg": dist_version("psycopg"),
        "PyMySQL": dist_version("PyMySQL"),
        "Python": sys.version.split()[0],
    }
    if not args.db_only:
        v = subprocess.run([args.miglint, "--version"], capture_output=True, text=True)
        miglint_version = v.stdout.strip() or "unknown"
    for k, v in versions.items():
        print(f"truth: {k:<11} {v}")
    if not args.db_only:
        print(f"truth: {'miglint':<11} {miglint_version} ({args.miglint})")

    # SIGTERM (scripts/truth's trap) unwinds like Ctrl-C, so the work folder goes
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="miglint-truth-cases."))
    try:
        return run_all(args, cases, only, pg, mdb, versions, workdir)
    finally:
        if pg is not None:
            pg.admin.close()
        if mdb is not None:
            mdb.admin.close()
        if args.keep:
            print(f"truth: work folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def run_all(args, cases: list[Case], only: set[str], pg: Postgres | None, mdb: MariaDB | None,
            versions: dict[str, str], workdir: Path) -> int:
    runner = Runner(args, pg, mdb, workdir)
    tasks = []
    for c in cases:
        for d in c.dialects:
            if d in only:
                tasks.append((c, d))
        if not args.db_only:
            tasks.append((c, "miglint"))
    # long ones (several steps, PostgreSQL) first
    tasks.sort(key=lambda t: (t[1] == "miglint", -len(t[0].expect[t[1]].steps) if t[1] != "miglint" else 0))

    started = time.monotonic()
    results: dict[tuple[str, str], Result] = {}
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs)
    try:
        futures = {
            pool.submit(runner.run_miglint if d == "miglint" else runner.run_dialect, *((c,) if d == "miglint" else (c, d))): (c, d)
            for c, d in tasks
        }
        for fut in concurrent.futures.as_completed(futures):
            c, d = futures[fut]
            try:
                r = fut.result()
            except Exception as e:  # noqa: BLE001 - a crash in one case is that case's failure
                r = Result(c.name, d, False, "", [f"runner crashed: {type(e).__name__}: {e}"])
            results[(c.name, d)] = r
            mark = "PASS" if r.ok else "FAIL"
            print(f"{mark} {c.name:<44} {d:<10} {r.shown}", flush=True)
            for p in r.problems:
                print(f"     {p}", flush=True)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    elapsed = time.monotonic() - started

    failed = sorted(k for k, r in results.items() if not r.ok)
    if failed:
        print("\ntruth: mismatches:")
        for k in failed:
            print(f"  {k[0]} [{k[1]}]")
            for p in results[k].problems:
                print(f"      {p}")
    if not args.cases and only == set(DIALECTS):
        text = write_verified(cases, results, versions, args.db_only) + "\n"
        if args.write_verified:
            VERIFIED.write_text(text)
            print(f"truth: wrote {VERIFIED.relative_to(ROOT)}")
        elif not args.db_only and (not VERIFIED.is_file() or VERIFIED.read_text() != text):
            print(f"truth: note: {VERIFIED.relative_to(ROOT)} differs from this run; "
                  "regenerate it with scripts/truth --write-verified")
    n_db = sum(1 for k in results if k[1] != "miglint")
    print(f"truth: {len(cases)} cases, {n_db} case×dialect runs"
          + ("" if args.db_only else f", {len(results) - n_db} miglint runs")
          + f", {elapsed:.1f}s")
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
