//! Rule selectors: `ALL`, a code prefix (`ML`, `ML1`, `ML10`), a code
//! (`ML101`) or a rule name (`boolean-integer-default`).
//!
//! Semantics (decision recorded in `docs/decisions.md`): a prefix selects
//! the *default-on* rules under it; opt-in rules are enabled only by their
//! exact code or name, or by `ALL`. `ignore` removes every matching rule.

use crate::registry::RULES;
use crate::rule::RuleMeta;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    All,
    Prefix(String),
    Rule(&'static str),
}

impl Selector {
    /// `None` when the text names no rule and no prefix of one.
    pub fn parse(text: &str) -> Option<Selector> {
        let text = text.trim();
        if text == "ALL" {
            return Some(Selector::All);
        }
        if let Some(rule) = RULES
            .iter()
            .find(|r| r.meta().code == text || r.meta().name == text)
        {
            return Some(Selector::Rule(rule.meta().code));
        }
        let is_prefix = text.starts_with("ML")
            && text.len() < 5
            && text[2..].bytes().all(|b| b.is_ascii_digit());
        (is_prefix && RULES.iter().any(|r| r.meta().code.starts_with(text)))
            .then(|| Selector::Prefix(text.to_string()))
    }

    /// Whether the selector names this rule at all (for `ignore` and suppressions).
    pub fn matches(&self, meta: &RuleMeta) -> bool {
        match self {
            Selector::All => true,
            Selector::Prefix(p) => meta.code.starts_with(p.as_str()),
            Selector::Rule(code) => meta.code == *code,
        }
    }

    /// Whether selecting with it enables this rule (prefixes skip opt-in rules).
    pub fn enables(&self, meta: &RuleMeta) -> bool {
        match self {
            Selector::All | Selector::Rule(_) => self.matches(meta),
            Selector::Prefix(_) => self.matches(meta) && meta.default_enabled,
        }
    }
}

/// A close existing code or name, for "unknown rule" messages.
pub fn suggest(text: &str) -> Option<&'static str> {
    RULES
        .iter()
        .flat_map(|r| [r.meta().code, r.meta().name])
        .map(|cand| (strsim::levenshtein(text, cand), cand))
        // one edit for codes (ML9011 -> ML901), more for long names
        .filter(|(d, cand)| {
            *d <= if cand.starts_with("ML") {
                1
            } else {
                2.max(cand.len() / 4)
            }
        })
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_selectors() {
        assert_eq!(Selector::parse("ALL"), Some(Selector::All));
        assert_eq!(Selector::parse("ML9"), Some(Selector::Prefix("ML9".into())));
        assert_eq!(Selector::parse("ML"), Some(Selector::Prefix("ML".into())));
        assert_eq!(Selector::parse("ML901"), Some(Selector::Rule("ML901")));
        assert_eq!(
            Selector::parse("python-syntax-error"),
            Some(Selector::Rule("ML901"))
        );
        assert_eq!(Selector::parse("ML999"), None);
        assert_eq!(Selector::parse("ML0"), None);
        assert_eq!(Selector::parse("ML8"), Some(Selector::Prefix("ML8".into())));
        assert_eq!(Selector::parse("E501"), None);
        assert_eq!(suggest("ML9011"), Some("ML901"));
    }

    #[test]
    fn prefixes_skip_opt_in_rules() {
        let dynamic = crate::registry::rule_by_code("ML903")
            .expect("registered")
            .meta();
        assert!(!dynamic.default_enabled);
        assert!(!Selector::Prefix("ML9".into()).enables(dynamic));
        assert!(Selector::Rule("ML903").enables(dynamic));
        assert!(Selector::All.enables(dynamic));
    }
}
