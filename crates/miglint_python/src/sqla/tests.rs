use std::path::Path;

use super::*;

fn models(src: &str) -> Models {
    extract(&[ModelSource {
        path: Path::new("models.py"),
        source: src,
    }])
}

fn col<'a>(m: &'a Models, t: &str, c: &str) -> &'a ModelColumn {
    m.table(t).unwrap().column(c).unwrap()
}

#[test]
fn mapped_nullability_follows_sqlalchemy_2() {
    let m = models(
        r#"
from typing import Optional
import datetime
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
import sqlalchemy as sa

class Base(DeclarativeBase):
    pass

class User(Base):
    __tablename__ = "user"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    nick: Mapped[Optional[str]]
    bio: Mapped[str | None] = mapped_column(sa.Text)
    seen: Mapped["datetime.datetime | None"]
    forced: Mapped[Optional[int]] = mapped_column(nullable=False)
    legacy = sa.Column(sa.String(20))
    legacy_pk = sa.Column("lpk", sa.Integer, primary_key=True)
    created: Mapped[datetime.datetime] = mapped_column(server_default=sa.func.now())
    posts: Mapped[list["Post"]] = relationship(back_populates="user")
"#,
    );
    let t = m.table("user").unwrap();
    assert_eq!(t.uncertain, None);
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "id", "name", "nick", "bio", "seen", "forced", "legacy", "lpk", "created"
        ]
    );
    assert_eq!(col(&m, "user", "id").nullable, Some(false));
    assert_eq!(col(&m, "user", "name").nullable, Some(false));
    assert_eq!(col(&m, "user", "name").type_name.as_deref(), Some("String"));
    assert_eq!(col(&m, "user", "nick").nullable, Some(true));
    assert_eq!(col(&m, "user", "bio").nullable, Some(true));
    assert_eq!(col(&m, "user", "bio").type_name.as_deref(), Some("Text"));
    assert_eq!(col(&m, "user", "seen").nullable, Some(true));
    assert_eq!(
        col(&m, "user", "seen").type_name.as_deref(),
        Some("DateTime")
    );
    assert_eq!(col(&m, "user", "forced").nullable, Some(false));
    assert_eq!(col(&m, "user", "legacy").nullable, Some(true));
    assert_eq!(col(&m, "user", "lpk").nullable, Some(false));
    assert!(col(&m, "user", "created").server_default);
    assert_eq!(col(&m, "user", "created").nullable, Some(false));
    assert_eq!(col(&m, "user", "name").line, 13);
}

#[test]
fn mixins_abstract_bases_and_table_args() {
    let m = models(
        r#"
Base = declarative_base()

class TimestampMixin:
    created_at = Column(DateTime, nullable=False)
    updated_at = Column(DateTime)

class Abstract(Base):
    __abstract__ = True
    id = Column(Integer, primary_key=True)

class Item(TimestampMixin, Abstract):
    __tablename__ = "item"
    sku = Column(String(10), index=True)
    email = Column(String, unique=True)
    code = Column(String, unique=True, index=True)
    __table_args__ = (
        Index("ix_item_pair", "sku", "email", unique=True),
        UniqueConstraint("sku", "code", name="uq_item_sku_code"),
        CheckConstraint("sku <> ''"),
        {"mysql_engine": "InnoDB"},
    )
"#,
    );
    assert_eq!(m.tables.len(), 1, "{:?}", m.tables);
    let t = m.table("item").unwrap();
    assert_eq!(t.uncertain, None);
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["sku", "email", "code", "created_at", "updated_at", "id"]
    );
    let ix: Vec<(Option<&str>, bool)> = t
        .indexes
        .iter()
        .map(|i| (i.name.as_deref(), i.unique))
        .collect();
    assert_eq!(
        ix,
        [
            (Some("ix_item_sku"), false),
            (Some("ix_item_code"), true),
            (Some("ix_item_pair"), true)
        ]
    );
    let uq: Vec<(Option<&str>, &[String])> = t
        .uniques
        .iter()
        .map(|u| (u.name.as_deref(), u.columns.as_slice()))
        .collect();
    assert_eq!(uq.len(), 2);
    assert_eq!(uq[0].0, None);
    assert_eq!(uq[1].0, Some("uq_item_sku_code"));
}

#[test]
fn naming_convention_and_table_objects() {
    let m = models(
        r#"
convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=convention)

tags = Table(
    "tags",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("label", String(50), nullable=False, unique=True),
    Column("slug", String(50), index=True),
)
Index("ix_tags_label_slug", tags.c.label, tags.c.slug)
"#,
    );
    let t = m.table("tags").unwrap();
    assert_eq!(t.uncertain, None);
    assert_eq!(t.uniques[0].name.as_deref(), Some("uq_tags_label"));
    let ix: Vec<Option<&str>> = t.indexes.iter().map(|i| i.name.as_deref()).collect();
    assert_eq!(ix, [Some("ix_tags_slug"), Some("ix_tags_label_slug")]);
    assert_eq!(t.indexes[1].columns, ["label", "slug"]);
}

#[test]
fn dynamic_declarations_are_uncertain() {
    let m = models(
        r#"
class Base:
    @declared_attr
    def __tablename__(cls):
        return cls.__name__.lower()

class A(Base):
    id = Column(Integer, primary_key=True)

class B(Base):
    __tablename__ = "b"
    id = Column(Integer, primary_key=True)
    extra = make_column()

class C(Base, ExternalMixin):
    __tablename__ = "c"
    id = Column(Integer, primary_key=True)

class D(Base):
    __tablename__ = "d"
    id = Column(Integer, primary_key=True)
    __table_args__ = {"schema": "other"}

NAME = "dyn"
t = Table(NAME, metadata, Column("id", Integer))
"#,
    );
    // A's name is computed: it cannot be named, so no table is certain to be absent
    assert!(
        m.unknown.iter().any(|u| u.why.contains("class `A`")),
        "{:?}",
        m.unknown
    );
    assert!(m.unknown.iter().any(|u| u.why.contains("Table")));
    assert!(
        m.table("b")
            .unwrap()
            .uncertain
            .as_ref()
            .unwrap()
            .contains("make_column")
    );
    assert!(
        m.table("c")
            .unwrap()
            .uncertain
            .as_ref()
            .unwrap()
            .contains("ExternalMixin")
    );
    assert!(m.table("d").unwrap().uncertain.is_some());
}

#[test]
fn single_table_inheritance_and_non_models() {
    let m = models(
        r#"
import enum
from pydantic import BaseModel

class Kind(enum.Enum):
    a = "a"

class Schema(BaseModel):
    name: str

class Employee(Base):
    __tablename__ = "employee"
    id = Column(Integer, primary_key=True)
    type = Column(String(20))
    __mapper_args__ = {"polymorphic_on": type}

class Manager(Employee):
    __mapper_args__ = {"polymorphic_identity": "manager"}
    level = Column(Integer)

class Engineer(Employee):
    __tablename__ = "engineer"
    id = Column(ForeignKey("employee.id"), primary_key=True)
"#,
    );
    assert!(m.unknown.is_empty(), "{:?}", m.unknown);
    let names: Vec<&str> = m.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["employee", "engineer"]);
    assert!(m.table("employee").unwrap().column("level").is_some());
    assert_eq!(m.table("engineer").unwrap().columns.len(), 1);
    assert_eq!(col(&m, "engineer", "id").type_name, None);
}

#[test]
fn broken_source_never_panics() {
    let m = models("class A(Base:\n  __tablename__ = \n  x = Column(\n");
    assert!(m.tables.len() <= 1);
    let m = models("");
    assert!(m.tables.is_empty());
}

#[test]
fn declarative_base_cls_outside_the_files_makes_tables_uncertain() {
    let m = models(
        r#"
from sqlalchemy import Column, Integer
from sqlalchemy.orm import declarative_base
from shared.db import AuditMixin

class _Root(AuditMixin):
    pass

Root = declarative_base(cls=_Root)
Other = declarative_base(cls=make_root())

class Account(Root):
    __tablename__ = "account"
    id = Column(Integer, primary_key=True)

class Ledger(Other):
    __tablename__ = "ledger"
    id = Column(Integer, primary_key=True)
"#,
    );
    let why = m.table("account").unwrap().uncertain.as_deref().unwrap();
    assert!(why.contains("AuditMixin"), "{why}");
    let why = m.table("ledger").unwrap().uncertain.as_deref().unwrap();
    assert_eq!(
        why,
        "its base `Other` is built on `?`, which is not in the model files"
    );
}

#[test]
fn declarative_base_cls_in_the_files_adds_its_columns() {
    let m = models(
        r#"
import sqlalchemy as sa
from sqlalchemy import orm

class Stamps:
    created = sa.Column(sa.DateTime, nullable=False)
    changed = sa.Column(sa.DateTime)

class _Root(Stamps):
    pass

Root = orm.declarative_base(cls=_Root)
Reg = orm.registry().generate_base(cls=Stamps)

class Account(Root):
    __tablename__ = "account"
    id = sa.Column(sa.Integer, primary_key=True)

class Note(Reg):
    __tablename__ = "note"
    id = sa.Column(sa.Integer, primary_key=True)
"#,
    );
    for t in ["account", "note"] {
        let table = m.table(t).unwrap();
        assert_eq!(table.uncertain, None, "{t}");
        let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["id", "created", "changed"], "{t}");
        assert_eq!(col(&m, t, "created").nullable, Some(false));
    }
}

#[test]
fn a_column_constructor_chosen_by_an_import_is_read() {
    let m = models(
        r#"
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base, Mapped

try:
    from sqlalchemy.orm import mapped_column
    Col = mapped_column
except ImportError:
    from sqlalchemy import Column as Col

if sa.__version__ >= "2":
    Plain = sa.Column
else:
    from sqlalchemy import Column as Plain

Base = declarative_base()

class Job(Base):
    __tablename__ = "job"
    id = Col(sa.Integer, primary_key=True)
    title = Col(sa.String(80), nullable=False)
    note = Plain(sa.Text)

class Typed(Base):
    __tablename__ = "typed"
    id = Col(sa.Integer, primary_key=True)
    label: Mapped[str] = Col(sa.String(10))
"#,
    );
    let job = m.table("job").unwrap();
    assert_eq!(job.uncertain, None);
    assert_eq!(job.columns.len(), 3);
    assert!(col(&m, "job", "id").primary_key);
    assert_eq!(col(&m, "job", "title").nullable, Some(false));
    assert_eq!(col(&m, "job", "title").type_name.as_deref(), Some("String"));
    assert_eq!(col(&m, "job", "note").nullable, Some(true));
    // Column ignores the Mapped annotation, mapped_column does not
    let why = m.table("typed").unwrap().uncertain.as_deref().unwrap();
    assert!(why.contains("chosen by an import"), "{why}");
}

#[test]
fn a_name_not_always_a_column_constructor_is_not_an_alias() {
    let m = models(
        r#"
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

try:
    from sqlalchemy import Column as Col
except ImportError:
    from mylib import make_column as Col

Base = declarative_base()

class Job(Base):
    __tablename__ = "job"
    id = sa.Column(sa.Integer, primary_key=True)
    title = Col(sa.String(80))
"#,
    );
    let why = m.table("job").unwrap().uncertain.as_deref().unwrap();
    assert!(why.contains("`title = Col(...)`"), "{why}");
}

#[test]
fn a_base_from_an_unscanned_file_makes_its_tables_uncertain() {
    // `Base`/`db.Model` imported from a file miglint does not read may be
    // `declarative_base(cls=Mixin)` or a custom `model_class`: its columns
    // are unknown
    let m = models(
        r#"
from app.db import Base, db
from sqlalchemy import Column, Integer

class A(Base):
    __tablename__ = "a"
    id = Column(Integer, primary_key=True)

class B(db.Model):
    __tablename__ = "b"
    id = Column(Integer, primary_key=True)
"#,
    );
    for t in ["a", "b"] {
        let why = m.table(t).unwrap().uncertain.as_deref().unwrap_or("");
        assert!(why.contains("is not in the model files"), "{t}: {why}");
    }
    // the same bases defined in the scanned files are known
    let m = models(
        r#"
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import declarative_base
from sqlalchemy import Column, Integer

Base = declarative_base()
db = SQLAlchemy()

class A(Base):
    __tablename__ = "a"
    id = Column(Integer, primary_key=True)

class B(db.Model):
    __tablename__ = "b"
    id = Column(Integer, primary_key=True)

class C(models.Base):
    __tablename__ = "c"
    id = Column(Integer, primary_key=True)
"#,
    );
    for t in ["a", "b", "c"] {
        assert_eq!(m.table(t).unwrap().uncertain, None, "{t}");
    }
}

#[test]
fn foreign_keys_are_read_with_their_options() {
    let m = models(
        r#"
Base = declarative_base()
users = Table("users", Base.metadata, Column("id", Integer, primary_key=True))

class Post(Base):
    __tablename__ = "post"
    id = Column(Integer, primary_key=True)
    author_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE", name="x"))
    owner_id = mapped_column(ForeignKey(users.c.id, deferrable=True, initially="DEFERRED"))
    __table_args__ = (ForeignKeyConstraint(["a", "b"], ["pair.x", "pair.y"], onupdate="NO ACTION"),)

class Odd(Base):
    __tablename__ = "odd"
    id = Column(Integer, primary_key=True)
    other_id = Column(Integer, ForeignKey(Other.id))
"#,
    );
    let t = m.table("post").unwrap();
    assert_eq!(t.fks_uncertain, None);
    let fks: Vec<String> = t
        .foreign_keys
        .iter()
        .map(|f| {
            format!(
                "{:?} -> {}{:?} {:?} {:?} {}",
                f.columns, f.ref_table, f.ref_columns, f.onupdate, f.ondelete, f.deferral
            )
        })
        .collect();
    assert_eq!(
        fks,
        [
            r#"["author_id"] -> users["id"] None Some("cascade") not deferrable"#,
            r#"["owner_id"] -> users["id"] None None initially_deferrable"#,
            r#"["a", "b"] -> pair["x", "y"] None None not deferrable"#,
        ]
    );
    // a class attribute target is not resolved: the table's foreign keys
    // are not compared (the table itself is)
    let odd = m.table("odd").unwrap();
    assert_eq!(odd.uncertain, None);
    assert!(odd.fks_uncertain.is_some());
}
