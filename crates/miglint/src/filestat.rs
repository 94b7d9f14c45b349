//! A file's stat fields, for the project memo's fast path (as git's index
//! and ruff's cache do): a file whose stat fields all equal the recorded
//! ones, and whose modification time is older than the record by more than
//! [`MARGIN_NANOS`], keeps its recorded content key without being read.
//!
//! The margin guards the "racy" case: a file modified in the same clock
//! tick as it was stat'ed (or on a filesystem with coarse timestamps: FAT
//! keeps 2 s, ext3 and HFS+ 1 s; the kernel stamps files from a clock that
//! may lag the one we read by a tick; a network filesystem stamps them from
//! the server's clock) can change again without changing its modification
//! time or length. Such a file is read and hashed on every run until the
//! memo is written again. A change that restores the length, the
//! modification time, the change time and the inode is not seen: the change
//! time cannot be set by users, so this needs the system clock set back.

use std::fs::Metadata;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

/// 2 s: a FAT timestamp's granularity, and more than the clock skew a
/// local filesystem shows.
pub const MARGIN_NANOS: i128 = 2_000_000_000;

/// What `stat` says of a file (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStat {
    len: u64,
    /// Nanoseconds since the Unix epoch.
    mtime: i128,
    ctime: i128,
    ino: u64,
    dev: u64,
    mode: u32,
}

/// Nanoseconds since the Unix epoch (negative before it).
pub fn nanos(t: SystemTime) -> i128 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

impl FileStat {
    #[cfg(unix)]
    pub fn of(meta: &Metadata) -> FileStat {
        use std::os::unix::fs::MetadataExt;
        let at = |s: i64, ns: i64| i128::from(s) * 1_000_000_000 + i128::from(ns);
        FileStat {
            len: meta.len(),
            mtime: at(meta.mtime(), meta.mtime_nsec()),
            ctime: at(meta.ctime(), meta.ctime_nsec()),
            ino: meta.ino(),
            dev: meta.dev(),
            mode: meta.mode(),
        }
    }

    #[cfg(not(unix))]
    pub fn of(meta: &Metadata) -> FileStat {
        let at = |t: std::io::Result<SystemTime>| t.map(nanos).unwrap_or(i128::MAX);
        FileStat {
            len: meta.len(),
            mtime: at(meta.modified()),
            ctime: at(meta.created()),
            ino: 0,
            dev: 0,
            mode: u32::from(meta.permissions().readonly()),
        }
    }

    /// Whether a file that stats as `self` now is the one recorded as
    /// `recorded` by a run that began at `recorded_at` (nanoseconds since
    /// the epoch): every field equal, and modified before that run began
    /// by more than the margin.
    pub fn unchanged_since(&self, recorded: &FileStat, recorded_at: i128) -> bool {
        self == recorded && self.mtime < recorded_at - MARGIN_NANOS
    }
}
