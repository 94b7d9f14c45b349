//! The miglint command-line application: the check driver and the output
//! emitters. `main.rs` is a thin CLI over this library, so that tests (and
//! the editor server) can call the same code.

pub mod cache;
pub mod drift;
pub mod drift_cmd;
pub mod drift_rules;
mod filestat;
mod git;
pub mod graph_cmd;
mod key;
mod memo;
pub mod output;
pub mod run;
pub mod schema_cmd;
pub mod scope;
mod snapshot;
pub mod targets_cmd;
pub mod timing;
