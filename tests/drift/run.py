"""The drift truth suite: for each case in tests/drift/cases/, real `alembic
upgrade head` then real `alembic check` (and autogenerate's diff, through
`alembic.autogenerate.compare_metadata`) on PostgreSQL and SQLite, against
`miglint drift --format json --dialect D` on the same files.

A case passes on a dialect when the three agree: the items listed in its
case.toml, the diff real alembic computes (same op kinds, same objects), and
miglint's items; `alembic check` must exit non-zero exactly when there are
items, and `miglint drift` exit 1 exactly then.

Run by scripts/truth (which starts PostgreSQL); alone:
    python tests/drift/run.py --pg-port PORT --miglint target/debug/miglint [drift_name ...]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
STEP_TIMEOUT = 120

ALEMBIC_INI = """[alembic]
script_location = {script_location}
sqlalchemy.url = {url}

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
"""

# The generic env.py, with `target_metadata` from the case's models (the
# models sit in the project folder, one above the migrations).
ENV_PY = '''import os
import sys
from logging.config import fileConfig

from sqlalchemy import engine_from_config, pool

from alembic import context

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from models import Base  # noqa: E402

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = Base.metadata
COMPARE_SERVER_DEFAULT = os.environ.get("DRIFT_COMPARE_SERVER_DEFAULT") == "1"


def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          compare_server_default=COMPARE_SERVER_DEFAULT)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
'''

# Prints autogenerate's diff as normalized items, one JSON list.
DIFF_PY = '''import json, os, sys
sys.path.insert(0, os.getcwd())
from sqlalchemy import create_engine, Index, UniqueConstraint
from alembic.migration import MigrationContext
from alembic.autogenerate import compare_metadata
from models import Base

def name(x):
    return getattr(x, "name", None)

def item(d):
    if isinstance(d, list):
        return [item(x)[0] for x in d]
    op = d[0]
    if op in ("add_table", "remove_table"):
        return [(op, d[1].name, None, None)]
    if op in ("add_column", "remove_column"):
        return [(op, d[2], d[3].name, None)]
    if op.startswith("modify_"):
        return [(op, d[2], d[3], None)]
    if op in ("add_index", "remove_index"):
        return [(op, d[1].table.name, None, d[1].name)]
    if op in ("add_constraint", "remove_constraint", "add_fk", "remove_fk"):
        return [(op, d[1].table.name, None, None)]
    return [(op, str(d), None, None)]

engine = create_engine(sys.argv[1])
with engine.connect() as conn:
    mc = MigrationContext.configure(
        conn, opts={"compare_server_default": os.environ.get("DRIFT_COMPARE_SERVER_DEFAULT") == "1"})
    out = []
    for d in compare_metadata(mc, Base.metadata):
        out.extend(item(d))
print(json.dumps(out))
'''


def norm(op: str, table: str, column: str | None, name: str | None) -> str:
    """`op table[.column][ name]`; constraint names are left out (the
    database names unnamed constraints itself)."""
    s = f"{op} {table}"
    if column:
        s += f".{column}"
    if name and op in ("add_index", "remove_index"):
        s += f" {name}"
    return s


class Postgres:
    def __init__(self, port: int):
        import psycopg

        self.port = port
        self.n = 0
        self.admin = psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres", autocommit=True)

    def new_database(self) -> str:
        self.n += 1
        db = f"drift_{os.getpid()}_{self.n}"
        self.admin.execute(f'CREATE DATABASE "{db}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{db}"


def run(cmd, cwd, env):
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, errors="replace",
                           timeout=STEP_TIMEOUT)
        return p.returncode, p.stdout + p.stderr, p.stdout
    except subprocess.TimeoutExpired:
        return -1, "timeout", ""


def run_case(case: Path, dialect: str, expect: list[str], listed: list[str], args, pg: Postgres | None, work: Path,
             csd: bool = False) -> list[str]:
    tmp = work / case.name / dialect
    shutil.copytree(case, tmp, ignore=shutil.ignore_patterns("case.toml", "__pycache__"))
    mig = tmp / "migrations"
    if not (mig / "env.py").is_file():
        (mig / "env.py").write_text(ENV_PY)
    url = pg.new_database() if dialect == "postgresql" else f"sqlite:///{tmp / 'db.sqlite'}"
    (tmp / "alembic.ini").write_text(ALEMBIC_INI.format(script_location=mig, url=url))
    (tmp / "diff.py").write_text(DIFF_PY)
    # `compare_server_default = true` in case.toml: alembic's option, and
    # miglint's `--compare-server-default` / `compare-server-default`
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", DRIFT_COMPARE_SERVER_DEFAULT="1" if csd else "0")
    csd_args = ["--compare-server-default"] if csd else []
    bindir = Path(sys.executable).parent
    problems = []
    rc, out, _ = run([str(bindir / "alembic"), "upgrade", "head"], tmp, env)
    if rc != 0:
        return [f"`alembic upgrade head` failed: {out.strip()[-400:]}"]
    rc_check, out_check, _ = run([str(bindir / "alembic"), "check"], tmp, env)
    rc, out, stdout = run([sys.executable, "diff.py", url], tmp, env)
    if rc != 0:
        return [f"autogenerate's diff failed: {out.strip()[-400:]}"]
    real = sorted(norm(*x) for x in json.loads(stdout))
    want = sorted(expect)
    if real != want:
        problems.append(f"real alembic: {real}, case.toml: {want}")
    if (rc_check != 0) != bool(want):
        problems.append(f"`alembic check` exit {rc_check} with {len(want)} expected items: {out_check.strip()[-300:]}")
    if args.miglint:
        rc_m, out_m, stdout_m = run([args.miglint, "drift", "--format", "json", "--dialect", dialect, *csd_args], tmp, env)
        try:
            items = json.loads(stdout_m)["items"]
        except (ValueError, KeyError):
            return problems + [f"miglint drift printed no JSON (exit {rc_m}): {out_m.strip()[-400:]}"]
        got = sorted(norm(i["op"], i["table"], i["column"], i["name"]) for i in items)
        if got != real:
            problems.append(f"miglint: {got}, real alembic: {real}")
        if rc_m != (1 if items else 0):
            problems.append(f"miglint drift exit {rc_m} with {len(items)} items")
        # every table compared (a case must not pass by skipping tables)
        _, text_out, _ = run([args.miglint, "drift", "--dialect", dialect, *csd_args], tmp, env)
        skipped = [l for l in text_out.splitlines() if l.startswith("skipped")]
        if skipped:
            problems.append(f"miglint drift skipped tables: {skipped}")
        # the same through `miglint check` (ML801), with the models configured
        (tmp / "lint.toml").write_text(
            f'models = ["models.py"]\ndialects = ["{dialect}"]\nalembic-version = "1.20"\n'
            + ("compare-server-default = true\n" if csd else ""))
        rc_c, out_c, stdout_c = run([args.miglint, "check", "--output-format", "json"], tmp, env)
        try:
            found = json.loads(stdout_c)
        except ValueError:
            return problems + [f"miglint check printed no JSON (exit {rc_c}): {out_c.strip()[-400:]}"]
        errors = sorted({d["code"] for d in found if d["severity"] == "error"})
        if errors != sorted(set(listed)):
            problems.append(f"miglint check: error codes {errors}, case.toml lists {listed}")
        n801 = sum(1 for d in found if d["code"] == "ML801")
        if n801 != len(items):
            problems.append(f"miglint check: {n801} ML801 findings, miglint drift: {len(items)} items")
        if ("ML801" in listed) != bool(want):
            problems.append(f"case.toml: miglint = {listed} does not match its {len(want)} items")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cases", nargs="*")
    ap.add_argument("--pg-port", type=int)
    ap.add_argument("--miglint")
    ap.add_argument("--db-only", action="store_true")
    ap.add_argument("--keep", action="store_true")
    args, _ = ap.parse_known_args()
    if args.db_only:
        args.miglint = None
    cases = sorted(p for p in CASES.iterdir() if (p / "case.toml").is_file())
    if args.cases:
        cases = [c for c in cases if any(f in c.name for f in args.cases)]
    if not cases:
        return 0
    pg = Postgres(args.pg_port) if args.pg_port else None
    work = Path(tempfile.mkdtemp(prefix="miglint-drift."))
    failed = 0
    total = 0
    try:
        for case in cases:
            spec = tomllib.loads((case / "case.toml").read_text())
            for dialect in spec.get("dialects", ["postgresql", "sqlite"]):
                if dialect == "postgresql" and pg is None:
                    print(f"SKIP {case.name:<44} {dialect:<10} (no --pg-port)")
                    continue
                expect = spec.get(dialect, {}).get("items", spec.get("items", []))
                total += 1
                try:
                    problems = run_case(case, dialect, expect, spec.get("miglint", []), args, pg, work,
                                        spec.get("compare_server_default", False))
                except Exception as e:  # noqa: BLE001 - a crash is this case's failure
                    problems = [f"runner crashed: {type(e).__name__}: {e}"]
                mark = "PASS" if not problems else "FAIL"
                print(f"{mark} {case.name:<44} {dialect:<10} {len(expect)} item(s)", flush=True)
                for p in problems:
                    print(f"     {p}", flush=True)
                failed += bool(problems)
    finally:
        if args.keep:
            print(f"drift: work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"drift: {len(cases)} cases, {total} case×dialect runs, {total - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
