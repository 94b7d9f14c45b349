//! A summary of what a DDL statement does to the schema, read from
//! sqlparser's AST (the schema model replays it). Only statements sqlparser
//! parses are summarised; anything else is `None` and the model treats the
//! statement's table as uncertain.

use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, ColumnDef, ColumnOption, Ident, ObjectName,
    ObjectNamePart, ObjectType, RenameTableNameKind, Statement, TableConstraint,
    UserDefinedTypeRepresentation,
};

/// One change a DDL statement makes. Names are normalised like the
/// classifier's (unquoted identifiers lowercased, schema dropped).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DdlChange {
    CreateTable {
        table: String,
        columns: Vec<DdlColumn>,
        if_not_exists: bool,
    },
    DropTable {
        table: String,
        if_exists: bool,
    },
    RenameTable {
        from: String,
        to: String,
    },
    AddColumn {
        table: String,
        column: DdlColumn,
    },
    DropColumn {
        table: String,
        column: String,
    },
    RenameColumn {
        table: String,
        from: String,
        to: String,
    },
    /// `SET NOT NULL` (`true`) / `DROP NOT NULL` (`false`).
    SetNotNull {
        table: String,
        column: String,
        not_null: bool,
    },
    /// `SET DEFAULT` (`true`) / `DROP DEFAULT` (`false`).
    SetDefault {
        table: String,
        column: String,
        has_default: bool,
    },
    /// MySQL `MODIFY`/`CHANGE`: the column is redefined.
    RedefineColumn {
        table: String,
        from: String,
        column: DdlColumn,
    },
    AddConstraint {
        table: String,
        name: Option<String>,
    },
    DropConstraint {
        table: String,
        name: String,
    },
    CreateIndex {
        name: Option<String>,
        table: String,
        unique: bool,
    },
    DropIndex {
        name: String,
    },
    CreateEnum {
        name: String,
        labels: Vec<String>,
    },
    DropType {
        name: String,
    },
    CreateView {
        name: String,
    },
    DropView {
        name: String,
    },
    CreateSequence {
        name: String,
    },
    DropSequence {
        name: String,
    },
    /// An `ALTER TABLE` action not summarised: the table is uncertain.
    OtherAlter {
        table: String,
    },
}

/// A column definition of `CREATE TABLE` / `ADD COLUMN`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DdlColumn {
    pub name: String,
    /// The type as written (`VARCHAR(20)`).
    pub type_name: String,
    pub not_null: bool,
    pub primary_key: bool,
    pub has_default: bool,
}

fn ident(i: &Ident) -> String {
    match i.quote_style {
        None => i.value.to_ascii_lowercase(),
        Some(_) => i.value.clone(),
    }
}

fn last(name: &ObjectName) -> Option<String> {
    match name.0.last()? {
        ObjectNamePart::Identifier(i) => Some(ident(i)),
        ObjectNamePart::Function(_) => None,
    }
}

fn column(c: &ColumnDef) -> DdlColumn {
    let mut col = DdlColumn {
        name: ident(&c.name),
        type_name: c.data_type.to_string(),
        not_null: false,
        primary_key: false,
        has_default: false,
    };
    for o in &c.options {
        apply_option(&mut col, &o.option);
    }
    col
}

fn apply_option(col: &mut DdlColumn, o: &ColumnOption) {
    match o {
        ColumnOption::NotNull => col.not_null = true,
        ColumnOption::Null => col.not_null = false,
        ColumnOption::Default(_) | ColumnOption::Generated { .. } => col.has_default = true,
        ColumnOption::PrimaryKey(_) => {
            col.primary_key = true;
            col.not_null = true;
        }
        _ => {}
    }
}

/// The changes of one parsed statement; `None` when it is not DDL the
/// model understands.
pub(crate) fn summarise(stmt: &Statement) -> Option<Vec<DdlChange>> {
    let mut out = Vec::new();
    match stmt {
        Statement::CreateTable(ct) => {
            let table = last(&ct.name)?;
            let mut columns: Vec<DdlColumn> = ct.columns.iter().map(column).collect();
            for c in &ct.constraints {
                if let TableConstraint::PrimaryKey(pk) = c {
                    for ic in &pk.columns {
                        let name = ic.column.expr.to_string();
                        let key = name.trim_matches(['"', '`']).to_ascii_lowercase();
                        for col in &mut columns {
                            if col.name.eq_ignore_ascii_case(&key) {
                                col.primary_key = true;
                                col.not_null = true;
                            }
                        }
                    }
                }
            }
            // `CREATE TABLE ... AS SELECT`: columns unknown
            if ct.query.is_some() {
                return None;
            }
            out.push(DdlChange::CreateTable {
                table,
                columns,
                if_not_exists: ct.if_not_exists,
            });
        }
        Statement::AlterTable(at) => {
            let table = last(&at.name)?;
            for op in &at.operations {
                out.push(alter(&table, op));
            }
        }
        Statement::CreateIndex(ci) => out.push(DdlChange::CreateIndex {
            name: ci.name.as_ref().and_then(last),
            table: last(&ci.table_name)?,
            unique: ci.unique,
        }),
        Statement::CreateType {
            name,
            representation: Some(UserDefinedTypeRepresentation::Enum { labels }),
        } => out.push(DdlChange::CreateEnum {
            name: last(name)?,
            labels: labels.iter().map(|l| l.value.clone()).collect(),
        }),
        Statement::CreateView(v) => out.push(DdlChange::CreateView {
            name: last(&v.name)?,
        }),
        Statement::CreateSequence { name, .. } => {
            out.push(DdlChange::CreateSequence { name: last(name)? })
        }
        Statement::Drop {
            object_type,
            if_exists,
            names,
            ..
        } => {
            for n in names {
                let name = last(n)?;
                out.push(match object_type {
                    ObjectType::Table => DdlChange::DropTable {
                        table: name,
                        if_exists: *if_exists,
                    },
                    ObjectType::Index => DdlChange::DropIndex { name },
                    ObjectType::View | ObjectType::MaterializedView => DdlChange::DropView { name },
                    ObjectType::Sequence => DdlChange::DropSequence { name },
                    ObjectType::Type => DdlChange::DropType { name },
                    _ => return None,
                });
            }
        }
        _ => return None,
    }
    Some(out)
}

fn alter(table: &str, op: &AlterTableOperation) -> DdlChange {
    let t = table.to_string();
    match op {
        AlterTableOperation::AddColumn { column_def, .. } => DdlChange::AddColumn {
            table: t,
            column: column(column_def),
        },
        AlterTableOperation::DropColumn { column_names, .. } if column_names.len() == 1 => {
            DdlChange::DropColumn {
                table: t,
                column: ident(&column_names[0]),
            }
        }
        AlterTableOperation::RenameColumn {
            old_column_name,
            new_column_name,
        } => DdlChange::RenameColumn {
            table: t,
            from: ident(old_column_name),
            to: ident(new_column_name),
        },
        AlterTableOperation::RenameTable { table_name } => {
            let (RenameTableNameKind::As(n) | RenameTableNameKind::To(n)) = table_name;
            match last(n) {
                Some(to) => DdlChange::RenameTable { from: t, to },
                None => DdlChange::OtherAlter { table: t },
            }
        }
        AlterTableOperation::AlterColumn { column_name, op } => {
            let column = ident(column_name);
            match op {
                AlterColumnOperation::SetNotNull => DdlChange::SetNotNull {
                    table: t,
                    column,
                    not_null: true,
                },
                AlterColumnOperation::DropNotNull => DdlChange::SetNotNull {
                    table: t,
                    column,
                    not_null: false,
                },
                AlterColumnOperation::SetDefault { .. } => DdlChange::SetDefault {
                    table: t,
                    column,
                    has_default: true,
                },
                AlterColumnOperation::DropDefault => DdlChange::SetDefault {
                    table: t,
                    column,
                    has_default: false,
                },
                _ => DdlChange::OtherAlter { table: t },
            }
        }
        AlterTableOperation::ModifyColumn {
            col_name,
            data_type,
            options,
            ..
        } => redefine(t, col_name, col_name, data_type, options),
        AlterTableOperation::ChangeColumn {
            old_name,
            new_name,
            data_type,
            options,
            ..
        } => redefine(t, old_name, new_name, data_type, options),
        AlterTableOperation::AddConstraint { constraint, .. } => DdlChange::AddConstraint {
            table: t,
            name: constraint_name(constraint),
        },
        AlterTableOperation::DropConstraint { name, .. } => DdlChange::DropConstraint {
            table: t,
            name: ident(name),
        },
        _ => DdlChange::OtherAlter { table: t },
    }
}

fn redefine(
    table: String,
    old: &Ident,
    new: &Ident,
    data_type: &sqlparser::ast::DataType,
    options: &[ColumnOption],
) -> DdlChange {
    let mut col = DdlColumn {
        name: ident(new),
        type_name: data_type.to_string(),
        not_null: false,
        primary_key: false,
        has_default: false,
    };
    for o in options {
        apply_option(&mut col, o);
    }
    DdlChange::RedefineColumn {
        table,
        from: ident(old),
        column: col,
    }
}

fn constraint_name(c: &TableConstraint) -> Option<String> {
    let name = match c {
        TableConstraint::Unique(u) => u.name.as_ref(),
        TableConstraint::PrimaryKey(p) => p.name.as_ref(),
        TableConstraint::ForeignKey(f) => f.name.as_ref(),
        TableConstraint::Check(k) => k.name.as_ref(),
        _ => None,
    };
    name.map(ident)
}
