//! The parse phase: a file's bytes decoded (ML905 when they cannot be),
//! parsed once, its suppression comments read; or the one finding of a
//! file that was not parsed.

use std::path::Path;
use std::sync::Arc;

use miglint_diagnostics::SourceFile;
use miglint_python::{Module, PythonParser};

use super::{Linter, ParsedFile};
use crate::rules::ml905_unreadable_file;
use crate::suppress;

impl Linter {
    /// Decodes raw bytes (ML905 when that fails) and parses them.
    pub fn parse_bytes(&self, parser: &mut PythonParser, path: &Path, bytes: &[u8]) -> ParsedFile {
        match ml905_unreadable_file::decode(bytes) {
            Ok(text) => self.parse_shared(parser, path, Arc::from(&*text)),
            Err(problem) => self.unreadable_file(path, &problem),
        }
    }

    /// [`Linter::parse_bytes`] taking the bytes: they are freed once
    /// decoded, before the parse (the peak holds one copy of the source).
    pub fn parse_owned(
        &self,
        parser: &mut PythonParser,
        path: &Path,
        bytes: Vec<u8>,
    ) -> ParsedFile {
        let text: Arc<str> = match ml905_unreadable_file::decode(&bytes) {
            Ok(text) => Arc::from(&*text),
            Err(problem) => return self.unreadable_file(path, &problem),
        };
        drop(bytes);
        self.parse_shared(parser, path, text)
    }

    /// Parses a decoded file and reads its suppression comments.
    pub fn parse_source(&self, parser: &mut PythonParser, path: &Path, text: &str) -> ParsedFile {
        self.parse_shared(parser, path, Arc::from(text))
    }

    fn parse_shared(&self, parser: &mut PythonParser, path: &Path, text: Arc<str>) -> ParsedFile {
        let source = Arc::new(SourceFile::new(path.to_path_buf(), text));
        let module = match parser.parse_checked(&source.text) {
            Ok(module) => module,
            Err(refusal) => return self.refused(source, &refusal),
        };
        let suppressions = suppress::parse(&source, &module);
        ParsedFile {
            source,
            module,
            suppressions,
            stopped: None,
        }
    }

    /// A file that could not be read at all (an I/O error): one ML905 finding.
    pub fn parse_unreadable(&self, path: &Path, problem: &str) -> ParsedFile {
        self.unreadable_file(path, &ml905_unreadable_file::Unreadable::error(problem))
    }

    /// A file that could not be read or decoded: one ML905 finding.
    fn unreadable_file(
        &self,
        path: &Path,
        problem: &ml905_unreadable_file::Unreadable,
    ) -> ParsedFile {
        let mut diagnostics = Vec::new();
        if self.settings.is_enabled("ML905") {
            diagnostics.push(ml905_unreadable_file::diagnostic(problem));
        }
        ParsedFile {
            source: Arc::new(SourceFile::new(path.to_path_buf(), "")),
            module: Module::default(),
            suppressions: Vec::new(),
            stopped: Some(diagnostics),
        }
    }

    /// A file the parser guard refused (nesting beyond CPython's limits:
    /// ML901; over the parse budget: ML905). Nothing else is checked.
    fn refused(&self, source: Arc<SourceFile>, refusal: &miglint_python::Refusal) -> ParsedFile {
        let mut diagnostics = Vec::new();
        match refusal.kind {
            miglint_python::RefusalKind::Syntax if self.settings.is_enabled("ML901") => {
                diagnostics.push(crate::rules::ml901_python_syntax_error::refused(refusal));
            }
            miglint_python::RefusalKind::Budget if self.settings.is_enabled("ML905") => {
                diagnostics.push(ml905_unreadable_file::diagnostic(
                    &ml905_unreadable_file::Unreadable::error(refusal.message.clone()),
                ));
            }
            _ => {}
        }
        ParsedFile {
            source,
            module: Module::default(),
            suppressions: Vec::new(),
            stopped: Some(diagnostics),
        }
    }
}
