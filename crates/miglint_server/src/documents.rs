//! The open documents: their text as the editor has it (incremental sync),
//! their version, and a generation number that changes on every edit (so
//! that a result computed for an older text is recognised and dropped).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use lsp_types::{TextDocumentContentChangeEvent, Uri};
use miglint_diagnostics::LineIndex;

use crate::convert;

#[derive(Debug, Clone)]
pub struct Document {
    pub uri: Uri,
    pub version: i32,
    /// Unique across the session: a new one on open and on every change.
    pub generation: u64,
    pub text: Arc<str>,
}

#[derive(Debug, Default)]
pub struct Documents {
    docs: HashMap<PathBuf, Document>,
}

static GENERATION: AtomicU64 = AtomicU64::new(1);

fn next_generation() -> u64 {
    GENERATION.fetch_add(1, Ordering::Relaxed)
}

impl Documents {
    pub fn open(&mut self, path: PathBuf, uri: Uri, version: i32, text: String) {
        self.docs.insert(
            path,
            Document {
                uri,
                version,
                generation: next_generation(),
                text: text.into(),
            },
        );
    }

    /// Applies content changes in order (ranged ones in UTF-16 positions of
    /// the text as it is at that point). Returns false for an unknown document.
    pub fn change(
        &mut self,
        path: &Path,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    ) -> bool {
        let Some(doc) = self.docs.get_mut(path) else {
            return false;
        };
        let mut text = String::from(&*doc.text);
        for change in changes {
            match change.range {
                None => text = change.text,
                Some(range) => {
                    let index = LineIndex::new(&text);
                    let r = convert::text_range(&text, &index, range);
                    text.replace_range(r.as_usize(), &change.text);
                }
            }
        }
        doc.text = text.into();
        doc.version = version;
        doc.generation = next_generation();
        true
    }

    pub fn close(&mut self, path: &Path) -> Option<Document> {
        self.docs.remove(path)
    }

    pub fn get(&self, path: &Path) -> Option<&Document> {
        self.docs.get(path)
    }

    pub fn paths(&self) -> impl Iterator<Item = &PathBuf> {
        self.docs.keys()
    }

    /// path → (generation, text) of every open document.
    pub fn snapshot(&self) -> HashMap<PathBuf, (u64, Arc<str>)> {
        self.docs
            .iter()
            .map(|(p, d)| (p.clone(), (d.generation, d.text.clone())))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};
    use std::str::FromStr;

    #[test]
    fn incremental_changes_use_utf16_positions() {
        let mut docs = Documents::default();
        let p = PathBuf::from("/x.py");
        let uri = Uri::from_str("file:///x.py").unwrap();
        docs.open(p.clone(), uri, 1, String::from("s = '😀é'\nt = 1\n"));
        let g = docs.get(&p).unwrap().generation;
        let change = |l1, c1, l2, c2, t: &str| TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(l1, c1), Position::new(l2, c2))),
            range_length: None,
            text: t.to_string(),
        };
        // replace 'é' (after the 2-unit emoji) and the 1 on the next line
        assert!(docs.change(
            &p,
            2,
            vec![change(0, 7, 0, 8, "e"), change(1, 4, 1, 5, "22")]
        ));
        let d = docs.get(&p).unwrap();
        assert_eq!(&*d.text, "s = '😀e'\nt = 22\n");
        assert_eq!(d.version, 2);
        assert!(d.generation > g);
    }
}
