//! Stdio transport. Like `lsp_server::Connection::stdio`, but a message that
//! is not valid JSON-RPC gets an error reply (and the server keeps reading)
//! instead of ending the session.

use std::io::{self, BufRead, Write};
use std::thread;

use crossbeam_channel::{Receiver, Sender, bounded, unbounded};
use lsp_server::{Connection, ErrorCode, Message, RequestId, Response};

pub struct IoThreads {
    reader: thread::JoinHandle<()>,
    writer: thread::JoinHandle<io::Result<()>>,
    writer_done: Receiver<()>,
}

impl IoThreads {
    /// Waits for the writer to write what it was given. It ends when every
    /// sender is gone; a lint thread still busy after `exit` holds one, so
    /// the wait is bounded by `grace`.
    pub fn join(self, grace: std::time::Duration) -> io::Result<()> {
        // the reader may be blocked on stdin after `exit`: do not wait for it
        drop(self.reader);
        if self.writer_done.recv_timeout(grace).is_err() {
            return Ok(());
        }
        self.writer.join().unwrap_or(Ok(()))
    }
}

/// What the reader sends to the writer directly: replies to messages the
/// server never sees.
enum Raw {
    /// JSON-RPC requires `"id": null` when the id cannot be read.
    ParseError(String),
}

pub fn stdio() -> (Connection, IoThreads) {
    let (to_writer, from_server) = bounded::<Message>(0);
    let (raw_tx, raw_rx) = unbounded::<Raw>();
    let (to_server, from_reader) = bounded::<Message>(0);
    let writer_tx = to_writer.clone();
    let (done_tx, writer_done) = bounded::<()>(1);
    let writer = thread::Builder::new()
        .name("miglint-lsp-writer".into())
        .spawn(move || {
            let r = write_loop(&from_server, &raw_rx);
            let _ = done_tx.send(());
            r
        })
        .expect("spawn the writer thread");
    let reader = thread::Builder::new()
        .name("miglint-lsp-reader".into())
        .spawn(move || read_loop(&mut io::stdin().lock(), &to_server, &writer_tx, &raw_tx))
        .expect("spawn the reader thread");
    (
        Connection {
            sender: to_writer,
            receiver: from_reader,
        },
        IoThreads {
            reader,
            writer,
            writer_done,
        },
    )
}

fn write_loop(messages: &Receiver<Message>, raw: &Receiver<Raw>) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    loop {
        crossbeam_channel::select! {
            recv(messages) -> m => match m {
                Ok(m) => m.write(&mut out)?,
                Err(_) => return Ok(()),
            },
            recv(raw) -> r => if let Ok(Raw::ParseError(message)) = r {
                let body = serde_json::json!({
                    "jsonrpc": "2.0",
                    "id": null,
                    "error": {"code": ErrorCode::ParseError as i32, "message": message},
                })
                .to_string();
                write!(out, "Content-Length: {}\r\n\r\n{body}", body.len())?;
                out.flush()?;
            },
        }
    }
}

/// Reads framed messages until end of input or `exit`. A body that is not
/// a JSON-RPC message is answered (InvalidRequest when its id can be read,
/// else ParseError) and skipped.
fn read_loop(
    input: &mut impl BufRead,
    to_server: &Sender<Message>,
    to_writer: &Sender<Message>,
    raw: &Sender<Raw>,
) {
    loop {
        let body = match read_frame(input) {
            Ok(Some(b)) => b,
            Ok(None) => return,
            Err(e) => {
                eprintln!("miglint server: {e}");
                return;
            }
        };
        match serde_json::from_slice::<Message>(&body) {
            Ok(msg) => {
                let exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
                if to_server.send(msg).is_err() || exit {
                    return;
                }
            }
            Err(e) => {
                let id = serde_json::from_slice::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| v.get("id").cloned())
                    .and_then(|id| serde_json::from_value::<RequestId>(id).ok());
                match id {
                    Some(id) => {
                        let reply = Response::new_err(
                            id,
                            ErrorCode::InvalidRequest as i32,
                            format!("not a JSON-RPC message: {e}"),
                        );
                        let _ = to_writer.send(reply.into());
                    }
                    None => {
                        let _ = raw.send(Raw::ParseError(format!("not a JSON-RPC message: {e}")));
                    }
                }
            }
        }
    }
}

/// One `Content-Length`-framed body; `None` at end of input.
fn read_frame(input: &mut impl BufRead) -> io::Result<Option<Vec<u8>>> {
    let mut length: Option<usize> = None;
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let header = line.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            if length.is_some() {
                break;
            }
            continue;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok();
        }
    }
    let n = length.unwrap_or(0);
    let mut body = vec![0; n];
    input.read_exact(&mut body)?;
    Ok(Some(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn malformed_messages_get_error_replies_and_reading_goes_on() {
        let input = [
            frame("{not json"),
            frame(r#"{"jsonrpc":"2.0","id":7,"method":5}"#),
            frame(r#"{"jsonrpc":"2.0","id":8,"method":"shutdown"}"#),
            frame(r#"{"jsonrpc":"2.0","method":"exit"}"#),
            frame(r#"{"jsonrpc":"2.0","id":9,"method":"never-read"}"#),
        ]
        .concat();
        let (to_server, server) = unbounded();
        let (to_writer, writer) = unbounded();
        let (raw_tx, raw) = unbounded();
        read_loop(
            &mut std::io::Cursor::new(input),
            &to_server,
            &to_writer,
            &raw_tx,
        );
        assert!(matches!(raw.try_recv(), Ok(Raw::ParseError(_))));
        match writer.try_recv() {
            Ok(Message::Response(r)) => {
                assert_eq!(r.id, RequestId::from(7));
                assert_eq!(
                    r.response_result.unwrap_err().code,
                    ErrorCode::InvalidRequest as i32
                );
            }
            other => panic!("{other:?}"),
        }
        let got: Vec<String> = server
            .try_iter()
            .map(|m| match m {
                Message::Request(r) => r.method,
                Message::Notification(n) => n.method,
                Message::Response(_) => String::new(),
            })
            .collect();
        // reading stops at `exit`
        assert_eq!(got, ["shutdown", "exit"]);
    }
}
