//! miglint's drift check: the SQLAlchemy models (read statically by
//! [`miglint_python::sqla`], never imported) against the schema the
//! migrations build ([`miglint_schema`]), compared in alembic's vocabulary
//! ([`compare`]); where the model files are ([`expand_model_paths`],
//! [`env_py_model_paths`]); and the schema-relevant differences between two
//! versions of the models ([`diff_models`], for "models changed without a
//! revision").

pub mod compare;
mod fks;
mod locate;
mod modeldiff;
mod report;

pub use compare::compare;
pub use locate::{env_py_model_paths, expand_model_paths};
pub use miglint_python::sqla::{
    ModelColumn, ModelForeignKey, ModelIndex, ModelSource, ModelTable, ModelUnique, Models,
    Unknown, extract, types,
};
pub use modeldiff::{ModelChange, diff_models};
pub use report::{DriftItem, DriftOp, DriftReport, Skipped};
