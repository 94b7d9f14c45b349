//! `miglint server` as an editor starts it: a child process speaking LSP on
//! stdin/stdout. A message that is not JSON gets a ParseError reply, invalid
//! params an InvalidParams error, and a proper shutdown exits 0.

use std::io::Write;
use std::process::{Command, Stdio};

fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// The bodies of the framed messages in `out`.
fn bodies(out: &[u8]) -> Vec<serde_json::Value> {
    let text = String::from_utf8_lossy(out);
    text.split("Content-Length: ")
        .skip(1)
        .map(|part| {
            let body = part.split_once("\r\n\r\n").unwrap().1;
            serde_json::from_str(body).unwrap()
        })
        .collect()
}

#[test]
fn server_speaks_lsp_on_stdio_and_survives_malformed_input() {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("miglint"))
        .arg("server")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = Vec::new();
    for body in [
        "{garbage",
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#,
        r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
        r#"{"jsonrpc":"2.0","id":2,"method":"textDocument/hover","params":5}"#,
        r#"{"jsonrpc":"2.0","id":3,"method":"shutdown"}"#,
        r#"{"jsonrpc":"2.0","method":"exit"}"#,
    ] {
        input.extend(frame(body));
    }
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let replies = bodies(&out.stdout);
    let by_id = |id: serde_json::Value| replies.iter().find(|r| r["id"] == id).unwrap();
    assert_eq!(by_id(serde_json::Value::Null)["error"]["code"], -32700);
    assert_eq!(by_id(1.into())["result"]["serverInfo"]["name"], "miglint");
    assert_eq!(by_id(2.into())["error"]["code"], -32602);
    assert_eq!(by_id(3.into())["result"], serde_json::Value::Null);
    assert_eq!(replies.len(), 4);
}
