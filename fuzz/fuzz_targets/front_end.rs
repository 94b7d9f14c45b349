//! The Python front end on arbitrary text: never panics, never aborts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use miglint_python::PythonParser;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let mut parser = PythonParser::new();
        let _ = parser.parse(text);
    }
});
