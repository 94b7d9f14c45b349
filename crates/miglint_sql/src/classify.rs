//! The keyword classifier: what a statement is, from its leading tokens,
//! whether or not any sqlparser dialect accepts it.

use sqlparser::tokenizer::Token;

use crate::scan::Tok;

/// What kind of statement the leading keywords show.
///
/// Table and object names are normalised: an unquoted identifier is
/// lowercased, a quoted one (`"Users"`, `` `users` ``) keeps its exact
/// spelling without the quotes, and a schema prefix is dropped
/// (`public.users` → `users`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum StmtKind {
    /// `SELECT`, `WITH ... SELECT`, `(SELECT ...)`.
    Select,
    Insert {
        table: Option<String>,
    },
    /// SQLite `INSERT OR REPLACE INTO`.
    InsertOrReplace {
        table: Option<String>,
    },
    /// SQLite `INSERT OR IGNORE INTO`.
    InsertOrIgnore {
        table: Option<String>,
    },
    /// MySQL `INSERT IGNORE INTO`.
    InsertIgnore {
        table: Option<String>,
    },
    /// `REPLACE INTO` (SQLite and MySQL).
    Replace {
        table: Option<String>,
    },
    Update {
        table: Option<String>,
    },
    Delete {
        table: Option<String>,
    },
    CreateTable {
        table: Option<String>,
        if_not_exists: bool,
    },
    CreateIndex {
        concurrently: bool,
        unique: bool,
        if_not_exists: bool,
        name: Option<String>,
        table: Option<String>,
    },
    /// `CREATE [OR REPLACE] [MATERIALIZED] VIEW`.
    CreateView,
    CreateSequence,
    CreateSchema,
    CreateExtension {
        name: Option<String>,
        if_not_exists: bool,
    },
    CreateType {
        name: Option<String>,
    },
    /// `CREATE [OR REPLACE] FUNCTION` or `PROCEDURE`.
    CreateFunction,
    CreateTrigger,
    AlterTable {
        table: Option<String>,
    },
    /// PostgreSQL `ALTER TYPE t ADD VALUE [IF NOT EXISTS] 'v'`.
    AlterTypeAddValue {
        type_name: Option<String>,
        value: Option<String>,
        if_not_exists: bool,
    },
    /// Any other `ALTER TYPE`.
    AlterType {
        type_name: Option<String>,
    },
    AlterSequence,
    DropTable {
        table: Option<String>,
        if_exists: bool,
    },
    DropIndex {
        concurrently: bool,
        if_exists: bool,
        name: Option<String>,
    },
    /// Any other `DROP`: `object` is the uppercased object keyword(s),
    /// e.g. `TYPE`, `VIEW`, `MATERIALIZED VIEW`, `SEQUENCE`.
    Drop {
        object: String,
        if_exists: bool,
    },
    Truncate {
        table: Option<String>,
    },
    /// PostgreSQL `DO $$ ... $$`.
    Do,
    /// SQLite `PRAGMA name [= value]`; `name` lowercased, schema dropped.
    Pragma {
        name: Option<String>,
    },
    /// `SET [SESSION|LOCAL|GLOBAL] name ...`; `name` lowercased
    /// (`lock_timeout`, `search_path`, `constraints` for `SET CONSTRAINTS`).
    Set {
        name: Option<String>,
    },
    Reindex,
    Vacuum,
    Analyze,
    Comment,
    Grant,
    Revoke,
    /// `BEGIN`, `START TRANSACTION`.
    Begin,
    /// `COMMIT`, `END`.
    Commit,
    Rollback,
    /// Anything else: the uppercased leading keyword, or for `CREATE`,
    /// `ALTER` and `DROP` the keyword and its object (`CREATE SCHEMA` is
    /// classified, `ALTER INDEX` is `Other("ALTER INDEX")`). Empty when the
    /// statement does not start with a word.
    Other(String),
}

impl StmtKind {
    /// The statement succeeds when it runs again after it ran once: its
    /// `IF NOT EXISTS` / `IF EXISTS` skips what the first run did (CREATE
    /// TABLE, INDEX or EXTENSION, ALTER TYPE ... ADD VALUE, DROP). `false`
    /// for every other statement: those may fail the second time, or run
    /// again by a clause the classifier does not read (an `ALTER TABLE`
    /// action's own `IF [NOT] EXISTS`, `CREATE OR REPLACE`).
    pub fn runs_again(&self) -> bool {
        match self {
            StmtKind::CreateTable { if_not_exists, .. }
            | StmtKind::CreateIndex { if_not_exists, .. }
            | StmtKind::CreateExtension { if_not_exists, .. }
            | StmtKind::AlterTypeAddValue { if_not_exists, .. } => *if_not_exists,
            StmtKind::DropTable { if_exists, .. }
            | StmtKind::DropIndex { if_exists, .. }
            | StmtKind::Drop { if_exists, .. } => *if_exists,
            _ => false,
        }
    }

    /// The table the statement reads or writes, where the tokens name one.
    pub fn table(&self) -> Option<&str> {
        match self {
            StmtKind::Insert { table }
            | StmtKind::InsertOrReplace { table }
            | StmtKind::InsertOrIgnore { table }
            | StmtKind::InsertIgnore { table }
            | StmtKind::Replace { table }
            | StmtKind::Update { table }
            | StmtKind::Delete { table }
            | StmtKind::CreateTable { table, .. }
            | StmtKind::CreateIndex { table, .. }
            | StmtKind::AlterTable { table }
            | StmtKind::DropTable { table, .. }
            | StmtKind::Truncate { table } => table.as_deref(),
            _ => None,
        }
    }

    /// Statements that change the schema (the ones [`crate::DdlChange`]
    /// summarises).
    pub fn is_ddl(&self) -> bool {
        matches!(
            self,
            StmtKind::CreateTable { .. }
                | StmtKind::CreateIndex { .. }
                | StmtKind::CreateView
                | StmtKind::CreateSequence
                | StmtKind::CreateType { .. }
                | StmtKind::AlterTable { .. }
                | StmtKind::DropTable { .. }
                | StmtKind::DropIndex { .. }
                | StmtKind::Drop { .. }
        )
    }

    /// A short, stable, uppercase label of the kind (`INSERT OR REPLACE`,
    /// `CREATE INDEX CONCURRENTLY`, `DO block`, ...). `Other` kinds map to
    /// their first keyword when sqlparser knows it, else `"other"`.
    /// Plain DML/DDL (and unknown statements): the shapes sqlparser is
    /// expected to parse, as opposed to the statements it does not know
    /// (`PRAGMA`, `DO`, `... CONCURRENTLY`, `ALTER SEQUENCE`, ...).
    pub fn is_generic(&self) -> bool {
        matches!(
            self,
            StmtKind::Select
                | StmtKind::Insert { .. }
                | StmtKind::Update { .. }
                | StmtKind::Delete { .. }
                | StmtKind::CreateTable { .. }
                | StmtKind::AlterTable { .. }
                | StmtKind::DropTable { .. }
                | StmtKind::CreateIndex {
                    concurrently: false,
                    ..
                }
                | StmtKind::DropIndex {
                    concurrently: false,
                    ..
                }
                | StmtKind::Other(_)
        )
    }

    pub fn label(&self) -> &'static str {
        match self {
            StmtKind::Select => "SELECT",
            StmtKind::Insert { .. } => "INSERT",
            StmtKind::InsertOrReplace { .. } => "INSERT OR REPLACE",
            StmtKind::InsertOrIgnore { .. } => "INSERT OR IGNORE",
            StmtKind::InsertIgnore { .. } => "INSERT IGNORE",
            StmtKind::Replace { .. } => "REPLACE",
            StmtKind::Update { .. } => "UPDATE",
            StmtKind::Delete { .. } => "DELETE",
            StmtKind::CreateTable { .. } => "CREATE TABLE",
            StmtKind::CreateIndex {
                concurrently: true, ..
            } => "CREATE INDEX CONCURRENTLY",
            StmtKind::CreateIndex { .. } => "CREATE INDEX",
            StmtKind::CreateView => "CREATE VIEW",
            StmtKind::CreateSequence => "CREATE SEQUENCE",
            StmtKind::CreateSchema => "CREATE SCHEMA",
            StmtKind::CreateExtension { .. } => "CREATE EXTENSION",
            StmtKind::CreateType { .. } => "CREATE TYPE",
            StmtKind::CreateFunction => "CREATE FUNCTION",
            StmtKind::CreateTrigger => "CREATE TRIGGER",
            StmtKind::AlterTable { .. } => "ALTER TABLE",
            StmtKind::AlterTypeAddValue { .. } => "ALTER TYPE ADD VALUE",
            StmtKind::AlterType { .. } => "ALTER TYPE",
            StmtKind::AlterSequence => "ALTER SEQUENCE",
            StmtKind::DropTable { .. } => "DROP TABLE",
            StmtKind::DropIndex {
                concurrently: true, ..
            } => "DROP INDEX CONCURRENTLY",
            StmtKind::DropIndex { .. } => "DROP INDEX",
            StmtKind::Drop { .. } => "DROP",
            StmtKind::Truncate { .. } => "TRUNCATE",
            StmtKind::Do => "DO block",
            StmtKind::Pragma { .. } => "PRAGMA",
            StmtKind::Set { name } if name.as_deref() == Some("constraints") => "SET CONSTRAINTS",
            StmtKind::Set { .. } => "SET",
            StmtKind::Reindex => "REINDEX",
            StmtKind::Vacuum => "VACUUM",
            StmtKind::Analyze => "ANALYZE",
            StmtKind::Comment => "COMMENT",
            StmtKind::Grant => "GRANT",
            StmtKind::Revoke => "REVOKE",
            StmtKind::Begin => "BEGIN",
            StmtKind::Commit => "COMMIT",
            StmtKind::Rollback => "ROLLBACK",
            StmtKind::Other(kw) => {
                static_keyword(kw.split(' ').next().unwrap_or_default()).unwrap_or("other")
            }
        }
    }
}

/// The `'static` spelling of an uppercase keyword sqlparser knows.
fn static_keyword(kw: &str) -> Option<&'static str> {
    let all = sqlparser::keywords::ALL_KEYWORDS;
    all.binary_search(&kw).ok().map(|i| all[i])
}

/// What an `UPDATE` writes and which NULL rows it targets — enough for
/// "was this column backfilled before it became NOT NULL".
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct UpdateInfo {
    pub table: Option<String>,
    /// The assigned columns, normalised like table names (`t.col` → `col`).
    pub set_columns: Vec<String>,
    /// Columns tested with `col IS NULL` (or `col ISNULL`) in the `WHERE` clause.
    pub where_is_null_columns: Vec<String>,
}

/// The normalised spelling of an identifier token.
pub(crate) fn ident(tok: &Tok) -> Option<String> {
    let w = tok.word()?;
    Some(match w.quote_style {
        None => w.value.to_ascii_lowercase(),
        Some(_) => w.value.clone(),
    })
}

/// A cursor over a statement's significant tokens.
struct Cur<'t> {
    toks: &'t [Tok],
    pos: usize,
}

impl<'t> Cur<'t> {
    fn peek(&self) -> Option<&'t Tok> {
        self.toks.get(self.pos)
    }

    fn at_kw(&self, kw: &str) -> bool {
        self.peek().is_some_and(|t| t.is_kw(kw))
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        let hit = self.at_kw(kw);
        self.pos += usize::from(hit);
        hit
    }

    /// Consumes the keyword sequence only when all of it is there.
    fn eat_seq(&mut self, kws: &[&str]) -> bool {
        let hit = kws
            .iter()
            .enumerate()
            .all(|(i, k)| self.toks.get(self.pos + i).is_some_and(|t| t.is_kw(k)));
        if hit {
            self.pos += kws.len();
        }
        hit
    }

    /// Consumes any of the keywords, repeatedly.
    fn skip_kws(&mut self, kws: &[&str]) {
        while kws.iter().any(|k| self.at_kw(k)) {
            self.pos += 1;
        }
    }

    /// Reads `a.b.c` and returns the normalised last part.
    fn object_name(&mut self) -> Option<String> {
        let mut name = ident(self.peek()?)?;
        self.pos += 1;
        while self.peek().is_some_and(|t| t.token == Token::Period) {
            let Some(next) = self.toks.get(self.pos + 1).and_then(ident) else {
                break;
            };
            name = next;
            self.pos += 2;
        }
        Some(name)
    }

    fn if_exists(&mut self) -> bool {
        self.eat_seq(&["IF", "EXISTS"])
    }

    fn if_not_exists(&mut self) -> bool {
        self.eat_seq(&["IF", "NOT", "EXISTS"])
    }
}

/// Classifies a statement from its significant tokens.
pub(crate) fn classify(toks: &[Tok]) -> StmtKind {
    let mut c = Cur { toks, pos: 0 };
    while c.peek().is_some_and(|t| t.token == Token::LParen) {
        c.pos += 1;
    }
    if c.at_kw("WITH") {
        // The main statement is the first DML keyword outside the CTE bodies.
        let mut depth = 0usize;
        let main = toks.iter().enumerate().skip(c.pos + 1).find(|(_, t)| {
            match t.token {
                Token::LParen => depth += 1,
                Token::RParen => depth = depth.saturating_sub(1),
                _ => {}
            }
            depth == 0
                && ["SELECT", "INSERT", "UPDATE", "DELETE", "REPLACE"]
                    .iter()
                    .any(|k| t.is_kw(k))
        });
        match main {
            Some((i, _)) => c.pos = i,
            None => return StmtKind::Other("WITH".into()),
        }
    }
    let Some(first) = c.peek() else {
        return StmtKind::Other(String::new());
    };
    let Some(kw) = first.keyword_upper() else {
        return StmtKind::Other(String::new());
    };
    c.pos += 1;
    match kw.as_str() {
        "SELECT" => StmtKind::Select,
        "INSERT" => classify_insert(&mut c),
        "REPLACE" => {
            c.eat_kw("INTO");
            StmtKind::Replace {
                table: c.object_name(),
            }
        }
        "UPDATE" => {
            if c.eat_kw("OR") {
                c.pos += 1; // SQLite `UPDATE OR IGNORE|REPLACE|...`
            }
            c.skip_kws(&["ONLY", "LOW_PRIORITY", "IGNORE"]);
            StmtKind::Update {
                table: c.object_name(),
            }
        }
        "DELETE" => {
            c.skip_kws(&["LOW_PRIORITY", "QUICK", "IGNORE"]);
            c.eat_kw("FROM");
            c.eat_kw("ONLY");
            StmtKind::Delete {
                table: c.object_name(),
            }
        }
        "CREATE" => classify_create(&mut c),
        "ALTER" => classify_alter(&mut c),
        "DROP" => classify_drop(&mut c),
        "TRUNCATE" => {
            c.eat_kw("TABLE");
            c.eat_kw("ONLY");
            StmtKind::Truncate {
                table: c.object_name(),
            }
        }
        "DO" => StmtKind::Do,
        "PRAGMA" => StmtKind::Pragma {
            name: c.object_name(),
        },
        "SET" => {
            c.skip_kws(&["SESSION", "LOCAL", "GLOBAL", "PERSIST"]);
            StmtKind::Set {
                name: c.peek().and_then(ident),
            }
        }
        "REINDEX" => StmtKind::Reindex,
        "VACUUM" => StmtKind::Vacuum,
        "ANALYZE" | "ANALYSE" => StmtKind::Analyze,
        "COMMENT" => StmtKind::Comment,
        "GRANT" => StmtKind::Grant,
        "REVOKE" => StmtKind::Revoke,
        "BEGIN" | "START" => StmtKind::Begin,
        "COMMIT" | "END" => StmtKind::Commit,
        "ROLLBACK" | "ABORT" => StmtKind::Rollback,
        _ => StmtKind::Other(kw),
    }
}

fn classify_insert(c: &mut Cur<'_>) -> StmtKind {
    enum Flavour {
        Plain,
        OrReplace,
        OrIgnore,
        Ignore,
    }
    let mut flavour = Flavour::Plain;
    if c.eat_kw("OR") {
        if c.eat_kw("REPLACE") {
            flavour = Flavour::OrReplace;
        } else if c.eat_kw("IGNORE") {
            flavour = Flavour::OrIgnore;
        } else {
            c.pos += 1; // OR ABORT | FAIL | ROLLBACK
        }
    } else {
        c.skip_kws(&["LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY"]);
        if c.eat_kw("IGNORE") {
            flavour = Flavour::Ignore;
        }
    }
    c.eat_kw("INTO");
    let table = c.object_name();
    match flavour {
        Flavour::Plain => StmtKind::Insert { table },
        Flavour::OrReplace => StmtKind::InsertOrReplace { table },
        Flavour::OrIgnore => StmtKind::InsertOrIgnore { table },
        Flavour::Ignore => StmtKind::InsertIgnore { table },
    }
}

fn classify_create(c: &mut Cur<'_>) -> StmtKind {
    c.eat_seq(&["OR", "REPLACE"]);
    // MySQL `CREATE DEFINER = user@host ...`: skip to the object keyword.
    if c.eat_kw("DEFINER") {
        while c.peek().is_some_and(|t| {
            !["TRIGGER", "PROCEDURE", "FUNCTION", "VIEW", "EVENT"]
                .iter()
                .any(|k| t.is_kw(k))
        }) {
            c.pos += 1;
        }
    }
    c.skip_kws(&[
        "TEMP",
        "TEMPORARY",
        "UNLOGGED",
        "GLOBAL",
        "LOCAL",
        "MATERIALIZED",
        "RECURSIVE",
        "CONSTRAINT",
    ]);
    let unique = c.eat_kw("UNIQUE");
    c.skip_kws(&["FULLTEXT", "SPATIAL"]);
    let Some(obj) = c.peek().and_then(Tok::keyword_upper) else {
        return StmtKind::Other("CREATE".into());
    };
    c.pos += 1;
    match obj.as_str() {
        "TABLE" => {
            let if_not_exists = c.if_not_exists();
            StmtKind::CreateTable {
                table: c.object_name(),
                if_not_exists,
            }
        }
        "INDEX" => {
            let concurrently = c.eat_kw("CONCURRENTLY");
            let if_not_exists = c.if_not_exists();
            let name = if c.at_kw("ON") { None } else { c.object_name() };
            while c
                .peek()
                .is_some_and(|t| !t.is_kw("ON") && t.token != Token::LParen)
            {
                c.pos += 1; // MySQL `USING BTREE` before ON
            }
            let table = if c.eat_kw("ON") {
                c.eat_kw("ONLY");
                c.object_name()
            } else {
                None
            };
            StmtKind::CreateIndex {
                concurrently,
                unique,
                if_not_exists,
                name,
                table,
            }
        }
        "VIEW" => StmtKind::CreateView,
        "SEQUENCE" => StmtKind::CreateSequence,
        "SCHEMA" => StmtKind::CreateSchema,
        "EXTENSION" => {
            let if_not_exists = c.if_not_exists();
            StmtKind::CreateExtension {
                name: c.object_name(),
                if_not_exists,
            }
        }
        "TYPE" => StmtKind::CreateType {
            name: c.object_name(),
        },
        "FUNCTION" | "PROCEDURE" => StmtKind::CreateFunction,
        "TRIGGER" => StmtKind::CreateTrigger,
        _ => StmtKind::Other(format!("CREATE {obj}")),
    }
}

fn classify_alter(c: &mut Cur<'_>) -> StmtKind {
    let Some(obj) = c.peek().and_then(Tok::keyword_upper) else {
        return StmtKind::Other("ALTER".into());
    };
    c.pos += 1;
    match obj.as_str() {
        "TABLE" => {
            c.if_exists();
            c.eat_kw("ONLY");
            StmtKind::AlterTable {
                table: c.object_name(),
            }
        }
        "TYPE" => {
            let type_name = c.object_name();
            if c.eat_seq(&["ADD", "VALUE"]) {
                let if_not_exists = c.if_not_exists();
                let value = c
                    .peek()
                    .and_then(|t| string_value(&t.token))
                    .map(str::to_owned);
                StmtKind::AlterTypeAddValue {
                    type_name,
                    value,
                    if_not_exists,
                }
            } else {
                StmtKind::AlterType { type_name }
            }
        }
        "SEQUENCE" => StmtKind::AlterSequence,
        _ => StmtKind::Other(format!("ALTER {obj}")),
    }
}

fn classify_drop(c: &mut Cur<'_>) -> StmtKind {
    let Some(mut obj) = c.peek().and_then(Tok::keyword_upper) else {
        return StmtKind::Other("DROP".into());
    };
    c.pos += 1;
    match obj.as_str() {
        "TABLE" => {
            let if_exists = c.if_exists();
            StmtKind::DropTable {
                table: c.object_name(),
                if_exists,
            }
        }
        "INDEX" => {
            let concurrently = c.eat_kw("CONCURRENTLY");
            let if_exists = c.if_exists();
            StmtKind::DropIndex {
                concurrently,
                if_exists,
                name: c.object_name(),
            }
        }
        _ => {
            if (obj == "MATERIALIZED" || obj == "FOREIGN")
                && let Some(next) = c.peek().and_then(Tok::keyword_upper)
            {
                c.pos += 1;
                obj = format!("{obj} {next}");
            }
            StmtKind::Drop {
                object: obj,
                if_exists: c.if_exists(),
            }
        }
    }
}

/// Every label [`parser_gap`] returns (a cached analysis maps its label
/// back to the `'static` spelling through this list).
pub(crate) const PARSER_GAPS: [&str; 4] = [
    "ALTER DOMAIN",
    "ALTER TABLE ... ATTACH/DETACH PARTITION",
    "ALTER TABLE ... CONVERT TO CHARACTER SET",
    "ALTER TABLE ... CHARACTER SET",
];

/// A documented statement shape that sqlparser does not implement, so
/// that failing to parse it says nothing about the SQL: PostgreSQL `ALTER
/// DOMAIN`, `ALTER TABLE ... ATTACH|DETACH PARTITION`; MySQL `ALTER TABLE
/// ... CONVERT TO CHARACTER SET`, `ALTER TABLE ... [DEFAULT] CHARACTER SET
/// | CHARSET | COLLATE`. Returns its label.
pub(crate) fn parser_gap(toks: &[Tok]) -> Option<&'static str> {
    let mut c = Cur { toks, pos: 0 };
    if !c.eat_kw("ALTER") {
        return None;
    }
    if c.eat_kw("DOMAIN") {
        return Some(PARSER_GAPS[0]);
    }
    if !c.eat_kw("TABLE") {
        return None;
    }
    c.if_exists();
    c.eat_kw("ONLY");
    c.object_name()?;
    if c.eat_seq(&["ATTACH", "PARTITION"]) || c.eat_seq(&["DETACH", "PARTITION"]) {
        return Some(PARSER_GAPS[1]);
    }
    if c.eat_seq(&["CONVERT", "TO"]) {
        return (c.at_kw("CHARACTER") || c.at_kw("CHARSET")).then_some(PARSER_GAPS[2]);
    }
    c.eat_kw("DEFAULT");
    (c.at_kw("CHARACTER") || c.at_kw("CHARSET") || c.at_kw("COLLATE")).then_some(PARSER_GAPS[3])
}

/// The value of a string literal token.
pub(crate) fn string_value(t: &Token) -> Option<&str> {
    match t {
        Token::SingleQuotedString(s)
        | Token::EscapedStringLiteral(s)
        | Token::NationalStringLiteral(s)
        | Token::UnicodeStringLiteral(s) => Some(s),
        Token::DollarQuotedString(d) => Some(&d.value),
        _ => None,
    }
}

/// Tables a statement empties: `DELETE` without a top-level `WHERE`, and
/// `TRUNCATE`.
pub(crate) fn deletes_all_rows_of(kind: &StmtKind, toks: &[Tok]) -> Option<String> {
    match kind {
        StmtKind::Truncate { table } => table.clone(),
        StmtKind::Delete { table } => {
            let has_where = top_level(toks).any(|(_, t)| t.is_kw("WHERE"));
            if has_where { None } else { table.clone() }
        }
        _ => None,
    }
}

/// The tokens at parenthesis depth 0, with their indices.
fn top_level(toks: &[Tok]) -> impl Iterator<Item = (usize, &Tok)> {
    let mut depth = 0usize;
    toks.iter().enumerate().filter(move |(_, t)| {
        let before = depth;
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ => {}
        }
        before == 0 && depth == 0
    })
}

/// The `SET` columns and `WHERE col IS NULL` columns of an `UPDATE`.
pub(crate) fn update_info(kind: &StmtKind, toks: &[Tok]) -> Option<UpdateInfo> {
    let StmtKind::Update { table } = kind else {
        return None;
    };
    let mut info = UpdateInfo {
        table: table.clone(),
        ..UpdateInfo::default()
    };
    let Some(set_at) = top_level(toks)
        .find(|(_, t)| t.is_kw("SET"))
        .map(|(i, _)| i)
    else {
        return Some(info);
    };
    let mut depth = 0usize;
    let mut expect_column = true;
    let mut where_at = None;
    let mut i = set_at + 1;
    while let Some(t) = toks.get(i) {
        if depth == 0
            && ["WHERE", "FROM", "RETURNING", "ORDER", "LIMIT"]
                .iter()
                .any(|k| t.is_kw(k))
        {
            where_at = t.is_kw("WHERE").then_some(i);
            break;
        }
        if depth == 0 && expect_column {
            expect_column = false;
            if t.token == Token::LParen {
                // `(a, b) = (...)`
                let mut j = i + 1;
                while let Some(u) = toks.get(j) {
                    if u.token == Token::RParen {
                        break;
                    }
                    if toks.get(j + 1).is_none_or(|n| n.token != Token::Period) {
                        info.set_columns.extend(ident(u));
                    }
                    j += 1;
                }
                i = j + 1;
                continue;
            }
            let mut c = Cur { toks, pos: i };
            if let Some(col) = c.object_name() {
                info.set_columns.push(col);
                i = c.pos;
                continue;
            }
        }
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            Token::Comma if depth == 0 => expect_column = true,
            _ => {}
        }
        i += 1;
    }
    if let Some(w) = where_at {
        let rest = &toks[w + 1..];
        for (k, t) in rest.iter().enumerate() {
            let is_null = (t.is_kw("IS") && rest.get(k + 1).is_some_and(|n| n.is_kw("NULL")))
                || t.is_kw("ISNULL");
            if !is_null || k == 0 {
                continue;
            }
            if let Some(col) = ident(&rest[k - 1])
                && !info.where_is_null_columns.contains(&col)
            {
                info.where_is_null_columns.push(col);
            }
        }
    }
    Some(info)
}
