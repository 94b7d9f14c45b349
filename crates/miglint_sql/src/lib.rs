//! miglint's SQL front end, the only crate that names `sqlparser`.
//!
//! [`analyze`] takes the literal SQL of one `op.execute(...)` and returns
//! one [`SqlStatement`] per statement:
//!
//! 1. **split** at top-level `;` with sqlparser's tokenizer, run once
//!    (`split.rs`, `scan.rs`);
//! 2. **classify** the leading keywords ([`StmtKind`]) and **find
//!    dialect-specific syntax** ([`Feature`]) from the same tokens — these
//!    work whether or not sqlparser accepts the statement (`classify.rs`,
//!    `features.rs`);
//! 3. **parse** each statement alone with sqlparser, once per requested
//!    dialect, after overwriting bind parameters (`parse.rs`).
//!
//! sqlparser's dialects are permissive: "sqlparser parsed it" never means
//! "the target database accepts it". Rules decide portability from
//! [`SqlStatement::features`]; a parse result is only evidence that the
//! statement is well-formed enough to inspect.
//!
//! All ranges are byte ranges into the `sql` passed to [`analyze`].

mod classify;
mod ddl;
mod features;
mod insert;
mod parse;
mod scan;
mod split;

use std::ops::Range;

use miglint_diagnostics::{Dialect, DialectSet};

pub use classify::{StmtKind, UpdateInfo};
pub use ddl::{DdlChange, DdlColumn};
pub use features::Feature;
pub use insert::insert_columns;

/// One statement of a SQL text.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SqlStatement {
    /// Byte range of the statement inside the input SQL: from its first to
    /// its last token, so without surrounding whitespace, comments and the
    /// trailing `;`.
    pub range: Range<usize>,
    /// What the keyword classifier found (always computed from tokens,
    /// whether or not sqlparser parses it).
    pub kind: StmtKind,
    /// Dialect-specific syntax found in the tokens, in source order, each
    /// with its byte range in the input SQL.
    pub features: Vec<(Feature, Range<usize>)>,
    /// The table this statement empties: `DELETE FROM t` without a
    /// top-level `WHERE`, or `TRUNCATE t`.
    pub deletes_all_rows_of: Option<String>,
    /// The tokenizer's message when the statement could not be read to its
    /// end (an unterminated string, comment or `$$` body).
    pub lex_error: Option<String>,
    /// A documented statement shape sqlparser does not implement (`ALTER
    /// DOMAIN`, `ALTER TABLE ... DETACH PARTITION`, MySQL `ALTER TABLE ...
    /// CONVERT TO CHARACTER SET`): its label. Not parsing it is a gap of
    /// miglint's parser, not an error in the SQL.
    pub parser_gap: Option<&'static str>,
    update: Option<UpdateInfo>,
    /// What the statement does to the schema, from the first dialect whose
    /// sqlparser read it (`None`: not DDL, or not parsed).
    ddl: Option<Vec<DdlChange>>,
    /// Indexed by `dialect_index`; `None` for dialects not requested.
    /// Only the outcome is kept: an AST per statement and dialect would cost
    /// kilobytes each, and rules decide from kinds and features.
    parses: [Option<Result<(), String>>; 3],
}

const fn dialect_index(d: Dialect) -> usize {
    match d {
        Dialect::Postgresql => 0,
        Dialect::Sqlite => 1,
        Dialect::Mysql => 2,
    }
}

impl SqlStatement {
    /// sqlparser's result for dialect `d`: the statement, or its error
    /// message. `None` when `d` was not requested.
    pub fn parse_for(&self, d: Dialect) -> Option<&Result<(), String>> {
        self.parses[dialect_index(d)].as_ref()
    }

    /// Whether sqlparser accepted the statement in at least one requested dialect.
    pub fn parsed_by_any(&self) -> bool {
        self.parses.iter().any(|p| matches!(p, Some(Ok(_))))
    }

    /// The requested dialects whose sqlparser dialect accepted the statement.
    pub fn parsed_by(&self) -> DialectSet {
        DialectSet::from_iter_dialects(
            Dialect::ALL
                .into_iter()
                .filter(|&d| matches!(self.parse_for(d), Some(Ok(_)))),
        )
    }

    /// The statement's text (`sql` must be the text given to [`analyze`]).
    pub fn text<'a>(&self, sql: &'a str) -> &'a str {
        &sql[self.range.clone()]
    }

    /// The table named by the leading keywords (see [`StmtKind::table`]).
    pub fn table(&self) -> Option<&str> {
        self.kind.table()
    }

    /// For an `UPDATE`: its table, `SET` columns and `WHERE col IS NULL` columns.
    pub fn update_info(&self) -> Option<&UpdateInfo> {
        self.update.as_ref()
    }

    /// What this DDL statement changes, when sqlparser read it (see
    /// [`DdlChange`]); `None` for other statements and unparsed ones.
    pub fn ddl(&self) -> Option<&[DdlChange]> {
        self.ddl.as_deref()
    }

    /// Whether a feature of this kind occurs (`AlterTypeAddValue` matches
    /// any value).
    pub fn has_feature(&self, f: &Feature) -> bool {
        self.features
            .iter()
            .any(|(g, _)| std::mem::discriminant(g) == std::mem::discriminant(f))
    }

    /// A short, stable label of why sqlparser could not parse the statement,
    /// for ML902 and its statistics: `"PRAGMA"`, `"DO block"`,
    /// `"DROP INDEX CONCURRENTLY"`, `"ALTER SEQUENCE"`, `"SET CONSTRAINTS"`,
    /// `"REINDEX"`, `"placeholder"`, `"unterminated literal"`, or else the
    /// leading keyword(s) ([`StmtKind::label`]). Meaningful when
    /// [`parsed_by_any`](Self::parsed_by_any) is false; otherwise it still
    /// returns the kind's label.
    pub fn unparsed_category(&self) -> &'static str {
        if self.lex_error.is_some() {
            return "unterminated literal";
        }
        let generic = self.kind.is_generic();
        if generic && self.has_feature(&Feature::Placeholder) {
            return "placeholder";
        }
        if let Some(gap) = self.parser_gap {
            return gap;
        }
        self.kind.label()
    }
}

/// Splits, classifies and parses `sql` (the decoded text of one literal).
/// `dialects` selects which sqlparser dialects parse each statement; the
/// split, classifier and feature scan run once regardless. Never panics.
pub fn analyze(sql: &str, dialects: DialectSet) -> Vec<SqlStatement> {
    split::split(sql)
        .into_iter()
        .map(|piece| build(sql, piece, dialects))
        .collect()
}

/// The byte ranges of the statements of `sql`, as [`analyze`] would give
/// them, without classifying or parsing.
pub fn split_statements(sql: &str) -> Vec<Range<usize>> {
    split::split(sql).into_iter().map(|p| p.range).collect()
}

fn build(sql: &str, piece: split::Piece, dialects: DialectSet) -> SqlStatement {
    let kind = classify::classify(&piece.toks);
    let features = features::detect(&piece.toks, sql);
    let update = classify::update_info(&kind, &piece.toks);
    let deletes_all_rows_of = classify::deletes_all_rows_of(&kind, &piece.toks);
    let parser_gap = classify::parser_gap(&piece.toks);

    let placeholders: Vec<Range<usize>> = features
        .iter()
        .filter(|(f, _)| *f == Feature::Placeholder)
        .map(|(_, r)| r.clone())
        .collect();
    let mut parses = [None, None, None];
    let mut ddl = None;
    if !dialects.is_empty() {
        let text = parse::parse_text(sql, piece.range.clone(), &placeholders);
        for d in dialects.iter() {
            let parsed = parse::parse_one(d, &text);
            if ddl.is_none()
                && kind.is_ddl()
                && let Ok(stmt) = &parsed
            {
                ddl = ddl::summarise(stmt);
            }
            parses[dialect_index(d)] = Some(parsed.map(drop));
        }
    }
    SqlStatement {
        range: piece.range,
        kind,
        features,
        deletes_all_rows_of,
        lex_error: piece.lex_error,
        parser_gap,
        update,
        ddl,
        parses,
    }
}

#[cfg(test)]
mod tests;

/// [`SqlStatement`] as stored (a cache entry): its `'static` parser gap
/// label is read back through [`classify::PARSER_GAPS`]; an unknown one
/// fails (a cache written by another build is then ignored, never misread).
mod stored {
    use std::ops::Range;

    use crate::{DdlChange, Feature, SqlStatement, StmtKind, UpdateInfo};

    #[derive(serde::Deserialize)]
    pub(crate) struct Stored {
        range: Range<usize>,
        kind: StmtKind,
        features: Vec<(Feature, Range<usize>)>,
        deletes_all_rows_of: Option<String>,
        lex_error: Option<String>,
        parser_gap: Option<String>,
        update: Option<UpdateInfo>,
        ddl: Option<Vec<DdlChange>>,
        parses: [Option<Result<(), String>>; 3],
    }

    impl<'de> serde::Deserialize<'de> for SqlStatement {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let stored = <Stored as serde::Deserialize>::deserialize(d)?;
            SqlStatement::try_from(stored).map_err(serde::de::Error::custom)
        }
    }

    impl TryFrom<Stored> for SqlStatement {
        type Error = &'static str;

        fn try_from(s: Stored) -> Result<Self, Self::Error> {
            let parser_gap = match s.parser_gap {
                None => None,
                Some(label) => Some(
                    *crate::classify::PARSER_GAPS
                        .iter()
                        .find(|g| **g == label)
                        .ok_or("unknown parser gap")?,
                ),
            };
            Ok(SqlStatement {
                range: s.range,
                kind: s.kind,
                features: s.features,
                deletes_all_rows_of: s.deletes_all_rows_of,
                lex_error: s.lex_error,
                parser_gap,
                update: s.update,
                ddl: s.ddl,
                parses: s.parses,
            })
        }
    }
}
