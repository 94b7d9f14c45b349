//! "Did you mean" suggestions.

/// The candidate closest to `word` by edit distance (after mapping `_` to
/// `-` and ignoring case), if it is close enough to be a plausible typo.
pub(crate) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let norm = word.to_ascii_lowercase().replace('_', "-");
    let limit = (norm.chars().count() / 3).clamp(1, 3);
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(&norm, c), *c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn suggestions() {
        let keys = ["dialects", "alembic-version", "extend-select", "select"];
        assert_eq!(closest("dialect", &keys), Some("dialects"));
        assert_eq!(closest("alembic_version", &keys), Some("alembic-version"));
        assert_eq!(closest("extend_selct", &keys), Some("extend-select"));
        assert_eq!(closest("Select", &keys), Some("select"));
        assert_eq!(closest("zzz", &keys), None);
    }
}
