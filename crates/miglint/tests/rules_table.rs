//! `rules/README.md` is generated from the registry; this test fails when it
//! is stale. Regenerate with `MIGLINT_BLESS=1 cargo test -p miglint --test rules_table`.

use std::path::Path;

use miglint_linter::RULES;

fn table() -> String {
    let mut s = String::from(
        "# miglint rules\n\n\
         Generated from the registry by `MIGLINT_BLESS=1 cargo test -p miglint --test rules_table`; \
         do not edit by hand. Each code links to its page; `miglint rule CODE` prints the same page. \
         Error-level claims are reproduced on real databases: see [VERIFIED.md](VERIFIED.md).\n\n\
         | code | name | severity | default | dialects | summary |\n\
         |---|---|---|---|---|---|\n",
    );
    for r in RULES {
        let m = r.meta();
        let dialects: Vec<&str> = m.dialects.iter().map(|d| d.as_str()).collect();
        s.push_str(&format!(
            "| [{code}]({code}.md) | {name} | {sev} | {on} | {dialects} | {summary} |\n",
            code = m.code,
            name = m.name,
            sev = m.severity,
            on = if m.default_enabled { "on" } else { "opt-in" },
            dialects = dialects.join(", "),
            summary = m.summary.replace('|', "\\|"),
        ));
    }
    s
}

#[test]
fn rules_readme_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/README.md");
    let want = table();
    if std::env::var_os("MIGLINT_BLESS").is_some() {
        std::fs::write(&path, &want).expect("write rules/README.md");
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "rules/README.md is stale: run `MIGLINT_BLESS=1 cargo test -p miglint --test rules_table`"
    );
}
