"""Normalises two views of a schema, the database's (SQLAlchemy's inspector
after the real migrations ran) and miglint's (`miglint schema --format
json`), into one shape, and compares them item by item: tables, columns
(presence, nullable, type family, server default), primary keys, indexes
and constraints (unique, foreign key, check).

Names are compared case-insensitively (SQL folds unquoted names). Types are
compared by family (integer, string, float, ...): the type a migration
writes and the type the database reports back are different spellings of
the same storage (`sa.String(50)` / VARCHAR(50), `sa.Enum` / VARCHAR on
SQLite), and miglint keeps the spelling, not the arguments.
"""

from __future__ import annotations

from dataclasses import dataclass

# type name (lowercased, without module prefix) -> family
_FAMILY = {}
for _fam, _names in {
    "integer": "integer int smallinteger biginteger smallint bigint serial bigserial tinyint mediumint",
    "string": "string varchar char text unicode unicodetext nvarchar nchar clob citext tinytext "
              "mediumtext longtext",
    "boolean": "boolean bool",
    "float": "float real double double_precision",
    "numeric": "numeric decimal",
    "datetime": "datetime timestamp",
    "date": "date",
    "time": "time",
    "interval": "interval",
    "binary": "largebinary binary varbinary blob bytea pickletype",
    "json": "json jsonb",
    "uuid": "uuid",
    "enum": "enum",
    "array": "array",
}.items():
    for _n in _names.split():
        _FAMILY[_n] = _fam

# How a SQLAlchemy type a migration names is stored where the dialect has no
# native form (SQLAlchemy's documented emulations).
_EMULATED = {
    "sqlite": {"enum": "string", "uuid": "string", "interval": "datetime", "array": None},
}


def family(type_name: str | None, dialect: str, *, written: bool) -> str | None:
    """The family of a type name; `written` = as a migration spells it (so
    SQLAlchemy's emulations apply), else as the database reports it."""
    if not type_name:
        return None
    base = type_name.rsplit(".", 1)[-1].lower()
    fam = _FAMILY.get(base)
    if written and fam is not None:
        fam = _EMULATED.get(dialect, {}).get(fam, fam)
    return fam


@dataclass
class Item:
    """One compared fact: `key` names it (stable, for the expectations
    file), `ok` says whether both sides agree, `observed` what each said."""

    key: str
    ok: bool
    observed: str = ""


def _norm_cols(cols) -> tuple[str, ...]:
    return tuple("<expr>" if c is None else str(c).lower() for c in cols)


def from_database(insp, dialect: str, skip: set[str]) -> dict:
    """The schema the inspector reflects (every table but `skip`)."""
    out = {}
    for t in insp.get_table_names():
        if t.lower() in skip:
            continue
        cols = {}
        for c in insp.get_columns(t):
            default = c.get("default")
            # an autoincrementing integer's sequence is not a server default
            if isinstance(default, str) and default.startswith("nextval("):
                default = None
            cols[c["name"].lower()] = {
                "name": c["name"],
                "nullable": bool(c["nullable"]),
                "type": type(c["type"]).__name__,
                "family": family(type(c["type"]).__name__, dialect, written=False),
                "default": default is not None,
            }
        pk = insp.get_pk_constraint(t) or {}
        indexes = []
        for ix in insp.get_indexes(t):
            if ix.get("duplicates_constraint"):
                continue  # the index behind a unique constraint (PostgreSQL)
            cols_ix = list(ix.get("column_names") or [])
            exprs = list(ix.get("expressions") or [])
            if exprs:
                cols_ix = exprs
            indexes.append({"name": ix["name"], "columns": _norm_cols(cols_ix), "unique": bool(ix["unique"])})
        cons = []
        for u in insp.get_unique_constraints(t):
            cons.append({"kind": "unique", "name": u.get("name"), "columns": _norm_cols(u["column_names"])})
        for f in insp.get_foreign_keys(t):
            cons.append({"kind": "foreign key", "name": f.get("name"),
                         "columns": _norm_cols(f["constrained_columns"])})
        for ch in insp.get_check_constraints(t):
            cons.append({"kind": "check", "name": ch.get("name"), "columns": ()})
        out[t.lower()] = {
            "name": t,
            "columns": cols,
            "pk": tuple(sorted(_norm_cols(pk.get("constrained_columns") or []))),
            "indexes": indexes,
            "constraints": cons,
            "uncertain": False,
        }
    return out


def from_miglint(doc: dict, dialect: str, skip: set[str]) -> dict:
    """The schema `miglint schema --format json` printed."""
    out = {}
    for t in doc.get("tables", []):
        if t["name"].lower() in skip:
            continue
        cols = {}
        for c in t["columns"]:
            cols[c["name"].lower()] = {
                "name": c["name"],
                "nullable": c["nullable"],
                "type": c["type"],
                "family": family(c["type"], dialect, written=True),
                "default": bool(c["server_default"]),
            }
        pk = [c["name"] for c in t["columns"] if c["primary_key"]]
        for con in t["constraints"]:
            if con["kind"] == "primary key" and not pk:
                pk = con["columns"]
        cons = [
            {"kind": con["kind"], "name": con["name"], "columns": _norm_cols(con["columns"])}
            for con in t["constraints"]
            if con["kind"] != "primary key"
        ]
        out[t["name"].lower()] = {
            "name": t["name"],
            "columns": cols,
            "pk": tuple(sorted(_norm_cols(pk))),
            "indexes": [{"name": ix["name"], "columns": _norm_cols(ix["columns"]), "unique": ix["unique"]}
                        for ix in t["indexes"]],
            "constraints": cons,
            "uncertain": bool(t.get("uncertain")),
        }
    return out


def _fmt_cols(cols) -> str:
    return "(" + ", ".join(cols) + ")"


def _nullable(v) -> str:
    return {True: "NULL", False: "NOT NULL", None: "unknown"}[v]


def _pair(mine: list[dict], theirs: list[dict], by_columns: bool) -> tuple[list, list, list]:
    """Pairs objects by name, then (unnamed on one side, or `by_columns`)
    by columns; returns pairs and the unpaired of each side."""
    mine, theirs = list(mine), list(theirs)
    pairs = []
    for m in list(mine):
        if m["name"] is None:
            continue
        for r in theirs:
            if r["name"] is not None and r["name"].lower() == m["name"].lower():
                pairs.append((m, r))
                mine.remove(m)
                theirs.remove(r)
                break
    for m in list(mine):
        for r in theirs:
            if (by_columns or m["name"] is None or r["name"] is None) and m["columns"] == r["columns"]:
                pairs.append((m, r))
                mine.remove(m)
                theirs.remove(r)
                break
    # a name the database shows inside a longer one: a naming convention
    # with %(constraint_name)s renamed it (a name difference, one item)
    for m in list(mine):
        for r in theirs:
            if m["name"] and r["name"] and m["name"].lower() in r["name"].lower():
                pairs.append((m, r))
                mine.remove(m)
                theirs.remove(r)
                break
    return pairs, mine, theirs


def compare(db: dict, ml: dict) -> list[Item]:
    """Every compared item, agreeing or not, in a stable order."""
    items: list[Item] = []
    for tk in sorted(set(db) | set(ml)):
        d, m = db.get(tk), ml.get(tk)
        if d is None or m is None:
            items.append(Item(f"table {tk}", False, "only in miglint" if d is None else "only in the database"))
            continue
        items.append(Item(f"table {tk}", True))
        for ck in sorted(set(d["columns"]) | set(m["columns"]), key=lambda k: k):
            dc, mc = d["columns"].get(ck), m["columns"].get(ck)
            where = f"{tk}.{ck}"
            if dc is None or mc is None:
                items.append(Item(f"column {where}", False, "only in miglint" if dc is None else "only in the database"))
                continue
            items.append(Item(f"column {where}", True))
            items.append(Item(f"nullable {where}", mc["nullable"] == dc["nullable"],
                              f"miglint {_nullable(mc['nullable'])}, database {_nullable(dc['nullable'])}"))
            items.append(Item(f"type {where}", mc["family"] is not None and mc["family"] == dc["family"],
                              f"miglint {mc['type']} ({mc['family'] or 'unknown'}), "
                              f"database {dc['type']} ({dc['family'] or 'unknown'})"))
            items.append(Item(f"default {where}", mc["default"] == dc["default"],
                              f"miglint {'a' if mc['default'] else 'no'} server default, "
                              f"database {'a' if dc['default'] else 'none'}"))
        items.append(Item(f"primary key {tk}", m["pk"] == d["pk"],
                          f"miglint {_fmt_cols(m['pk'])}, database {_fmt_cols(d['pk'])}"))
        pairs, only_m, only_d = _pair(m["indexes"], d["indexes"], by_columns=False)
        for mi, di in pairs:
            same = mi["columns"] == di["columns"] and mi["unique"] == di["unique"]
            items.append(Item(f"index {tk}.{di['name'].lower()}", same,
                              f"miglint {'unique ' if mi['unique'] else ''}{_fmt_cols(mi['columns'])}, "
                              f"database {'unique ' if di['unique'] else ''}{_fmt_cols(di['columns'])}"))
        for mi in only_m:
            items.append(Item(f"index {tk}.{mi['name'].lower()}", False, "only in miglint"))
        for di in only_d:
            items.append(Item(f"index {tk}.{(di['name'] or '?').lower()}", False, "only in the database"))
        for kind in ("unique", "foreign key", "check", "constraint"):
            mk = [c for c in m["constraints"] if c["kind"] == kind]
            dk = [c for c in d["constraints"] if c["kind"] == kind]
            pairs, only_m, only_d = _pair(mk, dk, by_columns=kind != "check")
            for mc, dc in pairs:
                name_ok = mc["name"] is None or dc["name"] is None or mc["name"].lower() == dc["name"].lower()
                cols_ok = kind == "check" or mc["columns"] == dc["columns"]
                label = (dc["name"] or mc["name"] or _fmt_cols(dc["columns"])).lower()
                items.append(Item(f"{kind} {tk}.{label}", name_ok and cols_ok,
                                  f"miglint {mc['name'] or '<unnamed>'} {_fmt_cols(mc['columns'])}, "
                                  f"database {dc['name'] or '<unnamed>'} {_fmt_cols(dc['columns'])}"))
            for c in only_m:
                label = (c["name"] or _fmt_cols(c["columns"])).lower()
                items.append(Item(f"{kind} {tk}.{label}", False, "only in miglint"))
            for c in only_d:
                label = (c["name"] or _fmt_cols(c["columns"])).lower()
                items.append(Item(f"{kind} {tk}.{label}", False, "only in the database"))
    return items
