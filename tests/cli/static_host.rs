//! A plain static file server for tests that need a built site over HTTP
//! (not `dossier serve`): what a static host does and nothing more, so a
//! page that works here works on GitHub Pages or a bucket.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Serves `root` under the URL path `prefix` (`/` or `/team/nk/`) on a free
/// loopback port, for the life of the test process; returns the port. A
/// path ending in `/` means its `index.html`; anything outside the folder or
/// missing is a 404. One request per connection, each on its own thread, so
/// a browser's idle speculative connections never hold up the next request.
pub(crate) fn serve(root: PathBuf, prefix: &'static str) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || respond(&root, prefix, stream));
        }
    });
    port
}

fn respond(root: &Path, prefix: &str, mut stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut request_line = String::new();
    let mut reader = BufReader::new(stream.try_clone()?);
    reader.read_line(&mut request_line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
    }
    let target = request_line.split(' ').nth(1).unwrap_or("");
    let path = target.split(['?', '#']).next().unwrap_or("");
    let file = path
        .strip_prefix(prefix)
        .filter(|rest| !rest.split('/').any(|s| s == ".." || s.contains('%')))
        .map(|rest| {
            let rest = if rest.is_empty() || rest.ends_with('/') {
                format!("{rest}index.html")
            } else {
                rest.to_string()
            };
            root.join(rest)
        })
        .filter(|f| f.is_file());
    match file.and_then(|f| Some((content_type(&f), std::fs::read(f).ok()?))) {
        Some((content_type, body)) => {
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            stream.write_all(&body)
        }
        None => stream.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found",
        ),
    }
}

/// What static hosts send for the site's kinds of file; browsers apply a
/// stylesheet only when it comes as `text/css`.
fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// GET `path` from the test server: (status, body).
pub(crate) fn get(port: u16, path: &str) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response");
    let head = String::from_utf8_lossy(&response[..split]);
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, response[split + 4..].to_vec())
}

#[test]
fn the_test_server_maps_the_prefix_and_refuses_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("a")).unwrap();
    std::fs::write(dir.path().join("index.html"), "home").unwrap();
    std::fs::write(dir.path().join("a/index.html"), "a").unwrap();
    let port = serve(dir.path().to_path_buf(), "/team/nk/");
    assert_eq!(get(port, "/team/nk/"), (200, b"home".to_vec()));
    assert_eq!(get(port, "/team/nk/a/?x#y").0, 200);
    assert_eq!(get(port, "/team/nk/a").0, 404);
    assert_eq!(get(port, "/team/nk/../nk/").0, 404);
    assert_eq!(get(port, "/").0, 404);
    let root = serve(dir.path().to_path_buf(), "/");
    assert_eq!(get(root, "/a/"), (200, b"a".to_vec()));
}
