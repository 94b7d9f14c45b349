//! `miglint graph`: print the revision graph of the discovered migration
//! files, as `alembic history`-like text, a Mermaid flowchart, a Graphviz
//! digraph or JSON. The files are found and grouped into migration
//! environments exactly as `miglint check` and the ML5xx rules do (see
//! [`miglint_linter::graph`]).

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use miglint_config::discover;
use miglint_diagnostics::DialectSet;
use miglint_linter::ProjectFile;
use miglint_linter::graph::{self, Environment, Node};
use miglint_python::{Module, PythonParser, SqlSource};
use miglint_sql::SqlStatement;

use crate::run;

/// Arguments of `miglint graph`.
#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// Files or directories (default: discovered like `miglint check`).
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: GraphFormat,
    /// Use this configuration file instead of the nearest lint.toml / pyproject.toml.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    /// Newest first, like `alembic history`, with (head)/(base)/(branchpoint)/(mergepoint) marks.
    Text,
    /// A Mermaid flowchart.
    Mermaid,
    /// A Graphviz digraph.
    Dot,
    /// Nodes with file, parents, children and labels; heads; bases.
    Json,
}

/// The `miglint graph` command: loads the configuration from the current
/// directory, writes to stdout. Exit 2 on a configuration error or a
/// missing path, else 0.
pub fn main(args: GraphArgs) -> io::Result<ExitCode> {
    let cwd = std::env::current_dir()?;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let code = run(
        &cwd,
        &args.paths,
        args.config.as_deref(),
        args.format,
        &mut out,
    )?;
    out.flush()?;
    Ok(code)
}

/// Discovers the files under `paths` (configuration from `cwd` or
/// `config`), builds the graph and writes it in `format` to `out`.
/// Problems go to stderr.
pub fn run(
    cwd: &Path,
    paths: &[PathBuf],
    config: Option<&Path>,
    format: GraphFormat,
    out: &mut dyn Write,
) -> io::Result<ExitCode> {
    let settings = match run::settings_or_exit(cwd, config) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let start = std::env::current_dir().unwrap_or_else(|_| settings.options.root.clone());
    let discovery = discover(&start, paths, &settings.options);
    let mut failed = false;
    for e in &discovery.errors {
        match e {
            miglint_config::DiscoverError::Missing(p) => {
                eprintln!("miglint: error: {}: no such file or directory", p.display());
                failed = true;
            }
            other => eprintln!("miglint: warning: {other}"),
        }
    }
    let loaded = load(&discovery.files);
    let files = project_files(&loaded, DialectSet::ALL);
    let envs = graph::environments(&files);
    if envs.is_empty() && !failed {
        eprintln!("miglint: warning: no revision files found");
    }
    let text = render(&files, &envs, format);
    out.write_all(text.as_bytes())?;
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// Reads and parses every file (unreadable ones are skipped with a warning).
/// The loaded files as the graph and the model read them: no per-file SQL
/// analysis, settings or env.py facts (`graph`, `schema` and `drift` need
/// none of them).
pub(crate) fn project_files(
    loaded: &[(PathBuf, String, Module)],
    targets: DialectSet,
) -> Vec<ProjectFile<'_>> {
    loaded
        .iter()
        .map(|(path, source, module)| ProjectFile {
            path,
            source,
            file: None,
            module,
            sql: &[],
            targets,
            no_transaction: false,
            env_sets_lock_timeout: false,
        })
        .collect()
}

/// The literal SQL of each file's ops that run on `dialects`, analysed for
/// the model replay: per file, (op index, statements).
pub(crate) fn analyze_sql(
    loaded: &[(PathBuf, String, Module)],
    dialects: DialectSet,
) -> Vec<Vec<(usize, Vec<SqlStatement>)>> {
    loaded
        .iter()
        .map(|(_, _, m)| {
            m.ops
                .iter()
                .enumerate()
                .filter_map(|(i, op)| match op.sql()? {
                    SqlSource::Literal(lit) if !op.dialects.intersect(dialects).is_empty() => {
                        Some((i, miglint_sql::analyze(&lit.value, dialects)))
                    }
                    _ => None,
                })
                .collect()
        })
        .collect()
}

/// The model's inputs for `loaded` (with its [`analyze_sql`] result),
/// every file targeting `targets`, parents set from `env`'s replay order.
pub(crate) fn revision_inputs<'a>(
    loaded: &'a [(PathBuf, String, Module)],
    analyzed: &'a [Vec<(usize, Vec<SqlStatement>)>],
    targets: DialectSet,
    env: &Environment<'_>,
) -> Vec<miglint_schema::RevisionInput<'a>> {
    let mut inputs: Vec<miglint_schema::RevisionInput<'a>> = loaded
        .iter()
        .zip(analyzed)
        .map(
            |((path, source, module), sql)| miglint_schema::RevisionInput {
                path,
                source,
                file: None,
                module,
                sql: sql
                    .iter()
                    .filter_map(|(op, stmts)| match module.ops[*op].sql()? {
                        SqlSource::Literal(lit) => Some(miglint_schema::SqlOf {
                            op: *op,
                            lit,
                            statements: stmts,
                        }),
                        _ => None,
                    })
                    .collect(),
                targets,
                parents: None,
            },
        )
        .collect();
    for (file, parents) in env.replay_parents() {
        inputs[file].parents = parents;
    }
    inputs
}

pub(crate) fn load(paths: &[PathBuf]) -> Vec<(PathBuf, String, Module)> {
    let mut parser = PythonParser::new();
    let mut out = Vec::with_capacity(paths.len());
    for path in paths {
        let cap = miglint_config::DEFAULT_MAX_FILE_SIZE;
        let text = match miglint_config::read_capped(path, cap).map(String::from_utf8) {
            Ok(Ok(t)) => t,
            Ok(Err(_)) => {
                eprintln!("miglint: warning: {}: not UTF-8, skipped", path.display());
                continue;
            }
            Err(e) => {
                eprintln!("miglint: warning: {}: {e}", path.display());
                continue;
            }
        };
        let module = parser.parse(&text);
        out.push((path.clone(), text, module));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The graph of every environment in `format`.
pub fn render(files: &[ProjectFile<'_>], envs: &[Environment], format: GraphFormat) -> String {
    match format {
        GraphFormat::Text => text(files, envs),
        GraphFormat::Mermaid => mermaid(files, envs),
        GraphFormat::Dot => dot(files, envs),
        GraphFormat::Json => json(files, envs),
    }
}

/// The first line of the module docstring (what `alembic history` shows).
pub fn doc_line(source: &str) -> Option<&str> {
    let mut rest = source.trim_start_matches('\u{feff}');
    loop {
        rest = rest.trim_start();
        if rest.starts_with('#') {
            rest = rest.split_once('\n').map_or("", |(_, r)| r);
        } else {
            break;
        }
    }
    let rest = rest.trim_start_matches(['r', 'R', 'u', 'U']);
    let quote = ["\"\"\"", "'''", "\"", "'"]
        .into_iter()
        .find(|q| rest.starts_with(q))?;
    let body = &rest[quote.len()..];
    let end = body.find(quote).unwrap_or(body.len());
    body[..end].lines().map(str::trim).find(|l| !l.is_empty())
}

fn display(p: &Path) -> String {
    p.display().to_string().replace('\\', "/")
}

fn env_title(env: &Environment) -> String {
    let root = display(&env.root);
    if root.is_empty() {
        ".".to_string()
    } else {
        root
    }
}

fn marks(env: &Environment, n: usize, cyclic: &[bool]) -> Vec<&'static str> {
    let node = &env.nodes[n];
    let mut m = Vec::new();
    if node.duplicate_of.is_some() {
        m.push("(duplicate)");
        return m;
    }
    if node.is_head() {
        m.push("(head)");
    }
    if node.is_base() {
        m.push("(base)");
    }
    if node.is_branch_point() {
        m.push("(branchpoint)");
    }
    if node.is_merge_point() {
        m.push("(mergepoint)");
    }
    if cyclic[n] {
        m.push("(cycle)");
    }
    m
}

/// `id (head) (branch: expand)`
fn node_title(env: &Environment, n: usize, cyclic: &[bool]) -> String {
    let node = &env.nodes[n];
    let mut t = node.id.to_string();
    for m in marks(env, n, cyclic) {
        t.push(' ');
        t.push_str(m);
    }
    if !node.labels.is_empty() {
        let labels: Vec<&str> = node.labels.iter().map(|l| l.key).collect();
        let _ = write!(t, " (branch: {})", labels.join(", "));
    }
    t
}

fn cyclic_nodes(env: &Environment) -> Vec<bool> {
    let mut v = vec![false; env.nodes.len()];
    for c in env.cycles() {
        for n in c.path {
            v[n] = true;
        }
    }
    v
}

fn parent_names(node: &Node) -> String {
    match &node.down {
        graph::Parents::Base => "<base>".to_string(),
        graph::Parents::Unknown => "<unknown>".to_string(),
        graph::Parents::Revisions(refs) => refs
            .iter()
            .map(|r| {
                if r.target.is_some() {
                    r.name.to_string()
                } else {
                    format!("{}?", r.name)
                }
            })
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn text(files: &[ProjectFile<'_>], envs: &[Environment]) -> String {
    let mut s = String::new();
    for (e, env) in envs.iter().enumerate() {
        if e > 0 {
            s.push('\n');
        }
        let heads: Vec<&str> = env.heads().iter().map(|&h| env.nodes[h].id).collect();
        let bases: Vec<&str> = env.bases().iter().map(|&b| env.nodes[b].id).collect();
        let _ = writeln!(
            s,
            "# {}: {} revision{}; head{}: {}; base{}: {}",
            env_title(env),
            env.nodes.len(),
            if env.nodes.len() == 1 { "" } else { "s" },
            if heads.len() == 1 { "" } else { "s" },
            if heads.is_empty() {
                "-".to_string()
            } else {
                heads.join(", ")
            },
            if bases.len() == 1 { "" } else { "s" },
            if bases.is_empty() {
                "-".to_string()
            } else {
                bases.join(", ")
            },
        );
        let cyclic = cyclic_nodes(env);
        let mut order = env.topo_order();
        order.reverse();
        for n in order {
            let node = &env.nodes[n];
            let f = &files[node.file];
            let _ = write!(s, "{} -> {}", parent_names(node), node.id);
            for m in marks(env, n, &cyclic) {
                let _ = write!(s, " {m}");
            }
            if !node.labels.is_empty() {
                let labels: Vec<&str> = node.labels.iter().map(|l| l.key).collect();
                let _ = write!(s, " (branch: {})", labels.join(", "));
            }
            if !node.depends_on.is_empty() {
                let deps: Vec<String> = node
                    .depends_on
                    .iter()
                    .map(|r| format!("{}{}", r.name, if r.target.is_some() { "" } else { "?" }))
                    .collect();
                let _ = write!(s, " (depends on: {})", deps.join(", "));
            }
            if let Some(doc) = doc_line(f.source) {
                let _ = write!(s, ", {doc}");
            }
            let _ = writeln!(s, "  [{}]", display(env.rel(f.path)));
        }
        for &fi in &env.without_id {
            let _ = writeln!(
                s,
                "? -> <no revision id>  [{}]",
                display(env.rel(files[fi].path))
            );
        }
    }
    s
}

/// Text for a Mermaid label inside `"..."`.
fn mermaid_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            c => out.push(c),
        }
    }
    out
}

fn mermaid(files: &[ProjectFile<'_>], envs: &[Environment]) -> String {
    let mut s = String::from("flowchart TD\n");
    let nested = envs.len() > 1;
    let mut edges = String::new();
    let mut heads = Vec::new();
    let mut bases = Vec::new();
    for (e, env) in envs.iter().enumerate() {
        let indent = if nested { "    " } else { "  " };
        if nested {
            let _ = writeln!(
                s,
                "  subgraph env{e}[\"{}\"]",
                mermaid_escape(&env_title(env))
            );
        }
        let cyclic = cyclic_nodes(env);
        for n in env.topo_order() {
            let node = &env.nodes[n];
            let mut label = mermaid_escape(&node_title(env, n, &cyclic));
            if let Some(doc) = doc_line(files[node.file].source) {
                let _ = write!(label, "<br/>{}", mermaid_escape(doc));
            }
            let _ = writeln!(s, "{indent}e{e}n{n}[\"{label}\"]");
            if node.is_head() {
                heads.push(format!("e{e}n{n}"));
            }
            if node.is_base() {
                bases.push(format!("e{e}n{n}"));
            }
            if node.duplicate_of.is_none() {
                for p in node.parents() {
                    let _ = writeln!(edges, "  e{e}n{p} --> e{e}n{n}");
                }
                for r in &node.depends_on {
                    if let Some(d) = r.target {
                        let _ = writeln!(edges, "  e{e}n{d} -. depends_on .-> e{e}n{n}");
                    }
                }
            }
        }
        if nested {
            s.push_str("  end\n");
        }
    }
    s.push_str(&edges);
    s.push_str("  classDef head stroke-width:3px\n  classDef base stroke-dasharray:4 2\n");
    if !heads.is_empty() {
        let _ = writeln!(s, "  class {} head", heads.join(","));
    }
    if !bases.is_empty() {
        let _ = writeln!(s, "  class {} base", bases.join(","));
    }
    s
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn dot(files: &[ProjectFile<'_>], envs: &[Environment]) -> String {
    let mut s = String::from(
        "digraph revisions {\n  rankdir=BT;\n  node [shape=box, fontname=\"monospace\"];\n",
    );
    for (e, env) in envs.iter().enumerate() {
        let _ = writeln!(
            s,
            "  subgraph cluster_{e} {{\n    label=\"{}\";",
            dot_escape(&env_title(env))
        );
        let cyclic = cyclic_nodes(env);
        for n in env.topo_order() {
            let node = &env.nodes[n];
            let mut label = node_title(env, n, &cyclic);
            if let Some(doc) = doc_line(files[node.file].source) {
                let _ = write!(label, "\n{doc}");
            }
            let mut attrs = format!("label=\"{}\"", dot_escape(&label).replace('\n', "\\n"));
            if node.is_head() {
                attrs.push_str(", peripheries=2");
            }
            if node.is_base() {
                attrs.push_str(", style=rounded");
            }
            let _ = writeln!(s, "    e{e}n{n} [{attrs}];");
        }
        s.push_str("  }\n");
        for (n, node) in env.nodes.iter().enumerate() {
            if node.duplicate_of.is_some() {
                continue;
            }
            // child -> parent, as `down_revision` points (bases at the bottom)
            for p in node.parents() {
                let _ = writeln!(s, "  e{e}n{n} -> e{e}n{p};");
            }
            for r in &node.depends_on {
                if let Some(d) = r.target {
                    let _ = writeln!(
                        s,
                        "  e{e}n{n} -> e{e}n{d} [style=dashed, label=\"depends_on\"];"
                    );
                }
            }
        }
    }
    s.push_str("}\n");
    s
}

fn ref_names<'a>(refs: &[graph::Ref<'a>]) -> Vec<&'a str> {
    refs.iter().map(|r| r.name).collect()
}

#[derive(serde::Serialize)]
struct JsonGraph<'a> {
    environments: Vec<JsonEnv<'a>>,
}

#[derive(serde::Serialize)]
struct JsonEnv<'a> {
    root: String,
    heads: Vec<&'a str>,
    bases: Vec<&'a str>,
    nodes: Vec<JsonNode<'a>>,
    files_without_revision: Vec<String>,
}

#[derive(serde::Serialize)]
struct JsonNode<'a> {
    revision: &'a str,
    file: String,
    message: Option<&'a str>,
    parents: Vec<&'a str>,
    depends_on: Vec<&'a str>,
    children: Vec<&'a str>,
    dependents: Vec<&'a str>,
    branch_labels: Vec<&'a str>,
    head: bool,
    base: bool,
    branchpoint: bool,
    mergepoint: bool,
    duplicate: bool,
    cycle: bool,
    /// References (`down_revision`, `depends_on`) that name no revision.
    missing: Vec<&'a str>,
}

fn json(files: &[ProjectFile<'_>], envs: &[Environment]) -> String {
    let environments = envs
        .iter()
        .map(|env| {
            let ids = |v: &[usize]| -> Vec<&str> { v.iter().map(|&n| env.nodes[n].id).collect() };
            let cyclic = cyclic_nodes(env);
            let nodes = env
                .topo_order()
                .into_iter()
                .map(|n| {
                    let node = &env.nodes[n];
                    let f = &files[node.file];
                    JsonNode {
                        revision: node.id,
                        file: display(f.path),
                        message: doc_line(f.source),
                        parents: ref_names(node.parent_refs()),
                        depends_on: ref_names(&node.depends_on),
                        children: ids(&node.children),
                        dependents: ids(&node.dependents),
                        branch_labels: node.labels.iter().map(|l| l.key).collect(),
                        head: node.is_head(),
                        base: node.is_base(),
                        branchpoint: node.is_branch_point(),
                        mergepoint: node.is_merge_point(),
                        duplicate: node.duplicate_of.is_some(),
                        cycle: cyclic[n],
                        missing: node
                            .parent_refs()
                            .iter()
                            .chain(&node.depends_on)
                            .filter(|r| r.target.is_none())
                            .map(|r| r.name)
                            .collect(),
                    }
                })
                .collect();
            JsonEnv {
                root: display(&env.root),
                heads: ids(&env.heads()),
                bases: ids(&env.bases()),
                nodes,
                files_without_revision: env
                    .without_id
                    .iter()
                    .map(|&f| display(files[f].path))
                    .collect(),
            }
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&JsonGraph { environments }).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::doc_line;

    #[test]
    fn docstring_first_line() {
        assert_eq!(
            doc_line("\"\"\"add email\n\nRevision ID: r2\n\"\"\"\n"),
            Some("add email")
        );
        assert_eq!(doc_line("# coding: utf-8\n'''\n  init\n'''"), Some("init"));
        assert_eq!(doc_line("revision = 'r1'\n"), None);
    }
}
