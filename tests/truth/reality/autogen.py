"""Real autogenerate on a database the project's own migrations built: the
items `alembic.autogenerate.compare_metadata` reports between that database
and the project's real MetaData (imported from the pip-installed package),
in the vocabulary of `miglint drift --format json` (op, table, column,
name), and the comparison of the two lists.

Objects are compared by op kind and table/column; index names too; other
constraint names are left out (a database names an unnamed constraint
itself). Foreign keys keep alembic's `add_fk` / `remove_fk`, compared by
table (their names are not compared either).
"""

from __future__ import annotations

import importlib
import json
import subprocess
from pathlib import Path

OPS: dict[str, str] = {}


def load_metadata(spec: str):
    """`module:attr.attr` -> the object."""
    module, _, attr = spec.partition(":")
    obj = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def _item(d) -> list[tuple[str, str, str | None, str | None]]:
    if isinstance(d, list):  # the modify_* tuples of one column
        return [x for e in d for x in _item(e)]
    op = OPS.get(d[0], d[0])
    if op in ("add_table", "remove_table"):
        return [(op, d[1].name, None, None)]
    if op in ("add_column", "remove_column"):
        return [(op, d[2], d[3].name, None)]
    if op.startswith("modify_"):
        return [(op, d[2], d[3], None)]
    if op in ("add_index", "remove_index"):
        return [(op, d[1].table.name, None, d[1].name)]
    if op in ("add_constraint", "remove_constraint", "add_fk", "remove_fk"):
        return [(op, d[1].table.name, None, d[1].name)]
    return [(op, "?", None, repr(d)[:80])]


def autogenerate_items(url: str, metadata_spec: str) -> list[dict]:
    """compare_metadata's items, sorted."""
    import sqlalchemy as sa
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    metadata = load_metadata(metadata_spec)
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()
    out = []
    for d in diffs:
        for op, table, column, name in _item(d):
            out.append({"op": op, "table": table, "column": column, "name": name})
    out.sort(key=key)
    return out


def key(it: dict) -> str:
    """`op table[.column][ index-name]`: what the comparison matches on."""
    s = f"{it['op']} {it['table'].lower()}"
    if it.get("column"):
        s += f".{it['column'].lower()}"
    if it.get("name") and it["op"] in ("add_index", "remove_index"):
        s += f" {it['name'].lower()}"
    return s


def models_file(metadata_spec: str) -> Path:
    """The source file of the module that defines the metadata."""
    return module_file(metadata_spec.partition(":")[0])


def module_file(name: str) -> Path:
    """The source file of an installed module."""
    module = importlib.import_module(name)
    return Path(module.__file__).resolve()


def has_drift(miglint: str) -> bool:
    p = subprocess.run([miglint, "drift", "--help"], capture_output=True, text=True)
    return p.returncode == 0


def miglint_items(miglint: str, versions: Path, models: list[Path], dialect: str,
                  work: Path) -> tuple[list[dict], list[str]]:
    """`miglint drift --format json` with the models declared in lint.toml:
    its items, and the tables it skipped (not compared)."""
    config = work / "drift.toml"
    config.write_text(f"models = [{', '.join(json.dumps(str(m)) for m in models)}]\n")
    p = subprocess.run([miglint, "drift", str(versions), "--format", "json", "--dialect", dialect,
                        "--config", str(config)], cwd=work, capture_output=True, text=True, timeout=120)
    if p.returncode not in (0, 1):
        raise RuntimeError(f"miglint drift exited {p.returncode}: {p.stderr.strip()[:400]}")
    out = json.loads(p.stdout)
    items = sorted(({k: it.get(k) for k in ("op", "table", "column", "name")} for it in out["items"]),
                   key=key)
    skipped = sorted({s["table"] for s in out.get("skipped", []) if s.get("table")})
    return items, skipped
