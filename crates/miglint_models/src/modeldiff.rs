//! What changed in the schema between two versions of the models (the
//! parity check "models changed without a revision"). Only differences a
//! migration would have to make count: a comment, a Python-side default, a
//! relationship or a reordering is not one.

use std::path::PathBuf;

use crate::types::family;
use crate::{ModelTable, Models};

/// One schema-relevant change of the models, located in the new version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelChange {
    pub table: String,
    pub column: Option<String>,
    /// What changed, in alembic's vocabulary (`add_column`, ...).
    pub op: &'static str,
    pub path: PathBuf,
    pub line: u32,
}

/// The changes from `old` to `new`. Tables uncertain in either version are
/// left out; tables that appear or vanish count only when neither version
/// has a table miglint cannot name. Changes are located in `new`; a table
/// that vanished is located at line 1 of the file that declared it, when
/// that file is among `new`'s files.
pub fn diff_models(old: &Models, new: &Models) -> Vec<ModelChange> {
    let mut out = Vec::new();
    let unknown = !old.unknown.is_empty() || !new.unknown.is_empty();
    for t in &new.tables {
        match old.table(&t.name) {
            None if !unknown && t.uncertain.is_none() => out.push(ModelChange {
                table: t.name.clone(),
                column: None,
                op: "add_table",
                path: t.path.clone(),
                line: t.line,
            }),
            None => {}
            Some(o) if o.uncertain.is_none() && t.uncertain.is_none() => {
                table_changes(o, t, &mut out)
            }
            Some(_) => {}
        }
    }
    if !unknown {
        for o in &old.tables {
            if new.table(&o.name).is_none() && o.uncertain.is_none() && new.files.contains(&o.path)
            {
                out.push(ModelChange {
                    table: o.name.clone(),
                    column: None,
                    op: "remove_table",
                    path: o.path.clone(),
                    line: 1,
                });
            }
        }
    }
    out
}

fn table_changes(o: &ModelTable, t: &ModelTable, out: &mut Vec<ModelChange>) {
    let at = |column: Option<&str>, op: &'static str, line: u32| ModelChange {
        table: t.name.clone(),
        column: column.map(str::to_string),
        op,
        path: t.path.clone(),
        line,
    };
    for c in &t.columns {
        let Some(oc) = o.column(&c.name) else {
            out.push(at(Some(&c.name), "add_column", c.line));
            continue;
        };
        if c.nullable.is_some() && oc.nullable.is_some() && c.nullable != oc.nullable {
            out.push(at(Some(&c.name), "modify_nullable", c.line));
        }
        let (a, b) = (
            c.type_name.as_deref().and_then(family),
            oc.type_name.as_deref().and_then(family),
        );
        if a.is_some() && b.is_some() && a != b {
            out.push(at(Some(&c.name), "modify_type", c.line));
        }
        if c.primary_key != oc.primary_key {
            out.push(at(Some(&c.name), "modify_primary_key", c.line));
        }
    }
    for oc in &o.columns {
        if t.column(&oc.name).is_none() {
            out.push(at(Some(&oc.name), "remove_column", t.line));
        }
    }
    for ix in &t.indexes {
        let same = |x: &crate::ModelIndex| {
            x.name == ix.name && x.unique == ix.unique && cols_eq(&x.columns, &ix.columns)
        };
        if !o.indexes.iter().any(same) {
            out.push(at(None, "add_index", ix.line));
        }
    }
    for ix in &o.indexes {
        let same = |x: &crate::ModelIndex| {
            x.name == ix.name && x.unique == ix.unique && cols_eq(&x.columns, &ix.columns)
        };
        if !t.indexes.iter().any(same) {
            out.push(at(None, "remove_index", t.line));
        }
    }
    for u in &t.uniques {
        if !o
            .uniques
            .iter()
            .any(|x| x.name == u.name && cols_eq(&x.columns, &u.columns))
        {
            out.push(at(None, "add_constraint", u.line));
        }
    }
    for u in &o.uniques {
        if !t
            .uniques
            .iter()
            .any(|x| x.name == u.name && cols_eq(&x.columns, &u.columns))
        {
            out.push(at(None, "remove_constraint", t.line));
        }
    }
    // foreign keys, by alembic's signature, when both versions read them all
    if o.fks_uncertain.is_none() && t.fks_uncertain.is_none() {
        for f in &t.foreign_keys {
            if !o.foreign_keys.iter().any(|x| same_fk(x, f)) {
                out.push(at(None, "add_fk", f.line));
            }
        }
        for f in &o.foreign_keys {
            if !t.foreign_keys.iter().any(|x| same_fk(x, f)) {
                out.push(at(None, "remove_fk", t.line));
            }
        }
    }
}

fn same_fk(a: &crate::ModelForeignKey, b: &crate::ModelForeignKey) -> bool {
    cols_eq(&a.columns, &b.columns)
        && a.ref_table.eq_ignore_ascii_case(&b.ref_table)
        && cols_eq(&a.ref_columns, &b.ref_columns)
        && a.onupdate == b.onupdate
        && a.ondelete == b.ondelete
        && a.deferral == b.deferral
}

fn cols_eq(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::{ModelSource, extract};

    /// The models of `src`, with their declarative base defined after them.
    fn m(src: &str) -> Models {
        let src = format!("{src}\nBase = declarative_base()\n");
        extract(&[ModelSource {
            path: Path::new("models.py"),
            source: &src,
        }])
    }

    const BASE: &str = "class A(Base):\n    __tablename__ = 'a'\n    id = Column(Integer, primary_key=True)\n    name = Column(String(20))\n";

    #[test]
    fn comment_and_python_side_edits_are_not_changes() {
        let edited = "# a comment\nclass A(Base):\n    \"\"\"Docs.\"\"\"\n    __tablename__ = 'a'\n    id = Column(Integer, primary_key=True)\n    name = Column(String(40), default='x', doc='the name')\n    items = relationship('Item')\n\n    def shout(self):\n        return self.name.upper()\n";
        assert_eq!(diff_models(&m(BASE), &m(edited)), []);
    }

    #[test]
    fn schema_edits_are_changes_at_their_new_line() {
        let edited = "class A(Base):\n    __tablename__ = 'a'\n    id = Column(Integer, primary_key=True)\n    name = Column(String(20), nullable=False, index=True)\n    email = Column(String)\n";
        let ch = diff_models(&m(BASE), &m(edited));
        let ops: Vec<(&str, u32)> = ch.iter().map(|c| (c.op, c.line)).collect();
        assert_eq!(
            ops,
            [("modify_nullable", 4), ("add_column", 5), ("add_index", 4)]
        );
    }

    #[test]
    fn a_foreign_key_added_or_changed_is_a_change() {
        let base = "class A(Base):\n    __tablename__ = 'a'\n    id = Column(Integer, primary_key=True)\n    b_id = Column(Integer, ForeignKey('b.id'))\n";
        let renamed = "class A(Base):\n    __tablename__ = 'a'\n    id = Column(Integer, primary_key=True)\n    b_id = Column(Integer, ForeignKey('b.id', name='fk_other'))\n";
        assert_eq!(diff_models(&m(base), &m(renamed)), []);
        let cascade = "class A(Base):\n    __tablename__ = 'a'\n    id = Column(Integer, primary_key=True)\n    b_id = Column(Integer, ForeignKey('b.id', ondelete='CASCADE'))\n";
        let ch = diff_models(&m(base), &m(cascade));
        let ops: Vec<(&str, u32)> = ch.iter().map(|c| (c.op, c.line)).collect();
        assert_eq!(ops, [("add_fk", 4), ("remove_fk", 1)]);
    }
}
