//! Reading input files defensively: only regular files are opened, and
//! never more than a size cap is read. A FIFO named `x.py` would block
//! `open()` forever, and a symlink to `/dev/zero` would fill the memory;
//! both are refused before they are opened for reading.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::Path;

/// The default of `max-file-size`: 10 MB (the largest real revision file in
/// the corpus is under 1 MB; a generated data migration of 10 MB is already
/// an outlier).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// Not a regular file (a FIFO, a device, a socket or a directory):
    /// never opened for reading.
    NotRegular(&'static str),
    /// Larger than the cap: not read at all (or, if it grew while read,
    /// read only up to the cap).
    TooLarge {
        size: u64,
        cap: u64,
    },
    Io(io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotRegular(kind) => write!(f, "it is not a regular file but {kind}"),
            ReadError::TooLarge { size, cap } => write!(
                f,
                "it is too large to lint ({} bytes, the limit is {cap} bytes; raise `max-file-size` \
                 in lint.toml to lint it)",
                size
            ),
            ReadError::Io(e) => write!(f, "it cannot be read ({e})"),
        }
    }
}

impl std::error::Error for ReadError {}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        ReadError::Io(e)
    }
}

/// What kind of non-regular file `meta` describes, with an article.
fn kind_of(meta: &fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "a special file"
}

/// Reads the regular file `path` (symlinks followed), at most `cap` bytes.
///
/// The type and size are checked from the metadata before the file is
/// opened; the open itself is non-blocking (a file swapped for a FIFO in
/// between does not hang), and the opened file is checked again.
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    read_capped_stat(path, cap).map(|(bytes, _)| bytes)
}

/// [`read_capped`], with the metadata of the opened file, taken before it
/// was read (what a caller that keys the contents by `stat` records).
pub fn read_capped_stat(path: &Path, cap: u64) -> Result<(Vec<u8>, fs::Metadata), ReadError> {
    let meta = fs::metadata(path)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_of(&meta)));
    }
    if meta.len() > cap {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            cap,
        });
    }
    let file = open_nonblocking(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_of(&meta)));
    }
    let mut bytes = Vec::with_capacity(meta.len().min(cap) as usize);
    file.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            cap,
        });
    }
    Ok((bytes, meta))
}

/// The bytes of the regular file `path` when the metadata of the opened
/// file satisfies `same` (a caller that stat'ed it a moment ago and knows
/// its contents by that stat), exactly its length read; `None` otherwise
/// (not a regular file, over `cap`, `same` false, or fewer bytes than its
/// length): the caller reads it again with [`read_capped_stat`]. One open,
/// one `fstat` and one read, without the stat by path before the open and
/// the read that finds the end.
pub fn read_if_same(
    path: &Path,
    cap: u64,
    same: impl FnOnce(&fs::Metadata) -> bool,
) -> Option<Vec<u8>> {
    let file = open_nonblocking(path).ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() || meta.len() > cap || !same(&meta) {
        return None;
    }
    let len = usize::try_from(meta.len()).ok()?;
    let mut bytes = Vec::with_capacity(len);
    // (a `Take` at its limit ends the read without asking the file again)
    file.take(meta.len()).read_to_end(&mut bytes).ok()?;
    (bytes.len() == len).then_some(bytes)
}

/// [`read_capped`] as UTF-8 text; invalid UTF-8 is an
/// [`io::ErrorKind::InvalidData`] error, as with [`fs::read_to_string`].
pub fn read_to_string_capped(path: &Path, cap: u64) -> Result<String, ReadError> {
    let bytes = read_capped(path, cap)?;
    String::from_utf8(bytes)
        .map_err(|e| ReadError::Io(io::Error::new(io::ErrorKind::InvalidData, e.utf8_error())))
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: open() of a FIFO returns at once instead of waiting for a
    // writer. On a regular file it has no effect on reads.
    fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc_o_nonblock())
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    File::open(path)
}

/// `O_NONBLOCK` (the value differs between platforms).
#[cfg(unix)]
const fn libc_o_nonblock() -> i32 {
    if cfg!(any(
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "openbsd",
        target_os = "netbsd",
        target_os = "dragonfly"
    )) {
        0x0004
    } else if cfg!(any(target_arch = "mips", target_arch = "mips64")) {
        0x0080
    } else {
        0o4000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_only_and_capped() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.py");
        fs::write(&f, "x = 1\n").unwrap();
        assert_eq!(read_capped(&f, 100).unwrap(), b"x = 1\n");
        assert!(matches!(
            read_capped(&f, 3),
            Err(ReadError::TooLarge { size: 6, cap: 3 })
        ));
        assert!(matches!(
            read_capped(dir.path(), 100),
            Err(ReadError::NotRegular("a directory"))
        ));
        #[cfg(unix)]
        assert!(matches!(
            read_capped(Path::new("/dev/zero"), 100),
            Err(ReadError::NotRegular("a character device"))
        ));
    }
}
