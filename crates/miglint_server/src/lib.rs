//! `miglint server`: a language server over stdio.
//!
//! ```text
//! main loop (server.rs) ── documents (documents.rs), cancellations
//!     │ jobs, in arrival order
//!     ▼
//! lint thread (worker.rs) ── projects (project.rs): config + discovery as
//!     the CLI does them, per-file results kept between edits, the project
//!     phase re-run on every change ── convert.rs (UTF-16, URIs) ──► client
//!     └── requests: pull diagnostics, code actions (actions.rs), hover
//! ```
//!
//! The lint pipeline is the CLI's: `Options::resolve`, `discover`,
//! [`miglint_linter::Linter::lint_source`] for a buffer's text and
//! [`miglint_linter::Linter::finish_cached`] for the project phase.

pub mod actions;
pub mod convert;
pub mod documents;
pub mod project;
mod server;
pub mod transport;
mod worker;

pub use server::serve;

/// Serves the protocol on stdin/stdout until the client says `exit`.
/// Returns the process exit code (0 after a proper shutdown, else 1).
pub fn run() -> i32 {
    let (conn, io) = transport::stdio();
    let result = serve(&conn);
    drop(conn);
    let _ = io.join(server::EXIT_GRACE);
    match result {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(e) => {
            eprintln!("miglint server: {e}");
            1
        }
    }
}
