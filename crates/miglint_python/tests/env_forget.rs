//! Names a compound statement changes are forgotten after it, however deep
//! inside it the change is (the walk that looks for them skips the nested
//! statements that cannot change a name the environment holds).

use miglint_diagnostics::Dialect;
use miglint_python::PythonParser;

/// `name [dialects] data-guard?` per op.
fn ops(src: &str) -> Vec<String> {
    let m = PythonParser::new().parse(src);
    m.ops
        .iter()
        .map(|op| {
            let d: Vec<&str> = op.dialects.iter().map(Dialect::as_str).collect();
            let guard = if op.under_data_guard {
                " data-guard"
            } else {
                ""
            };
            format!("{} [{}]{guard}", op.name, d.join(","))
        })
        .collect()
}

#[test]
fn names_changed_deep_inside_compound_statements_are_forgotten() {
    // the assignment and the in-place change sit two blocks down, next to
    // statements that do not name them
    let src = r#"
def upgrade():
    is_pg = op.get_bind().dialect.name == "postgresql"
    rows = []
    with ctx():
        op.execute("x")
        if cond:
            op.execute("y")
            is_pg = other
        for r in q:
            op.execute("z")
            rows.append(r)
    if is_pg:
        op.execute("b")
    if not rows:
        op.execute("c")
"#;
    let out = ops(src);
    assert_eq!(
        out[3..],
        [
            "execute [postgresql,sqlite,mysql] data-guard",
            "execute [postgresql,sqlite,mysql] data-guard"
        ],
        "{out:?}"
    );
}
