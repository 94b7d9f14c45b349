//! What an `env.py` says about the database it migrates, read as text
//! (comments and docstrings aside, never executed): whether it really uses
//! the `sqlalchemy.url` of `alembic.ini`, the dialects it names, whether it
//! runs migrations with no transaction.

use std::path::Path;

use miglint_diagnostics::{Dialect, DialectSet};

use crate::url::{UrlDialect, dialect_from_url};

/// The facts of one `env.py`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvPy {
    /// It reads the configured URL (`get_main_option("sqlalchemy.url")`,
    /// `engine_from_config(...)`, `config.get_section(...)`).
    pub reads_ini_url: bool,
    /// Why the configured URL is not (or not only) the database it runs on:
    /// it sets the URL itself, takes a connection from the application, reads
    /// an environment variable, gets its engine from oslo.db or the
    /// application, or builds one with `create_engine`.
    pub overrides: Vec<&'static str>,
    /// `render_as_batch=True`.
    pub render_as_batch: bool,
    /// Dialects it names: compared names (`dialect.name == "sqlite"`) and URL
    /// literals (`"postgresql://..."`).
    pub named: DialectSet,
    /// Why migrations run with no transaction, when they do
    /// (`isolation_level="AUTOCOMMIT"`).
    pub no_transaction: Option<&'static str>,
    /// It sets `lock_timeout` or `statement_timeout` (in code or in a
    /// string it executes or passes as a connection option), so every
    /// revision it runs has a bound on lock waits.
    pub sets_lock_timeout: bool,
}

/// Reads `path`; `None` when it cannot be read.
pub fn read_env_py(path: &Path) -> Option<EnvPy> {
    let text = crate::read::read_to_string_capped(path, crate::read::DEFAULT_MAX_FILE_SIZE).ok()?;
    Some(analyze_env_py(&text))
}

/// [`read_env_py`] for text in memory.
pub fn analyze_env_py(text: &str) -> EnvPy {
    let (code, strings) = split_code(text);
    // `code` keeps string literals as `"…"` with their content; matching on
    // a squashed copy (no whitespace) lets `get_main_option( "x" )` match too
    let squashed: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let has = |needle: &str| squashed.contains(needle);
    let call_names = |func: &str, what: &str| {
        squashed.match_indices(func).any(|(i, _)| {
            squashed[i + func.len()..]
                .chars()
                .take(40)
                .collect::<String>()
                .contains(what)
        })
    };

    let mut env = EnvPy {
        reads_ini_url: call_names("get_main_option(", "sqlalchemy.url")
            || has("engine_from_config(")
            || has("get_section("),
        ..EnvPy::default()
    };
    let mut overrides = Vec::new();
    if call_names("set_main_option(", "sqlalchemy.url")
        || call_names("set_section_option(", "sqlalchemy.url")
    {
        overrides.push("sets sqlalchemy.url itself (set_main_option)");
    }
    if call_names("attributes", "connection") {
        overrides.push("uses a connection the application hands in (config.attributes)");
    }
    if has("environ") || has("getenv(") {
        overrides.push("reads an environment variable");
    }
    if has("oslo_db") || has("enginefacade") {
        overrides.push("gets its engine from oslo.db");
    } else if has("get_engine(") {
        overrides.push("gets its engine from the application (get_engine)");
    }
    if has("create_engine(") && !call_names("get_main_option(", "sqlalchemy.url") {
        overrides.push("builds its own engine (create_engine)");
    }
    env.overrides = overrides;
    env.render_as_batch = squashed
        .match_indices("render_as_batch=True")
        .any(|(i, m)| {
            !squashed[i + m.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
        });
    for s in &strings {
        if let Some(d) = Dialect::from_sqlalchemy_name(s) {
            env.named = env.named.with(d);
        } else if s.contains("://")
            && let UrlDialect::Known(d) = dialect_from_url(s)
        {
            env.named = env.named.with(d);
        }
    }
    if squashed.contains("isolation_level=\"AUTOCOMMIT\"")
        || squashed.contains("\"isolation_level\":\"AUTOCOMMIT\"")
    {
        env.no_transaction = Some("isolation_level=\"AUTOCOMMIT\" in env.py");
    }
    // code and short strings (`text("SET lock_timeout = '5s'")`,
    // `options="-c lock_timeout=5s"`), never comments or docstrings
    env.sets_lock_timeout = ["lock_timeout", "statement_timeout"]
        .iter()
        .any(|t| code.to_ascii_lowercase().contains(t));
    env
}

/// The text with comments removed and every string literal normalised to
/// double quotes (docstrings dropped), plus the contents of the short string
/// literals.
fn split_code(text: &str) -> (String, Vec<String>) {
    let mut code = String::with_capacity(text.len());
    let mut strings = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'#' {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if c == b'"' || c == b'\'' {
            let triple = bytes[i..].starts_with(&[c, c, c]);
            let q = if triple { 3 } else { 1 };
            let start = i + q;
            let mut j = start;
            let end = loop {
                if j >= bytes.len() {
                    break bytes.len();
                }
                if bytes[j] == b'\\' {
                    j += 2;
                    continue;
                }
                if !triple && bytes[j] == b'\n' {
                    break j;
                }
                if bytes[j] == c && (!triple || bytes[j..].starts_with(&[c, c, c])) {
                    break j;
                }
                j += 1;
            };
            let content = text.get(start..end.min(text.len())).unwrap_or("");
            if !triple {
                code.push('"');
                code.push_str(content);
                code.push('"');
                strings.push(content.to_string());
            }
            i = (end + q).min(bytes.len());
            continue;
        }
        // a char boundary: copy the whole character
        let len = text[i..].chars().next().map_or(1, char::len_utf8);
        code.push_str(&text[i..i + len]);
        i += len;
    }
    (code, strings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_overrides() {
        let e = analyze_env_py(
            "url = config.get_main_option(u'sqlalchemy.url')\nconnectable = engine_from_config(config.get_section(config.config_ini_section))\n",
        );
        assert!(e.reads_ini_url);
        assert!(e.overrides.is_empty());

        let e = analyze_env_py(
            "connectable = config.attributes.get('connection', None)\nif connectable is None:\n    connectable = engine_from_config(config.get_section(config.config_ini_section))\n",
        );
        assert_eq!(
            e.overrides,
            ["uses a connection the application hands in (config.attributes)"]
        );
        let e =
            analyze_env_py("config.set_main_option(\n    'sqlalchemy.url', os.environ['DB'])\n");
        assert_eq!(e.overrides.len(), 2);
        let e = analyze_env_py(
            "from oslo_db.sqlalchemy import enginefacade\nengine = enginefacade.writer.get_engine()\n",
        );
        assert_eq!(e.overrides, ["gets its engine from oslo.db"]);
        // a comment or docstring is not code
        let e =
            analyze_env_py("\"\"\"set_main_option('sqlalchemy.url')\"\"\"\n# os.environ\nx = 1\n");
        assert_eq!(e, EnvPy::default());
    }

    #[test]
    fn dialects_batch_autocommit() {
        let e = analyze_env_py(
            "context.configure(connection=c, render_as_batch=dialect.name == 'sqlite')\nengine = create_engine(get_url(), isolation_level = 'AUTOCOMMIT')\n",
        );
        assert!(!e.render_as_batch);
        assert_eq!(e.named, DialectSet::single(Dialect::Sqlite));
        assert_eq!(
            e.no_transaction,
            Some("isolation_level=\"AUTOCOMMIT\" in env.py")
        );
        let e =
            analyze_env_py("context.configure(render_as_batch=True, url='mysql+pymysql://h/db')\n");
        assert!(e.render_as_batch);
        assert_eq!(e.named, DialectSet::single(Dialect::Mysql));
    }

    #[test]
    fn lock_timeout_in_code_or_a_string_not_in_a_comment() {
        for set in [
            "connection.execute(text(\"SET lock_timeout = '5s'\"))\n",
            "engine = create_engine(url, connect_args={'options': '-c statement_timeout=5000'})\n",
            "context.configure(connection=c, lock_timeout=5)\n",
        ] {
            assert!(analyze_env_py(set).sets_lock_timeout, "{set}");
        }
        for unset in [
            "# TODO: SET lock_timeout before run_migrations()\nx = 1\n",
            "\"\"\"Consider a lock_timeout.\"\"\"\nx = 1\n",
        ] {
            assert!(!analyze_env_py(unset).sets_lock_timeout, "{unset}");
        }
    }
}
