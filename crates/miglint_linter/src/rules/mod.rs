//! One file per rule. Register new rules in `crate::registry`.

// ML1xx portability
// ML2xx-ML4xx, ML6xx
// ML5xx revision graph
pub mod ml901_python_syntax_error;
pub mod ml902_sql_parse_error;
pub mod ml903_dynamic_sql;
pub mod ml904_unused_suppression;
pub mod ml905_unreadable_file;
