//! The real `handbook serve`, as a child process on 127.0.0.1:0: it is started, the test reads
//! the address it prints, and talks to it over HTTP ([`Served`] is a [`Client`]).
//!
//! ```ignore
//! let server = Served::start(&fixture.root(), &["--drafts"]);
//! fixture.write("content/a.md", "# A\n\nNew.\n");
//! server.wait_for("/a/", "the edit", |reply| reply.body.contains("New."));
//! ```
//!
//! The server runs in its own process group; dropping [`Served`] kills that group (never a
//! process by name) and reaps it.

use super::alone;
use super::http::Client;
use super::process::Group;
use std::ops::Deref;
use std::path::Path;
use std::process::Command;
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use super::http::Reply;

/// How long a test waits for the server to show a change.
pub const PATIENCE: Duration = Duration::from_secs(15);

pub struct Served {
    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub url: String,
    client: Client,
    stdout: Receiver<String>,
    /// Every line the server printed to stderr so far.
    stderr: Arc<Mutex<Vec<String>>>,
    /// Last: the server is killed once the rest is gone.
    group: Group,
}

impl Served {
    /// Starts `handbook serve --root ROOT --port 0 ARGS` and waits until it serves.
    pub fn start(root: &Path, args: &[&str]) -> Served {
        Served::start_with(root, args, |_| {})
    }

    /// [`Served::start`], with the command changed first (an environment variable, a limit).
    pub fn start_with(root: &Path, args: &[&str], change: impl FnOnce(&mut Command)) -> Served {
        let _busy = alone::busy();
        let mut command = Command::new(env!("CARGO_BIN_EXE_handbook"));
        command
            .arg("serve")
            .arg("--root")
            .arg(root)
            .args(["--port", "0"])
            .args(args);
        change(&mut command);
        let mut group = Group::spawn("handbook serve", &mut command);
        let stdout = group.stdout_lines();
        let stderr = group.keep_stderr();
        // "Serving 2 pages at http://127.0.0.1:40123/ (loaded in 3 ms). Watching ..."
        let first = stdout
            .recv_timeout(PATIENCE)
            .unwrap_or_else(|_| panic!("the server printed nothing\n{}", group.output()));
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {first:?}"))
            .trim_end_matches('/')
            .to_string();
        Served {
            client: Client::new(url.trim_start_matches("http://")),
            url,
            stdout,
            stderr,
            group,
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.group.pid()
    }

    /// Everything the server printed so far, as a function for `Browser::on_failure`.
    pub fn printed(&self) -> impl Fn() -> String + 'static {
        self.group.printed()
    }

    /// The next line of stdout, if one comes within `wait`.
    pub fn next_line(&self, wait: Duration) -> Option<String> {
        self.stdout.recv_timeout(wait).ok()
    }

    /// Reads stdout until a line contains `text`; returns the lines read, that one last.
    pub fn wait_line(&self, text: &str) -> Vec<String> {
        let deadline = Instant::now() + PATIENCE;
        let mut lines = Vec::new();
        while let Some(line) = self.next_line(deadline.saturating_duration_since(Instant::now())) {
            let done = line.contains(text);
            lines.push(line);
            if done {
                return lines;
            }
        }
        panic!(
            "the server never printed {text:?}; it printed {lines:?}; stderr: {:?}",
            self.errors()
        );
    }

    /// Stdout lines printed within `wait` from now.
    pub fn lines_for(&self, wait: Duration) -> Vec<String> {
        let deadline = Instant::now() + wait;
        let mut lines = Vec::new();
        while let Some(line) = self.next_line(deadline.saturating_duration_since(Instant::now())) {
            lines.push(line);
        }
        lines
    }

    /// Every line of stderr so far.
    pub fn errors(&self) -> Vec<String> {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits up to `within` (looking every 20 ms) for a stderr line that `matches`; panics
    /// with stderr if none comes.
    pub fn wait_error(&self, within: Duration, matches: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + within;
        while !self.errors().iter().any(|l| matches(l)) {
            assert!(Instant::now() < deadline, "{:?}", self.errors());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// GETs `path` until `done` says yes; panics with the last response after [`PATIENCE`].
    pub fn wait_for(&self, path: &str, what: &str, done: impl Fn(&Reply) -> bool) -> Reply {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let reply = self.get(path);
            if done(&reply) {
                return reply;
            }
            if Instant::now() > deadline {
                panic!(
                    "{path} never showed {what}: status {}, body:\n{}\nstderr: {:?}",
                    reply.status,
                    reply.body,
                    self.errors()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// `server.get(path)`, `server.events()`, ...: the server's [`Client`].
impl Deref for Served {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

/// `router` (a [`handbook::serve::App`]'s) served on a free port of 127.0.0.1 in this process,
/// by a runtime of its own that ends with the test process: for tests of the server as a value,
/// without spawning the binary.
pub fn in_process(router: axum::Router) -> Client {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, router).await.unwrap();
        });
    });
    Client::new(address.to_string())
}
