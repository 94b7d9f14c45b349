//! The miglint command-line application: discovery, the parallel driver and
//! the output emitters. `main.rs` is a thin wrapper over this library so that
//! integration tests can call the emitters directly.

pub mod output;
