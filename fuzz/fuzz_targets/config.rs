//! Configuration loading (both file forms) on arbitrary text: an error or
//! options, never a panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        for name in ["lint.toml", "pyproject.toml"] {
            if let Ok(options) = miglint_config::load_str(Path::new(name), text) {
                let targets = miglint_config::Targets::declared(
                    miglint_diagnostics::DialectSet::ALL,
                    "fuzz",
                );
                let _ = miglint_linter::LinterSettings::from_options(options, targets);
            }
        }
    }
});
