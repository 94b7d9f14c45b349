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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families() {
        assert_eq!(family("sa.String"), family("TEXT"));
        assert_eq!(family("BigInteger"), Some("integer"));
        assert_ne!(family("String"), family("Integer"));
        assert_eq!(family("MyCustomType"), None);
        assert_eq!(family("Uuid"), Some("uuid"));
    }
}
