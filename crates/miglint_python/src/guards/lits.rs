//! Guard values of the literals of hidden data displays (see [`crate::data`]).

use super::{Cond, Guards, MAX_DEPTH, Val};
use crate::data::Lit;
use crate::strings;

impl Guards<'_> {
    /// [`Guards::value`] of a literal of a hidden data display.
    pub(super) fn lit_value(&self, lit: &Lit, depth: usize) -> Val {
        if depth > MAX_DEPTH {
            return Val::Unknown;
        }
        match lit {
            Lit::Paren(_, inner) => self.lit_value(inner, depth + 1),
            Lit::Str(_, parts) => match parts.as_slice() {
                [one] => {
                    let (value, dynamic, _) = strings::decode(self.regions.text(*one), 0);
                    if dynamic {
                        Val::Unknown
                    } else {
                        Val::Str(value)
                    }
                }
                _ => Val::Unknown,
            },
            Lit::Tuple(_, items) | Lit::List(_, items) | Lit::Set(_, items) => {
                let mut strs = Vec::new();
                for item in items {
                    match self.lit_value(item, depth + 1) {
                        Val::Str(s) => strs.push(s),
                        _ => return Val::Unknown,
                    }
                }
                Val::Strs(strs)
            }
            Lit::True(_) => Val::Bool(Cond::TRUE),
            Lit::False(_) | Lit::None(_) => Val::Bool(Cond::FALSE),
            Lit::Int(_) | Lit::Float(_) | Lit::Signed(_) | Lit::Dict(_) => Val::Unknown,
        }
    }
}
