//! Helpers for `serve` tests: a running server on a free port, plain HTTP
//! requests, and the live-reload WebSocket.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// `dossier serve` on a free port, stopped when dropped.
pub(crate) struct Server {
    child: Child,
    pub(crate) port: u16,
    /// Kept so the threads reading its output keep draining the pipes.
    _output: mpsc::Receiver<String>,
}

impl Server {
    pub(crate) fn start(root: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dossier"))
            .args(["serve", "--port", "0"])
            .args(extra)
            .current_dir(root)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("dossier serve starts");
        let (tx, rx) = mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut seen = Vec::new();
        let port = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx.recv_timeout(left).unwrap_or_else(|_| {
                panic!("serve printed no URL; it printed:\n{}", seen.join("\n"))
            });
            if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                break digits.parse().expect("a port number");
            }
            seen.push(line);
        };
        Server {
            child,
            port,
            _output: rx,
        }
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends Ctrl-C (SIGINT) and returns the exit code, if it exits in time.
    pub(crate) fn interrupt(&mut self) -> Option<i32> {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-INT", &pid]).status().ok()?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// `GET path`: the status and the body.
    pub(crate) fn get(&self, path: &str) -> (u16, String) {
        let (status, body) = self.request("GET", path);
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    /// Any request, with the path sent exactly as given.
    pub(crate) fn request(&self, method: &str, path: &str) -> (u16, Vec<u8>) {
        self.request_with(method, path, &[("Host", "127.0.0.1")])
    }

    /// Any request with exactly these headers (besides `Connection: close`).
    pub(crate) fn request_with(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (u16, Vec<u8>) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut head = format!("{method} {path} HTTP/1.1\r\n");
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        write!(stream, "{head}Connection: close\r\n\r\n").unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("a response");
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("headers end");
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("a status code");
        (status, raw[split + 4..].to_vec())
    }

    /// A page as `build` would have written it: without the reload script.
    pub(crate) fn page(&self, path: &str) -> String {
        let (status, body) = self.get(path);
        assert_eq!(status, 200, "GET {path}: {body}");
        strip_script(&body)
    }

    pub(crate) fn socket(&self) -> Socket {
        self.connect().0
    }

    /// A new tab's socket and the hello it got.
    pub(crate) fn connect(&self) -> (Socket, Value) {
        let url = format!("ws://127.0.0.1:{}/__dossier/ws", self.port);
        let (mut socket, _) = tungstenite::connect(url).expect("the reload socket opens");
        if let MaybeTlsStream::Plain(stream) = socket.get_mut() {
            stream
                .set_read_timeout(Some(Duration::from_millis(200)))
                .unwrap();
        }
        let mut socket = Socket { socket };
        let hello = socket.next(Duration::from_secs(10)).expect("a hello");
        assert_eq!(hello["type"], "hello", "{hello}");
        (socket, hello)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The script tag `serve` adds to every page.
pub(crate) const SCRIPT_TAG: &str = "<script src=\"/__dossier/live.js\" defer></script>";

pub(crate) fn strip_script(html: &str) -> String {
    html.replacen(SCRIPT_TAG, "", 1)
}

pub(crate) struct Socket {
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
}

impl Socket {
    /// The next message within `within`, if any.
    pub(crate) fn next(&mut self, within: Duration) -> Option<Value> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            match self.socket.read() {
                Ok(Message::Text(text)) => {
                    return Some(serde_json::from_str(text.as_str()).expect("JSON messages"));
                }
                Ok(_) => {}
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => panic!("reload socket failed: {e}"),
            }
        }
        None
    }

    /// Waits for a message of `kind` ("reload", "error", "css"), skipping others.
    #[track_caller]
    pub(crate) fn expect(&mut self, kind: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut seen = Vec::new();
        while Instant::now() < deadline {
            if let Some(message) = self.next(Duration::from_millis(500)) {
                if message["type"] == kind {
                    return message;
                }
                seen.push(message);
            }
        }
        panic!("no `{kind}` message within 20 s; got {seen:?}");
    }
}

/// Writes a file the way editors that save atomically do: a temporary file
/// beside it, then a rename over it.
pub(crate) fn save_by_rename(path: &Path, text: &str) {
    let temp = path.with_file_name(format!(
        ".{}.tmp-save",
        path.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(&temp, text).unwrap();
    std::fs::rename(&temp, path).unwrap();
}
