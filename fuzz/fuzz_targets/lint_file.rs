//! A whole file through the linter (decode, parse, every rule, project
//! phase, suppressions), as raw bytes: what `miglint check` does per file.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use miglint_diagnostics::DialectSet;
use miglint_linter::{Linter, LinterSettings};
use miglint_python::PythonParser;

fuzz_target!(|data: &[u8]| {
    let linter = Linter::new(LinterSettings::with_targets(DialectSet::ALL));
    let mut parser = PythonParser::new();
    let result = linter.lint_bytes(&mut parser, Path::new("versions/fuzz.py"), data);
    for report in linter.finish(vec![result]) {
        for d in &report.diagnostics {
            // every range must lie on char boundaries of the source
            let r = d.range.as_usize();
            assert!(
                report.source.text.get(r).is_some(),
                "{} {:?}",
                d.code,
                d.range
            );
        }
    }
});
