//! `serve` in a real browser: headless Chromium, driven over the DevTools
//! protocol, sees an edit appear without anything done in the page.
//!
//! Skips loudly when no Chromium is installed, unless
//! `DOSSIER_REQUIRE_BROWSER=1` (as in CI), where a missing browser fails.

use std::fs;
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

use crate::live::Server;
use crate::support::example;

pub(crate) fn chromium() -> Option<PathBuf> {
    let candidates = [
        std::env::var("CHROMIUM").ok(),
        Some("/usr/bin/chromium".into()),
        Some("/usr/bin/chromium-browser".into()),
        Some("/usr/bin/google-chrome".into()),
    ];
    candidates
        .into_iter()
        .flatten()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

/// A headless browser, killed when dropped.
pub(crate) struct Browser {
    child: Child,
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    session: Option<String>,
    /// DevTools events (messages without an id) received so far.
    pub(crate) events: Vec<Value>,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    pub(crate) fn launch(binary: &PathBuf) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--remote-debugging-port=0",
                "about:blank",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chromium starts");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.find("ws://") {
                    let _ = tx.send(line[at..].trim().to_string());
                }
            }
        });
        // Generous: on two cores busy with the rest of the suite, Chromium
        // once took more than 30 s to start.
        let url = rx
            .recv_timeout(Duration::from_secs(90))
            .expect("chromium prints its DevTools address");
        let (socket, _) = tungstenite::connect(url).expect("DevTools connects");
        Browser {
            child,
            socket,
            next_id: 0,
            session: None,
            events: Vec::new(),
            _profile: profile,
        }
    }

    /// Sends a DevTools command and waits for its answer.
    pub(crate) fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = &self.session {
            message["sessionId"] = json!(session);
        }
        self.socket
            .send(Message::Text(message.to_string().into()))
            .unwrap();
        loop {
            let Message::Text(text) = self.socket.read().expect("DevTools answers") else {
                continue;
            };
            let answer: Value = serde_json::from_str(text.as_str()).unwrap();
            if answer["id"] == id {
                assert!(answer["error"].is_null(), "{method}: {answer}");
                return answer["result"].clone();
            }
            if answer["id"].is_null() {
                self.events.push(answer);
            }
        }
    }

    /// Opens `url` in a new tab and talks to that tab from now on.
    pub(crate) fn open(&mut self, url: &str) {
        let target = self.call("Target.createTarget", json!({ "url": url }));
        let attached = self.call(
            "Target.attachToTarget",
            json!({ "targetId": target["targetId"], "flatten": true }),
        );
        self.session = attached["sessionId"].as_str().map(String::from);
    }

    pub(crate) fn eval(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true }),
        );
        result["result"]["value"].clone()
    }

    /// Evaluates `expression`, waits for it when it is a promise, and returns
    /// its value; panics with the exception when it throws or rejects.
    #[track_caller]
    pub(crate) fn eval_await(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
        );
        assert!(
            result["exceptionDetails"].is_null(),
            "the page threw: {}",
            result["exceptionDetails"]
        );
        result["result"]["value"].clone()
    }

    /// Loads `url` in the current tab and waits until it has loaded.
    #[track_caller]
    pub(crate) fn navigate(&mut self, url: &str) {
        self.call("Page.navigate", json!({ "url": url }));
        self.wait_for(&format!(
            "document.readyState === 'complete' && location.href === {}",
            json!(url)
        ));
    }

    /// Waits until `expression` is true in the page.
    #[track_caller]
    pub(crate) fn wait_for(&mut self, expression: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.eval(expression) == json!(true) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the page never made `{expression}` true");
    }
}

#[test]
fn an_open_page_shows_an_edit_by_itself() {
    let Some(binary) = chromium() else {
        let required = std::env::var("DOSSIER_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "DOSSIER_REQUIRE_BROWSER=1 but no Chromium was found"
        );
        eprintln!("\n*** SKIPPED: no Chromium installed; the browser test did not run ***\n");
        return;
    };
    let dossier = example();
    let server = Server::start(dossier.path(), &[]);
    let mut browser = Browser::launch(&binary);
    let page = format!(
        "http://127.0.0.1:{}/articles/bangladesh-bank-heist/",
        server.port
    );
    browser.open(&page);
    browser.wait_for("document.readyState === 'complete' && document.body.innerText.includes('The night of 4 February 2016')");
    // The live-reload script is connected once the page has loaded.
    std::thread::sleep(Duration::from_millis(500));

    let article = dossier
        .path()
        .join("content/articles/bangladesh-bank-heist.md");
    let text = fs::read_to_string(&article).unwrap();
    fs::write(
        &article,
        text.replacen(
            "## The night of 4 February 2016\n",
            "## The night of 4 February 2016\n\nWritten while the page was open.\n",
            1,
        ),
    )
    .unwrap();
    browser.wait_for("document.body.innerText.includes('Written while the page was open.')");

    // A broken edit puts the errors over the page; fixing it clears them.
    let annotations = dossier
        .path()
        .join("content/articles/bangladesh-bank-heist.annotations.yaml");
    let good = fs::read_to_string(&annotations).unwrap();
    fs::write(
        &annotations,
        good.replacen("asked for about", "asked for aboot", 1),
    )
    .unwrap();
    browser.wait_for(
        "(document.getElementById('dossier-error-overlay')?.innerText ?? '').includes('bangladesh-bank-heist.annotations.yaml:2:10')",
    );
    fs::write(&annotations, good).unwrap();
    browser.wait_for(
        "document.readyState === 'complete' && !document.getElementById('dossier-error-overlay') && document.body.innerText.includes('Written while the page was open.')",
    );
}
