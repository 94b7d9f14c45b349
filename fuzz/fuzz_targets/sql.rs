//! SQL splitting, parsing and classification on arbitrary text, for every dialect.
#![no_main]

use libfuzzer_sys::fuzz_target;
use miglint_diagnostics::DialectSet;

fuzz_target!(|data: &[u8]| {
    if let Ok(sql) = std::str::from_utf8(data) {
        for statement in miglint_sql::analyze(sql, DialectSet::ALL) {
            // every range must slice the input
            let _ = statement.text(sql);
        }
    }
});
