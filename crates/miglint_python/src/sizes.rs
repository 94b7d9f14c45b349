//! The inline sizes of the model's types (issue 15: a module is kept until
//! the project phase, 5.75 KB per 2.5 KB file before these were cut).
//! These fail when a type grows back: look at what was added before
//! raising a number (box a rare large field, reorder an enum).

#[cfg(all(test, target_pointer_width = "64"))]
mod tests {
    use crate::model::*;
    use std::mem::size_of;

    #[test]
    fn the_model_types_stay_compact() {
        // (before issue 15's compact module: Expr 40, Call 88, Keyword 72,
        // StrLit 56, Op 144)
        assert_eq!(size_of::<SharedStr>(), 16);
        assert_eq!(size_of::<ExprKind>(), 24);
        assert_eq!(size_of::<Expr>(), 32);
        assert_eq!(size_of::<Attribute>(), 48);
        assert_eq!(size_of::<Call>(), 64);
        assert_eq!(size_of::<Keyword>(), 56);
        assert_eq!(size_of::<StrLit>(), 40);
        assert_eq!(size_of::<Receiver>(), 16);
        assert_eq!(size_of::<Op>(), 96);
    }
}
