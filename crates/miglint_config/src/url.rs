//! What a `sqlalchemy.url` says about the dialect.

use miglint_diagnostics::Dialect;

/// What the scheme of a `sqlalchemy.url` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlDialect {
    /// One of miglint's dialects.
    Known(Dialect),
    /// A real database miglint does not model (`mssql`, `oracle`, ...).
    Unsupported(String),
    /// Nothing usable: the alembic template placeholder
    /// (`driver://user:pass@localhost/dbname`), `%(...)s` / `${...}`
    /// interpolation, or not a URL.
    Unknown,
}

/// Classifies a `sqlalchemy.url` value by its scheme
/// (`postgresql+psycopg2://` → PostgreSQL, `mariadb://` → MySQL, ...).
pub fn dialect_from_url(url: &str) -> UrlDialect {
    let url = url.trim();
    if url.contains("%(") || url.contains("${") || url.starts_with('$') {
        return UrlDialect::Unknown;
    }
    let Some((scheme, _)) = url.split_once("://") else {
        return UrlDialect::Unknown;
    };
    let backend = scheme
        .split('+')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if backend.is_empty()
        // template placeholders: alembic's `driver://user:pass@localhost/dbname`,
        // airflow's `scheme://localhost/airflow`
        || matches!(backend.as_str(), "driver" | "scheme" | "dialect")
        || !backend
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return UrlDialect::Unknown;
    }
    match Dialect::from_sqlalchemy_name(&backend) {
        Some(d) => UrlDialect::Known(d),
        None => UrlDialect::Unsupported(backend),
    }
}
