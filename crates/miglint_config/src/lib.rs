//! miglint configuration: `lint.toml` / `[tool.miglint]` loading with
//! span-carrying errors, target dialect inference, and discovery of the
//! migration files to lint.
//!
//! ```text
//! find_config(cwd) ─► load(path) ─► Options ─┬─► Options::targets() / infer_targets()
//!                                            └─► discover(root, cli_paths, &options)
//! ```

mod alembic;
mod discover;
mod error;
mod matcher;
mod options;
mod paths;
mod suggest;
mod targets;

pub use discover::{DiscoverError, Discovery, DiscoveryOrigin, SKIPPED_DIRS, discover};
pub use error::{ConfigError, ConfigErrorKind, ConfigSource};
pub use options::{
    AlembicVersion, ConfigFile, ConfigKind, DEFAULT_POSTGRESQL_VERSION, OVERRIDE_KEYS, Options,
    Override, PerFileIgnore, TOP_LEVEL_KEYS, find_config, load, load_str,
};
pub use targets::{Targets, UrlDialect, dialect_from_url, infer_targets};
pub use toml::Spanned;
