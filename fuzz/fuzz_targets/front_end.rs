//! The Python front end on arbitrary text: never panics, never aborts; and
//! a function body parsed in pieces gives the model of the whole parse
//! (see `crates/miglint_python/src/split.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use miglint_python::PythonParser;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let whole = format!("{:?}", PythonParser::new().parse(text));
        let cut = format!("{:?}", PythonParser::new().with_split(0, 1, 4).parse(text));
        assert_eq!(whole, cut, "the model of a cut parse differs");
    }
});
