use std::fmt;

/// A database family miglint reasons about. `Mysql` covers MySQL and MariaDB.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Dialect {
    Postgresql,
    Sqlite,
    Mysql,
}

impl Dialect {
    pub const ALL: [Dialect; 3] = [Dialect::Postgresql, Dialect::Sqlite, Dialect::Mysql];

    /// The config spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Dialect::Postgresql => "postgresql",
            Dialect::Sqlite => "sqlite",
            Dialect::Mysql => "mysql",
        }
    }

    /// The name to use in a message.
    pub const fn display_name(self) -> &'static str {
        match self {
            Dialect::Postgresql => "PostgreSQL",
            Dialect::Sqlite => "SQLite",
            Dialect::Mysql => "MySQL/MariaDB",
        }
    }

    /// Parses a config value (`postgresql`, `sqlite`, `mysql`, and the
    /// common aliases `postgres`, `mariadb`).
    pub fn parse(s: &str) -> Option<Dialect> {
        match s.to_ascii_lowercase().as_str() {
            "postgresql" | "postgres" | "pg" => Some(Dialect::Postgresql),
            "sqlite" => Some(Dialect::Sqlite),
            "mysql" | "mariadb" => Some(Dialect::Mysql),
            _ => None,
        }
    }

    /// Maps a SQLAlchemy dialect / engine name as compared in migrations
    /// (`bind.dialect.name == "postgresql"`). Unknown names (mssql, oracle)
    /// map to `None`: they are none of our targets.
    pub fn from_sqlalchemy_name(s: &str) -> Option<Dialect> {
        match s {
            "postgresql" | "postgres" => Some(Dialect::Postgresql),
            "sqlite" => Some(Dialect::Sqlite),
            "mysql" | "mariadb" => Some(Dialect::Mysql),
            _ => None,
        }
    }

    const fn bit(self) -> u8 {
        match self {
            Dialect::Postgresql => 1,
            Dialect::Sqlite => 2,
            Dialect::Mysql => 4,
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A small set of dialects (a bit set).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
pub struct DialectSet(u8);

impl DialectSet {
    pub const EMPTY: DialectSet = DialectSet(0);
    pub const ALL: DialectSet = DialectSet(7);

    pub const fn single(d: Dialect) -> Self {
        DialectSet(d.bit())
    }

    pub fn from_iter_dialects(it: impl IntoIterator<Item = Dialect>) -> Self {
        it.into_iter().fold(DialectSet::EMPTY, |s, d| s.with(d))
    }

    #[must_use]
    pub const fn with(self, d: Dialect) -> Self {
        DialectSet(self.0 | d.bit())
    }

    pub const fn contains(self, d: Dialect) -> bool {
        self.0 & d.bit() != 0
    }

    #[must_use]
    pub const fn union(self, o: DialectSet) -> Self {
        DialectSet(self.0 | o.0)
    }

    #[must_use]
    pub const fn intersect(self, o: DialectSet) -> Self {
        DialectSet(self.0 & o.0)
    }

    #[must_use]
    pub const fn complement(self) -> Self {
        DialectSet(!self.0 & 7)
    }

    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Dialect> {
        Dialect::ALL.into_iter().filter(move |d| self.contains(*d))
    }

    /// `PostgreSQL and SQLite` style list for messages.
    pub fn display_list(self) -> String {
        let names: Vec<&str> = self.iter().map(Dialect::display_name).collect();
        match names.as_slice() {
            [] => String::from("no dialect"),
            [one] => (*one).to_string(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        }
    }
}

impl fmt::Debug for DialectSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_algebra() {
        let pg = DialectSet::single(Dialect::Postgresql);
        assert_eq!(
            pg.complement().iter().collect::<Vec<_>>(),
            vec![Dialect::Sqlite, Dialect::Mysql]
        );
        assert!(pg.union(pg.complement()) == DialectSet::ALL);
        assert_eq!(pg.complement().display_list(), "SQLite and MySQL/MariaDB");
        assert_eq!(Dialect::parse("MariaDB"), Some(Dialect::Mysql));
    }
}
