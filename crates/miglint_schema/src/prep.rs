//! What a revision's pass reads of its file that no schema state changes
//! (its ops bucketed by function, the tables and columns its ops name, the
//! batches SQLite recreates): read in one piece per pass ([`Prep`]), and
//! for the first walk of a single environment ahead of that walk (which is
//! serial) on a thread that is idle ([`Ahead`]). What each function does
//! outside ops is read once per file, when it is extracted
//! ([`miglint_python::OutsideOps`]).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

use miglint_diagnostics::TextRange;
use miglint_python::Receiver;

use crate::input::{RevisionInput, SqlOf};
use crate::reads::{TableRef, read_column_name, read_table_name};
use crate::state::HashMap;

/// One file's state-independent facts (what its functions do outside ops
/// is read once per file, at extraction: [`miglint_python::OutsideOps`]).
pub(crate) struct Prep<'a> {
    /// The input's analyzed SQL sorted by op, when it was not already.
    pub sql_sorted: Option<Vec<SqlOf<'a>>>,
    /// Batches (by call range) that SQLite runs by recreating the table.
    pub recreates: HashMap<TextRange, bool>,
    /// The ops' indices, bucketed by function.
    pub by_func: Vec<Vec<usize>>,
    /// Per op: the table and the column it names.
    pub names: Vec<(TableRef<'a>, Option<&'a str>)>,
}

impl<'a> Prep<'a> {
    pub fn new(input: &RevisionInput<'a>) -> Prep<'a> {
        let m = input.module;
        let mut by_func: Vec<Vec<usize>> = vec![Vec::new(); m.functions.len()];
        for (i, op) in m.ops.iter().enumerate() {
            if let Some(b) = by_func.get_mut(op.func) {
                b.push(i);
            }
        }
        Prep {
            sql_sorted: (!input.sql.is_sorted_by_key(|s| s.op)).then(|| {
                let mut v = input.sql.clone();
                v.sort_by_key(|s| s.op);
                v
            }),
            recreates: batches(input),
            names: m
                .ops
                .iter()
                .map(|op| (read_table_name(m, op), read_column_name(m, op)))
                .collect(),
            by_func,
        }
    }
}

/// Which batches recreate the table on SQLite.
fn batches(input: &RevisionInput<'_>) -> HashMap<TextRange, bool> {
    let mut recreates: HashMap<TextRange, bool> = HashMap::default();
    for op in &input.module.ops {
        let Receiver::Batch(b) = &op.receiver else {
            continue;
        };
        let text = input.source.get(b.range.as_usize()).unwrap_or("");
        let always = text.contains("recreate=\"always\"") || text.contains("recreate='always'");
        let never = text.contains("recreate=\"never\"") || text.contains("recreate='never'");
        let needs = match op.name.as_str() {
            "add_column" => op.columns().next().is_some_and(|c| {
                c.server_default().is_some_and(|k| {
                    !matches!(
                        miglint_python::classify_default(&k.value),
                        miglint_python::DefaultValue::PlainString(_)
                    )
                })
            }),
            "create_index" | "drop_index" => false,
            _ => true,
        };
        let e = recreates.entry(b.range).or_insert(false);
        *e = !never && (*e || always || needs);
    }
    recreates
}

/// The preps of one walk's revisions, read ahead of it on another thread
/// ([`Ahead::fill`]) and taken by the walk in its order ([`Ahead::take`]):
/// a bounded queue (the preps of a few hundred revisions at a time), and
/// the walk never waits: a prep not read yet it reads itself, and the
/// reader then skips it. A reader with a full queue runs other work of
/// the pool, or sleeps until the walk has taken half of the queue (it
/// never spins: the bench's CPU per build doubled when it did).
pub(crate) struct Ahead<'a> {
    queue: Mutex<Queue<'a>>,
    /// Signalled when the queue has room again, and when the walk is over.
    room: Condvar,
    /// The first position the walk has no prep for yet.
    next: AtomicUsize,
    /// The walk is over.
    done: AtomicBool,
}

struct Queue<'a> {
    items: VecDeque<(usize, Prep<'a>)>,
    /// The reader sleeps on [`Ahead::room`].
    waiting: bool,
}

/// How many preps [`Ahead`] holds at most.
const AHEAD: usize = 256;

impl<'a> Ahead<'a> {
    pub fn new() -> Self {
        Ahead {
            queue: Mutex::new(Queue {
                items: VecDeque::with_capacity(AHEAD),
                waiting: false,
            }),
            room: Condvar::new(),
            next: AtomicUsize::new(0),
            done: AtomicBool::new(false),
        }
    }

    /// Reads the preps of `order`'s revisions from position `from` on, in
    /// order, skipping those the walk has passed, until the walk is over.
    pub fn fill(&self, inputs: &[RevisionInput<'a>], order: &[usize], from: usize) {
        for (pos, &file) in order.iter().enumerate().skip(from) {
            if self.done.load(Ordering::Relaxed) {
                return;
            }
            if pos < self.next.load(Ordering::Relaxed) {
                continue;
            }
            let mut item = Some((pos, Prep::new(&inputs[file])));
            while let Some(it) = item.take() {
                let Ok(mut q) = self.queue.lock() else {
                    return;
                };
                if self.done.load(Ordering::Relaxed) {
                    return;
                }
                if q.items.len() < AHEAD {
                    q.items.push_back(it);
                    break;
                }
                item = Some(it);
                drop(q);
                // (the queue is full: other work of the pool first, else
                // sleep until the walk has caught up)
                if rayon::yield_now() == Some(rayon::Yield::Executed) {
                    continue;
                }
                let Ok(mut q) = self.queue.lock() else {
                    return;
                };
                if q.items.len() >= AHEAD && !self.done.load(Ordering::Relaxed) {
                    q.waiting = true;
                    // (a timeout only as a safety net: `take` and `finish`
                    // wake it)
                    let Ok((mut q, _)) = self
                        .room
                        .wait_timeout(q, std::time::Duration::from_millis(20))
                    else {
                        return;
                    };
                    q.waiting = false;
                }
            }
        }
    }

    /// The prep of position `pos` of the walk, when read already; the
    /// walk asks for its positions in order.
    pub fn take(&self, pos: usize) -> Option<Prep<'a>> {
        self.next.store(pos + 1, Ordering::Relaxed);
        let mut q = self.queue.lock().ok()?;
        let found = loop {
            match q.items.pop_front() {
                Some((k, prep)) if k == pos => break Some(prep),
                // (read for a position the walk has passed)
                Some((k, _)) if k < pos => {}
                // (none later is sent before this one: see `fill`)
                Some(later) => {
                    q.items.push_front(later);
                    break None;
                }
                None => break None,
            }
        };
        if q.waiting && q.items.len() <= AHEAD / 2 {
            q.waiting = false;
            self.room.notify_one();
        }
        found
    }

    /// The walk is over: a fill still running stops.
    pub fn finish(&self) {
        self.done.store(true, Ordering::Relaxed);
        // (under the lock: a reader about to sleep sees `done` or is woken)
        let _q = self.queue.lock();
        self.room.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::{Ahead, TableRef};
    use crate::tests::Project;

    fn file(i: usize) -> String {
        format!(
            "from alembic import op\nrevision = \"r{i}\"\n\ndef upgrade():\n    \
             op.add_column(\"t{i}\", sa.Column(\"c\", sa.Integer()))\n"
        )
    }

    /// `n` revisions without parents, revision `i` adding a column to `t{i}`.
    fn roots(n: usize) -> Project {
        let files: Vec<String> = (0..n).map(file).collect();
        let spec: Vec<(&str, Option<Vec<usize>>)> = files
            .iter()
            .map(|f| (f.as_str(), Some(Vec::new())))
            .collect();
        Project::new(&spec)
    }

    /// The prep of a position, whichever way the walk reaches it.
    fn table(prep: &super::Prep<'_>) -> String {
        match prep.names[0].0 {
            TableRef::Known(t) => t.to_string(),
            _ => String::new(),
        }
    }

    #[test]
    fn ahead_gives_positions_in_order_and_skips_passed_ones() {
        let p = roots(5);
        let inputs = p.inputs();
        let order = [4, 3, 2, 1, 0];
        let ahead = Ahead::new();
        // the walk is at position 1 when the fill starts: 0 is skipped
        assert!(ahead.take(0).is_none());
        ahead.fill(&inputs, &order, 0);
        let first = ahead.take(1).expect("read ahead");
        assert_eq!(table(&first), "t3");
        // 2 was read, and is passed: 3 comes next
        assert_eq!(table(&ahead.take(3).expect("read ahead")), "t1");
        assert_eq!(table(&ahead.take(4).expect("read ahead")), "t0");
        assert!(ahead.take(5).is_none());
        // after the walk, a fill reads nothing
        ahead.finish();
        ahead.fill(&inputs, &order, 0);
        assert!(ahead.take(0).is_none());
    }

    #[test]
    fn a_full_queue_waits_for_the_walk_and_stops_with_it() {
        // more revisions than the queue holds: the reader sleeps while it
        // is full, reads on once the walk has taken half, and stops when
        // the walk is over
        let n = 3 * super::AHEAD;
        let p = roots(n);
        let inputs = p.inputs();
        let order: Vec<usize> = (0..n).collect();
        let ahead = Ahead::new();
        // until the reader has filled the queue and sleeps (it may also
        // wake on its timeout: only a full queue counts); the queue never
        // holds more than AHEAD
        let full = || loop {
            {
                let q = ahead.queue.lock().expect("lock");
                assert!(q.items.len() <= super::AHEAD, "{}", q.items.len());
                if q.waiting && q.items.len() == super::AHEAD {
                    return q.items.front().map(|(pos, _)| *pos);
                }
            }
            std::thread::yield_now();
        };
        std::thread::scope(|s| {
            // the walk is over however the test ends: the reader stops
            // and the scope can join it (a failed assertion must not hang)
            struct Finish<'x, 'a>(&'x Ahead<'a>);
            impl Drop for Finish<'_, '_> {
                fn drop(&mut self) {
                    self.0.finish();
                }
            }
            let _finish = Finish(&ahead);
            s.spawn(|| ahead.fill(&inputs, &order, 0));
            assert_eq!(full(), Some(0));
            // the walk takes half the queue and one more: the reader wakes
            let half = super::AHEAD / 2 + 1;
            for pos in 0..half {
                let prep = ahead.take(pos).expect("read ahead");
                assert_eq!(table(&prep), format!("t{pos}"));
            }
            // it fills the queue again: every position up to
            // `half + AHEAD` was read ahead, in order
            assert_eq!(full(), Some(half));
            for pos in half..half + super::AHEAD {
                let prep = ahead.take(pos).expect("read ahead");
                assert_eq!(table(&prep), format!("t{pos}"));
            }
        });
    }
}
