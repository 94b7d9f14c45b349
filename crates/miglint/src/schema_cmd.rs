//! `miglint schema`: print the schema miglint's semantic model replays from
//! the migrations (see [`miglint_schema`]), at a revision and for one
//! dialect, as text, JSON or SQL. What miglint believes, for a user to
//! check, and the base of a drift check.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use miglint_config::discover;
use miglint_diagnostics::{Dialect, DialectSet};
use miglint_linter::graph::{self, RevisionId};
use miglint_schema::{ConstraintKind, Schema};

use crate::run;

/// Arguments of `miglint schema`.
#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// Files or directories (default: discovered like `miglint check`).
    pub paths: Vec<PathBuf>,
    /// The revision id to stop at (default: the last revision in graph order).
    #[arg(long)]
    pub at: Option<String>,
    /// The dialect to replay for (guarded branches follow it).
    #[arg(long, default_value = "postgresql")]
    pub dialect: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: SchemaFormat,
    /// Use this configuration file instead of the nearest lint.toml / pyproject.toml.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaFormat {
    Text,
    Json,
    Sql,
}

pub fn main(args: SchemaArgs) -> io::Result<ExitCode> {
    let cwd = std::env::current_dir()?;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let code = run(&cwd, &args, &mut out)?;
    out.flush()?;
    Ok(code)
}

/// Discovers the files, replays the environment that holds `--at` (else
/// the first one) and writes the schema to `out`. Exit 2 on a
/// configuration error, a missing path, an unknown dialect or revision.
pub fn run(cwd: &Path, args: &SchemaArgs, out: &mut dyn Write) -> io::Result<ExitCode> {
    let Some(dialect) = Dialect::parse(&args.dialect) else {
        eprintln!(
            "miglint: error: unknown dialect `{}` (postgresql, sqlite, mysql)",
            args.dialect
        );
        return Ok(ExitCode::from(2));
    };
    let settings = match run::settings_or_exit(cwd, args.config.as_deref()) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let discovery = discover(cwd, &args.paths, &settings.options);
    for e in &discovery.errors {
        if let miglint_config::DiscoverError::Missing(p) = e {
            eprintln!("miglint: error: {}: no such file or directory", p.display());
            return Ok(ExitCode::from(2));
        }
    }
    let loaded = crate::graph_cmd::load(&discovery.files);
    let targets = DialectSet::single(dialect);
    let analyzed = crate::graph_cmd::analyze_sql(&loaded, targets);
    let files = crate::graph_cmd::project_files(&loaded, targets);
    let envs = graph::environments(&files);
    // the environment and file of `--at`
    let mut chosen: Option<(usize, Option<usize>)> = None;
    for (e, env) in envs.iter().enumerate() {
        match &args.at {
            Some(at) => {
                if let Some(n) = env.node(at) {
                    chosen = Some((e, Some(n.file)));
                    break;
                }
            }
            None => {
                chosen = Some((e, None));
                break;
            }
        }
    }
    let Some((e, at_file)) = chosen else {
        match &args.at {
            Some(at) => eprintln!("miglint: error: no revision `{at}` among the migrations"),
            None => eprintln!("miglint: error: no revision files found"),
        }
        return Ok(ExitCode::from(2));
    };
    let env = &envs[e];
    let inputs = crate::graph_cmd::revision_inputs(&loaded, &analyzed, targets, env);
    let order = env.replay_order();
    let at = at_file.or_else(|| order.last().copied());
    let rev = at
        .map(|f| match graph::revision_id(&files[f]) {
            RevisionId::Literal(id, _) | RevisionId::FromFileName(id) => id.to_string(),
            _ => "?".to_string(),
        })
        .unwrap_or_default();
    let schema = miglint_schema::schema_at(&inputs, &order, dialect, at);
    let text = match args.format {
        SchemaFormat::Text => text(&schema, &rev, dialect),
        SchemaFormat::Json => json(&schema, &rev, dialect),
        SchemaFormat::Sql => sql(&schema, &rev, dialect),
    };
    out.write_all(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn kind_name(k: ConstraintKind) -> &'static str {
    match k {
        ConstraintKind::PrimaryKey => "primary key",
        ConstraintKind::Unique => "unique",
        ConstraintKind::ForeignKey => "foreign key",
        ConstraintKind::Check => "check",
        ConstraintKind::Unknown => "constraint",
    }
}

fn nullable_word(n: Option<bool>) -> &'static str {
    match n {
        Some(true) => "NULL",
        Some(false) => "NOT NULL",
        None => "NULL?",
    }
}

/// Text: one block per table, then enums, sequences and views.
pub fn text(s: &Schema, rev: &str, d: Dialect) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# schema after revision {rev} ({})", d.as_str());
    if s.unknown.is_some() {
        let _ = writeln!(
            o,
            "# uncertain: some op changed tables miglint cannot name (or a parent is missing)"
        );
    }
    for (_, t) in s.tables.iter() {
        let mut marks = Vec::new();
        if t.placeholder {
            marks.push("not created by these migrations");
        }
        if t.uncertain.is_some() {
            marks.push("uncertain");
        }
        let marks = if marks.is_empty() {
            String::new()
        } else {
            format!("  ({})", marks.join(", "))
        };
        let _ = writeln!(o, "table {}{marks}", t.name);
        for c in t.columns() {
            let mut line = format!(
                "  {} {} {}",
                c.name,
                c.type_name.as_deref().unwrap_or("?"),
                nullable_word(c.nullable)
            );
            if c.primary_key {
                line.push_str(" PRIMARY KEY");
            }
            if c.server_default {
                line.push_str(" DEFAULT");
            }
            if let Some(e) = &c.enum_type {
                let _ = write!(line, " enum {e}");
            }
            let _ = writeln!(o, "{line}");
        }
        for c in &t.constraints {
            let _ = writeln!(
                o,
                "  {} {} ({})",
                kind_name(c.kind),
                c.name.as_deref().unwrap_or("<unnamed>"),
                c.columns.join(", ")
            );
        }
        for (_, ix) in s.indexes.iter() {
            if ix.table == miglint_schema::key(&t.name) {
                let unique = if ix.unique { "unique " } else { "" };
                let _ = writeln!(o, "  {unique}index {} ({})", ix.name, ix.columns.join(", "));
            }
        }
    }
    for (_, e) in s.enums.iter() {
        let values = e.values.as_ref().map_or("?".to_string(), |v| {
            v.iter()
                .map(|x| format!("'{x}'"))
                .collect::<Vec<_>>()
                .join(", ")
        });
        let _ = writeln!(o, "enum {} ({values})", e.name);
    }
    for (_, (name, _)) in s.sequences.iter() {
        let _ = writeln!(o, "sequence {name}");
    }
    for (_, (name, _)) in s.views.iter() {
        let _ = writeln!(o, "view {name}");
    }
    o
}

/// JSON, for tools and the reflection comparison.
pub fn json(s: &Schema, rev: &str, d: Dialect) -> String {
    use serde_json::{Value, json};
    let tables: Vec<Value> =
        s.tables
            .iter()
            .map(|(k, t)| {
                let indexes: Vec<Value> = s.indexes.iter()
                .filter(|(_, ix)| &ix.table == k)
                .map(|(_, ix)| json!({"name": ix.name, "columns": ix.columns, "unique": ix.unique}))
                .collect();
                json!({
                    "name": t.name,
                    "uncertain": t.uncertain.is_some(),
                    "created_by_migrations": !t.placeholder,
                    "columns": t.columns().map(|c| json!({
                        "name": c.name,
                        "type": c.type_name,
                        "nullable": c.nullable,
                        "primary_key": c.primary_key,
                        "server_default": c.server_default,
                        "enum": c.enum_type,
                    })).collect::<Vec<_>>(),
                    "constraints": t.constraints.iter().map(|c| json!({
                        "name": c.name,
                        "kind": kind_name(c.kind),
                        "columns": c.columns,
                    })).collect::<Vec<_>>(),
                    "indexes": indexes,
                })
            })
            .collect();
    let v = json!({
        "revision": rev,
        "dialect": d.as_str(),
        "uncertain": s.unknown.is_some(),
        "tables": tables,
        "enums": s.enums.iter().map(|(_, e)| json!({"name": e.name, "values": e.values})).collect::<Vec<_>>(),
        "sequences": s.sequences.iter().map(|(_, (n, _))| n.clone()).collect::<Vec<_>>(),
        "views": s.views.iter().map(|(_, (n, _))| n.clone()).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&v).unwrap_or_default();
    text.push('\n');
    text
}

/// SQL-like DDL (types as written in the migrations; `?` when unknown).
pub fn sql(s: &Schema, rev: &str, d: Dialect) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "-- schema after revision {rev} ({})", d.as_str());
    for (_, e) in s.enums.iter() {
        let values = e.values.as_ref().map_or("/* unknown */".to_string(), |v| {
            v.iter()
                .map(|x| format!("'{}'", x.replace('\'', "''")))
                .collect::<Vec<_>>()
                .join(", ")
        });
        let _ = writeln!(o, "CREATE TYPE {} AS ENUM ({values});", e.name);
    }
    for (_, t) in s.tables.iter() {
        let mut lines: Vec<String> = t
            .columns()
            .map(|c| {
                let mut l = format!(
                    "    {} {}",
                    c.name,
                    c.enum_type
                        .as_deref()
                        .or(c.type_name.as_deref())
                        .unwrap_or("?")
                );
                if c.nullable == Some(false) {
                    l.push_str(" NOT NULL");
                }
                if c.server_default {
                    l.push_str(" DEFAULT /* ... */");
                }
                l
            })
            .collect();
        let pk: Vec<&str> = t
            .columns()
            .filter(|c| c.primary_key)
            .map(|c| c.name.as_str())
            .collect();
        if !pk.is_empty() {
            lines.push(format!("    PRIMARY KEY ({})", pk.join(", ")));
        }
        let note = if t.uncertain.is_some() {
            " -- uncertain"
        } else {
            ""
        };
        let _ = writeln!(
            o,
            "CREATE TABLE {} ({note}\n{}\n);",
            t.name,
            lines.join(",\n")
        );
        for (_, ix) in s.indexes.iter() {
            if ix.table == miglint_schema::key(&t.name) {
                let unique = if ix.unique { "UNIQUE " } else { "" };
                let _ = writeln!(
                    o,
                    "CREATE {unique}INDEX {} ON {} ({});",
                    ix.name,
                    t.name,
                    ix.columns.join(", ")
                );
            }
        }
    }
    for (_, (name, _)) in s.sequences.iter() {
        let _ = writeln!(o, "CREATE SEQUENCE {name};");
    }
    o
}
