//! The online-safety family's switches: opt-in, `online = true`,
//! `postgresql-version` (an integration test, so that the rules module
//! does not depend on the settings that depend on it).

use std::path::Path;

use miglint_config::{Targets, load_str};

use miglint_diagnostics::{Dialect, DialectSet};
use miglint_linter::LinterSettings;

fn settings(text: &str) -> LinterSettings {
    let options = load_str(Path::new("lint.toml"), text).expect("valid config");
    let targets = Targets::declared(DialectSet::single(Dialect::Postgresql), "test");
    LinterSettings::from_options(options, targets).expect("valid settings")
}

#[test]
fn the_family_is_opt_in() {
    let s = settings("");
    assert!(!s.is_enabled("ML701"));
    assert_eq!(s.postgresql_version, 15);
    // a prefix selects default-on rules only (docs/decisions.md)
    assert!(!settings("extend-select = [\"ML7\"]\n").is_enabled("ML701"));
    assert!(settings("extend-select = [\"ML701\"]\n").is_enabled("ML701"));
    assert!(settings("extend-select = [\"index-without-concurrently\"]\n").is_enabled("ML701"));
}

#[test]
fn online_switch_enables_the_family_and_ignore_still_wins() {
    let s = settings("online = true\n");
    assert!(s.is_enabled("ML701"));
    assert!(s.is_enabled("ML101"), "the default set stays on");
    let s = settings("online = true\nignore = [\"ML701\"]\n");
    assert!(!s.is_enabled("ML701"));
    let s = settings("online = true\nselect = [\"ML1\"]\n");
    assert!(s.is_enabled("ML701") && !s.is_enabled("ML501"));
}

#[test]
fn postgresql_version_key() {
    assert_eq!(settings("postgresql-version = 11\n").postgresql_version, 11);
    assert_eq!(
        settings("postgresql-version = \"12.4\"\n").postgresql_version,
        12
    );
    for bad in [
        "postgresql-version = \"x\"\n",
        "postgresql-version = 3\n",
        "online = 1\n",
    ] {
        assert!(load_str(Path::new("lint.toml"), bad).is_err(), "{bad}");
    }
}
