//! alembic's `if_exists` / `if_not_exists` flags: which operation takes
//! which, since which alembic, and where the database does what the flag
//! says (ML108 reports where it does not; ML402 counts an op with the flag
//! as one that runs again).

use miglint_config::AlembicVersion;

use crate::prelude::*;

/// `op.<op>(<flag>=...)` and the alembic version that added the flag.
const FLAGS: &[(&str, &str, AlembicVersion)] = &[
    (
        "create_index",
        "if_not_exists",
        AlembicVersion::new(1, 12, 0),
    ),
    ("drop_index", "if_exists", AlembicVersion::new(1, 12, 0)),
    (
        "create_table",
        "if_not_exists",
        AlembicVersion::new(1, 13, 3),
    ),
    ("drop_table", "if_exists", AlembicVersion::new(1, 13, 3)),
    ("add_column", "if_not_exists", AlembicVersion::new(1, 16, 0)),
    ("drop_column", "if_exists", AlembicVersion::new(1, 16, 0)),
    (
        "drop_constraint",
        "if_exists",
        AlembicVersion::new(1, 16, 0),
    ),
];

/// The flag alembic takes on `op` (an `op.` call; batch ops are not
/// listed), with the alembic version that added it.
pub(crate) fn flag_of(op: &Op) -> Option<(&'static str, AlembicVersion)> {
    if op.receiver != Receiver::Op {
        return None;
    }
    FLAGS
        .iter()
        .find(|(name, _, _)| *name == op.name)
        .map(|&(_, flag, since)| (flag, since))
}

/// Whether the flag on operation `op_name` makes `dialect` skip what
/// exists (or is missing): not on SQLite for `add_column`/`drop_column`
/// (alembic emits `ADD COLUMN IF NOT EXISTS` / `DROP COLUMN IF EXISTS`,
/// which SQLite rejects: measured), not on MySQL/MariaDB for
/// `drop_constraint` (alembic drops the flag there: measured).
pub(crate) fn flag_works_on(op_name: &str, dialect: Dialect) -> bool {
    !matches!(
        (op_name, dialect),
        ("add_column" | "drop_column", Dialect::Sqlite) | ("drop_constraint", Dialect::Mysql)
    )
}

/// Whether `op` carries its flag as a literal `True`, the project's alembic
/// (when known) has it, and every dialect in `reaching` honours it: then
/// the op succeeds when it runs again after it ran once.
pub(crate) fn flag_on_everywhere(
    op: &Op,
    alembic: Option<AlembicVersion>,
    reaching: DialectSet,
) -> bool {
    let Some((flag, since)) = flag_of(op) else {
        return false;
    };
    op.kwarg(flag)
        .is_some_and(|k| k.value.bool_value() == Some(true))
        && alembic.is_none_or(|v| v >= since)
        && reaching.iter().all(|d| flag_works_on(&op.name, d))
}
