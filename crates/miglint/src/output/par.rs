//! Rendering findings on the rayon pool, written in their order: each
//! piece of a batch is rendered into its own buffer, then the buffers are
//! written one after the other, so the bytes are those of a serial loop.

use std::io::{self, Write};

use miglint_diagnostics::{Diagnostic, FileReport};
use rayon::prelude::*;

/// Items rendered per batch (the batch's text is held in memory at once).
const BATCH: usize = 4096;

/// Items per rayon task: small enough that the two threads finish a batch
/// together, large enough that a task outweighs its scheduling.
const PIECE: usize = 32;

/// Writes every item of `items`, in order, as `render` appends it to a
/// buffer (on the rayon pool when there are more than a few); `between`
/// goes between two items.
pub(crate) fn write_in_order<T: Sync>(
    out: &mut dyn Write,
    items: &[T],
    between: &[u8],
    render: impl Fn(&mut Vec<u8>, &T) -> io::Result<()> + Sync,
) -> io::Result<()> {
    let piece = |items: &[T]| -> io::Result<Vec<u8>> {
        // most findings render to 0.3-1.5 KB: one allocation per piece
        let mut buffer = Vec::with_capacity(1536 * items.len());
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                buffer.extend_from_slice(between);
            }
            render(&mut buffer, item)?;
        }
        Ok(buffer)
    };
    if items.len() <= PIECE {
        // one piece: not worth waking the pool (a pre-commit run)
        return out.write_all(&piece(items)?);
    }
    let render_batch =
        |batch: &[T]| -> Vec<io::Result<Vec<u8>>> { batch.par_chunks(PIECE).map(piece).collect() };
    let mut first = true;
    let mut write_batch = |out: &mut dyn Write, buffers: Vec<io::Result<Vec<u8>>>| {
        for buffer in buffers {
            if !first {
                out.write_all(between)?;
            }
            first = false;
            out.write_all(&buffer?)?;
        }
        Ok::<(), io::Error>(())
    };
    // a batch is written by this thread while the pool renders the next
    // one (the same bytes in the same order; writing 60 MB of `full`
    // output to a file or a pipe took the pool's time)
    let mut batches = items.chunks(BATCH);
    let mut rendered = batches.next().map(render_batch);
    while let Some(buffers) = rendered.take() {
        let next = batches.next();
        let mut written = Ok(());
        rayon::in_place_scope(|scope| {
            if let Some(batch) = next {
                let rendered = &mut rendered;
                let render_batch = &render_batch;
                scope.spawn(move |_| *rendered = Some(render_batch(batch)));
            }
            written = write_batch(out, buffers);
        });
        written?;
    }
    Ok(())
}

/// Every finding of `reports` with its report, in order.
pub(crate) fn findings(reports: &[FileReport]) -> Vec<(&FileReport, &Diagnostic)> {
    reports
        .iter()
        .flat_map(|report| report.diagnostics.iter().map(move |d| (report, d)))
        .collect()
}

/// Every finding of `reports` with its report's index, in order.
pub(crate) fn numbered(reports: &[FileReport]) -> Vec<(usize, &Diagnostic)> {
    reports
        .iter()
        .enumerate()
        .flat_map(|(index, report)| report.diagnostics.iter().map(move |d| (index, d)))
        .collect()
}

/// `value` as `serde_json::to_writer_pretty` prints it as an element
/// `depth` levels deep (two spaces each): its own pretty form with every
/// line after the first indented, written straight into `buffer` by
/// [`Nested`] (it used to be printed apart, then copied line by line with
/// the indent added: a second pass over every byte of the output).
pub(crate) fn pretty_at<T: serde::Serialize>(
    buffer: &mut Vec<u8>,
    value: &T,
    depth: usize,
) -> io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(buffer, Nested::at(depth));
    value.serialize(&mut serializer)?;
    Ok(())
}

/// serde_json's `PrettyFormatter` (two spaces a level) as if it had
/// already opened `depth` levels: every line break it writes is followed
/// by the indent of its level plus `depth` levels. The same bytes as the
/// pretty form with each line after the first indented (JSON strings hold
/// no raw line breaks). Its state is the `PrettyFormatter`'s: the level
/// and one `has_value` flag (not one per level).
struct Nested {
    level: usize,
    has_value: bool,
}

impl Nested {
    fn at(depth: usize) -> Nested {
        Nested {
            level: depth,
            has_value: false,
        }
    }

    fn indent<W: ?Sized + Write>(&self, writer: &mut W) -> io::Result<()> {
        const SPACES: &[u8; 64] = &[b' '; 64];
        let mut left = 2 * self.level;
        while left > 0 {
            let n = left.min(SPACES.len());
            writer.write_all(&SPACES[..n])?;
            left -= n;
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        writer.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            writer.write_all(b"\n")?;
            self.indent(writer)?;
        }
        writer.write_all(bracket)
    }

    fn item<W: ?Sized + Write>(&self, writer: &mut W, first: bool) -> io::Result<()> {
        writer.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(writer)
    }
}

impl serde_json::ser::Formatter for Nested {
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.item(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.item(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// A pretty-printed JSON array of the items, `depth` levels deep: the
/// bytes `serde_json::to_writer_pretty` gives for the `Vec` of what
/// `element` makes of each item (without the trailing newline).
pub(crate) fn pretty_array<T: Sync, S: serde::Serialize>(
    out: &mut dyn Write,
    items: &[T],
    depth: usize,
    element: impl Fn(&T) -> S + Sync,
) -> io::Result<()> {
    if items.is_empty() {
        return out.write_all(b"[]");
    }
    let inner = 2 * (depth + 1);
    let mut open = b"[\n".to_vec();
    open.resize(2 + inner, b' ');
    let mut between = b",\n".to_vec();
    between.resize(2 + inner, b' ');
    let mut close = b"\n".to_vec();
    close.resize(1 + 2 * depth, b' ');
    close.push(b']');
    out.write_all(&open)?;
    write_in_order(out, items, &between, |buffer, item| {
        pretty_at(buffer, &element(item), depth + 1)
    })?;
    out.write_all(&close)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Item {
        n: usize,
        text: String,
        list: Vec<u8>,
        empty: Vec<u8>,
    }

    fn item(n: usize) -> Item {
        Item {
            n,
            text: format!("line\n{n} \"q\""),
            list: (0..(n % 3) as u8).collect(),
            empty: Vec::new(),
        }
    }

    /// The parallel array is byte for byte serde_json's, at every depth,
    /// around the piece and batch sizes.
    #[test]
    fn pretty_array_is_serde_jsons() {
        for n in [0, 1, 2, PIECE, PIECE + 1, BATCH + PIECE + 3] {
            let numbers: Vec<usize> = (0..n).collect();
            for depth in 0..5 {
                // the array nested `depth` levels deep in one-key objects
                let mut expected = serde_json::Value::Array(
                    numbers
                        .iter()
                        .map(|&i| serde_json::to_value(item(i)).unwrap())
                        .collect(),
                );
                for _ in 0..depth {
                    expected = serde_json::json!({ "k": expected });
                }
                let expected = serde_json::to_vec_pretty(&expected).unwrap();
                // the enclosing objects as serde_json prints them
                let mut ours = Vec::new();
                for level in 0..depth {
                    ours.extend_from_slice(b"{\n");
                    ours.resize(ours.len() + 2 * (level + 1), b' ');
                    ours.extend_from_slice(b"\"k\": ");
                }
                pretty_array(&mut ours, &numbers, depth, |&i| {
                    serde_json::to_value(item(i)).unwrap()
                })
                .unwrap();
                for level in (0..depth).rev() {
                    ours.push(b'\n');
                    ours.resize(ours.len() + 2 * level, b' ');
                    ours.push(b'}');
                }
                assert_eq!(
                    String::from_utf8(ours).unwrap(),
                    String::from_utf8(expected).unwrap(),
                    "{n} items at depth {depth}"
                );
            }
        }
    }

    /// The old way: serde_json's pretty form, each line after the first
    /// indented by `depth` levels.
    fn indented_after(value: &serde_json::Value, depth: usize) -> String {
        let pretty = serde_json::to_string_pretty(value).unwrap();
        pretty.replace('\n', &format!("\n{}", "  ".repeat(depth)))
    }

    /// 34 levels of arrays in objects in arrays.
    fn deep() -> serde_json::Value {
        let mut value = serde_json::json!([1]);
        for level in 0..33 {
            value = if level % 3 == 0 {
                serde_json::json!({ "k": value, "e": [] })
            } else {
                serde_json::json!([value])
            };
        }
        value
    }

    /// An element written `depth` levels deep is serde_json's pretty form
    /// indented, for nested, empty and mixed arrays and objects (the one
    /// `has_value` flag included), escaped strings and deep levels.
    #[test]
    fn nested_is_pretty_indented() {
        let values = [
            serde_json::json!(null),
            serde_json::json!("a\nb \"c\" \u{1}"),
            serde_json::json!([]),
            serde_json::json!({}),
            serde_json::json!([[], {}, [1, [2, []]], {"a": {}}]),
            serde_json::json!({"a": [], "b": {"c": [1, {}], "d": {}}, "e": [{"f": [[]]}], "g": 1.5}),
            deep(),
        ];
        for value in &values {
            for depth in [0, 1, 2, 3, 7, 40] {
                let mut ours = b"prefix".to_vec();
                pretty_at(&mut ours, value, depth).unwrap();
                assert_eq!(
                    String::from_utf8(ours).unwrap(),
                    format!("prefix{}", indented_after(value, depth)),
                    "{value} at depth {depth}"
                );
            }
        }
    }

    #[test]
    fn separators_between_every_item() {
        for n in [0, 1, PIECE, PIECE + 1, BATCH + 1] {
            let items: Vec<usize> = (0..n).collect();
            let mut ours = Vec::new();
            write_in_order(&mut ours, &items, b"|", |b, i| {
                b.extend_from_slice(i.to_string().as_bytes());
                Ok(())
            })
            .unwrap();
            let expected: Vec<String> = items.iter().map(ToString::to_string).collect();
            assert_eq!(String::from_utf8(ours).unwrap(), expected.join("|"));
        }
    }
}
