//! The column list of an `INSERT`.

/// The column list of `INSERT INTO name (a, "B", ...)`, normalised like
/// table names (unquoted lowercased, quoted — `"x"` or `` `x` `` — exact);
/// `None` when the text has no plain column list (`INSERT INTO t VALUES
/// ...`, `INSERT INTO t SELECT ...`, or an entry that is not an
/// identifier): the values then fill the columns in table order.
pub fn insert_columns(text: &str) -> Option<Vec<String>> {
    let upper = text.to_ascii_uppercase();
    let into = word(&upper, "INTO")? + 4;
    let open = into + text[into..].find('(')?;
    // only a table name between INTO and the parenthesis
    let name = text[into..open].trim();
    let quoted = name.starts_with(['"', '`']);
    if name.is_empty() || (name.contains(char::is_whitespace) && !quoted) {
        return None;
    }
    let close = open + text[open..].find(')')?;
    let inner = &text[open + 1..close];
    if inner.contains('(') {
        return None;
    }
    let mut out = Vec::new();
    for part in inner.split(',') {
        let p = part.trim();
        let q = p
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .or_else(|| p.strip_prefix('`').and_then(|s| s.strip_suffix('`')));
        let col = if let Some(q) = q {
            q.to_string()
        } else if !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            p.to_ascii_lowercase()
        } else {
            return None;
        };
        out.push(col);
    }
    Some(out)
}

/// The offset of `w` in `upper` as a whole word.
fn word(upper: &str, w: &str) -> Option<usize> {
    let b = upper.as_bytes();
    let is_word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    upper.match_indices(w).map(|(i, _)| i).find(|&i| {
        (i == 0 || !is_word(b[i - 1])) && b.get(i + w.len()).is_none_or(|&c| !is_word(c))
    })
}

#[cfg(test)]
mod tests {
    use super::insert_columns;

    #[test]
    fn lists() {
        let cols = |s: &str| insert_columns(s);
        assert_eq!(
            cols("INSERT INTO t (a, \"B\", `c`) VALUES (1, 2, 3)"),
            Some(vec!["a".into(), "B".into(), "c".into()])
        );
        assert_eq!(
            cols("insert into \"My T\" (Id) values (1)"),
            Some(vec!["id".into()])
        );
        assert_eq!(cols("INSERT INTO t VALUES (1, 2)"), None);
        assert_eq!(cols("INSERT INTO t SELECT f(x) FROM u"), None);
        assert_eq!(cols("INSERT INTO t (SELECT a FROM u)"), None);
        assert_eq!(cols("INSERT INTO t (a + 1) VALUES (1)"), None);
        // INTO as a word only
        assert_eq!(cols("INSERT INTOx"), None);
    }
}
