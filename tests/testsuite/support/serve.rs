//! The real `handbook serve`, as a child process on 127.0.0.1:0, and an HTTP client for it.
//!
//! The server runs in its own process group; dropping [`Served`] kills that group (never a
//! process by name) and reaps it.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a test waits for the server to show a change.
pub const PATIENCE: Duration = Duration::from_secs(15);

pub struct Served {
    child: Child,
    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub url: String,
    stdout: Receiver<String>,
    /// Every line the server printed to stderr so far.
    pub stderr: Arc<Mutex<Vec<String>>>,
    agent: ureq::Agent,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl Served {
    /// Starts `handbook serve --root ROOT --port 0 ARGS` and waits until it serves.
    pub fn start(root: &Path, args: &[&str]) -> Served {
        Served::start_with(root, args, |_| {})
    }

    /// [`Served::start`], with the command changed first (an environment variable, a limit).
    pub fn start_with(root: &Path, args: &[&str], change: impl FnOnce(&mut Command)) -> Served {
        let mut command = Command::new(env!("CARGO_BIN_EXE_handbook"));
        command
            .arg("serve")
            .arg("--root")
            .arg(root)
            .args(["--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        change(&mut command);
        let mut child = command.spawn().expect("start handbook serve");
        let (tx, stdout) = std::sync::mpsc::channel();
        let out = child.stdout.take().expect("piped stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let err = child.stderr.take().expect("piped stderr");
        let lines = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line);
            }
        });
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        let mut served = Served {
            child,
            url: String::new(),
            stdout,
            stderr,
            agent,
        };
        let first = served
            .next_line(PATIENCE)
            .unwrap_or_else(|| panic!("the server printed nothing; stderr: {:?}", served.errors()));
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {first:?}"));
        served.url = url.trim_end_matches('/').to_string();
        served
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `host:port` of the server, to connect to.
    pub fn address(&self) -> &str {
        self.url.trim_start_matches("http://")
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

    pub fn get(&self, path: &str) -> Reply {
        self.request("GET", path, &[])
    }

    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
        let url = format!("{}{path}", self.url);
        let mut request = ureq::http::Request::builder().method(method).uri(&url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(()).unwrap();
        let mut response = self
            .agent
            .run(request)
            .unwrap_or_else(|err| panic!("{method} {url}: {err}"));
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let body = response
            .body_mut()
            .read_to_string()
            .unwrap_or_else(|err| panic!("{method} {url}: reading the body: {err}"));
        Reply {
            status,
            headers,
            body,
        }
    }

    /// Sends `raw` bytes as they are (for paths a client library would clean up) and returns
    /// the status and the whole response.
    pub fn raw(&self, request_line_path: &str) -> (u16, String) {
        let address = self.url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            "GET {request_line_path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
        let text = String::from_utf8_lossy(&response).to_string();
        let status = text
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, text)
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

    /// A live-reload connection, as a page's script opens it.
    pub fn events(&self) -> Events {
        let url = format!("{}/__handbook/events", self.url);
        let response = self
            .agent
            .get(&url)
            .call()
            .unwrap_or_else(|err| panic!("GET {url}: {err}"));
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let reader = BufReader::new(response.into_body().into_reader());
            let mut name = String::new();
            for line in reader.lines().map_while(Result::ok) {
                if let Some(event) = line.strip_prefix("event:") {
                    name = event.trim().to_string();
                } else if let Some(data) = line.strip_prefix("data:")
                    && tx.send((name.clone(), data.trim().to_string())).is_err()
                {
                    break;
                }
            }
        });
        Events(rx)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        // SAFETY: kill(2) with the negated pid of the process group this test started.
        unsafe {
            libc::kill(-(self.child.id() as i32), libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

/// Server-sent events: (event name, data).
pub struct Events(Receiver<(String, String)>);

impl Events {
    /// The next event within [`PATIENCE`].
    pub fn next(&self) -> (String, String) {
        self.0
            .recv_timeout(PATIENCE)
            .expect("no live-reload event came")
    }

    /// Events until one named `name`; returns its data.
    pub fn until(&self, name: &str) -> String {
        loop {
            let (event, data) = self.next();
            if event == name {
                return data;
            }
        }
    }

    /// Every event that comes within `wait`.
    pub fn within(&self, wait: Duration) -> Vec<(String, String)> {
        let deadline = Instant::now() + wait;
        let mut events = Vec::new();
        while let Ok(event) = self
            .0
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            events.push(event);
        }
        events
    }
}
