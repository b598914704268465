//! Save-to-reload latency of `dossier serve`: the time from an annotation
//! file being written to the reload message reaching a connected tab, at
//! several saving rhythms: 200 ms apart (a burst), 2 s and 5 s apart (an
//! author's pace). Work the server does between saves (anything started
//! after a pause) only shows at the slower rhythms, so each is reported.
//! Then the article itself is edited a few times each way (a paragraph
//! added, its title, a tag no item had), since some edits cost far more
//! than a note and a benchmark of notes alone would hide them.
//!
//!     cargo bench --bench serve_latency                 # example + 10,000 articles
//!     cargo bench --bench serve_latency -- --articles 1000
//!     DOSSIER_BIN=../old/target/release/dossier cargo bench --bench serve_latency
//!
//! The synthetic corpus comes from `bench/gen_corpus.py` (about 600 words,
//! one to three code blocks and 10 annotations per article) and is cached
//! under `target/bench/corpus-N-a10`. Results go to stdout; `docs/performance.md`
//! records them.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// (time from one save to the next, number of saves) for each rhythm.
const RHYTHMS: [(Duration, usize); 3] = [
    (Duration::from_millis(200), 30),
    (Duration::from_secs(2), 12),
    (Duration::from_secs(5), 8),
];

/// Edits of the article itself besides the notes, each saved a few times
/// 2 s apart (or right after the previous reload, when that is later):
/// some cost far more than a note, which a benchmark of notes alone hides.
#[derive(Clone, Copy)]
enum ArticleEdit {
    Body,
    Title,
    NewTag,
}

impl ArticleEdit {
    const ALL: [(ArticleEdit, &str, usize); 3] = [
        (ArticleEdit::Body, "a paragraph added to the article", 5),
        (ArticleEdit::Title, "the article's title", 3),
        (ArticleEdit::NewTag, "a tag no item had, on the article", 3),
    ];

    /// The article's text after save `i` of this edit.
    fn apply(self, original: &str, i: usize) -> String {
        match self {
            ArticleEdit::Body => format!("{original}\nA closing paragraph, save {i}.\n"),
            ArticleEdit::Title => {
                original.replacen("title: \"", &format!("title: \"Save {i}: "), 1)
            }
            ArticleEdit::NewTag => {
                original.replacen("tags: [", &format!("tags: [benchmark-tag-{i}, "), 1)
            }
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let articles = args
        .iter()
        .position(|a| a == "--articles")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));

    let example = tempfile::tempdir().unwrap();
    copy_dir(&repo.join("content"), &example.path().join("content"));
    std::fs::copy(
        repo.join("dossier.yaml"),
        example.path().join("dossier.yaml"),
    )
    .unwrap();
    measure(
        "example dossier",
        example.path(),
        "content/articles/bangladesh-bank-heist.annotations.yaml",
        "/articles/bangladesh-bank-heist/",
    );

    // The same cached corpus as `bench/compare`'s annotated one; the
    // generator leaves it alone when its parameters and source are unchanged.
    let corpus = repo.join(format!("target/bench/corpus-{articles}-a10"));
    let status = Command::new("python3")
        .arg(repo.join("bench/gen_corpus.py"))
        .arg(&corpus)
        .args([
            "--articles",
            &articles.to_string(),
            "--annotations",
            "10",
            "--cached",
        ])
        .status()
        .expect("python3 runs bench/gen_corpus.py");
    assert!(status.success());
    let id = first_annotated_article(&corpus);
    measure(
        &format!("{articles} articles, {} annotations", articles * 10),
        &corpus,
        &format!("content/articles/{id}.annotations.yaml"),
        &format!("/articles/{id}/"),
    );
}

/// The id of the first article, by file name, that has annotations.
fn first_annotated_article(root: &Path) -> String {
    let mut ids: Vec<String> = std::fs::read_dir(root.join("content/articles"))
        .unwrap()
        .filter_map(|entry| {
            let name = entry.unwrap().file_name().into_string().ok()?;
            name.strip_suffix(".annotations.yaml").map(str::to_string)
        })
        .collect();
    ids.sort();
    ids.into_iter()
        .next()
        .expect("the corpus has annotated articles")
}

fn measure(name: &str, root: &Path, file: &str, page: &str) {
    let started = Instant::now();
    let server = Server::start(root);
    println!(
        "{name}: initial build and start {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let mut socket = connect(server.port);
    let path = root.join(file);
    let original = std::fs::read_to_string(&path).unwrap();
    let mut save = 0;
    for (gap, saves) in RHYTHMS {
        let mut samples = Vec::with_capacity(saves);
        for _ in 0..saves {
            save += 1;
            let edited = edit_note(&original, save);
            samples.push(save_and_wait(&mut socket, &path, &edited, page));
            // The next save comes `gap` after this one, whatever the server does.
            let spent = samples.last().copied().unwrap_or_default();
            std::thread::sleep(gap.saturating_sub(spent));
        }
        report(
            name,
            &format!("saves {} ms apart", gap.as_millis()),
            &mut samples,
        );
    }
    std::fs::write(&path, original).unwrap();

    let article = root.join(file.replace(".annotations.yaml", ".md"));
    let text = std::fs::read_to_string(&article).unwrap();
    for (edit, label, saves) in ArticleEdit::ALL {
        let mut samples = Vec::with_capacity(saves);
        for _ in 0..saves {
            save += 1;
            let edited = edit.apply(&text, save);
            samples.push(save_and_wait(&mut socket, &article, &edited, page));
            let spent = samples.last().copied().unwrap_or_default();
            std::thread::sleep(Duration::from_secs(2).saturating_sub(spent));
        }
        std::fs::write(&article, &text).unwrap();
        // The restored article rebuilds too: let that pass end first.
        std::thread::sleep(
            Duration::from_secs(2) + samples.iter().max().copied().unwrap_or_default(),
        );
        report(name, label, &mut samples);
    }
}

/// An annotations file with a marker in its first note: a marker line
/// opens a block note (`note: |`), or starts a quoted one; an annotation
/// without a note gets one.
fn edit_note(original: &str, i: usize) -> String {
    if original.contains("note: |\n") {
        original.replacen("note: |\n", &format!("note: |\n    Save {i}.\n"), 1)
    } else if original.contains("note: \"") {
        original.replacen("note: \"", &format!("note: \"Save {i}. "), 1)
    } else {
        original.replacen("quote:", &format!("note: \"Save {i}.\"\n  quote:"), 1)
    }
}

/// Saves `edited` to `path`; the time until the reload message naming
/// `page` arrives.
fn save_and_wait(socket: &mut Socket, path: &Path, edited: &str, page: &str) -> Duration {
    drain(socket);
    std::fs::write(path, edited).unwrap();
    let saved = Instant::now();
    loop {
        let message = next(socket, Duration::from_secs(60)).expect("a reload within 60 s");
        let reloads_page = message["type"] == "reload"
            && message["paths"]
                .as_array()
                .is_some_and(|p| p.iter().any(|p| p == page));
        if reloads_page {
            return saved.elapsed();
        }
    }
}

fn report(name: &str, what: &str, samples: &mut [Duration]) {
    samples.sort();
    let n = samples.len();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name}: {what}, save to reload over {n} saves: median {:.1} ms, p90 {:.1} ms, min {:.1} ms, max {:.1} ms",
        ms(samples[n / 2]),
        ms(samples[n * 9 / 10]),
        ms(samples[0]),
        ms(samples[n - 1])
    );
}

struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(root: &Path) -> Server {
        // DOSSIER_BIN measures another build of the program (an older
        // commit, say) against the same corpus and rhythms.
        let program =
            std::env::var_os("DOSSIER_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_dossier").into());
        let mut child = Command::new(program)
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dossier serve starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let port = loop {
            let line = lines.next().expect("serve prints its URL").unwrap();
            if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                break digits.parse().unwrap();
            }
        };
        // Keep reading so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, port }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

type Socket = WebSocket<MaybeTlsStream<TcpStream>>;

fn connect(port: u16) -> Socket {
    let (mut socket, _) =
        tungstenite::connect(format!("ws://127.0.0.1:{port}/__dossier/ws")).unwrap();
    if let MaybeTlsStream::Plain(stream) = socket.get_mut() {
        stream
            .set_read_timeout(Some(Duration::from_millis(20)))
            .unwrap();
    }
    socket
}

fn next(socket: &mut Socket, within: Duration) -> Option<Value> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        match socket.read() {
            Ok(Message::Text(text)) => return serde_json::from_str(text.as_str()).ok(),
            Ok(_) => {}
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => panic!("socket: {e}"),
        }
    }
    None
}

fn drain(socket: &mut Socket) {
    while next(socket, Duration::from_millis(30)).is_some() {}
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target: PathBuf = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
