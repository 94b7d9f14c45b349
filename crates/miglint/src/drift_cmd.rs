//! `miglint drift`: `alembic check` without a database. Compares the
//! SQLAlchemy models (read statically) with the schema the migrations build
//! at head, per target dialect, and prints the differences in alembic's
//! vocabulary. Exit 1 on drift, 0 when none, 2 on a usage problem.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use miglint_config::{DiscoverError, discover};
use miglint_diagnostics::{Dialect, DialectSet};
use miglint_linter::Linter;
use miglint_models::{DriftItem, DriftReport};

use crate::drift::{self, ModelOrigin};
use crate::run;

/// Arguments of `miglint drift`.
#[derive(Debug, clap::Args)]
pub struct DriftArgs {
    /// Revision files or directories (default: discovered like `miglint check`).
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: DriftFormat,
    /// Compare for this dialect only (default: the project's targets).
    #[arg(long)]
    pub dialect: Option<String>,
    /// Compare server defaults too (alembic's `compare_server_default`).
    #[arg(long)]
    pub compare_server_default: bool,
    /// Use this configuration file instead of the nearest lint.toml / pyproject.toml.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DriftFormat {
    Text,
    Json,
}

pub fn main(args: DriftArgs) -> io::Result<ExitCode> {
    let cwd = std::env::current_dir()?;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let code = run(&cwd, &args, &mut out)?;
    out.flush()?;
    Ok(code)
}

fn fail(msg: &str) -> io::Result<ExitCode> {
    eprintln!("miglint: error: {msg}");
    Ok(ExitCode::from(2))
}

pub fn run(cwd: &Path, args: &DriftArgs, out: &mut dyn Write) -> io::Result<ExitCode> {
    let only = match &args.dialect {
        Some(d) => match Dialect::parse(d) {
            Some(d) => Some(d),
            None => {
                return fail(&format!(
                    "unknown dialect `{d}` (postgresql, sqlite, mysql)"
                ));
            }
        },
        None => None,
    };
    let settings = match run::settings_or_exit(cwd, args.config.as_deref()) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let discovery = discover(cwd, &args.paths, &settings.options);
    for e in &discovery.errors {
        if let DiscoverError::Missing(p) = e {
            return fail(&format!("{}: no such file or directory", p.display()));
        }
    }
    if discovery.files.is_empty() {
        return fail("no revision files found");
    }
    let options = settings.options.clone();
    let root = options.root.clone();
    let (model_paths, missing, origin) = drift::model_files(&options, &discovery.files, true);
    if let Some(m) = missing.first() {
        return fail(&format!(
            "{}: no such file or directory (from `models` in {})",
            m.display(),
            options.origin_name()
        ));
    }
    if model_paths.is_empty() {
        let why = match origin {
            Some(ModelOrigin::EnvPy(p)) => format!(
                "{} sets no `target_metadata` whose imports resolve to files",
                drift::shown(&p, &root)
            ),
            _ => "no env.py next to the migrations".to_string(),
        };
        return fail(&format!(
            "no model files: {why}; declare them with `models = [\"src/app/models.py\", \"src/app/models/\"]` in lint.toml or [tool.miglint]"
        ));
    }
    let dialects = match only {
        Some(d) => DialectSet::single(d),
        None => {
            let linter = Linter::new(settings);
            let parsed = run::parse_all(&linter, &discovery.files);
            linter.resolve(&parsed);
            let envs = linter.settings.environments();
            envs.first()
                .map(|e| e.targets.dialects)
                .filter(|d| !d.is_empty())
                .unwrap_or(DialectSet::single(Dialect::Postgresql))
        }
    };
    let models = drift::read_models(&model_paths, options.max_file_size);
    let loaded = crate::graph_cmd::load(&discovery.files);
    let head = drift::replay_head(&loaded, dialects);
    if head.heads > 1 {
        return fail(&format!(
            "the revision graph has {} heads; `alembic check` (and this comparison) needs one: merge them (ML501)",
            head.heads
        ));
    }
    let csd = args.compare_server_default || options.compare_server_default;
    let reports = drift::compare_all(&models, &head, csd);
    let items: Vec<&DriftItem> = reports.iter().flat_map(|r| &r.items).collect();
    let text = match args.format {
        DriftFormat::Json => {
            let mut skipped: Vec<&miglint_models::Skipped> = Vec::new();
            for s in reports.iter().flat_map(|r| &r.skipped) {
                if !skipped.contains(&s) {
                    skipped.push(s);
                }
            }
            json(&items, &skipped, &head, &root)
        }
        DriftFormat::Text => text(&reports, &models, &head, &root, origin.as_ref()),
    };
    out.write_all(text.as_bytes())?;
    Ok(if items.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn revision(item: &DriftItem, head: &drift::Head) -> Option<String> {
    let o = item.origin?;
    head.revision_ids
        .get(o.file as usize)
        .filter(|s| !s.is_empty())
        .cloned()
}

/// The agreed JSON contract: `{"items": [{op, table, column, name,
/// dialect, model: {path, line} | null, revision}], "skipped": [{table |
/// null, reason, model}]}`. `skipped` (additive) lists what was left out of
/// the comparison, so that "nothing compared" cannot read as "no drift".
pub fn json(
    items: &[&DriftItem],
    skipped: &[&miglint_models::Skipped],
    head: &drift::Head,
    root: &Path,
) -> String {
    use serde_json::json;
    let list: Vec<serde_json::Value> = items
        .iter()
        .map(|it| {
            json!({
                "op": it.op.as_str(),
                "table": it.table,
                "column": it.column,
                "name": it.name,
                "dialect": it.dialect.as_str(),
                "model": it.model.as_ref().map(|(p, l)| json!({"path": drift::shown(p, root), "line": l})),
                "revision": revision(it, head),
            })
        })
        .collect();
    let skipped: Vec<serde_json::Value> = skipped
        .iter()
        .map(|s| {
            json!({
                "table": s.table,
                "reason": s.why,
                "model": s.model.as_ref().map(|(p, l)| json!({"path": drift::shown(p, root), "line": l})),
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&json!({ "items": list, "skipped": skipped }))
        .unwrap_or_default();
    s.push('\n');
    s
}

/// One line per difference (the same difference on several dialects is
/// one line), then what was skipped and how to declare it.
pub fn text(
    reports: &[DriftReport],
    models: &miglint_models::Models,
    head: &drift::Head,
    root: &Path,
    origin: Option<&ModelOrigin>,
) -> String {
    let mut o = String::new();
    // group by object across dialects
    let mut groups: Vec<(&DriftItem, Vec<Dialect>)> = Vec::new();
    for it in reports.iter().flat_map(|r| &r.items) {
        let same = |g: &DriftItem| {
            g.op == it.op
                && g.table == it.table
                && g.column == it.column
                && g.name == it.name
                && g.model == it.model
                && g.detail == it.detail
        };
        match groups.iter_mut().find(|(g, _)| same(g)) {
            Some((_, ds)) => ds.push(it.dialect),
            None => groups.push((it, vec![it.dialect])),
        }
    }
    for (it, ds) in &groups {
        let place = match &it.model {
            Some((p, l)) => format!("{}:{l}", drift::shown(p, root)),
            None => "(migrations)".to_string(),
        };
        let mut object = it.table.clone();
        if let Some(c) = &it.column {
            let _ = write!(object, ".{c}");
        }
        if let Some(n) = &it.name {
            let _ = write!(object, " {n}");
        }
        let mut notes = Vec::new();
        if let Some(d) = &it.detail {
            notes.push(d.clone());
        }
        if let Some(r) = revision(it, head) {
            notes.push(format!("revision {r}"));
        }
        notes.push(ds.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(", "));
        let _ = writeln!(
            o,
            "{place}: {} {object} ({})",
            it.op.as_str(),
            notes.join("; ")
        );
    }
    let from = match origin {
        Some(ModelOrigin::Config) => "the `models` setting".to_string(),
        Some(ModelOrigin::EnvPy(p)) => format!("the imports of {}", drift::shown(p, root)),
        None => "nowhere".to_string(),
    };
    let mut skipped: Vec<&miglint_models::Skipped> = Vec::new();
    for s in reports.iter().flat_map(|r| &r.skipped) {
        if !skipped.contains(&s) {
            skipped.push(s);
        }
    }
    for s in &skipped {
        let at = match &s.model {
            Some((p, l)) => format!(" ({}:{l})", drift::shown(p, root)),
            None => String::new(),
        };
        match &s.table {
            Some(t) => {
                let _ = writeln!(o, "skipped table {t}{at}: {}", s.why);
            }
            None => {
                let _ = writeln!(o, "skipped{at}: {}", s.why);
            }
        }
    }
    if !skipped.is_empty() {
        let _ = writeln!(
            o,
            "(a skipped table is not compared: write its declaration with literals, or list the \
             files that declare its mixins and bases in `models = [...]`)"
        );
    }
    let n = groups.len();
    let mut skipped_tables: Vec<&str> = skipped.iter().filter_map(|s| s.table.as_deref()).collect();
    skipped_tables.sort_unstable();
    skipped_tables.dedup();
    let skipped_tables = skipped_tables.len();
    let _ = writeln!(
        o,
        "{} in {} model table(s){} from {} file(s) ({from}) against {} revision(s) at head{}",
        match n {
            0 => "no drift".to_string(),
            1 => "1 difference".to_string(),
            n => format!("{n} differences"),
        },
        models.tables.len(),
        match skipped_tables {
            0 => String::new(),
            k => format!(" ({k} skipped)"),
        },
        models.files.len(),
        head.files.len(),
        if head.environments > 1 {
            " (first environment only)"
        } else {
            ""
        }
    );
    o
}
