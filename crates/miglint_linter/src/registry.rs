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
    // ML2xx-ML4xx, ML6xx: add entries below this line, in code order
    // ML5xx revision graph: add entries below this line, in code order
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
    RULES.iter().position(|r| r.meta().code == code)
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
