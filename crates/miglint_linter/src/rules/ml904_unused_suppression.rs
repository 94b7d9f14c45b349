//! The check itself lives in `crate::suppress`, which runs after every other
//! rule; this file only declares the rule.

use crate::prelude::*;

pub struct UnusedSuppression;

static META: RuleMeta = RuleMeta {
    code: "ML904",
    name: "unused-suppression",
    summary: "a suppression comment that suppressed nothing, or names an unknown code",
    severity: Severity::Warning,
    default_enabled: true,
    dialects: DialectSet::ALL,
};

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
