//! The preview server: the site from memory, the live-reload script and
//! its WebSocket.
//!
//! Only files of the site are served. A request path is checked before it
//! is looked up: `..` segments, encoded dots or slashes, backslashes and
//! NUL bytes get 400, so nothing outside the site can ever be named (and
//! there is no file system behind the lookup in any case).
//!
//! Only the preview's own origin is answered. A web page the author visits
//! could otherwise point a host name of its own at 127.0.0.1 (DNS
//! rebinding) and read the preview, restricted pages included, or open the
//! reload socket and listen to the error overlay, which quotes source lines.
//! So every request must name an allowed host, and a WebSocket upgrade that
//! carries an `Origin` must come from the page's own origin; the rest get
//! 403, as webpack-dev-server and Vite do.

use std::net::{IpAddr, TcpListener};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use super::exports::Exports;
use super::{Live, Site};

const SCRIPT_PATH: &str = "/__dossier/live.js";
const SOCKET_PATH: &str = "/__dossier/ws";
const SCRIPT: &str = include_str!("live.js");

/// Serves until Ctrl-C.
pub(crate) fn serve(listener: TcpListener, live: Arc<Live>) -> anyhow::Result<()> {
    listener.set_nonblocking(true)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let app = Router::new()
            .route(SCRIPT_PATH, get(script))
            .route(SOCKET_PATH, get(socket))
            .fallback(file)
            .layer(middleware::from_fn_with_state(Arc::clone(&live), guard))
            .with_state(live);
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        anyhow::Ok(())
    })?;
    // Open WebSockets would keep the runtime's threads busy: don't wait.
    runtime.shutdown_background();
    Ok(())
}

/// The host names a request may be addressed to: the loopback names, the
/// bound address and those given with `--allow-host`, in lower case.
pub(crate) fn allowed_hosts(bind: IpAddr, extra: &[String]) -> Vec<String> {
    let mut hosts: Vec<String> = vec!["localhost".into(), "127.0.0.1".into(), "[::1]".into()];
    hosts.push(match bind {
        IpAddr::V4(address) => address.to_string(),
        IpAddr::V6(address) => format!("[{address}]"),
    });
    for name in extra {
        let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
        // An IPv6 address given bare is written in brackets in a Host header.
        let name = match name.parse::<std::net::Ipv6Addr>() {
            Ok(address) => format!("[{address}]"),
            Err(_) => name,
        };
        hosts.push(name);
    }
    hosts
}

/// Refuses, with 403, a request addressed to a host that is not ours and a
/// WebSocket upgrade from another origin; passes the rest on.
async fn guard(State(live): State<Arc<Live>>, request: Request, next: Next) -> Response {
    match refusal(request.headers(), &live.hosts) {
        Some(reason) => {
            let mut response = uncached(StatusCode::FORBIDDEN, "text/plain; charset=utf-8", reason);
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            response
        }
        None => next.run(request).await,
    }
}

/// Why a request must be refused, if it must.
fn refusal(headers: &HeaderMap, hosts: &[String]) -> Option<&'static str> {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return Some("a Host header is required\n");
    };
    if !hosts.iter().any(|allowed| *allowed == host_name(host)) {
        return Some(
            "this preview answers only its own address; see `dossier serve --allow-host`\n",
        );
    }
    // Browsers always send Origin with a WebSocket upgrade, and a page cannot
    // forge it; tools that send none are not a web page.
    let upgrade = headers.get(header::UPGRADE).is_some();
    if let (true, Some(origin)) = (upgrade, headers.get(header::ORIGIN)) {
        let same = origin
            .to_str()
            .ok()
            .and_then(|o| o.strip_prefix("http://"))
            .is_some_and(|authority| authority.eq_ignore_ascii_case(host));
        if !same {
            return Some("the reload socket answers only pages of this preview\n");
        }
    }
    None
}

/// The host of a Host header's `host[:port]`, in lower case.
fn host_name(authority: &str) -> String {
    let host = match authority.strip_prefix('[') {
        // `[::1]:1111`: the brackets belong to the name.
        Some(rest) => rest
            .split_once(']')
            .map_or(authority, |(inside, _)| &authority[..inside.len() + 2]),
        None => authority.split(':').next().unwrap_or(authority),
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

async fn script() -> Response {
    uncached(StatusCode::OK, "text/javascript; charset=utf-8", SCRIPT)
}

async fn socket(upgrade: WebSocketUpgrade, State(live): State<Arc<Live>>) -> Response {
    upgrade.on_upgrade(move |socket| talk(socket, live))
}

/// Tells one tab about every rebuild until it goes away.
async fn talk(mut socket: WebSocket, live: Arc<Live>) {
    let mut events = live.events.subscribe();
    let hello = json!({ "type": "hello", "error": live.site().error }).to_string();
    if socket.send(Message::Text(hello.into())).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            event = events.recv() => {
                let text: String = match event {
                    Ok(text) => text.to_string(),
                    // Missed some: a reload is always right.
                    Err(RecvError::Lagged(_)) => json!({ "type": "reload", "paths": [], "all": true }).to_string(),
                    Err(RecvError::Closed) => break,
                };
                if socket.send(Message::Text(text.into())).await.is_err() {
                    break;
                }
            }
            incoming = socket.recv() => match incoming {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
                Some(Ok(_)) => {}
            },
        }
    }
}

async fn file(State(live): State<Arc<Live>>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let mut response = (StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n").into_response();
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let Some(path) = safe_path(uri.path()) else {
        return (StatusCode::BAD_REQUEST, "bad path\n").into_response();
    };
    let site = live.site();
    let Some(relative) = path.strip_prefix(site.base_path.as_str()) else {
        // The site lives under its base path, as it will when published.
        if path == "/" || format!("{path}/") == site.base_path {
            return redirect(&site.base_path);
        }
        return not_found(&site);
    };
    if let (Some(exports), true) = (&site.exports, Exports::serves(relative)) {
        return export(Arc::clone(exports), relative.to_string()).await;
    }
    match lookup(&site, relative) {
        Lookup::File(name, bytes) => respond(StatusCode::OK, name, bytes),
        Lookup::Folder => redirect(&format!("{path}/")),
        Lookup::Missing => not_found(&site),
    }
}

/// An export, rendered on first request on a blocking thread, so the
/// server keeps answering meanwhile.
async fn export(exports: Arc<Exports>, name: String) -> Response {
    let rendered = tokio::task::spawn_blocking(move || {
        let bytes = exports.get(&name);
        (name, bytes)
    })
    .await;
    match rendered {
        Ok((name, Some(Ok(bytes)))) => respond(StatusCode::OK, &name, &bytes),
        Ok((_, Some(Err(text)))) => uncached(
            StatusCode::INTERNAL_SERVER_ERROR,
            "text/plain; charset=utf-8",
            text,
        ),
        // A file name under /search-index/ that the index does not have.
        Ok((_, None)) => uncached(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "not found\n",
        ),
        Err(_) => uncached(
            StatusCode::INTERNAL_SERVER_ERROR,
            "text/plain; charset=utf-8",
            "export failed\n",
        ),
    }
}

enum Lookup<'a> {
    File(&'a str, &'a Arc<[u8]>),
    /// `x` names a folder: the browser should ask for `x/`.
    Folder,
    Missing,
}

fn lookup<'a>(site: &'a Site, relative: &str) -> Lookup<'a> {
    let name = if relative.is_empty() || relative.ends_with('/') {
        format!("{relative}index.html")
    } else {
        relative.to_string()
    };
    if let Some((name, bytes)) = site.files.get_key_value(name.as_str()) {
        return Lookup::File(name, bytes);
    }
    if site
        .files
        .contains_key(format!("{relative}/index.html").as_str())
    {
        return Lookup::Folder;
    }
    Lookup::Missing
}

fn not_found(site: &Site) -> Response {
    match site.files.get_key_value("404.html") {
        Some((name, bytes)) => respond(StatusCode::NOT_FOUND, name, bytes),
        // Nothing built yet (the first build failed): show why.
        None => {
            let page = format!(
                "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>dossier</title></head>\
                 <body><p>{}</p></body></html>",
                if site.error.is_some() {
                    "The dossier does not build yet."
                } else {
                    "Not found."
                }
            );
            let status = if site.error.is_some() {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::NOT_FOUND
            };
            uncached(status, "text/html; charset=utf-8", inject(page.as_bytes()))
        }
    }
}

fn redirect(to: &str) -> Response {
    let mut response = StatusCode::MOVED_PERMANENTLY.into_response();
    if let Ok(location) = HeaderValue::from_str(to) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

fn respond(status: StatusCode, name: &str, bytes: &Arc<[u8]>) -> Response {
    let kind = content_type(name);
    if kind.starts_with("text/html") {
        return uncached(status, kind, inject(bytes));
    }
    uncached(status, kind, bytes.to_vec())
}

/// Every response of the preview: never cached, so a reload shows the edit.
fn uncached(status: StatusCode, kind: &'static str, body: impl Into<Body>) -> Response {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Adds the live-reload script before `</body>` (or at the end).
fn inject(html: &[u8]) -> Vec<u8> {
    let tag = format!("<script src=\"{SCRIPT_PATH}\" defer></script>");
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// The decoded request path, or None when it could name something outside
/// the site: `..`, encoded dots or separators, backslashes, NUL.
pub(crate) fn safe_path(raw: &str) -> Option<String> {
    if !raw.starts_with('/') || raw.starts_with("//") {
        return None;
    }
    let lower = raw.to_ascii_lowercase();
    if ["%2e", "%2f", "%5c", "%00", "\\"]
        .iter()
        .any(|bad| lower.contains(bad))
    {
        return None;
    }
    let decoded = percent_decode(raw)?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return None;
    }
    if decoded
        .split('/')
        .any(|segment| segment == ".." || segment == ".")
    {
        return None;
    }
    Some(decoded)
}

fn percent_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = raw.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(name: &str) -> &'static str {
    let extension = name.rsplit_once('.').map_or("", |(_, e)| e);
    match extension {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_is_refused() {
        for bad in [
            "/../etc/passwd",
            "/a/../../b",
            "/%2e%2e/x",
            "/%2E%2E/x",
            "/a%2f..%2fb",
            "/a\\b",
            "/a%5cb",
            "/a%00",
            "//etc/passwd",
            "relative",
            "/./x",
            "/%zz",
        ] {
            assert_eq!(safe_path(bad), None, "{bad}");
        }
        assert_eq!(safe_path("/articles/x/").as_deref(), Some("/articles/x/"));
        assert_eq!(safe_path("/a%20b.txt").as_deref(), Some("/a b.txt"));
    }

    #[test]
    fn only_our_own_hosts_and_origins_are_answered() {
        let hosts = allowed_hosts(
            "0.0.0.0".parse().unwrap(),
            &["Preview.Example.".into(), "fe80::1".into()],
        );
        let check = |host: &str, origin: Option<&str>, upgrade: bool| {
            let mut headers = HeaderMap::new();
            headers.insert(header::HOST, HeaderValue::from_str(host).unwrap());
            if let Some(origin) = origin {
                headers.insert(header::ORIGIN, HeaderValue::from_str(origin).unwrap());
            }
            if upgrade {
                headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
            }
            refusal(&headers, &hosts).is_none()
        };
        for host in [
            "127.0.0.1:1111",
            "localhost:1111",
            "LOCALHOST",
            "[::1]:1111",
            "0.0.0.0:1111",
            "preview.example",
            "[fe80::1]:80",
        ] {
            assert!(check(host, None, false), "{host}");
        }
        for host in [
            "rebind.example.com",
            "rebind.example.com:1111",
            "127.0.0.1.evil.example",
            "localhost.evil.example:1111",
            "[::2]:1111",
            "",
        ] {
            assert!(!check(host, None, false), "{host}");
        }
        assert!(check("127.0.0.1:1111", Some("http://127.0.0.1:1111"), true));
        assert!(check("127.0.0.1:1111", None, true), "tools send no Origin");
        for origin in [
            "https://evil.example.com",
            "http://localhost:1111",
            "http://127.0.0.1:2222",
            "null",
        ] {
            assert!(!check("127.0.0.1:1111", Some(origin), true), "{origin}");
        }
        // An Origin on a plain GET is the browser's business (CORS).
        assert!(check(
            "127.0.0.1:1111",
            Some("https://evil.example.com"),
            false
        ));
    }

    #[test]
    fn script_goes_before_the_body_end() {
        let out = inject(b"<html><body><p>x</p></body></html>");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<html><body><p>x</p><script src=\"/__dossier/live.js\" defer></script></body></html>"
        );
    }
}
