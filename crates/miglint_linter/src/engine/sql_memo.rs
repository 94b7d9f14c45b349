//! The analysis of `execute` literals kept between checks of the same file
//! (see [`crate::Linter::keep_sql`]): an editor re-lints a buffer after
//! every keystroke, and most of its literals did not change.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use miglint_diagnostics::DialectSet;
use miglint_python::Module;
use miglint_sql::SqlStatement;

use crate::rule::ExecSql;

/// The analysis of one file's literals, by (literal text, reaching dialects).
type Analyses = HashMap<(String, DialectSet), Vec<SqlStatement>>;

/// How many files' analyses are kept (the most recently checked ones: the
/// buffers being edited).
const KEPT_FILES: usize = 8;

/// Per file, the analysis of its literals at its last check.
#[derive(Default)]
pub(crate) struct SqlMemo {
    files: Mutex<Vec<(PathBuf, Analyses)>>,
}

impl SqlMemo {
    /// [`super::extract_sql`] reusing the analysis of every literal whose
    /// text and dialects equal those of one at the file's last check
    /// (`miglint_sql::analyze` is a function of both, so the result is the
    /// same); afterwards only this check's literals are kept for the file.
    pub(crate) fn extract<'m>(
        &self,
        path: &Path,
        module: &'m Module,
        targets: DialectSet,
    ) -> Vec<ExecSql<'m>> {
        let mut old = self.take(path);
        let mut new = Analyses::with_capacity(old.len());
        let sql = super::extract_sql_with(module, targets, |text, dialects| {
            let key = (text.to_string(), dialects);
            let statements = match old.remove(&key) {
                Some(s) => s,
                None => match new.get(&key) {
                    Some(s) => s.clone(),
                    None => miglint_sql::analyze(text, dialects),
                },
            };
            new.insert(key, statements.clone());
            statements
        });
        self.put(path, new);
        sql
    }

    fn take(&self, path: &Path) -> Analyses {
        let mut files = self
            .files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match files.iter().position(|(p, _)| p == path) {
            Some(i) => files.remove(i).1,
            None => Analyses::new(),
        }
    }

    fn put(&self, path: &Path, analyses: Analyses) {
        let mut files = self
            .files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        files.retain(|(p, _)| p != path);
        files.insert(0, (path.to_path_buf(), analyses));
        files.truncate(KEPT_FILES);
    }
}
