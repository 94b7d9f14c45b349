//! One file per rule. Register new rules in `crate::registry`.

// ML1xx portability
pub mod ml101_boolean_integer_default;
pub mod ml102_sqlite_reflected_default;
pub mod ml103_quoted_expression_default;
pub mod ml104_dialect_only_default;
pub mod ml105_dialect_specific_sql;
pub mod ml106_sqlite_alter_outside_batch;
pub mod ml107_sqlite_nonconstant_add_default;
pub mod ml108_unsupported_if_exists;
pub mod ml109_empty_text_default;
pub mod ml110_mysql_alter_needs_existing_type;
pub mod ml111_mysql_varchar_needs_length;
pub mod ml112_empty_upgrade;
pub(crate) mod ml1xx_alter;
pub(crate) mod ml1xx_defaults;
// ML2xx-ML4xx, ML6xx
pub mod ml201_add_required_column;
pub mod ml202_not_null_without_backfill;
pub mod ml301_drop_without_if_exists;
pub mod ml302_create_without_if_not_exists;
pub mod ml401_missing_downgrade;
pub mod ml402_empty_downgrade;
pub mod ml403_downgrade_not_inverse;
pub mod ml601_concurrently_in_transaction;
pub mod ml602_autocommit_block_atomicity;
pub mod ml603_enum_value_used_too_early;
pub mod ml604_native_enum_recreated;
pub mod ml605_transaction_control_in_revision;
pub mod ml606_duplicate_column_assignment;
// ML7xx online safety (opt-in: `online = true` or exact codes)
pub mod ml701_index_without_concurrently;
pub mod ml702_missing_lock_timeout;
pub mod ml703_set_not_null;
pub mod ml704_constraint_without_not_valid;
pub mod ml705_type_change_rewrite;
pub mod ml706_add_column_rewrites_table;
pub mod ml707_unique_constraint_on_existing_table;
pub mod ml7xx_context;
// ML5xx revision graph
pub mod ml501_multiple_heads;
pub mod ml502_missing_parent;
pub mod ml503_duplicate_revision;
pub mod ml504_revision_cycle;
pub mod ml505_missing_revision_id;
pub mod ml506_multiple_bases;
pub mod ml507_filename_mismatch;
// ML8xx models against migrations (produced by the check driver)
pub mod ml801_model_drift;
pub mod ml802_models_changed_without_revision;
pub mod ml901_python_syntax_error;
pub mod ml902_sql_parse_error;
pub mod ml903_dynamic_sql;
pub mod ml904_unused_suppression;
pub mod ml905_unreadable_file;
