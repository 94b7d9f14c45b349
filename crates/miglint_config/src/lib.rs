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
mod env_py;
mod environments;
mod error;
mod load;
mod matcher;
mod options;
mod paths;
mod read;
mod suggest;
mod targets;
mod url;

pub use discover::{DiscoverError, Discovery, DiscoveryOrigin, SKIPPED_DIRS, discover};
pub use env_py::{EnvPy, analyze_env_py, read_env_py};
pub use environments::Environments;
pub use error::{ConfigError, ConfigErrorKind, ConfigSource};
pub use load::{load, load_str};
pub use options::{
    AlembicVersion, ConfigFile, ConfigKind, DEFAULT_POSTGRESQL_VERSION, OVERRIDE_KEYS, Options,
    Override, PerFileIgnore, TOP_LEVEL_KEYS, find_config,
};
pub use read::{
    DEFAULT_MAX_FILE_SIZE, ReadError, read_capped, read_capped_stat, read_if_same,
    read_to_string_capped,
};
pub use targets::{
    EnvConfig, Evidence, MigrationEvidence, Targets, decide, dialect_folder, display_cwd,
    environment_dir, infer_targets, read_environment,
};
pub use toml::Spanned;
pub use url::{UrlDialect, dialect_from_url};
