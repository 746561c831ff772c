//! The HTTP client of the tests, over plain `TcpStream`s: one connection per request
//! (`Connection: close`), the response read whole, its body as bytes and as text. It sends
//! what it is given as it is, so a test can also send what no client library would (`/../x`,
//! another `Host`, half a request): [`Client::raw`], [`Client::send`].
//!
//! ```ignore
//! let client = Client::new("127.0.0.1:4000");
//! let reply = client.request("GET", "/x/", &[("If-None-Match", etag)]);
//! assert_eq!((reply.status, reply.header("etag")), (304, Some(etag)));
//! ```
//!
//! [`super::serve::Served`] is one (through `Deref`): `server.get("/")`.

use super::serve::PATIENCE;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

/// How long a request may take before the test fails.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A server at `host:port`.
pub struct Client {
    address: String,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    /// The status line and the headers, as they came.
    pub head: String,
    pub headers: Vec<(String, String)>,
    /// The body as text (invalid UTF-8 replaced); [`Reply::bytes`] as it came.
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Reply {
    /// The value of the header `name` (any letter case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Reads a whole response: head, then body (a chunked one decoded).
    fn parse(response: &[u8]) -> Result<Reply, String> {
        let end = response
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or("no end of the response head")?;
        let head = String::from_utf8_lossy(&response[..end]).into_owned();
        let headers: Vec<(String, String)> = head
            .lines()
            .skip(1)
            .filter_map(|line| {
                let (name, value) = line.split_once(':')?;
                Some((name.trim().to_string(), value.trim().to_string()))
            })
            .collect();
        let chunked = headers.iter().any(|(n, v)| {
            n.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
        });
        let mut bytes = response[end + 4..].to_vec();
        if chunked {
            let mut decoded = Vec::new();
            Dechunk::new(&bytes[..])
                .read_to_end(&mut decoded)
                .map_err(|err| format!("a bad chunked body: {err}"))?;
            bytes = decoded;
        }
        Ok(Reply {
            status: status_of(&head),
            head,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        })
    }
}

/// The status of a response given as text (`HTTP/1.1 404 ...`), 0 if there is none.
pub fn status_of(response: &str) -> u16 {
    response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

impl Client {
    /// A client of the server at `address` (`127.0.0.1:4000`, `localhost:4000`).
    pub fn new(address: impl Into<String>) -> Client {
        Client {
            address: address.into(),
        }
    }

    /// `host:port` of the server.
    pub fn address(&self) -> &str {
        &self.address
    }

    pub fn get(&self, path: &str) -> Reply {
        self.request("GET", path, &[])
    }

    /// Sends `method path` with `headers` (and `Host`); panics if the exchange fails.
    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
        let address = &self.address;
        let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\n");
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("Connection: close\r\n\r\n");
        let fail = |err: String| -> ! { panic!("{method} http://{address}{path}: {err}") };
        let response = self
            .exchange(request.as_bytes(), TIMEOUT)
            .unwrap_or_else(|err| fail(err.to_string()));
        Reply::parse(&response).unwrap_or_else(|err| fail(err))
    }

    /// GETs `path` written as it is in the request line (for paths a client library would
    /// clean up); returns the status and the whole response.
    pub fn raw(&self, path: &str) -> (u16, String) {
        let address = &self.address;
        let response = self.send(
            &format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"),
            Duration::from_secs(10),
        );
        (status_of(&response), response)
    }

    /// Sends `request` as it is on a new connection and reads until the server closes it (or
    /// `wait` passes): the whole response, as text.
    pub fn send(&self, request: &str, wait: Duration) -> String {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        stream.set_read_timeout(Some(wait)).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
        String::from_utf8_lossy(&response).into_owned()
    }

    fn exchange(&self, request: &[u8], wait: Duration) -> std::io::Result<Vec<u8>> {
        let mut stream = TcpStream::connect(&self.address)?;
        stream.set_read_timeout(Some(wait))?;
        stream.write_all(request)?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response)?;
        Ok(response)
    }

    /// A live-reload connection (`/__handbook/events`), as a page's script opens it.
    pub fn events(&self) -> Events {
        let address = &self.address;
        let fail =
            |err: std::io::Error| -> ! { panic!("GET http://{address}/__handbook/events: {err}") };
        let mut stream = TcpStream::connect(address).unwrap_or_else(|err| fail(err));
        write!(
            stream,
            "GET /__handbook/events HTTP/1.1\r\nHost: {address}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap_or_else(|err| fail(err));
        let mut reader = BufReader::new(stream.try_clone().unwrap_or_else(|err| fail(err)));
        let mut chunked = false;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or_else(|err| fail(err)) == 0 {
                panic!("GET http://{address}/__handbook/events: the connection closed");
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            chunked |= line.split_once(':').is_some_and(|(name, value)| {
                name.eq_ignore_ascii_case("transfer-encoding")
                    && value.trim().eq_ignore_ascii_case("chunked")
            });
        }
        let body: Box<dyn BufRead + Send> = match chunked {
            true => Box::new(BufReader::new(Dechunk::new(reader))),
            false => Box::new(reader),
        };
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut name = String::new();
            for line in body.lines().map_while(Result::ok) {
                if let Some(event) = line.strip_prefix("event:") {
                    name = event.trim().to_string();
                } else if let Some(data) = line.strip_prefix("data:")
                    && tx.send((name.clone(), data.trim().to_string())).is_err()
                {
                    break;
                }
            }
        });
        Events { events: rx, stream }
    }
}

/// Server-sent events: (event name, data). Dropping it closes the connection.
pub struct Events {
    events: Receiver<(String, String)>,
    stream: TcpStream,
}

impl Events {
    /// The next event within [`PATIENCE`].
    pub fn next(&self) -> (String, String) {
        self.events
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
            .events
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            events.push(event);
        }
        events
    }
}

impl Drop for Events {
    fn drop(&mut self) {
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
    }
}

/// A chunked body (`Transfer-Encoding: chunked`) read as the bytes it carries.
struct Dechunk<R> {
    inner: R,
    /// Bytes left in the current chunk.
    left: usize,
    done: bool,
}

impl<R: BufRead> Dechunk<R> {
    fn new(inner: R) -> Dechunk<R> {
        Dechunk {
            inner,
            left: 0,
            done: false,
        }
    }
}

impl<R: BufRead> Read for Dechunk<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            let mut line = String::new();
            // The line ending the previous chunk, then the size of the next one.
            while line.trim().is_empty() {
                line.clear();
                if self.inner.read_line(&mut line)? == 0 {
                    self.done = true;
                    return Ok(0);
                }
            }
            let size = line.trim().split(';').next().unwrap_or("");
            self.left = usize::from_str_radix(size, 16).map_err(|_| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("bad chunk size {line:?}"),
                )
            })?;
            if self.left == 0 {
                self.done = true;
                return Ok(0);
            }
        }
        let wanted = buf.len().min(self.left);
        let n = self.inner.read(&mut buf[..wanted])?;
        self.left -= n;
        Ok(n)
    }
}
