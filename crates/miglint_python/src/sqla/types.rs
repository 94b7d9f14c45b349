//! Type families: drift compares column types by family (an integer is an
//! integer whatever its width), the way a reader of `alembic check` output
//! would sort a change as "the same kind of value" or not. Lengths,
//! precisions, widths and time zones are not compared (see README "drift").

/// The family of a SQLAlchemy / SQL type name as written (`String`,
/// `sa.VARCHAR`, `postgresql.UUID` → its last segment); `None` for a
/// custom or unknown type (never compared).
pub fn family(type_name: &str) -> Option<&'static str> {
    let t = type_name.rsplit('.').next().unwrap_or(type_name);
    let t = t.to_ascii_uppercase();
    Some(match t.as_str() {
        "INTEGER" | "INT" | "BIGINTEGER" | "BIGINT" | "SMALLINTEGER" | "SMALLINT" | "TINYINT"
        | "MEDIUMINT" | "SERIAL" | "BIGSERIAL" => "integer",
        "STRING" | "VARCHAR" | "NVARCHAR" | "CHAR" | "NCHAR" | "TEXT" | "UNICODE"
        | "UNICODETEXT" | "CLOB" | "TINYTEXT" | "MEDIUMTEXT" | "LONGTEXT" | "CITEXT" => "string",
        "NUMERIC" | "DECIMAL" | "FLOAT" | "REAL" | "DOUBLE" | "DOUBLE_PRECISION" => "numeric",
        "BOOLEAN" | "BOOL" => "boolean",
        "DATETIME" | "TIMESTAMP" => "datetime",
        "DATE" => "date",
        "TIME" => "time",
        "INTERVAL" => "interval",
        "LARGEBINARY" | "BINARY" | "VARBINARY" | "BLOB" | "BYTEA" | "LONGBLOB" | "PICKLETYPE" => {
            "binary"
        }
        "JSON" | "JSONB" => "json",
        "UUID" | "UUID_" => "uuid",
        "ARRAY" => "array",
        _ => return None,
    })
}

/// The type SQLAlchemy 2.x's default `type_annotation_map` gives a
/// `Mapped[...]` annotation (the Python type, as written).
pub fn from_annotation(py: &str) -> Option<&'static str> {
    let t = py.rsplit('.').next().unwrap_or(py);
    Some(match t {
        "int" => "Integer",
        "str" => "String",
        "float" => "Float",
        "bool" => "Boolean",
        "datetime" => "DateTime",
        "date" => "Date",
        "time" => "Time",
        "timedelta" => "Interval",
        "Decimal" => "Numeric",
        "bytes" => "LargeBinary",
        "UUID" => "Uuid",
        _ => return None,
    })
}

/// A server default as a normalised constant, or `None` when it is not
/// one miglint can compare: `server_default="x"` (`text` false) is `x`;
/// `text("'x'")` / `text("(0)")` lose one level of parentheses and of
/// single quotes, as alembic's SQLite comparison strips them. A value with
/// other quotes or parentheses (an expression, a function call) is `None`.
pub fn default_constant(value: &str, text: bool) -> Option<String> {
    let plain = |s: &str| !s.is_empty() && !s.contains(['\'', '"', '(', ')', '\\']);
    if !text {
        return plain(value).then(|| value.to_string());
    }
    let mut v = value.trim();
    if let Some(inner) = v.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        v = inner.trim();
    }
    if let Some(inner) = v.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')) {
        v = inner;
    }
    plain(v).then(|| v.to_string())
}

/// Whether two server-default constants differ the way alembic's
/// `compare_server_default` decides on both PostgreSQL (a `SELECT a = b`
/// on the server) and SQLite (the normalised text): `Some(false)` when
/// they are the same text, `Some(true)` when both are words or canonical
/// integers of a string or integer column and differ, `None` otherwise
/// (`0` and `00` are equal on PostgreSQL, not on SQLite; `true` and `t`
/// on a boolean column likewise).
pub fn defaults_differ(a: &str, b: &str, family: Option<&str>) -> Option<bool> {
    if a == b {
        return Some(false);
    }
    let int = |s: &str| {
        let d = s.strip_prefix('-').unwrap_or(s);
        !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()) && (d == "0" || !d.starts_with('0'))
    };
    let word = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ' ')
    };
    let decided = match family? {
        "integer" => int(a) && int(b),
        "string" => word(a) && word(b),
        _ => false,
    };
    decided.then_some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_default_constants() {
        assert_eq!(default_constant("active", false).as_deref(), Some("active"));
        assert_eq!(default_constant("'x'", true).as_deref(), Some("x"));
        assert_eq!(default_constant("(0)", true).as_deref(), Some("0"));
        assert_eq!(default_constant("now()", true), None);
        assert_eq!(default_constant("it's", false), None);
        assert_eq!(default_constant("", false), None);
        assert_eq!(defaults_differ("1", "2", Some("integer")), Some(true));
        assert_eq!(defaults_differ("01", "1", Some("integer")), None);
        assert_eq!(defaults_differ("a", "b", Some("string")), Some(true));
        assert_eq!(defaults_differ("true", "t", Some("boolean")), None);
        assert_eq!(defaults_differ("x", "x", None), Some(false));
    }

    #[test]
    fn families() {
        assert_eq!(family("sa.String"), family("TEXT"));
        assert_eq!(family("BigInteger"), Some("integer"));
        assert_ne!(family("String"), family("Integer"));
        assert_eq!(family("MyCustomType"), None);
        assert_eq!(family("Uuid"), Some("uuid"));
    }
}
