//! Driving a `handbook serve` child process from the outside, as a browser and an editor
//! would: shared by `benches/serve.rs` and `tests/testsuite/serve_load.rs` (each includes this
//! file with `#[path]`).
//!
//! - [`Server`] starts the binary in its own process group and kills that group (by its id)
//!   when dropped. A thread reads its stdout and timestamps every line.
//! - [`Http`] is a minimal HTTP/1.1 client over one keep-alive `TcpStream`: GET, status, body
//!   (`Content-Length` or chunked).
//! - [`Sse`] reads `/__handbook/events` on a thread and timestamps every event.
//! - [`save_atomically`] writes a file the way editors save: a temporary file renamed over it.
//!
//! Only std and libc: no HTTP crate, so what is measured is the server.

// Each user uses a different part of it.
#![allow(dead_code)]

use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// A line of the server's stdout and when it was read.
#[derive(Clone, Debug)]
pub struct Line {
    pub at: Instant,
    pub text: String,
}

/// A running `handbook serve`, killed (its whole process group) when dropped.
pub struct Server {
    child: Child,
    pub pid: i32,
    pub port: u16,
    /// Just before the process was spawned.
    pub started: Instant,
    lines: Receiver<Line>,
    /// Every stdout line read so far, in order.
    pub seen: Vec<Line>,
    pub stderr_log: PathBuf,
}

/// A port that was free a moment ago (another process could take it before the server does;
/// on loopback in a bench that does not happen in practice).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

impl Server {
    /// Starts `bin serve --root root --port port` in a new process group; stderr goes to
    /// `stderr_log`. With port 0, waits for the `Serving` line to learn the port.
    pub fn start(bin: &Path, root: &Path, port: u16, stderr_log: &Path) -> Server {
        let stderr = fs::File::create(stderr_log).expect("create the server's stderr log");
        let started = Instant::now();
        let mut child = Command::new(bin)
            .arg("serve")
            .arg("--root")
            .arg(root)
            .arg("--port")
            .arg(port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::Builder::new()
            .name("server-stdout".into())
            .spawn(move || {
                for text in BufReader::new(stdout).lines() {
                    let Ok(text) = text else { break };
                    if tx
                        .send(Line {
                            at: Instant::now(),
                            text,
                        })
                        .is_err()
                    {
                        break;
                    }
                }
            })
            .expect("start the stdout reader");
        let pid = child.id() as i32;
        let mut server = Server {
            child,
            pid,
            port,
            started,
            lines,
            seen: Vec::new(),
            stderr_log: stderr_log.to_path_buf(),
        };
        if port == 0 {
            let serving = server.wait_line(0, "Serving ", Duration::from_secs(120));
            let port = serving
                .text
                .split("http://127.0.0.1:")
                .nth(1)
                .and_then(|rest| rest.split('/').next())
                .and_then(|p| p.parse().ok())
                .unwrap_or_else(|| panic!("no port in {:?}", serving.text));
            server.port = port;
        }
        server
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// Takes the lines read since the last call into [`Server::seen`].
    pub fn drain(&mut self) {
        while let Ok(line) = self.lines.try_recv() {
            self.seen.push(line);
        }
    }

    /// The first line at index `from` or later of [`Server::seen`] that starts with `prefix`,
    /// waiting up to `timeout` for it. Panics (with the server's stderr) when it does not come.
    pub fn wait_line(&mut self, from: usize, prefix: &str, timeout: Duration) -> Line {
        match self.try_wait_line(from, prefix, timeout) {
            Some(line) => line,
            None => panic!(
                "the server printed no line starting with {prefix:?} within {timeout:?}\n---- stdout ----\n{}\n---- stderr ----\n{}",
                self.seen
                    .iter()
                    .map(|l| l.text.as_str())
                    .collect::<Vec<_>>()
                    .join("\n"),
                self.stderr()
            ),
        }
    }

    /// Like [`Server::wait_line`], `None` on timeout.
    pub fn try_wait_line(&mut self, from: usize, prefix: &str, timeout: Duration) -> Option<Line> {
        let deadline = Instant::now() + timeout;
        let mut checked = from;
        loop {
            self.drain();
            if let Some(line) = self
                .seen
                .iter()
                .skip(checked)
                .find(|l| l.text.starts_with(prefix))
            {
                return Some(line.clone());
            }
            checked = checked.max(self.seen.len());
            let left = deadline.checked_duration_since(Instant::now())?;
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(RecvTimeoutError::Timeout) => return None,
                Err(RecvTimeoutError::Disconnected) => {
                    if self
                        .seen
                        .iter()
                        .skip(checked)
                        .any(|l| l.text.starts_with(prefix))
                    {
                        continue;
                    }
                    return None;
                }
            }
        }
    }

    /// The server's stderr so far.
    pub fn stderr(&self) -> String {
        fs::read_to_string(&self.stderr_log).unwrap_or_default()
    }

    /// `(VmRSS, VmHWM)` in KiB, from `/proc/<pid>/status`.
    pub fn memory_kib(&self) -> (u64, u64) {
        (self.status_field("VmRSS:"), self.status_field("VmHWM:"))
    }

    /// The server's threads now.
    pub fn threads(&self) -> u64 {
        self.status_field("Threads:")
    }

    /// A number of `/proc/<pid>/status` (`VmRSS:` in KiB, `Threads:`), 0 if it is not there.
    pub fn status_field(&self, name: &str) -> u64 {
        let status = fs::read_to_string(format!("/proc/{}/status", self.pid)).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }

    /// User + system CPU time of the server so far, in clock ticks (1/100 s).
    pub fn cpu_ticks(&self) -> u64 {
        let stat = fs::read_to_string(format!("/proc/{}/stat", self.pid)).unwrap_or_default();
        // The command name (field 2) is in parentheses and may hold spaces: count after it.
        let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        let fields: Vec<&str> = after.split_whitespace().collect();
        // After the name: state is field 3, utime field 14, stime field 15.
        let at = |i: usize| {
            fields
                .get(i - 3)
                .and_then(|f| f.parse::<u64>().ok())
                .unwrap_or(0)
        };
        at(14) + at(15)
    }

    /// Waits until the server used no CPU for `quiet` (its background work, such as the link
    /// check after a change, is done), at most `limit`. Returns how long it waited.
    pub fn wait_idle(&self, quiet: Duration, limit: Duration) -> Duration {
        let started = Instant::now();
        let step = Duration::from_millis(20);
        let mut last = self.cpu_ticks();
        let mut still = Duration::ZERO;
        while still < quiet && started.elapsed() < limit {
            std::thread::sleep(step);
            let now = self.cpu_ticks();
            if now == last {
                still += step;
            } else {
                still = Duration::ZERO;
                last = now;
            }
        }
        started.elapsed()
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Stops the server: SIGTERM to its process group, SIGKILL if it is still there after a
    /// second.
    pub fn stop(&mut self) {
        if !self.is_running() {
            return;
        }
        // SAFETY: kill(2) on our own child's process group (its id is the child's pid).
        unsafe { libc::kill(-self.pid, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(1);
        while Instant::now() < deadline {
            if !self.is_running() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        // SAFETY: as above.
        unsafe { libc::kill(-self.pid, libc::SIGKILL) };
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `Updated content/a.md in 3.2 ms` → 3.2.
pub fn reported_ms(line: &str) -> Option<f64> {
    let before = line.strip_suffix(" ms")?;
    before.rsplit(' ').next()?.parse().ok()
}

/// Writes `text` to `path` as editors save: into a hidden temporary file beside it (a name the
/// watcher ignores), then renamed over it.
pub fn save_atomically(path: &Path, text: &str) {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .expect("file name");
    let tmp = path.with_file_name(format!(".{name}.bench-tmp"));
    fs::write(&tmp, text).unwrap_or_else(|e| panic!("write {}: {e}", tmp.display()));
    fs::rename(&tmp, path).unwrap_or_else(|e| panic!("rename over {}: {e}", path.display()));
}

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

/// A response: status, `ETag` and body.
pub struct Response {
    pub status: u16,
    pub etag: Option<String>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap_or("")
    }

    pub fn contains(&self, needle: &str) -> bool {
        memchr_find(&self.body, needle.as_bytes()).is_some()
    }

    /// Byte offset of the first `needle`.
    pub fn find(&self, needle: &str) -> Option<usize> {
        memchr_find(&self.body, needle.as_bytes())
    }
}

fn memchr_find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

/// One keep-alive HTTP/1.1 connection.
pub struct Http {
    addr: SocketAddr,
    conn: Option<BufReader<TcpStream>>,
    /// Reconnect once when a kept-alive connection turns out closed. Off, any I/O error is
    /// returned.
    pub reconnect: bool,
    pub timeout: Duration,
    /// Connections opened so far.
    pub connects: usize,
}

impl Http {
    pub fn new(addr: SocketAddr) -> Http {
        Http {
            addr,
            conn: None,
            reconnect: true,
            timeout: Duration::from_secs(30),
            connects: 0,
        }
    }

    fn connect(&mut self) -> io::Result<&mut BufReader<TcpStream>> {
        if self.conn.is_none() {
            let stream = TcpStream::connect_timeout(&self.addr, self.timeout)?;
            stream.set_nodelay(true)?;
            stream.set_read_timeout(Some(self.timeout))?;
            stream.set_write_timeout(Some(self.timeout))?;
            self.connects += 1;
            self.conn = Some(BufReader::with_capacity(64 * 1024, stream));
        }
        Ok(self.conn.as_mut().expect("just connected"))
    }

    /// GET `path`. With extra request headers (`"If-None-Match: ..."` lines, each ending in
    /// `\r\n`).
    pub fn get_with(&mut self, path: &str, headers: &str) -> io::Result<Response> {
        let reused = self.conn.is_some();
        match self.request(path, headers) {
            Ok(response) => Ok(response),
            Err(err) => {
                self.conn = None;
                if reused && self.reconnect {
                    self.request(path, headers)
                        .inspect_err(|_| self.conn = None)
                } else {
                    Err(err)
                }
            }
        }
    }

    pub fn get(&mut self, path: &str) -> io::Result<Response> {
        self.get_with(path, "")
    }

    fn request(&mut self, path: &str, headers: &str) -> io::Result<Response> {
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: handbook-bench\r\n{headers}\r\n"
        );
        let conn = self.connect()?;
        conn.get_mut().write_all(request.as_bytes())?;
        let head = read_head(conn)?;
        let body = if head.chunked {
            let mut body = Vec::new();
            while let Some(chunk) = read_chunk(conn)? {
                body.extend_from_slice(&chunk);
            }
            body
        } else {
            let mut body = vec![0; head.length.unwrap_or(0)];
            conn.read_exact(&mut body)?;
            body
        };
        if head.close {
            self.conn = None;
        }
        Ok(Response {
            status: head.status,
            etag: head.etag,
            body,
        })
    }
}

fn bad(what: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.into())
}

/// What the status line and headers of a response say.
struct Head {
    status: u16,
    length: Option<usize>,
    chunked: bool,
    /// `Connection: close`.
    close: bool,
    etag: Option<String>,
}

/// Reads a response's status line and headers.
fn read_head(conn: &mut BufReader<TcpStream>) -> io::Result<Head> {
    let mut line = String::new();
    if conn.read_line(&mut line)? == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the server closed the connection",
        ));
    }
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad(format!("bad status line {line:?}")))?;
    let mut head = Head {
        status,
        length: None,
        chunked: false,
        close: false,
        etag: None,
    };
    loop {
        line.clear();
        if conn.read_line(&mut line)? == 0 {
            return Err(bad("the headers end early"));
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let Some((name, value)) = header.split_once(':') else {
            return Err(bad(format!("bad header {header:?}")));
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            head.length = Some(value.parse().map_err(|_| bad("bad Content-Length"))?);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            head.chunked = value.eq_ignore_ascii_case("chunked");
        } else if name.eq_ignore_ascii_case("connection") {
            head.close = value.eq_ignore_ascii_case("close");
        } else if name.eq_ignore_ascii_case("etag") {
            head.etag = Some(value.to_string());
        }
    }
    Ok(head)
}

/// One chunk of a chunked body; `None` after the last one.
fn read_chunk(conn: &mut impl BufRead) -> io::Result<Option<Vec<u8>>> {
    let mut line = String::new();
    if conn.read_line(&mut line)? == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the stream ended",
        ));
    }
    let size = line.trim_end().split(';').next().unwrap_or("");
    let size =
        usize::from_str_radix(size, 16).map_err(|_| bad(format!("bad chunk size {line:?}")))?;
    if size == 0 {
        // Trailers, up to the empty line.
        loop {
            line.clear();
            if conn.read_line(&mut line)? == 0 || line.trim_end().is_empty() {
                return Ok(None);
            }
        }
    }
    let mut chunk = vec![0; size + 2];
    conn.read_exact(&mut chunk)?;
    chunk.truncate(size);
    Ok(Some(chunk))
}

// ---------------------------------------------------------------------------------------------
// Server-sent events
// ---------------------------------------------------------------------------------------------

/// One event of `/__handbook/events`, and when it was read.
#[derive(Clone, Debug)]
pub struct Event {
    pub at: Instant,
    pub name: String,
    pub data: String,
}

impl Event {
    /// The `version` of a `hello` or `reload` event.
    pub fn version(&self) -> Option<u64> {
        let rest = self.data.split("\"version\":").nth(1)?;
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    }
}

/// A live-reload connection, read by a thread. The stream's end or an error is the last item:
/// an `Err`.
pub struct Sse {
    pub events: Receiver<Result<Event, String>>,
    stream: TcpStream,
}

impl Sse {
    /// Connects and reads the response head (not the first event).
    pub fn connect(addr: SocketAddr) -> io::Result<Sse> {
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10))?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        let mut writer = stream.try_clone()?;
        writer.write_all(
            b"GET /__handbook/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n",
        )?;
        let mut reader = BufReader::new(stream.try_clone()?);
        let head = read_head(&mut reader)?;
        if head.status != 200 {
            return Err(bad(format!("the event stream answered {}", head.status)));
        }
        let chunked = head.chunked;
        // Keep-alive comments come every 15 s; a quiet stream is not an error.
        stream.set_read_timeout(None)?;
        let (tx, events) = mpsc::channel();
        std::thread::Builder::new()
            .name("sse".into())
            .spawn(move || {
                let result = read_events(reader, chunked, &tx);
                let _ = tx.send(Err(match result {
                    Ok(()) => "the event stream ended".to_string(),
                    Err(err) => format!("reading the event stream: {err}"),
                }));
            })?;
        Ok(Sse { events, stream })
    }

    /// The next event named `name`, skipping others, within `timeout`.
    pub fn next_named(&self, name: &str, timeout: Duration) -> Result<Event, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline
                .checked_duration_since(Instant::now())
                .ok_or_else(|| format!("no `{name}` event within {timeout:?}"))?;
            match self.events.recv_timeout(left) {
                Ok(Ok(event)) if event.name == name => return Ok(event),
                Ok(Ok(_)) => {}
                Ok(Err(err)) => return Err(err),
                Err(_) => return Err(format!("no `{name}` event within {timeout:?}")),
            }
        }
    }
}

impl Drop for Sse {
    fn drop(&mut self) {
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
    }
}

fn read_events(
    mut reader: BufReader<TcpStream>,
    chunked: bool,
    tx: &mpsc::Sender<Result<Event, String>>,
) -> io::Result<()> {
    let mut pending = Vec::new();
    let (mut name, mut data) = (String::new(), String::new());
    loop {
        let bytes = if chunked {
            match read_chunk(&mut reader)? {
                Some(chunk) => chunk,
                None => return Ok(()),
            }
        } else {
            let buf = reader.fill_buf()?;
            if buf.is_empty() {
                return Ok(());
            }
            let bytes = buf.to_vec();
            reader.consume(bytes.len());
            bytes
        };
        let at = Instant::now();
        pending.extend_from_slice(&bytes);
        while let Some(end) = pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                if !name.is_empty() || !data.is_empty() {
                    let event = Event {
                        at,
                        name: std::mem::take(&mut name),
                        data: std::mem::take(&mut data),
                    };
                    if tx.send(Ok(event)).is_err() {
                        return Ok(());
                    }
                }
            } else if let Some(value) = line.strip_prefix("event:") {
                name = value.trim_start().to_string();
            } else if let Some(value) = line.strip_prefix("data:") {
                if !data.is_empty() {
                    data.push('\n');
                }
                data.push_str(value.trim_start());
            }
            // Comments (`:`), `id:` and `retry:` are not used by handbook's script.
        }
    }
}
