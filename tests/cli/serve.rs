//! `dossier serve` (SPEC.md section 6): live reload after edits, the error
//! overlay over the last good page, safe paths, and a served site that
//! always equals a fresh build of the same files.

use std::fs;
use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::live::{Server, save_by_rename, strip_script};
use crate::support::{assert_same_files, edit, example, run, snapshot};

const ARTICLE: &str = "content/articles/bangladesh-bank-heist.md";
const ANNOTATIONS: &str = "content/articles/bangladesh-bank-heist.annotations.yaml";
const PAGE: &str = "/articles/bangladesh-bank-heist/";

#[test]
fn an_edit_reloads_the_tab_and_the_page_holds_the_new_text() {
    let dossier = example();
    let server = Server::start(dossier.path(), &[]);
    let mut socket = server.socket();
    assert!(!server.page(PAGE).contains("freshly written sentence"));

    edit(
        dossier.path(),
        ARTICLE,
        "## The night of 4 February 2016\n",
        "## The night of 4 February 2016\n\nA freshly written sentence.\n",
    );
    let reload = socket.expect("reload");
    let paths: Vec<&str> = reload["paths"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .collect();
    assert!(paths.contains(&PAGE), "{reload}");
    assert!(server.page(PAGE).contains("A freshly written sentence."));
}

#[test]
fn a_save_by_rename_is_seen() {
    let dossier = example();
    let server = Server::start(dossier.path(), &[]);
    let mut socket = server.socket();
    let path = dossier.path().join(ANNOTATIONS);
    let text = fs::read_to_string(&path).unwrap();
    let changed = text.replacen(
        "of which\n    about US$81 million was lost.",
        "Renamed into place by the editor.",
        1,
    );
    assert_ne!(text, changed);
    save_by_rename(&path, &changed);
    socket.expect("reload");
    assert!(
        server
            .page(PAGE)
            .contains("Renamed into place by the editor.")
    );
}

#[test]
fn a_broken_edit_shows_the_errors_and_keeps_the_last_good_page() {
    let dossier = example();
    let server = Server::start(dossier.path(), &[]);
    let mut socket = server.socket();
    let good = server.page(PAGE);

    edit(
        dossier.path(),
        ANNOTATIONS,
        "quote: \"Together they asked for about US$951 million.\"",
        "quote: \"Together they asked for aboot US$951 million.\"",
    );
    let error = socket.expect("error");
    let text = error["text"].as_str().unwrap();
    assert!(
        text.contains("content/articles/bangladesh-bank-heist.annotations.yaml:2:10"),
        "{text}"
    );
    assert!(text.contains("quote not found"), "{text}");
    assert_eq!(server.page(PAGE), good, "the last good page stays served");

    // A tab opened now learns about the errors at once.
    let (late, hello) = server.connect();
    assert!(hello["error"].as_str().unwrap().contains("quote not found"));
    drop(late);

    edit(dossier.path(), ANNOTATIONS, "aboot", "about");
    let reload = socket.expect("reload");
    assert_eq!(reload["all"], true, "fixing clears the overlay everywhere");
    assert_eq!(server.page(PAGE), good);
}

#[test]
fn paths_outside_the_site_are_refused() {
    let dossier = example();
    let server = Server::start(dossier.path(), &[]);
    for path in [
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E%2Fetc%2Fpasswd",
        "/articles/..%5c..%5cdossier.yaml",
        "/articles\\..\\dossier.yaml",
        "/..%2f..%2fdossier.yaml",
    ] {
        let (status, body) = server.request("GET", path);
        assert!(
            status == 400 || status == 404,
            "{path}: {status} {}",
            String::from_utf8_lossy(&body)
        );
        assert!(!String::from_utf8_lossy(&body).contains("title:"));
    }
    let (status, _) = server.request("GET", "/dossier.yaml");
    assert_eq!(status, 404);
    let (status, _) = server.request("GET", "/content/articles/bangladesh-bank-heist.md");
    assert_eq!(status, 404);
    let (status, _) = server.request("POST", "/");
    assert_eq!(status, 405);
    let (status, body) = server.request("HEAD", PAGE);
    assert_eq!((status, body.len()), (200, 0));
}

/// DNS rebinding: a page on another host name pointed at 127.0.0.1 must not
/// read the preview, and a page of another origin must not open the reload
/// socket, which carries the error overlay's source lines.
#[test]
fn only_the_preview_own_host_and_origin_are_answered() {
    let dossier = example();
    let server = Server::start(
        dossier.path(),
        &["--tlp", "amber", "--allow-host", "preview.example"],
    );
    let restricted = "/articles/grey-lantern-assessment/";
    let port = server.port.to_string();
    for host in ["127.0.0.1", "localhost", "[::1]", "preview.example"] {
        let (status, body) =
            server.request_with("GET", restricted, &[("Host", &format!("{host}:{port}"))]);
        assert_eq!(status, 200, "{host}");
        assert!(String::from_utf8_lossy(&body).contains("GREY LANTERN"));
    }
    for host in [
        "rebind.example.com".to_string(),
        format!("rebind.example.com:{port}"),
        format!("localhost.rebind.example:{port}"),
        format!("127.0.0.1.rebind.example:{port}"),
    ] {
        let (status, body) = server.request_with("GET", restricted, &[("Host", &host)]);
        assert_eq!(status, 403, "{host}");
        assert!(
            !String::from_utf8_lossy(&body).contains("GREY LANTERN"),
            "{host}"
        );
    }
    let (status, _) = server.request_with("GET", restricted, &[]);
    assert_eq!(status, 403, "no Host header");

    let upgrade = |origin: &str| {
        let mut request = tungstenite::client::IntoClientRequest::into_client_request(format!(
            "ws://127.0.0.1:{port}/__dossier/ws"
        ))
        .unwrap();
        request
            .headers_mut()
            .insert("Origin", origin.parse().unwrap());
        match tungstenite::connect(request) {
            Ok(_) => 101,
            Err(tungstenite::Error::Http(response)) => response.status().as_u16(),
            Err(e) => panic!("{e}"),
        }
    };
    assert_eq!(upgrade(&format!("http://127.0.0.1:{port}")), 101);
    assert_eq!(
        upgrade(&format!("http://preview.example:{port}")),
        403,
        "another origin than the page's host"
    );
    assert_eq!(upgrade("https://evil.example.com"), 403);
    assert_eq!(upgrade("null"), 403);
}

#[test]
fn exports_are_served_and_follow_edits() {
    let dossier = example();
    let root = dossier.path();
    let server = Server::start(root, &[]);
    let mut socket = server.socket();
    let (status, body) = server.get("/dossier.json");
    assert_eq!(status, 200);
    assert!(!body.contains("renamed in the preview"));
    edit(
        root,
        "content/incidents/bangladesh-bank-2016.yaml",
        "title: \"",
        "title: \"Renamed in the preview ",
    );
    socket.expect("reload");
    // Nothing starts once the saves pause (an exports refresh used to, and
    // held back the next rebuild for seconds on a large dossier): the
    // exports are made when asked for. A save can reach the watcher as two
    // batches of events (the write, then the close) when the machine is
    // busy; the second is a pass that finds nothing to change, which is
    // all that may arrive.
    while let Some(message) = socket.next(Duration::from_millis(1500)) {
        assert_eq!(
            message["type"], "unchanged",
            "after the saves pause: {message}"
        );
    }
    for path in [
        "/dossier.json",
        "/timeline.json",
        "/stix.json",
        "/attack-layer.json",
        "/entities/lazarus-group/attack-layer.json",
    ] {
        let (status, body) = server.get(path);
        assert_eq!(status, 200, "{path}");
        assert!(
            body.contains("Renamed in the preview"),
            "{path} follows the edit"
        );
    }
    // Only actors and malware have a layer.
    for path in [
        "/entities/nhs/attack-layer.json",
        "/entities/no-such-entity/attack-layer.json",
        "/entities/lazarus-group/x/attack-layer.json",
    ] {
        assert_eq!(server.get(path).0, 404, "{path}");
    }
}

#[test]
fn ctrl_c_stops_the_server_cleanly() {
    let dossier = example();
    let mut server = Server::start(dossier.path(), &[]);
    let _tab = server.socket();
    assert_eq!(server.interrupt(), Some(0));
    assert!(
        !dossier.path().join("public").exists(),
        "serve never writes the build output"
    );
}

#[test]
fn a_busy_port_is_a_clear_error() {
    let dossier = example();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = run(dossier.path(), &["serve", "--port", &port]);
    out.assert_code(1);
    assert!(
        out.stderr
            .contains(&format!("port {port} is already in use")),
        "{}",
        out.stderr
    );
}

/// Builds the dossier before any edit into a folder of its own, so that a
/// later build there carries unchanged files over (`.dossier-cache/site.json`).
fn build_before_edits(root: &Path) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    run(root, &["build", "--output", public.to_str().unwrap()]).assert_code(0);
    out
}

/// Fetches every file a fresh build writes from the server and compares.
/// Each file gets a few seconds to match, in case a rebuild is still under
/// way. The site is built twice: again into the folder of
/// [`build_before_edits`], carrying over what the edits left unchanged
/// and with the highlight cache, then cold, without any cache; both must
/// write the same bytes.
fn assert_serves_a_fresh_build(server: &Server, root: &Path, before: &tempfile::TempDir) {
    let public = before.path().join("public");
    run(root, &["build", "--output", public.to_str().unwrap()]).assert_code(0);
    let built = snapshot(&public);
    let _ = fs::remove_dir_all(root.join(".dossier-cache"));
    let cold = before.path().join("cold");
    run(root, &["build", "--output", cold.to_str().unwrap()]).assert_code(0);
    assert_same_files(
        &snapshot(&cold),
        &built,
        "a build carrying over unchanged files against a cold one",
    );
    for (path, bytes) in &built {
        if path == ".dossier-build" || path == ".nojekyll" || path.ends_with('/') {
            continue;
        }
        let expected = String::from_utf8_lossy(bytes);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let (status, served) = server.request("GET", &format!("/{path}"));
            let served = String::from_utf8_lossy(&served);
            if status == 200 && strip_script(&served) == expected {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{path} differs from a fresh build (status {status})"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

#[test]
fn after_a_series_of_edits_the_served_site_equals_a_fresh_build() {
    let dossier = example();
    let root = dossier.path();
    let before = build_before_edits(root);
    let server = Server::start(root, &[]);
    let mut socket = server.socket();

    // A note changes.
    edit(
        root,
        ANNOTATIONS,
        "million was lost.",
        "million was lost (edited).",
    );
    socket.expect("reload");
    // An incident's title changes: pages that list or reference it follow.
    edit(
        root,
        "content/incidents/bangladesh-bank-2016.yaml",
        "title: \"",
        "title: \"Renamed ",
    );
    socket.expect("reload");
    // A new entity, and an annotation that names it.
    fs::write(
        root.join("content/entities/new-bank.yaml"),
        "name: \"A new bank\"\nkind: organisation\n",
    )
    .unwrap();
    socket.expect("reload");
    edit(
        root,
        ANNOTATIONS,
        "entities: [bangladesh-bank]",
        "entities: [bangladesh-bank, new-bank]",
    );
    socket.expect("reload");
    // A new article, then an article removed.
    fs::write(
        root.join("content/articles/late-note.md"),
        "---\ntitle: A late note\npublished: 2020-01-02\n---\nIt links [the heist](@bangladesh-bank-2016).\n",
    )
    .unwrap();
    socket.expect("reload");
    fs::remove_file(root.join("content/articles/wannacry-and-hidden-cobra.md")).unwrap();
    fs::remove_file(root.join("content/articles/wannacry-and-hidden-cobra.annotations.yaml"))
        .unwrap();
    socket.expect("reload");
    // Config: the site title.
    edit(root, "dossier.yaml", "title: \"", "title: \"Edited ");
    socket.expect("reload");

    settle(&mut socket);
    assert_serves_a_fresh_build(&server, root, &before);
    let (status, _) = server.request("GET", "/articles/wannacry-and-hidden-cobra/");
    assert_eq!(status, 404, "a deleted article is gone");
}

#[test]
fn templates_and_static_folders_created_after_start_are_watched() {
    let dossier = example();
    let root = dossier.path();
    let server = Server::start(root, &[]);
    let mut socket = server.socket();

    fs::create_dir(root.join("static")).unwrap();
    fs::write(root.join("static/notice.txt"), "hello from static\n").unwrap();
    socket.expect("reload");
    assert_eq!(server.get("/notice.txt").1, "hello from static\n");

    fs::create_dir(root.join("templates")).unwrap();
    fs::write(
        root.join("templates/404.html"),
        "<!doctype html><html lang=\"en\"><head><title>x</title></head><body>Custom missing page</body></html>",
    )
    .unwrap();
    socket.expect("reload");
    let (status, body) = server.get("/no/such/page");
    assert_eq!(status, 404);
    assert!(body.contains("Custom missing page"), "{body}");

    // A stylesheet-only change swaps the CSS without a reload.
    fs::write(root.join("static/style.css"), "body { color: black; }\n").unwrap();
    let css = socket.expect("css");
    assert_eq!(css["paths"][0], "/style.css");
    assert_eq!(server.get("/style.css").1, "body { color: black; }\n");
}

#[test]
fn many_saves_and_many_tabs_leave_a_right_site_and_no_leaks() {
    let dossier = example();
    let root = dossier.path();
    let built = build_before_edits(root);
    let server = Server::start(root, &[]);
    let mut first = server.socket();
    let mut tabs: Vec<_> = (0..19).map(|_| server.socket()).collect();
    settle(&mut first);
    let before = resources(server.pid());

    let path = root.join(ANNOTATIONS);
    let original = fs::read_to_string(&path).unwrap();
    let started = Instant::now();
    for i in 0..200 {
        let text = original.replacen(
            "million was lost.",
            &format!("million was lost (save {i})."),
            1,
        );
        if i % 2 == 0 {
            fs::write(&path, text).unwrap();
        } else {
            save_by_rename(&path, &text);
        }
        std::thread::sleep(Duration::from_millis(15));
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "200 saves within 5 seconds"
    );
    settle(&mut first);
    assert!(server.page(PAGE).contains("million was lost (save 199)."));
    for tab in &mut tabs {
        // Every tab is still connected and was told to reload.
        let mut reloaded = false;
        while let Some(message) = tab.next(Duration::from_millis(50)) {
            reloaded |= message["type"] == "reload";
        }
        assert!(reloaded);
    }
    drop(tabs);
    settle(&mut first);
    let after = resources(server.pid());
    assert!(
        after.threads <= before.threads + 2,
        "threads: {before:?} -> {after:?}"
    );
    assert!(
        after.files <= before.files + 4,
        "files: {before:?} -> {after:?}"
    );
    assert_serves_a_fresh_build(&server, root, &built);
}

/// Waits until no message arrives for a while: the last rebuild is done.
fn settle(socket: &mut crate::live::Socket) {
    while socket.next(Duration::from_millis(700)).is_some() {}
}

#[derive(Debug, Clone, Copy)]
struct Resources {
    threads: usize,
    files: usize,
}

/// Threads and open file descriptors of a process (Linux).
fn resources(pid: u32) -> Resources {
    let count = |dir: String| fs::read_dir(dir).map(|d| d.count()).unwrap_or(0);
    Resources {
        threads: count(format!("/proc/{pid}/task")),
        files: count(format!("/proc/{pid}/fd")),
    }
}

#[test]
fn a_dossier_broken_from_the_start_is_served_once_fixed() {
    let dossier = example();
    let root = dossier.path();
    edit(root, ANNOTATIONS, "asked for about", "asked for aboot");
    let server = Server::start(root, &[]);
    let (mut socket, hello) = server.connect();
    assert!(
        hello["error"].as_str().unwrap().contains("quote not found"),
        "{hello}"
    );
    let (status, body) = server.get("/");
    assert_eq!(status, 503, "{body}");
    assert!(
        body.contains(crate::live::SCRIPT_TAG),
        "the error page reloads itself"
    );

    edit(root, ANNOTATIONS, "asked for aboot", "asked for about");
    let reload = socket.expect("reload");
    assert_eq!(reload["all"], true);
    assert!(server.page(PAGE).contains("Together they asked for about"));
}
