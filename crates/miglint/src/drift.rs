//! Static drift: reads the models (see [`miglint_models`]), replays the
//! migrations to head per target dialect (see [`miglint_schema`]) and
//! compares them. Shared by `miglint drift` and the ML8xx rules of `check`.

use std::path::{Path, PathBuf};

use miglint_config::Options;
use miglint_diagnostics::{Dialect, DialectSet};
use miglint_linter::graph::{self, RevisionId};
use miglint_models::{DriftReport, ModelSource, Models};
use miglint_python::Module;
use miglint_schema::Schema;

/// Where the model files come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelOrigin {
    /// `models = [...]` in the configuration.
    Config,
    /// The imports of `target_metadata` in this env.py.
    EnvPy(PathBuf),
}

/// The model files of a project: the `models` setting, else (when
/// `env_py_fallback`) what env.py imports. Missing configured entries are
/// returned for an error message.
pub fn model_files(
    options: &Options,
    revision_files: &[PathBuf],
    env_py_fallback: bool,
) -> (Vec<PathBuf>, Vec<PathBuf>, Option<ModelOrigin>) {
    if !options.models.is_empty() {
        let entries: Vec<String> = options.models.iter().map(|m| m.get_ref().clone()).collect();
        let (files, missing) = miglint_models::expand_model_paths(&options.root, &entries);
        return (files, missing, Some(ModelOrigin::Config));
    }
    if !env_py_fallback {
        return (Vec::new(), Vec::new(), None);
    }
    let Some(first) = revision_files.first() else {
        return (Vec::new(), Vec::new(), None);
    };
    let env_py = miglint_config::environment_dir(first).join("env.py");
    let env_py = std::path::absolute(&env_py).unwrap_or(env_py);
    let Ok(text) = miglint_config::read_to_string_capped(&env_py, options.max_file_size) else {
        return (Vec::new(), Vec::new(), None);
    };
    let files = miglint_models::env_py_model_paths(&env_py, &text, &options.root);
    (files, Vec::new(), Some(ModelOrigin::EnvPy(env_py)))
}

/// Reads and extracts the models of `files` (unreadable files are skipped).
pub fn read_models(files: &[PathBuf], cap: u64) -> Models {
    let texts: Vec<(PathBuf, String)> = files
        .iter()
        .filter_map(|p| {
            let t = miglint_config::read_to_string_capped(p, cap).ok()?;
            Some((p.clone(), t))
        })
        .collect();
    extract_texts(&texts)
}

/// [`miglint_models::extract`] over texts in memory.
pub fn extract_texts(texts: &[(PathBuf, String)]) -> Models {
    let sources: Vec<ModelSource<'_>> = texts
        .iter()
        .map(|(p, s)| ModelSource { path: p, source: s })
        .collect();
    miglint_models::extract(&sources)
}

/// The migrations replayed to head: per dialect, the schema; per revision
/// file, its id.
pub struct Head {
    pub schemas: Vec<(Dialect, Schema)>,
    pub revision_ids: Vec<String>,
    pub files: Vec<PathBuf>,
    /// More than one environment: only the first is compared.
    pub environments: usize,
    /// The heads of the compared environment (`alembic check` needs one).
    pub heads: usize,
}

/// Replays the first environment of `loaded` to its last revision in graph
/// order, once per dialect of `dialects`.
pub fn replay_head(loaded: &[(PathBuf, String, Module)], dialects: DialectSet) -> Head {
    let analyzed = crate::graph_cmd::analyze_sql(loaded, dialects);
    let files = crate::graph_cmd::project_files(loaded, dialects);
    let envs = graph::environments(&files);
    let revision_ids = files
        .iter()
        .map(|f| match graph::revision_id(f) {
            RevisionId::Literal(id, _) | RevisionId::FromFileName(id) => id.to_string(),
            _ => String::new(),
        })
        .collect();
    let mut head = Head {
        schemas: Vec::new(),
        revision_ids,
        files: loaded.iter().map(|(p, _, _)| p.clone()).collect(),
        environments: envs.len(),
        heads: 0,
    };
    let Some(env) = envs.first() else {
        return head;
    };
    let inputs = crate::graph_cmd::revision_inputs(loaded, &analyzed, dialects, env);
    let order = env.replay_order();
    head.heads = env.heads().len();
    for d in dialects.iter() {
        let schema = miglint_schema::schema_at(&inputs, &order, d, None);
        head.schemas.push((d, schema));
    }
    head
}

/// Compares the models with every replayed dialect.
pub fn compare_all(models: &Models, head: &Head, compare_server_default: bool) -> Vec<DriftReport> {
    head.schemas
        .iter()
        .map(|(d, s)| miglint_models::compare(models, s, *d, compare_server_default))
        .collect()
}

/// A path as shown: relative to the current directory when below it.
pub fn shown(path: &Path, root: &Path) -> String {
    miglint_config::display_cwd(path, root)
        .display()
        .to_string()
}
