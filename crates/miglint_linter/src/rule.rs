use std::path::Path;

use miglint_config::AlembicVersion;
use miglint_diagnostics::{Diagnostic, DialectSet, Severity, TextRange};
use miglint_python::{Module, Op};

use crate::defaults::DefaultSite;
pub use crate::files::{ExecSql, ProjectFile};

/// A rule's contract: code, name, default severity, whether it is on by
/// default, and the dialects it concerns. The long documentation is the
/// Markdown page `rules/<CODE>.md`, compiled in by the registry.
#[derive(Debug)]
pub struct RuleMeta {
    pub code: &'static str,
    /// kebab-case
    pub name: &'static str,
    /// One line, for `miglint rules`, SARIF and the generated table.
    pub summary: &'static str,
    pub severity: Severity,
    /// `false` for opt-in rules (enable with `select`/`extend-select`).
    pub default_enabled: bool,
    pub dialects: DialectSet,
}

impl RuleMeta {
    /// A diagnostic of this rule (severity re-graded later from config). A
    /// rule that concerns one dialect reports failures on that dialect
    /// ([`Diagnostic::fails_on`]); a rule concerning several sets the failing
    /// ones itself with `.fails_on(...)`.
    pub fn diag(&'static self, range: TextRange, message: impl Into<String>) -> Diagnostic {
        let d = Diagnostic::new(self.code, self.name, self.severity, range, message);
        if self.dialects.iter().count() == 1 {
            d.fails_on(self.dialects)
        } else {
            d
        }
    }
}

/// A lint rule: a pure function of the migration model of one file
/// ([`Rule::check_file`]). Rules never see suppressions or config
/// selection; the engine applies those.
pub trait Rule: Sync + Send {
    fn meta(&self) -> &'static RuleMeta;

    fn check_file(&self, _file: &FileContext<'_>, _out: &mut Vec<Diagnostic>) {}

    /// Project-level rules (the revision graph): run once over every file
    /// after the per-file phase; each finding names the file it belongs to
    /// (an index into `project.files`).
    fn check_project(&self, _project: &Project<'_>, _out: &mut Vec<(usize, Diagnostic)>) {}

    /// Whether [`Rule::check_project`] asks for [`Project::schema`]. The
    /// engine builds the model before such rules run, while the other
    /// project rules run, then runs these in parallel. A wrong answer costs
    /// time, never findings: a rule that says `false` and asks anyway builds
    /// (or waits for) the model itself.
    fn uses_model(&self) -> bool {
        false
    }
}

/// Every linted file, sorted by path.
pub struct Project<'a> {
    pub files: Vec<ProjectFile<'a>>,
    pub alembic_version: Option<AlembicVersion>,
    /// `external-revisions` from the config: ids and labels declared in
    /// version locations outside the linted files.
    pub external_revisions: Vec<String>,
    /// The PostgreSQL major version (`postgresql-version`, default 15).
    pub postgresql_version: u32,
    /// The revision graphs, built on first use and shared by the rules.
    environments: std::sync::OnceLock<Vec<crate::graph::Environment<'a>>>,
    /// The semantic model, built on first use and shared by the rules.
    schema: std::sync::OnceLock<std::sync::Arc<miglint_schema::SchemaModel>>,
    /// The model kept from the caller's last run, updated instead of built
    /// (see [`Project::with_kept_model`]).
    kept_model: Option<&'a std::sync::Mutex<miglint_schema::KeptModel>>,
    /// Analyses several project rules read, by type (see [`Project::shared`]).
    shared: std::sync::Mutex<SharedAnalyses>,
}

/// [`Project::shared`]'s slots: one per type, filled once.
type SharedAnalyses = std::collections::HashMap<
    std::any::TypeId,
    std::sync::Arc<std::sync::OnceLock<std::sync::Arc<dyn std::any::Any + Send + Sync>>>,
>;

impl<'a> Project<'a> {
    pub fn new(files: Vec<ProjectFile<'a>>, alembic_version: Option<AlembicVersion>) -> Self {
        Project {
            files,
            alembic_version,
            external_revisions: Vec::new(),
            postgresql_version: miglint_config::DEFAULT_POSTGRESQL_VERSION,
            environments: std::sync::OnceLock::new(),
            schema: std::sync::OnceLock::new(),
            kept_model: None,
            shared: std::sync::Mutex::default(),
        }
    }

    /// The analysis of type `T` that several project rules read (the
    /// contract changes of ML708-ML713, say), made once per run by `make`
    /// in the first rule that asks; a rule asking while it is made waits
    /// for it.
    pub fn shared<T: std::any::Any + Send + Sync>(
        &self,
        make: impl FnOnce(&Self) -> T,
    ) -> std::sync::Arc<T> {
        let slot = self
            .shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(std::any::TypeId::of::<T>())
            .or_default()
            .clone();
        let made = slot.get_or_init(|| std::sync::Arc::new(make(self)));
        std::sync::Arc::clone(made)
            .downcast::<T>()
            .unwrap_or_else(|_| unreachable!("a slot holds the type it is keyed by"))
    }

    /// Builds the semantic model by updating `kept` (the model of the
    /// caller's previous run, see [`miglint_schema::KeptModel`]): only the
    /// revisions from the first changed one on are replayed.
    #[must_use]
    pub fn with_kept_model(
        mut self,
        kept: Option<&'a std::sync::Mutex<miglint_schema::KeptModel>>,
    ) -> Self {
        self.kept_model = kept;
        self
    }

    /// Declares ids that live outside the linted files (see
    /// [`Project::external_revisions`]).
    #[must_use]
    pub fn with_external_revisions(mut self, ids: Vec<String>) -> Self {
        self.external_revisions = ids;
        self
    }

    /// Whether `name` is declared outside the linted files.
    pub fn is_external(&self, name: &str) -> bool {
        self.external_revisions.iter().any(|x| x == name)
    }

    /// The migration environments and their revision graphs (see
    /// [`crate::graph::environments`]), computed once per run.
    pub fn environments(&self) -> &[crate::graph::Environment<'a>] {
        self.environments
            .get_or_init(|| crate::graph::environments(&self.files))
    }

    /// The semantic model of every environment (see [`miglint_schema`]),
    /// replayed once per run.
    pub fn schema(&self) -> &miglint_schema::SchemaModel {
        debug_assert!(
            !MODEL_UNDECLARED.get(),
            "a project rule asked for the model without saying so (Rule::uses_model)"
        );
        self.schema.get_or_init(|| {
            let (inputs, orders) = schema_inputs(&self.files, self.environments());
            match self.kept_model {
                Some(kept) => kept
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .update(&inputs, &orders),
                None => std::sync::Arc::new(miglint_schema::SchemaModel::build(&inputs, &orders)),
            }
        })
    }

    /// Whether the model has been built (see [`Project::schema`]).
    pub fn has_schema(&self) -> bool {
        self.schema.get().is_some()
    }

    /// The model, if it was built, taken out (it owns its data, so that
    /// the caller can free it on another thread).
    pub fn take_schema(&mut self) -> Option<std::sync::Arc<miglint_schema::SchemaModel>> {
        self.schema.take()
    }
}

thread_local! {
    /// Set while rules that said they do not use the model run (checked
    /// in debug builds: such a rule would wait for the model's build).
    pub(crate) static MODEL_UNDECLARED: std::cell::Cell<bool> =
        const { std::cell::Cell::new(false) };
}

/// Everything a per-file rule may look at.
pub struct FileContext<'a> {
    pub path: &'a Path,
    pub source: &'a str,
    pub module: &'a Module,
    /// The literal SQL of the file's execute ops, analyzed once per file.
    pub sql: &'a [ExecSql<'a>],
    /// The project's target dialects for this file (after `[[overrides]]`).
    pub targets: DialectSet,
    /// The migrations run with no transaction around them
    /// (`isolation_level="AUTOCOMMIT"` in env.py, `transactional-ddl = false`).
    pub no_transaction: bool,
    pub alembic_version: Option<AlembicVersion>,
    /// The PostgreSQL major version (`postgresql-version`, default 15).
    pub postgresql_version: u32,
    /// The file's server defaults, found on first use and shared by the
    /// rules (see [`FileContext::default_sites`]).
    pub(crate) defaults: std::sync::OnceLock<Vec<DefaultSite<'a>>>,
}

/// A data-dependent failure (existing rows) of an op that runs only after
/// an early exit on a condition miglint cannot evaluate
/// ([`Op::after_unknown_exit`], e.g. `if skip_for_legacy(): return`): the
/// condition may mean "this runs on an empty database", so the finding is
/// a warning that says so.
pub(crate) fn after_unknown_exit(mut d: Diagnostic, op: &Op) -> Diagnostic {
    if op.after_unknown_exit && d.severity == Severity::Error {
        d.severity = Severity::Warning;
        d.message.push_str(
            " (it runs only after an early exit on a condition miglint cannot evaluate: if \
             that condition limits it to empty databases, nothing fails)",
        );
    }
    d
}

/// A failure that does not depend on the rows (the call fails whenever it
/// runs) of an op inside a guard about the database's state
/// ([`Op::under_data_guard`], e.g. `if not has_primary_key("t"):`): the
/// guard may never let it run on the target that fails (an idempotency
/// check the target's history already satisfies), so the finding is a
/// warning that says so.
pub(crate) fn under_data_guard(mut d: Diagnostic, op: &Op) -> Diagnostic {
    if op.under_data_guard && d.severity == Severity::Error {
        d.severity = Severity::Warning;
        d.message.push_str(
            " (it runs only when a condition about the database's state holds, which miglint \
             cannot evaluate: where it never holds, nothing fails)",
        );
    }
    d
}

impl<'a> FileContext<'a> {
    /// The targets on which `op` can run (its dialect guards ∩ targets).
    pub fn reaching(&self, op: &Op) -> DialectSet {
        op.dialects.intersect(self.targets)
    }

    /// The analyzed literal SQL of op `i`, if it is an `execute` of a literal.
    pub fn exec(&self, i: usize) -> Option<&'a ExecSql<'a>> {
        let sql: &'a [ExecSql<'a>] = self.sql;
        sql.binary_search_by_key(&i, |e| e.op).ok().map(|k| &sql[k])
    }

    /// Every server default of the file that some target reaches, in
    /// source order: found once per file, for every rule that asks.
    pub(crate) fn default_sites(&self) -> &[DefaultSite<'a>] {
        self.defaults
            .get_or_init(|| crate::defaults::default_sites(self.module, self.targets))
    }
}

impl<'a> Project<'a> {
    /// A `FileContext` for file `i`, over the analysis of the per-file phase.
    pub fn file_context(&self, i: usize) -> FileContext<'a> {
        let f = &self.files[i];
        FileContext {
            path: f.path,
            source: f.source,
            module: f.module,
            sql: f.sql,
            targets: f.targets,
            no_transaction: f.no_transaction,
            alembic_version: self.alembic_version,
            postgresql_version: self.postgresql_version,
            defaults: std::sync::OnceLock::new(),
        }
    }

    /// Per file: the files its `down_revision` names (resolved in its
    /// environment's graph).
    pub fn parent_files(&self) -> Vec<Vec<usize>> {
        let mut parents = vec![Vec::new(); self.files.len()];
        for env in self.environments() {
            for node in &env.nodes {
                parents[node.file] = node.parents().map(|p| env.nodes[p].file).collect();
            }
        }
        parents
    }
}

/// The children of every file (the inverse of `parents`).
pub fn children_of(parents: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut children = vec![Vec::new(); parents.len()];
    for (child, ps) in parents.iter().enumerate() {
        for &p in ps {
            if !children[p].contains(&child) {
                children[p].push(child);
            }
        }
    }
    children
}

/// Every ancestor of `i`, nearest first, without `i` itself.
pub fn ancestors_of(parents: &[Vec<usize>], i: usize) -> Vec<usize> {
    let mut seen = std::collections::HashSet::from([i]);
    let mut order = Vec::new();
    let mut queue: std::collections::VecDeque<usize> = parents[i].iter().copied().collect();
    while let Some(p) = queue.pop_front() {
        if !seen.insert(p) {
            continue;
        }
        order.push(p);
        queue.extend(parents[p].iter().copied());
    }
    order
}

/// The model's inputs for `files`, and each environment's revisions in
/// topological order (duplicates left out).
fn schema_inputs<'a>(
    files: &'a [ProjectFile<'a>],
    envs: &[crate::graph::Environment<'a>],
) -> (Vec<miglint_schema::RevisionInput<'a>>, Vec<Vec<usize>>) {
    let mut parents: Vec<Option<Vec<usize>>> = vec![None; files.len()];
    let mut orders = Vec::with_capacity(envs.len());
    for env in envs {
        for (file, p) in env.replay_parents() {
            parents[file] = p;
        }
        orders.push(env.replay_order());
    }
    let inputs = files
        .iter()
        .zip(parents)
        .map(|(f, parents)| miglint_schema::RevisionInput {
            path: f.path,
            source: f.source,
            file: f.file,
            module: f.module,
            sql: f
                .sql
                .iter()
                .map(|e| miglint_schema::SqlOf {
                    op: e.op,
                    lit: e.lit,
                    statements: &e.statements,
                })
                .collect(),
            targets: f.targets,
            parents,
        })
        .collect();
    (inputs, orders)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::Project;

    struct Made(usize);
    struct Other(&'static str);

    #[test]
    fn a_shared_analysis_is_made_once_whoever_asks() {
        let project = Project::new(Vec::new(), None);
        let makes = AtomicUsize::new(0);
        let make = |_: &Project<'_>| Made(makes.fetch_add(1, Ordering::SeqCst));
        let firsts: Vec<_> = std::thread::scope(|s| {
            let asks: Vec<_> = (0..8).map(|_| s.spawn(|| project.shared(make))).collect();
            asks.into_iter().map(|a| a.join().unwrap()).collect()
        });
        assert_eq!(makes.load(Ordering::SeqCst), 1);
        assert!(firsts.iter().all(|m| std::sync::Arc::ptr_eq(m, &firsts[0])));
        // another type has its own slot
        assert_eq!(project.shared(|_| Other("other")).0, "other");
        assert_eq!(project.shared(make).0, 0);
        assert_eq!(makes.load(Ordering::SeqCst), 1);
    }
}
