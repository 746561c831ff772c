//! A built site served over HTTP the way Netlify serves it, for browser tests: a folder on
//! 127.0.0.1 (a free port), `/x/` answered with `x/index.html`, `/x` redirected to `/x/` when
//! `x/` is a folder, the rules of the `_headers` the build wrote applied (values of one header
//! from several matching rules joined with `, `, as Netlify does), the `_redirects` rules
//! (exact paths only: handbook writes no others) applied before files when forced (`301!`) and
//! after them otherwise, and `404.html` (status 404) for anything else.
//!
//! ```ignore
//! let server = StaticServer::start(&site.out);
//! browser.goto(&server.url("/engineering/")).await;
//! ```
//!
//! Plain threads and blocking sockets, one connection per request (`Connection: close`): no
//! async runtime needed. Dropping the server stops it. [`Listener`], what it is built on, serves
//! anything else a test needs to answer over HTTP.
//!
//! Std, `percent_encoding` and `mime_guess` only: benches/search.rs includes this file too.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// One rule of `_headers`: a path (exact, or ending in `/*` for everything below) and its
/// headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderRule {
    pub path: String,
    pub headers: Vec<(String, String)>,
}

impl HeaderRule {
    /// Netlify's matching: the exact path, or for `/x/*` any path starting with `/x/`.
    pub fn matches(&self, path: &str) -> bool {
        match self.path.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => self.path == path,
        }
    }
}

/// Parses a `_headers` file: a path line, then its headers indented as `Name: value`. Blank
/// lines and `#` comments are skipped. Panics on a line that is neither.
pub fn parse_headers(text: &str) -> Vec<HeaderRule> {
    let mut rules: Vec<HeaderRule> = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if !line.starts_with([' ', '\t']) {
            assert!(
                trimmed.starts_with('/'),
                "_headers line {}: a path must start with `/`: {line:?}",
                number + 1
            );
            rules.push(HeaderRule {
                path: trimmed.to_string(),
                headers: Vec::new(),
            });
            continue;
        }
        let (name, value) = trimmed
            .split_once(':')
            .unwrap_or_else(|| panic!("_headers line {}: not `Name: value`: {line:?}", number + 1));
        let rule = rules
            .last_mut()
            .unwrap_or_else(|| panic!("_headers line {}: a header before any path", number + 1));
        rule.headers
            .push((name.trim().to_string(), value.trim().to_string()));
    }
    rules
}

/// The headers Netlify sends for `path`: those of every matching rule, in file order, the
/// values of a name set by several rules joined with `, `.
pub fn headers_for(rules: &[HeaderRule], path: &str) -> Vec<(String, String)> {
    let mut merged: Vec<(String, String)> = Vec::new();
    for rule in rules.iter().filter(|r| r.matches(path)) {
        for (name, value) in &rule.headers {
            match merged
                .iter_mut()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
            {
                Some((_, existing)) => {
                    existing.push_str(", ");
                    existing.push_str(value);
                }
                None => merged.push((name.clone(), value.clone())),
            }
        }
    }
    merged
}

/// One rule of `_redirects`: `from to status`, `forced` when the status ends with `!`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    pub from: String,
    pub to: String,
    pub status: u16,
    pub forced: bool,
}

/// Parses a `_redirects` file (`from to [status[!]]` per line; `#` comments).
pub fn parse_redirects(text: &str) -> Vec<Redirect> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            assert!(
                fields.len() >= 2,
                "_redirects: not `from to [status]`: {line:?}"
            );
            let status = fields.get(2).copied().unwrap_or("301");
            Redirect {
                from: fields[0].to_string(),
                to: fields[1].to_string(),
                status: status.trim_end_matches('!').parse().unwrap_or(301),
                forced: status.ends_with('!'),
            }
        })
        .collect()
}

/// A server on 127.0.0.1 (a free port) that hands each connection to `answer`, on a thread of
/// its own; stopped when dropped (the accepting thread ends; a connection's thread ends with
/// its answer). [`StaticServer`] is one; so are the servers the external link checker is
/// tested against.
pub struct Listener {
    address: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Listener {
    pub fn start(answer: impl Fn(TcpStream) + Send + Sync + 'static) -> Listener {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port on 127.0.0.1");
        let address = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let answer = Arc::new(answer);
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let answer = answer.clone();
                std::thread::spawn(move || answer(stream));
            }
        });
        Listener {
            address,
            stop,
            thread: Some(thread),
        }
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The full URL of a path: `url("/x/")` is `http://127.0.0.1:PORT/x/`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop up so that it sees the flag.
        let _ = TcpStream::connect(self.address);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A running server of a built site; stopped when dropped.
pub struct StaticServer {
    listener: Listener,
    log: Arc<Mutex<Vec<String>>>,
}

struct Site {
    root: PathBuf,
    headers: Vec<HeaderRule>,
    redirects: Vec<Redirect>,
}

impl StaticServer {
    /// Serves the built site in `root` (an output folder), with its `_headers` and
    /// `_redirects` as they are now.
    pub fn start(root: &Path) -> StaticServer {
        let read = |name: &str| std::fs::read_to_string(root.join(name)).unwrap_or_default();
        StaticServer::serve(Site {
            root: root.to_path_buf(),
            headers: parse_headers(&read("_headers")),
            redirects: parse_redirects(&read("_redirects")),
        })
    }

    /// [`StaticServer::start`] without the rules of `_headers`, so that a test may add scripts
    /// to the pages (axe-core) that their Content-Security-Policy would block.
    pub fn without_headers(root: &Path) -> StaticServer {
        let read = |name: &str| std::fs::read_to_string(root.join(name)).unwrap_or_default();
        StaticServer::serve(Site {
            root: root.to_path_buf(),
            headers: Vec::new(),
            redirects: parse_redirects(&read("_redirects")),
        })
    }

    fn serve(site: Site) -> StaticServer {
        let site = Arc::new(site);
        let log = Arc::new(Mutex::new(Vec::new()));
        let requests = log.clone();
        let listener = Listener::start(move |stream| answer(&site, stream, &requests));
        StaticServer { listener, log }
    }

    /// The full URL of a site path: `url("/x/")` is `http://127.0.0.1:PORT/x/`.
    pub fn url(&self, path: &str) -> String {
        self.listener.url(path)
    }

    /// Every request so far, as `GET /path -> 200`, for failure messages.
    pub fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

/// A response before it is written.
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn answer(site: &Site, mut stream: TcpStream, log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // The rest of the request head; GET and HEAD have no body.
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 0) && !line.trim_end().is_empty() {
        line.clear();
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let raw_path = target.split(['?', '#']).next().unwrap_or("/");
    let path = percent_encoding::percent_decode_str(raw_path)
        .decode_utf8_lossy()
        .into_owned();
    let mut response = respond(site, &path);
    // As Netlify: the rules of the requested path, whatever the answer.
    response.headers.extend(headers_for(&site.headers, &path));
    log.lock()
        .unwrap()
        .push(format!("{method} {target} -> {}", response.status));
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason(response.status)
    );
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        response.body.len()
    ));
    let _ = stream.write_all(head.as_bytes());
    if method != "HEAD" {
        let _ = stream.write_all(&response.body);
    }
    let _ = stream.flush();
}

fn respond(site: &Site, path: &str) -> Response {
    let redirect = |rule: &Redirect| Response {
        status: rule.status,
        headers: vec![("Location".into(), rule.to.clone())],
        body: Vec::new(),
    };
    let rule = site.redirects.iter().find(|r| r.from == path);
    if let Some(rule) = rule.filter(|r| r.forced) {
        return redirect(rule);
    }
    if path.split('/').any(|segment| segment == "..") {
        return not_found(site);
    }
    let file = site.root.join(path.trim_start_matches('/'));
    if path.ends_with('/') {
        if let Ok(body) = std::fs::read(file.join("index.html")) {
            return ok("index.html", body);
        }
    } else if file.is_dir() {
        return Response {
            status: 301,
            headers: vec![("Location".into(), format!("{path}/"))],
            body: Vec::new(),
        };
    } else if let Ok(body) = std::fs::read(&file) {
        return ok(path, body);
    }
    match rule {
        Some(rule) => redirect(rule),
        None => not_found(site),
    }
}

fn ok(path: &str, body: Vec<u8>) -> Response {
    let mime = if path.ends_with(".html") {
        "text/html; charset=utf-8".to_string()
    } else {
        mime_guess::from_path(path)
            .first_or_octet_stream()
            .essence_str()
            .to_string()
    };
    Response {
        status: 200,
        headers: vec![("Content-Type".into(), mime)],
        body,
    }
}

fn not_found(site: &Site) -> Response {
    Response {
        status: 404,
        headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
        body: std::fs::read(site.root.join("404.html")).unwrap_or_default(),
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        404 => "Not Found",
        _ => "",
    }
}
