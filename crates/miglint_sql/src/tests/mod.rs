use super::*;

mod classify;
mod robustness;
mod statements;

const ALL: DialectSet = DialectSet::ALL;

fn one(sql: &str) -> SqlStatement {
    let mut v = analyze(sql, ALL);
    assert_eq!(v.len(), 1, "expected one statement in {sql:?}");
    v.remove(0)
}

/// The features as `(name, covered text)` pairs.
fn feats<'a>(sql: &'a str, s: &SqlStatement) -> Vec<(&'static str, &'a str)> {
    s.features
        .iter()
        .map(|(f, r)| (f.name(), &sql[r.clone()]))
        .collect()
}

fn t(s: &str) -> Option<String> {
    Some(s.to_owned())
}
