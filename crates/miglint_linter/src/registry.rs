//! The one list of rules. Each entry compiles in `rules/<CODE>.md`, so a
//! registered rule without a doc page does not build.

use crate::rule::Rule;
use crate::rules;

macro_rules! declare_rules {
    ($($code:ident => $rule:expr,)*) => {
        /// Every rule, in code order.
        pub static RULES: &[&dyn Rule] = &[$(&$rule),*];

        /// The Markdown documentation page of a rule code.
        pub fn rule_doc(code: &str) -> Option<&'static str> {
            match code {
                $(stringify!($code) => Some(include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"), "/../../rules/", stringify!($code), ".md"
                ))),)*
                _ => None,
            }
        }
    };
}

declare_rules! {
    // ML1xx portability: add entries below this line, in code order
    ML101 => rules::ml101_boolean_integer_default::BooleanIntegerDefault,
    ML102 => rules::ml102_sqlite_reflected_default::SqliteReflectedDefault,
    ML103 => rules::ml103_quoted_expression_default::QuotedExpressionDefault,
    ML104 => rules::ml104_dialect_only_default::DialectOnlyDefault,
    ML105 => rules::ml105_dialect_specific_sql::DialectSpecificSql,
    ML106 => rules::ml106_sqlite_alter_outside_batch::SqliteAlterOutsideBatch,
    ML107 => rules::ml107_sqlite_nonconstant_add_default::SqliteNonconstantAddDefault,
    ML108 => rules::ml108_unsupported_if_exists::UnsupportedIfExists,
    ML109 => rules::ml109_empty_text_default::EmptyTextDefault,
    ML110 => rules::ml110_mysql_alter_needs_existing_type::MysqlAlterNeedsExistingType,
    ML111 => rules::ml111_mysql_varchar_needs_length::MysqlVarcharNeedsLength,
    ML112 => rules::ml112_empty_upgrade::EmptyUpgrade,
    ML113 => rules::ml113_identifier_too_long::IdentifierTooLong,
    // ML2xx-ML4xx, ML6xx: add entries below this line, in code order
    ML201 => rules::ml201_add_required_column::AddRequiredColumn,
    ML202 => rules::ml202_not_null_without_backfill::NotNullWithoutBackfill,
    ML301 => rules::ml301_drop_without_if_exists::DropWithoutIfExists,
    ML302 => rules::ml302_create_without_if_not_exists::CreateWithoutIfNotExists,
    ML303 => rules::ml303_missing_object::MissingObject,
    ML304 => rules::ml304_object_already_exists::ObjectAlreadyExists,
    ML401 => rules::ml401_missing_downgrade::MissingDowngrade,
    ML402 => rules::ml402_empty_downgrade::EmptyDowngrade,
    ML403 => rules::ml403_downgrade_not_inverse::DowngradeNotInverse,
    ML404 => rules::ml404_enum_left_behind::EnumLeftBehind,
    // ML5xx revision graph: add entries below this line, in code order
    ML501 => rules::ml501_multiple_heads::MultipleHeads,
    ML502 => rules::ml502_missing_parent::MissingParent,
    ML503 => rules::ml503_duplicate_revision::DuplicateRevision,
    ML504 => rules::ml504_revision_cycle::RevisionCycle,
    ML505 => rules::ml505_missing_revision_id::MissingRevisionId,
    ML506 => rules::ml506_multiple_bases::MultipleBases,
    ML507 => rules::ml507_filename_mismatch::FilenameMismatch,
    // ML6xx (family ML2xx-ML4xx, ML6xx; after ML5xx to keep code order)
    ML601 => rules::ml601_concurrently_in_transaction::ConcurrentlyInTransaction,
    ML602 => rules::ml602_autocommit_block_atomicity::AutocommitBlockAtomicity,
    ML603 => rules::ml603_enum_value_used_too_early::EnumValueUsedTooEarly,
    ML604 => rules::ml604_native_enum_recreated::NativeEnumRecreated,
    ML605 => rules::ml605_transaction_control_in_revision::TransactionControlInRevision,
    ML606 => rules::ml606_duplicate_column_assignment::DuplicateColumnAssignment,
    // ML7xx online safety (opt-in): add entries below this line, in code order
    ML701 => rules::ml701_index_without_concurrently::IndexWithoutConcurrently,
    ML702 => rules::ml702_missing_lock_timeout::MissingLockTimeout,
    ML703 => rules::ml703_set_not_null::SetNotNull,
    ML704 => rules::ml704_constraint_without_not_valid::ConstraintWithoutNotValid,
    ML705 => rules::ml705_type_change_rewrite::TypeChangeRewrite,
    ML706 => rules::ml706_add_column_rewrites_table::AddColumnRewritesTable,
    ML707 => rules::ml707_unique_constraint_on_existing_table::UniqueConstraintOnExistingTable,
    ML708 => rules::ml708_rename_column::RenameColumn,
    ML709 => rules::ml709_rename_table::RenameTable,
    ML710 => rules::ml710_drop_column::DropColumn,
    ML711 => rules::ml711_drop_table::DropTable,
    ML712 => rules::ml712_drop_not_null::DropNotNull,
    ML713 => rules::ml713_drop_default_of_not_null::DropDefaultOfNotNull,
    ML714 => rules::ml714_reindex_without_concurrently::ReindexWithoutConcurrently,
    ML715 => rules::ml715_detach_partition_without_concurrently::DetachPartitionWithoutConcurrently,
    ML716 => rules::ml716_truncate_cascade::TruncateCascade,
    ML717 => rules::ml717_mysql_alter_copies_table::MysqlAlterCopiesTable,
    // ML8xx models against migrations: add entries below this line, in code order
    ML801 => rules::ml801_model_drift::ModelDrift,
    ML802 => rules::ml802_models_changed_without_revision::ModelsChangedWithoutRevision,
    ML901 => rules::ml901_python_syntax_error::PythonSyntaxError,
    ML902 => rules::ml902_sql_parse_error::SqlParseError,
    ML903 => rules::ml903_dynamic_sql::DynamicSql,
    ML904 => rules::ml904_unused_suppression::UnusedSuppression,
    ML905 => rules::ml905_unreadable_file::UnreadableFile,
}

pub fn rule_by_code(code: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| r.meta().code == code)
}

pub fn rule_by_name(name: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| r.meta().name == name)
}

pub fn rule_index(code: &str) -> Option<usize> {
    // looked up twice per finding when a run is finished: a map, not a
    // scan of the registry
    static BY_CODE: std::sync::OnceLock<std::collections::HashMap<&'static str, usize>> =
        std::sync::OnceLock::new();
    BY_CODE
        .get_or_init(|| {
            let mut map = std::collections::HashMap::with_capacity(RULES.len());
            for (i, r) in RULES.iter().enumerate() {
                map.entry(r.meta().code).or_insert(i);
            }
            map
        })
        .get(code)
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::path::Path;

    fn repo() -> &'static Path {
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
    }

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        let mut last = "";
        for rule in RULES {
            let m = rule.meta();
            assert!(
                m.code.len() == 5
                    && m.code.starts_with("ML")
                    && m.code[2..].bytes().all(|b| b.is_ascii_digit())
            );
            assert!(
                m.code > last,
                "RULES must be in code order: {} after {last}",
                m.code
            );
            last = m.code;
            assert!(
                m.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{} is not kebab-case",
                m.name
            );
            assert!(
                codes.insert(m.code) && names.insert(m.name),
                "duplicate {} / {}",
                m.code,
                m.name
            );
            assert!(!m.summary.is_empty());
        }
    }

    #[test]
    fn every_rule_has_a_page_with_the_right_title_and_fixtures() {
        for rule in RULES {
            let m = rule.meta();
            let doc = rule_doc(m.code).expect("compiled in");
            let first = doc.lines().next().unwrap_or("");
            assert_eq!(
                first,
                format!("# {}: {}", m.code, m.name),
                "first line of rules/{}.md",
                m.code
            );
            assert!(
                doc.contains("(VERIFIED.md)"),
                "rules/{}.md does not link to VERIFIED.md",
                m.code
            );
            for section in ["## What it does", "## Why is this bad?", "## Example"] {
                assert!(
                    doc.contains(section),
                    "rules/{}.md lacks `{section}`",
                    m.code
                );
            }
            let dir = repo().join("tests/fixtures").join(m.code);
            let names: Vec<String> = std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .collect();
            assert!(
                names.iter().any(|n| n.starts_with("err_")),
                "{} has no err_* fixture",
                m.code
            );
            assert!(
                names.iter().any(|n| n.starts_with("ok_")),
                "{} has no ok_* fixture",
                m.code
            );
        }
    }

    #[test]
    fn every_page_has_a_rule() {
        for entry in std::fs::read_dir(repo().join("rules")).expect("rules/") {
            let name = entry
                .expect("entry")
                .file_name()
                .into_string()
                .expect("utf-8");
            if let Some(code) = name.strip_suffix(".md").filter(|c| c.starts_with("ML")) {
                assert!(
                    rule_by_code(code).is_some(),
                    "rules/{name} documents no registered rule"
                );
            }
        }
    }
}
