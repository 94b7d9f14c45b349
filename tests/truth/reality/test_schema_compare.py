"""The comparison of schema_compare.py on hand-made schemas (run by
scripts/test: `python3 -m unittest discover -s tests/truth/reality`)."""

import unittest

from schema_compare import compare, family, from_miglint


def ml_table(name, columns, constraints=(), indexes=()):
    return {"name": name, "uncertain": False, "columns": columns, "constraints": list(constraints),
            "indexes": list(indexes)}


def ml_col(name, type_, nullable=True, pk=False, default=False):
    return {"name": name, "type": type_, "nullable": nullable, "primary_key": pk,
            "server_default": default, "enum": None}


def db_table(name, columns, pk=(), indexes=(), constraints=()):
    return {"name": name, "columns": {c["name"]: c for c in columns}, "pk": tuple(pk),
            "indexes": list(indexes), "constraints": list(constraints), "uncertain": False}


def db_col(name, type_, fam, nullable=True, default=False):
    return {"name": name, "type": type_, "family": fam, "nullable": nullable, "default": default}


class Families(unittest.TestCase):
    def test_written_types_follow_sqlalchemy_emulations(self):
        self.assertEqual(family("Enum", "postgresql", written=True), "enum")
        self.assertEqual(family("Enum", "sqlite", written=True), "string")
        self.assertEqual(family("sa.Uuid", "sqlite", written=True), "string")
        self.assertEqual(family("UUID", "postgresql", written=False), "uuid")
        self.assertEqual(family("DOUBLE_PRECISION", "postgresql", written=False), "float")
        self.assertIsNone(family("JSONDict", "postgresql", written=True))


class Compare(unittest.TestCase):
    def test_items_agree_and_differ(self):
        ml = from_miglint({"tables": [
            ml_table("t", [ml_col("id", "Integer", False, True), ml_col("a", "String", None),
                           ml_col("b", "JSONDict")],
                     constraints=[{"name": None, "kind": "unique", "columns": ["a"]},
                                  {"name": "valid", "kind": "check", "columns": []}],
                     indexes=[{"name": "ix_t_a", "columns": ["a"], "unique": False}]),
            ml_table("gone", [ml_col("id", "Integer", False, True)]),
        ]}, "postgresql", {"alembic_version"})
        db = {"t": db_table("t", [db_col("id", "INTEGER", "integer", False), db_col("a", "VARCHAR", "string", True),
                                  db_col("b", "TEXT", "string")], pk=("id",),
                            indexes=[{"name": "ix_t_a", "columns": ("a", "b"), "unique": False}],
                            constraints=[{"kind": "unique", "name": "t_a_key", "columns": ("a",)},
                                         {"kind": "check", "name": "ck_t_`valid`", "columns": ()}])}
        got = {i.key: (i.ok, i.observed) for i in compare(db, ml)}
        self.assertEqual(got["table gone"], (False, "only in miglint"))
        self.assertTrue(got["table t"][0])
        self.assertEqual(got["nullable t.a"], (False, "miglint unknown, database NULL"))
        self.assertFalse(got["type t.b"][0])
        self.assertTrue(got["type t.id"][0])
        self.assertTrue(got["primary key t"][0])
        # an unnamed constraint matches the database's generated name by columns
        self.assertTrue(got["unique t.t_a_key"][0])
        # a convention-renamed check is one item that differs on its name
        self.assertEqual(got["check t.ck_t_`valid`"][0], False)
        self.assertEqual(got["index t.ix_t_a"], (False, "miglint (a), database (a, b)"))


if __name__ == "__main__":
    unittest.main()
