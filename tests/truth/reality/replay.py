"""The reality check of the truth suite: replays the migrations of real
projects of the corpus (projects.toml) with the real alembic CLI on a fresh
PostgreSQL database and a fresh SQLite file, reflects the result with
SQLAlchemy's inspector, and compares it with `miglint schema --format json`
item by item (schema_compare.py). Every difference must be listed, with its
explanation, in expected-differences.tsv: a new difference or a listed one
that went away fails the run. See README.md here.

Run it through scripts/truth (which starts PostgreSQL and the venv); it
needs the venv of requirements.txt here (the projects' pinned packages).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import autogen
import schema_compare

HERE = Path(__file__).resolve().parent
PROJECTS = HERE / "projects.toml"
EXPECTED = HERE / "expected-differences.tsv"
AUTOGEN = HERE / "autogenerate-items.tsv"
EXPECTED_DRIFT = HERE / "expected-drift-differences.tsv"
STEP_TIMEOUT = 300
SKIP_TABLES = {"alembic_version"}

ALEMBIC_INI = """\
[alembic]
script_location = {script_location}
path_separator = os
sqlalchemy.url = {url}
"""

# alembic's generic env.py, online mode only, without the project's
# settings (the projects' own env.py files read their application config)
ENV_PY = """\
import json

from sqlalchemy import MetaData, engine_from_config, pool

from alembic import context

config = context.config
# the naming convention of the project's own target_metadata
target_metadata = MetaData(naming_convention=json.loads(CONVENTION))


def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
"""

SCRIPT_MAKO = '"""${message}"""\nrevision = ${repr(up_revision)}\ndown_revision = ${repr(down_revision)}\n'


@dataclass
class Project:
    name: str
    version: str
    versions: str
    dialects: list[str]
    imports: bool = False
    metadata: str | None = None
    naming_convention: dict = field(default_factory=dict)
    # modules whose files are listed in `models` too (mixins of the models)
    extra_models: list[str] = field(default_factory=list)
    folder: Path = field(default_factory=Path)


@dataclass
class Run:
    """One project on one dialect."""

    project: Project
    dialect: str
    error: str = ""
    items: list[schema_compare.Item] = field(default_factory=list)
    seconds: float = 0.0
    url: str = ""
    # real autogenerate's items (projects with `metadata`), and miglint drift's
    autogen: list[str] | None = None
    drift: list[str] | None = None
    # the model tables miglint drift skipped (not compared)
    drift_skipped: list[str] = field(default_factory=list)


def load_projects(corpus: Path, selected: list[str]) -> list[Project]:
    data = tomllib.loads(PROJECTS.read_text())
    out = []
    for p in data["project"]:
        proj = Project(p["name"], p["version"], p["versions"], list(p["dialects"]), bool(p.get("import", False)),
                       p.get("metadata"), dict(p.get("naming_convention", {})),
                       list(p.get("extra_models", [])))
        proj.folder = corpus / proj.name / proj.versions
        if selected and not any(s in proj.name or s == "reality" for s in selected):
            continue
        out.append(proj)
    return out


def manifest_versions(corpus: Path) -> dict[str, str]:
    with open(corpus / "MANIFEST.tsv", newline="") as f:
        return {r["package"]: r["version"] for r in csv.DictReader(f, delimiter="\t")}


def alembic_project(work: Path, proj: Project, url: str) -> Path:
    """A project folder with our env.py and the corpus's revision files."""
    work.mkdir(parents=True, exist_ok=True)
    (work / "env.py").write_text(ENV_PY.replace("CONVENTION", repr(json.dumps(proj.naming_convention))))
    (work / "script.py.mako").write_text(SCRIPT_MAKO)
    # a copy: the corpus is read-only and alembic imports the files
    shutil.copytree(proj.folder, work / "versions", ignore=shutil.ignore_patterns("__pycache__"))
    ini = work / "alembic.ini"
    ini.write_text(ALEMBIC_INI.format(script_location=work, url=url))
    return ini


def new_database(pg_port: int | None, dialect: str, work: Path, n: str) -> str:
    if dialect == "sqlite":
        return f"sqlite:///{work / 'db.sqlite'}"
    import psycopg

    db = f"reality_{n}"
    with psycopg.connect(f"host=127.0.0.1 port={pg_port} user=postgres dbname=postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{db}"')
        c.execute(f'CREATE DATABASE "{db}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:{pg_port}/{db}"


def reflect(url: str, dialect: str) -> dict:
    import warnings

    import sqlalchemy as sa

    # SQLite's inspector skips expression indexes, with a warning per call
    # (expected-differences.tsv lists those indexes)
    warnings.filterwarnings("ignore", message="Skipped unsupported reflection", category=sa.exc.SAWarning)

    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return schema_compare.from_database(sa.inspect(conn), dialect, SKIP_TABLES)
    finally:
        engine.dispose()


def miglint_schema(miglint: str, versions: Path, dialect: str, work: Path) -> dict:
    config = work / "lint.toml"
    config.write_text("")
    p = subprocess.run([miglint, "schema", str(versions), "--dialect", dialect, "--format", "json",
                        "--config", str(config)], cwd=work, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise RuntimeError(f"miglint schema exited {p.returncode}: {p.stderr.strip()[:400]}")
    return json.loads(p.stdout)


def run_one(args, proj: Project, dialect: str, workdir: Path) -> Run:
    started = time.monotonic()
    r = Run(proj, dialect)
    work = workdir / f"{proj.name}-{dialect}"
    try:
        r.url = url = new_database(args.pg_port, dialect, work, f"{proj.name.replace('-', '_')}_{dialect}")
        ini = alembic_project(work, proj, url)
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        p = subprocess.run([sys.executable, "-m", "alembic", "-c", str(ini), "upgrade", "head"], cwd=work,
                           capture_output=True, text=True, errors="replace", timeout=STEP_TIMEOUT, env=env)
        (work / "alembic.log").write_text(p.stdout + p.stderr)
        if p.returncode != 0:
            tail = (p.stderr or p.stdout).strip().splitlines()[-3:]
            r.error = "alembic upgrade head failed: " + " | ".join(tail)
            return r
        db = reflect(url, dialect)
        ml = schema_compare.from_miglint(miglint_schema(args.miglint, proj.folder, dialect, work), dialect,
                                         SKIP_TABLES)
        r.items = schema_compare.compare(db, ml)
        if proj.metadata:
            r.autogen = [autogen.key(it) for it in autogen.autogenerate_items(url, proj.metadata)]
            if args.drift:
                models = ([autogen.models_file(proj.metadata)]
                          + [autogen.module_file(m) for m in proj.extra_models])
                items, r.drift_skipped = autogen.miglint_items(args.miglint, proj.folder, models,
                                                               dialect, work)
                r.drift = [autogen.key(it) for it in items]
    except Exception as e:  # noqa: BLE001 - one project's crash is that project's failure
        r.error = f"{type(e).__name__}: {e}"
    finally:
        r.seconds = time.monotonic() - started
    return r


def load_expected() -> dict[tuple[str, str, str], tuple[str, str]]:
    out = {}
    if not EXPECTED.is_file():
        return out
    with open(EXPECTED, newline="") as f:
        for row in csv.reader(f, delimiter="\t"):
            if not row or row[0].startswith("#") or row[0] == "project":
                continue
            project, dialect, item, observed, why = (row + [""] * 5)[:5]
            out[(project, dialect, item)] = (observed, why)
    return out


def write_expected(runs: list[Run], old: dict) -> None:
    rows = []
    for r in runs:
        for it in r.items:
            if not it.ok:
                why = old.get((r.project.name, r.dialect, it.key), ("", ""))[1]
                rows.append((r.project.name, r.dialect, it.key, it.observed, why or "UNEXPLAINED"))
    # keep the rows of projects this run did not cover
    covered = {(r.project.name, r.dialect) for r in runs}
    for (p, d, item), (obs, why) in old.items():
        if (p, d) not in covered:
            rows.append((p, d, item, obs, why))
    rows.sort()
    with open(EXPECTED, "w", newline="") as f:
        f.write("# The differences between the schema real alembic builds (reflected) and\n"
                "# `miglint schema` on the projects of projects.toml, each explained.\n"
                "# Regenerate with replay.py --update (explanations are kept).\n")
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(["project", "dialect", "item", "observed", "explanation"])
        w.writerows(rows)


def read_tsv(path: Path, n: int) -> dict[tuple, str]:
    """Rows (after the header) keyed by their first `n` columns."""
    out = {}
    if path.is_file():
        rows = [ln for ln in path.read_text().splitlines() if ln and not ln.startswith("#")]
        for line in rows[1:]:
            cols = line.split("\t")
            out[tuple(cols[:n])] = "\t".join(cols[n:])
    return out


def write_tsv(path: Path, header: str, rows: list[tuple]) -> None:
    path.write_text(header + "".join("\t".join(r) + "\n" for r in sorted(rows)))


def drift_rows(runs: list[Run]) -> tuple[list[tuple], list[tuple]]:
    """(project, dialect, item) of autogenerate; (project, dialect, item,
    side) of every item only one of autogenerate and miglint drift has."""
    auto, diff = [], []
    for r in runs:
        if r.autogen is None:
            continue
        p, d = r.project.name, r.dialect
        auto += [(p, d, k) for k in r.autogen]
        if r.drift is not None:
            a, m = set(r.autogen), set(r.drift)
            diff += [(p, d, k, "only autogenerate") for k in sorted(a - m)]
            diff += [(p, d, k, "only miglint drift") for k in sorted(m - a)]
    return auto, diff


def drift_report(runs: list[Run], args) -> list[str]:
    """Checks real autogenerate against its record, and miglint drift
    against it; prints the agreement."""
    problems = []
    auto, diff = drift_rows(runs)
    covered = {(r.project.name, r.dialect) for r in runs if r.autogen is not None}
    recorded = {k for k in read_tsv(AUTOGEN, 3) if k[:2] in covered}
    for k in sorted(set(auto) ^ recorded):
        problems.append(f"{k[0]} [{k[1]}]: autogenerate {'now reports' if k in set(auto) else 'no longer reports'} "
                        f"{k[2]} (update {AUTOGEN.name} with --update)")
    for r in runs:
        if r.autogen is None:
            continue
        line = f"reality: {r.project.name:<22} {r.dialect:<10} autogenerate reports {len(r.autogen)} items"
        if r.drift is not None:
            both = len(set(r.autogen) & set(r.drift))
            union = len(set(r.autogen) | set(r.drift))
            line += (f"; miglint drift {len(r.drift)}; agreement {both}/{union}"
                     + (f" ({100.0 * both / union:.1f}%)" if union else " (both empty)")
                     + f"; {len(r.drift_skipped)} model table(s) skipped")
        print(line)
    if any(r.drift is not None for r in runs):
        expected = read_tsv(EXPECTED_DRIFT, 4)
        for k in diff:
            why = expected.get(k)
            if why is None:
                problems.append(f"{k[0]} [{k[1]}]: new drift difference: {k[2]} ({k[3]})")
            elif not why or why == "UNEXPLAINED":
                problems.append(f"{k[0]} [{k[1]}]: unexplained drift difference: {k[2]} ({k[3]})")
        for k in expected:
            if k[:2] in covered and k not in set(diff):
                problems.append(f"{k[0]} [{k[1]}]: listed drift difference is gone: {k[2]} ({k[3]})")
    return problems


def update_drift_files(runs: list[Run]) -> None:
    auto, diff = drift_rows(runs)
    covered = {(r.project.name, r.dialect) for r in runs if r.autogen is not None}
    keep = [k for k in read_tsv(AUTOGEN, 3) if k[:2] not in covered]
    write_tsv(AUTOGEN, "# Real autogenerate (compare_metadata) between the database the project's migrations\n"
              "# build and its real models: op table[.column][ index], one per line. replay.py --update\n"
              "project\tdialect\titem\n", auto + keep)
    if any(r.drift is not None for r in runs):
        old = read_tsv(EXPECTED_DRIFT, 4)
        rows = [k + (old.get(k) or "UNEXPLAINED",) for k in diff]
        rows += [k + (v,) for k, v in old.items() if k[:2] not in covered]
        write_tsv(EXPECTED_DRIFT, "# Items only one of real autogenerate and `miglint drift` reports, explained.\n"
                  "project\tdialect\titem\tside\texplanation\n", rows)


def report(runs: list[Run], expected: dict, args) -> int:
    problems = []
    total = agree = 0
    per = {}
    for r in runs:
        key = (r.project.name, r.dialect)
        if r.error:
            problems.append(f"{r.project.name} [{r.dialect}]: {r.error}")
            continue
        n = len(r.items)
        ok = sum(1 for it in r.items if it.ok)
        total += n
        agree += ok
        per[key] = (ok, n)
        seen = set()
        for it in r.items:
            if it.ok:
                continue
            k = (r.project.name, r.dialect, it.key)
            seen.add(k)
            if k not in expected:
                problems.append(f"{r.project.name} [{r.dialect}]: new difference: {it.key}: {it.observed}")
            elif expected[k][0] != it.observed:
                problems.append(f"{r.project.name} [{r.dialect}]: {it.key} changed: {it.observed} "
                                f"(expected: {expected[k][0]})")
            elif not expected[k][1] or expected[k][1] == "UNEXPLAINED":
                problems.append(f"{r.project.name} [{r.dialect}]: unexplained difference: {it.key}")
        for k in expected:
            if k[:2] == key and k not in seen:
                problems.append(f"{r.project.name} [{r.dialect}]: listed difference is gone (a fix? remove "
                                f"it from {EXPECTED.name}): {k[2]}")
        print(f"reality: {r.project.name:<22} {r.dialect:<10} {ok}/{n} items agree "
              f"({100.0 * ok / max(n, 1):.1f}%), {n - ok} differences, {r.seconds:.1f}s", flush=True)
    if total:
        print(f"reality: overall {agree}/{total} items agree ({100.0 * agree / total:.1f}%)")
    problems += drift_report(runs, args)
    for p in problems:
        print(f"FAIL {p}")
    print(f"{len(runs) - len({p.split(':')[0] for p in problems})} passed, "
          f"{len({p.split(':')[0] for p in problems})} failed")
    return 1 if problems else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("projects", nargs="*", help="only projects whose name contains one of these")
    ap.add_argument("--corpus", required=True, type=Path)
    ap.add_argument("--pg-port", type=int)
    ap.add_argument("--miglint", required=True)
    ap.add_argument("--dialects", default="postgresql,sqlite")
    ap.add_argument("--update", action="store_true", help=f"rewrite {EXPECTED.name} (explanations kept)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--jobs", type=int, default=4)
    args = ap.parse_args()
    args.drift = False
    args.miglint = shutil.which(args.miglint) and str(Path(shutil.which(args.miglint)).resolve())
    if not args.miglint:
        print("reality: --miglint: no such binary", file=sys.stderr)
        return 2

    projects = load_projects(args.corpus, args.projects)
    if not projects:
        print("reality: no project selected")
        return 0
    manifest = manifest_versions(args.corpus)
    from importlib.metadata import PackageNotFoundError, version

    for p in projects:
        if p.version != manifest.get(p.name):
            print(f"reality: {p.name}: projects.toml pins {p.version}, the corpus has {manifest.get(p.name)}",
                  file=sys.stderr)
            return 2
        if not p.folder.is_dir():
            print(f"reality: {p.name}: no folder {p.folder}", file=sys.stderr)
            return 2
        if p.imports:
            try:
                have = version(p.name)
            except PackageNotFoundError:
                have = None
            if have != manifest.get(p.name):
                print(f"reality: {p.name}: the corpus has {manifest.get(p.name)}, the venv {have}",
                      file=sys.stderr)
                return 2
    args.drift = autogen.has_drift(args.miglint)
    only = set(args.dialects.split(","))
    if "postgresql" in only and not args.pg_port:
        print("reality: --pg-port is required for PostgreSQL", file=sys.stderr)
        return 2
    print(f"reality: sqlite {sqlite3.sqlite_version}, alembic {version('alembic')}, "
          f"SQLAlchemy {version('SQLAlchemy')}; projects: "
          + ", ".join(f"{p.name} {manifest.get(p.name)}" for p in projects))
    workdir = Path(tempfile.mkdtemp(prefix="miglint-reality."))
    try:
        tasks = [(p, d) for p in projects for d in p.dialects if d in only]
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            runs = list(pool.map(lambda t: run_one(args, t[0], t[1], workdir), tasks))
        expected = load_expected()
        if args.update:
            update_drift_files(runs)
            write_expected(runs, expected)
            print(f"reality: wrote {EXPECTED}")
            expected = load_expected()
        if os.environ.get("MIGLINT_REALITY_DUMP"):
            for r in runs:
                for it in r.items:
                    print(f"{r.project.name}\t{r.dialect}\t{'ok' if it.ok else 'DIFF'}\t{it.key}\t{it.observed}")
        return report(runs, expected, args)
    finally:
        if args.keep:
            print(f"reality: work folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
