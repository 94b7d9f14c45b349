//! Every place where a migration gives a column a server default, with the
//! column's type (as far as it is written down) and the targets reaching
//! it: found once per file ([`crate::rule::FileContext::default_sites`]) and
//! shared by the `server_default` portability rules (ML101-ML104, ML109).
//! A leaf module: it builds on the migration model only.

use miglint_diagnostics::{Diagnostic, DialectSet};
use miglint_python::{
    DefaultValue, Expr, ExprKind, Keyword, Module, Receiver, Spanned, classify_default,
    last_segment,
};

/// Which operation sets the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SiteKind {
    /// A column of `create_table`.
    CreateTable,
    /// `add_column` (op or batch).
    AddColumn,
    /// `alter_column(server_default=...)` (op or batch).
    AlterColumn,
}

/// What a column's type is, as far as miglint can tell from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TypeClass {
    Boolean,
    /// `DateTime`, `Date`, `Time`, `TIMESTAMP`, and custom types named so.
    Temporal,
    /// `String`, `Text`, `Unicode`, `Enum`, `VARCHAR`, ...
    Textual,
    /// A recognised type of another kind (numbers, JSON, UUID, binary, ...).
    Other,
    /// No type written (alter_column without `type_`/`existing_type`), or
    /// a name miglint does not know (a variable, a custom type).
    Unknown,
}

/// One `server_default=` of a column.
pub(crate) struct DefaultSite<'a> {
    pub kind: SiteKind,
    /// The `server_default=...` keyword.
    pub keyword: &'a Keyword,
    pub value: DefaultValue<'a>,
    /// The type expression (`sa.DateTime(timezone=True)`), when written down.
    pub type_expr: Option<&'a Expr>,
    /// The type's name without module (`Boolean`), when written down.
    pub type_name: Option<String>,
    /// Called on a `batch_alter_table` operations object.
    pub in_batch: bool,
    pub type_class: TypeClass,
    /// The column name, when literal.
    pub column: Option<Spanned<String>>,
    /// The targets that run the op (its dialect guards ∩ the file's targets).
    pub reaching: DialectSet,
}

impl DefaultSite<'_> {
    /// The default's expression (`sa.text("1")`).
    pub fn expr(&self) -> &Expr {
        &self.keyword.value
    }

    /// The column name, or `<column>` when it is not literal (for quoting DB errors).
    pub fn column_name(&self) -> &str {
        self.column
            .as_ref()
            .map_or("<column>", |c| c.value.as_str())
    }

    /// Labels the column name, when literal.
    pub fn label_column(&self, diag: Diagnostic) -> Diagnostic {
        match &self.column {
            Some(c) => diag.with_label(c.range, format!("column \"{}\"", c.value)),
            None => diag,
        }
    }
}

impl<'a> DefaultSite<'a> {
    /// The site of `keyword` (`server_default=...`) on `op`, with the
    /// column's type expression as written.
    fn of(
        kind: SiteKind,
        op: &miglint_python::Op,
        keyword: &'a Keyword,
        type_expr: Option<&'a Expr>,
        column: Option<Spanned<String>>,
        reaching: DialectSet,
    ) -> Self {
        let type_name = type_expr.and_then(type_name_of);
        DefaultSite {
            kind,
            type_expr,
            in_batch: op.in_batch(),
            keyword,
            value: classify(&keyword.value),
            type_class: classify_type(type_name.as_deref()),
            type_name,
            column,
            reaching,
        }
    }
}

/// Every server default of the file that some target reaches, in source order.
pub(crate) fn default_sites(module: &Module, targets: DialectSet) -> Vec<DefaultSite<'_>> {
    let mut out = Vec::new();
    for op in &module.ops {
        if matches!(op.receiver, Receiver::Connection) {
            continue;
        }
        let reaching = op.dialects.intersect(targets);
        if reaching.is_empty() {
            continue;
        }
        match op.name.as_str() {
            "create_table" | "add_column" => {
                let kind = if op.name == "create_table" {
                    SiteKind::CreateTable
                } else {
                    SiteKind::AddColumn
                };
                for col in op.columns() {
                    let Some(keyword) = col.server_default() else {
                        continue;
                    };
                    out.push(DefaultSite::of(
                        kind,
                        op,
                        keyword,
                        col.type_expr(),
                        col.name(),
                        reaching,
                    ));
                }
            }
            "alter_column" => {
                let Some(keyword) = op.kwarg("server_default") else {
                    continue;
                };
                if keyword.value.is_none() || keyword.value.bool_value().is_some() {
                    // `None` drops the default, `False` leaves it alone
                    continue;
                }
                let type_expr = op
                    .kwarg("type_")
                    .filter(|k| !k.value.is_none())
                    .or_else(|| op.kwarg("existing_type"))
                    .map(|k| &k.value);
                let column_expr = if op.in_batch() {
                    op.arg_or_kw(0, "column_name")
                } else {
                    op.arg_or_kw(1, "column_name")
                };
                let column = column_expr.and_then(|e| {
                    e.str_value().map(|s| Spanned {
                        value: s.to_string(),
                        range: e.range,
                    })
                });
                out.push(DefaultSite::of(
                    SiteKind::AlterColumn,
                    op,
                    keyword,
                    type_expr,
                    column,
                    reaching,
                ));
            }
            _ => {}
        }
    }
    out
}

/// [`classify_default`], looking through `sa.DefaultClause(...)`.
fn classify(expr: &Expr) -> DefaultValue<'_> {
    if let Some(call) = expr.as_call()
        && call
            .func
            .dotted()
            .is_some_and(|n| last_segment(&n) == "DefaultClause")
        && let Some(inner) = call.args.first()
    {
        return classify_default(inner);
    }
    classify_default(expr)
}

/// The type's class name: `Boolean` for `sa.Boolean`, `sa.Boolean()`,
/// `sa.Boolean().with_variant(...)`, `postgresql.BOOLEAN()`.
fn type_name_of(expr: &Expr) -> Option<String> {
    let base = match &expr.kind {
        ExprKind::Call(call) => match &call.func.kind {
            // `sa.X().with_variant(...)` / `.evaluates_none()`: the base type
            ExprKind::Attribute(a)
                if matches!(a.attr.as_str(), "with_variant" | "evaluates_none")
                    && a.value.as_call().is_some() =>
            {
                return type_name_of(&a.value);
            }
            _ => call.func.dotted()?,
        },
        _ => expr.dotted()?,
    };
    Some(last_segment(&base).to_string())
}

pub(crate) fn classify_type(name: Option<&str>) -> TypeClass {
    let Some(name) = name else {
        return TypeClass::Unknown;
    };
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "boolean" | "bool" => TypeClass::Boolean,
        "date" | "time" | "datetime" | "datetime2" | "smalldatetime" | "timestamp" => {
            TypeClass::Temporal
        }
        "string" | "text" | "unicode" | "unicodetext" | "varchar" | "nvarchar" | "char"
        | "nchar" | "clob" | "tinytext" | "mediumtext" | "longtext" | "citext" | "enum" => {
            TypeClass::Textual
        }
        "integer" | "biginteger" | "smallinteger" | "int" | "bigint" | "smallint" | "tinyint"
        | "mediumint" | "numeric" | "decimal" | "float" | "real" | "double"
        | "double_precision" | "json" | "jsonb" | "uuid" | "largebinary" | "binary"
        | "varbinary" | "blob" | "bytea" | "interval" | "array" | "inet" | "cidr" | "macaddr"
        | "pickletype" => TypeClass::Other,
        _ if lower.contains("datetime") || lower.contains("timestamp") => TypeClass::Temporal,
        _ => TypeClass::Unknown,
    }
}
