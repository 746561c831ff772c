//! External links: does every `http(s)://` link of the handbook still answer?
//!
//! [`check`] takes the links (repeats allowed) and returns one [`LinkReport`] per distinct link.
//! Along the way it is polite and patient with the sites it asks:
//!
//! - **Ignore list first.** A link matching `external_links.ignore` is never requested, nor is
//!   anything that is not `http:` or `https:` (both come back as [`Outcome::Ignored`]).
//! - **Bounded concurrency.** At most `concurrency` requests are in flight, and at most
//!   `per_host` to any one host, so a handbook with 300 links to one wiki does not hammer it.
//! - **HEAD, then GET.** A `HEAD` is enough to learn whether a page exists and downloads nothing;
//!   servers that answer `HEAD` badly (405, 501, or any other error) are asked again with `GET`,
//!   whose answer counts. The `GET`'s body is never read.
//! - **Retries with backoff** after a network error, a 429 or a 5xx: a site that is down for a
//!   minute should not fail the check. `Retry-After` is honoured when it is short.
//! - **A cache between runs.** Good results are trusted for `cache_hours`; anything else is asked
//!   again every run, so a fixed link stops being reported at once.
//! - **A deadline for the whole check** (`deadline_seconds`): when it passes, requests in flight
//!   are abandoned and the links not checked yet come back as [`Outcome::NotChecked`], so a
//!   hundred dead links cannot keep CI busy for half an hour. What was checked is cached.
//!
//! HTTP client: `ureq` (blocking, rustls with ring, webpki roots). Checking links is a few
//! hundred blocking requests; a small pool of std threads does that without an async runtime,
//! and ureq brings far fewer crates than reqwest + hyper + tokio (about 30 lines of
//! `cargo tree`). rustls needs no system OpenSSL and trusts the same roots on every machine.
//! ureq reads `HTTPS_PROXY`/`NO_PROXY` from the environment, which company networks need.

mod report;

pub use crate::config::ExternalConfig;
pub use report::external_links;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use ureq::ResponseExt;
use ureq::http::Uri;

/// Sent with every request, so a site's operator can tell who is knocking.
pub const USER_AGENT: &str = concat!("handbook-link-checker/", env!("CARGO_PKG_VERSION"));

/// Redirects followed before a link counts as broken ("too many redirects").
pub const MAX_REDIRECTS: u32 = 10;

/// The longest `Retry-After` we wait for; a site asking for more is reported as it answered.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);

/// The longest pause between two tries, whatever the backoff says.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Bumped when the cache file's format changes; a cache of another version is ignored.
const CACHE_VERSION: u32 = 1;

/// Where the cache lives by default, relative to the handbook's root.
pub const CACHE_FILE: &str = ".handbook-cache/external-links.json";

/// `<root>/.handbook-cache/external-links.json`: the cache file of the handbook at `root`.
pub fn default_cache_path(root: &Path) -> PathBuf {
    root.join(CACHE_FILE)
}

impl ExternalConfig {
    /// Whether `url` matches one of the `ignore` patterns.
    pub fn is_ignored(&self, url: &str) -> bool {
        self.ignore
            .iter()
            .any(|pattern| pattern_matches(pattern, url))
    }

    fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_seconds.max(1))
    }

    /// `deadline_seconds`, `None` for 0.
    pub fn deadline(&self) -> Option<Duration> {
        (self.deadline_seconds > 0).then(|| Duration::from_secs(self.deadline_seconds))
    }
}

/// What became of one link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// The page answered 2xx, after following at most [`MAX_REDIRECTS`] redirects.
    Ok { status: u16 },
    /// The server says the page is not there: 404, 410 or another 4xx that is not below.
    Broken { status: u16 },
    /// 401, 403 or 429 (after the retries), or an odd status (a 3xx without a target, 1xx): the
    /// page may well exist, but the server would not show it to a robot.
    Unverifiable { status: u16 },
    /// 5xx, still after the retries: the site has a problem, the link may be fine.
    ServerError { status: u16 },
    /// No HTTP answer: a timeout, an unknown host, a refused connection, a TLS problem, too many
    /// redirects, or a link that is not a valid URL. `message` says which, in a few words.
    NetworkError { message: String },
    /// Not checked: the link matches `ignore`, or is not an `http:`/`https:` link (`mailto:`,
    /// `ftp:`, a relative link, ...).
    Ignored,
    /// Not checked in time: the deadline of the whole check (`seconds`) passed before the link
    /// had an answer. Never cached.
    NotChecked { seconds: u64 },
}

impl Outcome {
    /// A 2xx answer.
    pub fn is_ok(&self) -> bool {
        matches!(self, Outcome::Ok { .. })
    }

    /// Whether this outcome should fail `handbook check --external`. Only [`Outcome::Broken`]
    /// is a sure sign of a bad link; server errors, network errors and unverifiable answers say
    /// as much about the network or the site as about the link, so they fail only when
    /// `strict` (the user asked for it).
    pub fn fails(&self, strict: bool) -> bool {
        match self {
            Outcome::Ok { .. } | Outcome::Ignored => false,
            Outcome::Broken { .. } => true,
            Outcome::Unverifiable { .. }
            | Outcome::ServerError { .. }
            | Outcome::NetworkError { .. }
            | Outcome::NotChecked { .. } => strict,
        }
    }
}

/// A few words for a contributor: `404 Not Found`, `timed out after 10 s`, ...
impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Ok { status } => write!(f, "{}", status_text(*status)),
            Outcome::Broken { status } => write!(f, "broken: {}", status_text(*status)),
            Outcome::Unverifiable { status } => {
                let why = match status {
                    401 => "the page needs a login",
                    403 => "the site refuses automated checks",
                    429 => "the site limits how often it may be asked",
                    _ => "unexpected answer",
                };
                write!(f, "could not verify: {} ({why})", status_text(*status))
            }
            Outcome::ServerError { status } => write!(f, "server error: {}", status_text(*status)),
            Outcome::NetworkError { message } => f.write_str(message),
            Outcome::Ignored => f.write_str("not checked (ignored)"),
            Outcome::NotChecked { seconds } => write!(
                f,
                "not checked: the check's deadline of {seconds} s passed first"
            ),
        }
    }
}

/// `404 Not Found`; just `599` for statuses without a standard name.
fn status_text(status: u16) -> String {
    let reason = ureq::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|code| code.canonical_reason());
    match reason {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
}

/// The result for one distinct link given to [`check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkReport {
    /// The link exactly as given.
    pub url: String,
    pub outcome: Outcome,
    /// Where the link's redirects ended, when that is not the link itself: a hint to update it.
    pub redirected_to: Option<String>,
    /// The result comes from the cache: the link was not requested this time.
    pub from_cache: bool,
}

/// Everything [`check`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalReport {
    /// One report per distinct link, in the order the links first appear in the input.
    pub links: Vec<LinkReport>,
    /// Why the cache could not be written, if it could not: the check itself is complete, but
    /// the next run will ask every link again. Worth a warning, not a failure.
    pub cache_error: Option<String>,
}

/// How [`check`] runs.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub config: ExternalConfig,
    /// The cache file; `None` checks everything and remembers nothing.
    pub cache_path: Option<PathBuf>,
    /// The first pause before a retry; each further retry waits twice as long. 1 s; tests
    /// shorten it.
    pub backoff_base: Duration,
    /// How long the whole check may take (`deadline_seconds` of the configuration, unless
    /// the command line says otherwise); `None`: as long as it takes.
    pub deadline: Option<Duration>,
}

impl CheckOptions {
    pub fn new(config: ExternalConfig, cache_path: Option<PathBuf>) -> CheckOptions {
        CheckOptions {
            deadline: config.deadline(),
            config,
            cache_path,
            backoff_base: Duration::from_secs(1),
        }
    }
}

/// Checks each distinct link of `urls` once and reports on every one of them.
///
/// Never fails: a problem with a link is its [`Outcome`], an unreadable cache is ignored, and a
/// cache that cannot be written is reported in [`ExternalReport::cache_error`].
pub fn check(urls: &[String], options: &CheckOptions) -> ExternalReport {
    let deadline = options.deadline.map(|d| Instant::now() + d);
    let config = &options.config;
    let now = unix_now();
    let cache_path = options.cache_path.as_deref();
    let mut cache = cache_path.map(load_cache).unwrap_or_default();

    // Distinct links, in order, each with what to do about it. Links differing only in their
    // `#fragment` are one request (the fragment never reaches the server).
    let mut seen = HashSet::new();
    let links: Vec<(&str, Plan)> = urls
        .iter()
        .filter(|url| seen.insert(url.as_str()))
        .map(|url| (url.as_str(), plan(url, config)))
        .collect();

    // One result per request key: from the cache, or from the network.
    let mut results: HashMap<String, (Checked, bool)> = HashMap::new();
    let mut jobs = Vec::new();
    let mut queued = HashSet::new();
    for (_, plan) in &links {
        if let Plan::Request { key, host } = plan {
            if results.contains_key(key) || !queued.insert(key.as_str()) {
                continue;
            }
            match cache.entries.get(key) {
                Some(entry) if entry.is_fresh(now, config.cache_hours) => {
                    results.insert(key.clone(), (entry.result(), true));
                }
                _ => jobs.push(Job {
                    key: key.clone(),
                    host: host.clone(),
                }),
            }
        }
    }
    let client = Arc::new(Client::new(options));
    let limits = Limits {
        workers: config.concurrency,
        per_host: config.per_host,
        deadline,
    };
    for (job, result) in run_pool(jobs, limits, move |job| client.check(&job.key)) {
        results.insert(job.key, (result, false));
    }
    let late = Outcome::NotChecked {
        seconds: options.deadline.map_or(0, |d| d.as_secs()),
    };

    let reports = links
        .into_iter()
        .map(|(url, plan)| {
            let (result, from_cache) = match plan {
                Plan::Ignore => (Checked::outcome(Outcome::Ignored), false),
                Plan::Invalid(message) => (
                    Checked::outcome(Outcome::NetworkError {
                        message: message.to_string(),
                    }),
                    false,
                ),
                Plan::Request { key, .. } => results.get(&key).cloned().unwrap_or_else(|| {
                    // The deadline passed first (or, without one, a worker thread died).
                    let outcome = match deadline {
                        Some(_) => late.clone(),
                        None => Outcome::NetworkError {
                            message: "not checked: internal error".to_string(),
                        },
                    };
                    (Checked::outcome(outcome), false)
                }),
            };
            LinkReport {
                url: url.to_string(),
                outcome: result.outcome,
                redirected_to: result.redirected_to,
                from_cache,
            }
        })
        .collect();

    let cache_error = cache_path.and_then(|path| {
        cache.update(&results, now, config.cache_hours);
        save_cache(path, &cache).err()
    });
    ExternalReport {
        links: reports,
        cache_error,
    }
}

/// What to do about one link, decided before any request.
enum Plan {
    Ignore,
    /// An `http(s)` link that cannot be requested, with why.
    Invalid(&'static str),
    /// `key`: the URL to request (trimmed, without fragment, non-ASCII percent-encoded), also
    /// the cache's key; `host`: what the per-host limit counts.
    Request {
        key: String,
        host: String,
    },
}

fn plan(url: &str, config: &ExternalConfig) -> Plan {
    if config.is_ignored(url) {
        return Plan::Ignore;
    }
    let trimmed = url.trim();
    let scheme = trimmed.split_once(':').map(|(scheme, _)| scheme);
    if !scheme.is_some_and(|s| s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https")) {
        return Plan::Ignore;
    }
    let without_fragment = trimmed.split_once('#').map_or(trimmed, |(url, _)| url);
    let key = percent_encode_unsafe(without_fragment);
    let Ok(uri) = key.parse::<Uri>() else {
        return Plan::Invalid("not a valid URL");
    };
    match uri.host() {
        Some(host) if !host.is_empty() => Plan::Request {
            host: host.to_ascii_lowercase(),
            // The normal form (`HTTPS:` -> `https:`), as ureq reports the final URL.
            key: uri.to_string(),
        },
        _ => Plan::Invalid("not a valid URL: no host name"),
    }
}

/// Percent-encodes what may not appear raw in a URL (spaces, non-ASCII letters of a path like
/// `/wiki/Köln`, ...), as a browser does before sending the link.
fn percent_encode_unsafe(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for byte in url.bytes() {
        let unsafe_byte = !(0x21..0x7f).contains(&byte) || b"\"<>\\^`{|}".contains(&byte);
        if unsafe_byte {
            out.push_str(&format!("%{byte:02X}"));
        } else {
            out.push(char::from(byte));
        }
    }
    out
}

/// `pattern` is a prefix of `url`, or, with a `*`, a glob matching all of it.
fn pattern_matches(pattern: &str, url: &str) -> bool {
    if !pattern.contains('*') {
        return !pattern.is_empty() && url.starts_with(pattern);
    }
    glob_matches(pattern.as_bytes(), url.as_bytes())
}

/// Glob matching where `*` is any run of bytes: the classic greedy algorithm with one
/// backtracking point, linear in practice and never exponential.
fn glob_matches(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    // Where the last `*` was, and the text position it currently swallows up to.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((star_p, star_t)) = star {
            // Let the last `*` swallow one more byte and try again from there.
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, t));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&b| b == b'*')
}

/// The outcome of one link and where its redirects ended.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Checked {
    outcome: Outcome,
    redirected_to: Option<String>,
}

impl Checked {
    fn outcome(outcome: Outcome) -> Checked {
        Checked {
            outcome,
            redirected_to: None,
        }
    }
}

/// One link to request.
struct Job {
    key: String,
    host: String,
}

/// The HTTP side: one agent (its connection pool shared by the workers) and the retry policy.
struct Client {
    agent: ureq::Agent,
    timeout: Duration,
    retries: u32,
    backoff_base: Duration,
}

/// An HTTP answer, whatever its status.
struct Answer {
    status: u16,
    final_url: String,
    retry_after: Option<Duration>,
}

/// No HTTP answer.
struct Failure {
    message: String,
    /// Could asking again help? Not for a bad certificate or a redirect loop.
    transient: bool,
}

#[derive(Clone, Copy)]
enum Method {
    Head,
    Get,
}

impl Client {
    fn new(options: &CheckOptions) -> Client {
        let timeout = options.config.timeout();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            // A 404 is an answer to classify, not an error.
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .max_redirects(MAX_REDIRECTS)
            .user_agent(USER_AGENT)
            .build()
            .into();
        Client {
            agent,
            timeout,
            retries: options.config.retries,
            backoff_base: options.backoff_base,
        }
    }

    /// Checks one link (`url` is a [`Plan::Request`] key), retrying what may be temporary.
    fn check(&self, url: &str) -> Checked {
        let mut attempt = 0;
        loop {
            let answer = self.probe(url);
            let wait = self.backoff(attempt);
            let retry_in = match &answer {
                Ok(answer) if answer.status == 429 || answer.status >= 500 => {
                    match answer.retry_after {
                        Some(asked) if asked > MAX_RETRY_AFTER => None,
                        Some(asked) => Some(asked.max(wait)),
                        None => Some(wait),
                    }
                }
                Ok(_) => None,
                Err(failure) => failure.transient.then_some(wait),
            };
            match retry_in {
                Some(pause) if attempt < self.retries => {
                    std::thread::sleep(pause);
                    attempt += 1;
                }
                _ => return self.result(url, answer),
            }
        }
    }

    /// `backoff_base * 2^attempt`, at most [`MAX_BACKOFF`].
    fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt);
        self.backoff_base
            .checked_mul(factor)
            .map_or(MAX_BACKOFF, |d| d.min(MAX_BACKOFF))
    }

    fn result(&self, url: &str, answer: Result<Answer, Failure>) -> Checked {
        match answer {
            Ok(answer) => Checked {
                outcome: classify(answer.status),
                redirected_to: (!same_url(&answer.final_url, url)).then_some(answer.final_url),
            },
            Err(failure) => Checked::outcome(Outcome::NetworkError {
                message: failure.message,
            }),
        }
    }

    /// One attempt: `HEAD`, and `GET` when the `HEAD` answer is anything but a success (some
    /// servers answer `HEAD` with 405, 501, 404 or 500 while `GET` works). A 429 is not asked
    /// again at once: that would be rude.
    fn probe(&self, url: &str) -> Result<Answer, Failure> {
        let head = self.request(Method::Head, url)?;
        if (200..300).contains(&head.status) || head.status == 429 {
            return Ok(head);
        }
        self.request(Method::Get, url)
    }

    fn request(&self, method: Method, url: &str) -> Result<Answer, Failure> {
        let response = match method {
            Method::Head => self.agent.head(url).call(),
            Method::Get => self.agent.get(url).call(),
        };
        let response = response.map_err(|err| describe_error(err, self.timeout, url))?;
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        // The body, if any, is dropped unread: the status is all we need.
        Ok(Answer {
            status: response.status().as_u16(),
            final_url: response.get_uri().to_string(),
            retry_after,
        })
    }
}

/// Whether the final URL is still the requested one: `https://example.com` and
/// `https://example.com/` are the same page.
fn same_url(final_url: &str, requested: &str) -> bool {
    final_url.trim_end_matches('/') == requested.trim_end_matches('/')
}

/// The outcome of a final HTTP status (redirects already followed).
fn classify(status: u16) -> Outcome {
    match status {
        200..=299 => Outcome::Ok { status },
        401 | 403 | 429 => Outcome::Unverifiable { status },
        400..=499 => Outcome::Broken { status },
        500..=599 => Outcome::ServerError { status },
        _ => Outcome::Unverifiable { status },
    }
}

/// A ureq error, in a few words for a contributor.
fn describe_error(err: ureq::Error, timeout: Duration, url: &str) -> Failure {
    use std::io::ErrorKind;
    use ureq::Error;
    let transient = |message: String| Failure {
        message,
        transient: true,
    };
    let permanent = |message: String| Failure {
        message,
        transient: false,
    };
    let timed_out = || transient(format!("timed out after {} s", timeout.as_secs()));
    match err {
        Error::Timeout(_) => timed_out(),
        Error::HostNotFound => {
            let host = url.parse::<Uri>().ok();
            let host = host.as_ref().and_then(|uri| uri.host()).unwrap_or("");
            transient(
                format!("could not resolve host {host}")
                    .trim_end()
                    .to_string(),
            )
        }
        Error::Io(io) => match io.kind() {
            ErrorKind::TimedOut | ErrorKind::WouldBlock => timed_out(),
            ErrorKind::ConnectionRefused => transient("connection refused".into()),
            // What rustls's stream reports its errors as: a bad certificate, a server that
            // does not speak TLS, ... Asking again will not help.
            ErrorKind::InvalidData => permanent(format!("TLS error: {io}")),
            ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted
            | ErrorKind::UnexpectedEof => {
                transient("the server closed the connection without answering".into())
            }
            _ => transient(format!("network error: {io}")),
        },
        Error::ConnectionFailed => transient("could not connect".into()),
        Error::Protocol(e) => transient(format!("the server's answer is not valid HTTP ({e})")),
        Error::TooManyRedirects => {
            permanent(format!("too many redirects (more than {MAX_REDIRECTS})"))
        }
        Error::RedirectFailed => permanent("a redirect could not be followed".into()),
        Error::BadUri(_) | Error::Http(_) => permanent("not a valid URL".into()),
        Error::Rustls(e) => permanent(format!("TLS error: {e}")),
        Error::Tls(e) => permanent(format!("TLS error: {e}")),
        Error::LargeResponseHeader(..) => {
            permanent("the server's answer headers are too large".into())
        }
        other => transient(format!("network error: {other}")),
    }
}

/// How [`run_pool`] may run its jobs.
struct Limits {
    /// Threads, so requests in flight at once.
    workers: usize,
    /// Jobs of one host at once.
    per_host: usize,
    /// When to stop waiting for results.
    deadline: Option<Instant>,
}

/// Runs `work` for every job on up to `workers` threads, at most `per_host` jobs of one host at
/// a time. Returns each job with its result, in no particular order. At the deadline it
/// returns what is done: no job starts after it, and the threads still working are left to
/// finish on their own (their results are dropped).
fn run_pool<R: Send + 'static>(
    jobs: Vec<Job>,
    limits: Limits,
    work: impl Fn(&Job) -> R + Send + Sync + 'static,
) -> Vec<(Job, R)> {
    let total = jobs.len();
    let workers = limits.workers.max(1).min(total);
    let queue = Arc::new(Queue {
        state: Mutex::new(QueueState {
            pending: jobs.into(),
            busy: HashMap::new(),
        }),
        freed: Condvar::new(),
        per_host: limits.per_host.max(1),
        stopped: AtomicBool::new(false),
    });
    let work = Arc::new(work);
    let (sender, receiver) = std::sync::mpsc::channel();
    let mut started = 0;
    for i in 0..workers {
        let (queue, work, sender) = (Arc::clone(&queue), Arc::clone(&work), sender.clone());
        let worker = move || {
            while let Some((job, place)) = queue.take() {
                let result = work(&job);
                drop(place);
                if sender.send((job, result)).is_err() {
                    return;
                }
            }
        };
        let spawned = std::thread::Builder::new()
            .name(format!("link-check-{i}"))
            .spawn(worker);
        started += usize::from(spawned.is_ok());
    }
    drop(sender);
    let mut results = Vec::with_capacity(total);
    if started == 0 {
        // The system is out of threads: do the work here, deadline or not.
        while let Some((job, place)) = queue.take() {
            let result = work(&job);
            drop(place);
            results.push((job, result));
        }
        return results;
    }
    collect_until(&receiver, limits.deadline, total, &mut results);
    queue.stop();
    results
}

/// Receives results until there are `total`, the workers are gone, or the deadline passed.
fn collect_until<T>(
    receiver: &std::sync::mpsc::Receiver<T>,
    deadline: Option<Instant>,
    total: usize,
    results: &mut Vec<T>,
) {
    while results.len() < total {
        let next = match deadline {
            None => receiver.recv().ok(),
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                receiver.recv_timeout(left).ok()
            }
        };
        match next {
            Some(result) => results.push(result),
            None => return,
        }
    }
}

/// The jobs not started yet, and how many requests each host has in flight.
struct Queue {
    state: Mutex<QueueState>,
    /// Signalled whenever a host's request ends: a waiting worker may now take a job.
    freed: Condvar,
    per_host: usize,
    /// Set at the deadline: no job starts after it.
    stopped: AtomicBool,
}

struct QueueState {
    pending: VecDeque<Job>,
    busy: HashMap<String, usize>,
}

impl Queue {
    fn lock(&self) -> MutexGuard<'_, QueueState> {
        // A poisoned lock means a worker panicked; the counts are still right (see
        // `HostPlace`).
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The first pending job whose host has room, waiting for room if needed, with the place
    /// it takes; `None` when nothing is pending.
    fn take(&self) -> Option<(Job, HostPlace<'_>)> {
        let mut state = self.lock();
        loop {
            if state.pending.is_empty() || self.stopped.load(Ordering::SeqCst) {
                return None;
            }
            let per_host = self.per_host;
            let QueueState { pending, busy } = &mut *state;
            let free = pending
                .iter()
                .position(|job| busy.get(&job.host).copied().unwrap_or(0) < per_host);
            if let Some(job) = free.and_then(|index| pending.remove(index)) {
                *busy.entry(job.host.clone()).or_insert(0) += 1;
                let place = HostPlace {
                    queue: self,
                    host: job.host.clone(),
                };
                return Some((job, place));
            }
            state = self
                .freed
                .wait(state)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }
}

impl Queue {
    /// No job starts from now on; workers waiting for a host's place give up.
    fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        let _state = self.lock();
        self.freed.notify_all();
    }
}

/// One of a host's `per_host` places, taken by a job in flight. Given back when dropped, even
/// by a panic, so that no worker waits forever for it.
struct HostPlace<'a> {
    queue: &'a Queue,
    host: String,
}

impl Drop for HostPlace<'_> {
    fn drop(&mut self) {
        let mut state = self.queue.lock();
        if let Some(count) = state.busy.get_mut(&self.host) {
            *count = count.saturating_sub(1);
        }
        drop(state);
        self.queue.freed.notify_all();
    }
}

/// The cache file: the last result of every link, with when it was checked.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Cache {
    version: u32,
    entries: BTreeMap<String, CacheEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CacheEntry {
    outcome: Outcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    redirected_to: Option<String>,
    /// Unix seconds.
    checked_at: u64,
}

impl CacheEntry {
    /// A good result younger than `cache_hours`. A time in the future (a clock set back) is
    /// not trusted.
    fn is_fresh(&self, now: u64, cache_hours: u64) -> bool {
        let max_age = cache_hours.saturating_mul(3600);
        self.outcome.is_ok() && now >= self.checked_at && now - self.checked_at < max_age
    }

    fn result(&self) -> Checked {
        Checked {
            outcome: self.outcome.clone(),
            redirected_to: self.redirected_to.clone(),
        }
    }
}

impl Cache {
    /// Records this run's new results and forgets what is of no more use: entries that are
    /// neither fresh nor from this run.
    fn update(&mut self, results: &HashMap<String, (Checked, bool)>, now: u64, cache_hours: u64) {
        self.version = CACHE_VERSION;
        for (key, (result, from_cache)) in results {
            if !from_cache {
                let entry = CacheEntry {
                    outcome: result.outcome.clone(),
                    redirected_to: result.redirected_to.clone(),
                    checked_at: now,
                };
                self.entries.insert(key.clone(), entry);
            }
        }
        self.entries.retain(|key, entry| {
            entry.is_fresh(now, cache_hours)
                || results.get(key).is_some_and(|(_, from_cache)| !from_cache)
        });
    }
}

/// The cache at `path`; an empty one when it is missing, unreadable, corrupt or of another
/// version: the cache only saves time, it must never stop a check.
fn load_cache(path: &Path) -> Cache {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_json::from_str::<Cache>(&text).ok())
        .filter(|cache| cache.version == CACHE_VERSION)
        .unwrap_or_default()
}

/// Writes the cache atomically: a temporary file beside it, renamed over it, so that an
/// interrupted run never leaves half a file.
fn save_cache(path: &Path, cache: &Cache) -> Result<(), String> {
    let fail = |err: &dyn fmt::Display| format!("cannot write {}: {err}", path.display());
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(folder).map_err(|err| fail(&err))?;
    let json = serde_json::to_vec_pretty(cache).map_err(|err| fail(&err))?;
    let mut file = tempfile::NamedTempFile::new_in(folder).map_err(|err| fail(&err))?;
    file.write_all(&json).map_err(|err| fail(&err))?;
    file.persist(path).map_err(|err| fail(&err.error))?;
    Ok(())
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_defaults_and_unknown_keys() {
        let config: ExternalConfig = serde_yaml::from_str("per_host: 3").unwrap();
        assert_eq!(
            config,
            ExternalConfig {
                per_host: 3,
                ..ExternalConfig::default()
            }
        );
        assert!(serde_yaml::from_str::<ExternalConfig>("retry: 3").is_err());
    }

    #[test]
    fn ignore_patterns() {
        let config = ExternalConfig {
            ignore: vec![
                "https://example.com/private/".into(),
                "https://*.internal.example.com/*".into(),
                "*://localhost*".into(),
                String::new(),
            ],
            ..ExternalConfig::default()
        };
        for url in [
            "https://example.com/private/",
            "https://example.com/private/doc#x",
            "https://wiki.internal.example.com/page",
            "https://a.b.internal.example.com/",
            "http://localhost:8080/",
        ] {
            assert!(config.is_ignored(url), "{url}");
        }
        for url in [
            "https://example.com/privat",
            "https://example.com/public/",
            "https://internal.example.com/page",
            "https://wiki.internal.example.com",
            "http://example.com/?next=localhost",
        ] {
            assert!(!config.is_ignored(url), "{url}");
        }
    }

    #[test]
    fn glob_edge_cases() {
        assert!(glob_matches(b"*", b""));
        assert!(glob_matches(b"**a**", b"xxaxx"));
        assert!(glob_matches(b"a*b*c", b"aXbYbZc"));
        assert!(!glob_matches(b"a*b*c", b"aXbYbZ"));
        assert!(!glob_matches(b"", b"a"));
        // Many stars on a long text stays fast.
        let text = "a".repeat(10_000);
        assert!(!glob_matches(b"*a*a*a*a*a*b", text.as_bytes()));
    }

    #[test]
    fn plans() {
        let config = ExternalConfig::default();
        let key = |url: &str| match plan(url, &config) {
            Plan::Request { key, host } => format!("{host} {key}"),
            Plan::Invalid(message) => message.to_string(),
            Plan::Ignore => "ignore".to_string(),
        };
        assert_eq!(key("mailto:a@example.com"), "ignore");
        assert_eq!(key("ftp://example.com/"), "ignore");
        assert_eq!(key("/relative/page"), "ignore");
        assert_eq!(key(""), "ignore");
        assert_eq!(
            key("HTTPS://Example.COM/a#b"),
            "example.com https://Example.COM/a"
        );
        assert_eq!(
            key("https://de.example.org/wiki/Köln x"),
            "de.example.org https://de.example.org/wiki/K%C3%B6ln%20x"
        );
        assert_eq!(key("https://"), "not a valid URL");
        assert_eq!(key("http:/just-a-path"), "not a valid URL");
        assert_eq!(key("http://:80/"), "not a valid URL: no host name");
        assert_eq!(key("https://exa mple.com/"), "not a valid URL");
        assert_eq!(key("https://[::1"), "not a valid URL");
    }

    #[test]
    fn statuses() {
        assert_eq!(classify(204), Outcome::Ok { status: 204 });
        assert_eq!(classify(404), Outcome::Broken { status: 404 });
        assert_eq!(classify(410), Outcome::Broken { status: 410 });
        assert_eq!(classify(403), Outcome::Unverifiable { status: 403 });
        assert_eq!(classify(503), Outcome::ServerError { status: 503 });
        assert_eq!(classify(304), Outcome::Unverifiable { status: 304 });
        assert_eq!(
            Outcome::Broken { status: 404 }.to_string(),
            "broken: 404 Not Found"
        );
        assert_eq!(
            Outcome::ServerError { status: 599 }.to_string(),
            "server error: 599"
        );
        assert!(Outcome::Broken { status: 404 }.fails(false));
        let offline = Outcome::NetworkError {
            message: "connection refused".into(),
        };
        assert!(!offline.fails(false) && offline.fails(true));
    }

    #[test]
    fn error_messages() {
        let ten = Duration::from_secs(10);
        let message = |err| describe_error(err, ten, "https://example.invalid/x").message;
        assert_eq!(
            message(ureq::Error::Timeout(ureq::Timeout::Global)),
            "timed out after 10 s"
        );
        assert_eq!(
            message(ureq::Error::HostNotFound),
            "could not resolve host example.invalid"
        );
        assert_eq!(
            message(ureq::Error::Io(
                std::io::ErrorKind::ConnectionRefused.into()
            )),
            "connection refused"
        );
        let bad_certificate = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "invalid peer certificate: UnknownIssuer",
        );
        assert_eq!(
            message(ureq::Error::Io(bad_certificate)),
            "TLS error: invalid peer certificate: UnknownIssuer"
        );
        assert_eq!(
            message(ureq::Error::TooManyRedirects),
            "too many redirects (more than 10)"
        );
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let mut options = CheckOptions::new(ExternalConfig::default(), None);
        options.backoff_base = Duration::from_millis(100);
        let client = Client::new(&options);
        assert_eq!(client.backoff(0), Duration::from_millis(100));
        assert_eq!(client.backoff(3), Duration::from_millis(800));
        assert_eq!(client.backoff(40), MAX_BACKOFF);
    }

    #[test]
    fn freshness() {
        let entry = |outcome, checked_at| CacheEntry {
            outcome,
            redirected_to: None,
            checked_at,
        };
        let ok = Outcome::Ok { status: 200 };
        let now = 1_000_000;
        assert!(entry(ok.clone(), now - 3599).is_fresh(now, 1));
        assert!(!entry(ok.clone(), now - 3600).is_fresh(now, 1));
        assert!(!entry(ok.clone(), now + 10).is_fresh(now, 1));
        assert!(!entry(ok, now).is_fresh(now, 0));
        assert!(!entry(Outcome::Broken { status: 404 }, now).is_fresh(now, 24));
    }

    #[test]
    fn pool_respects_both_limits() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let jobs = (0..12)
            .map(|i| Job {
                key: i.to_string(),
                host: if i % 2 == 0 { "a" } else { "b" }.to_string(),
            })
            .collect();
        let in_flight: Arc<HashMap<&str, AtomicUsize>> =
            Arc::new([("a", AtomicUsize::new(0)), ("b", AtomicUsize::new(0))].into());
        let total = Arc::new(AtomicUsize::new(0));
        let max_host = Arc::new(AtomicUsize::new(0));
        let max_total = Arc::new(AtomicUsize::new(0));
        let limits = Limits {
            workers: 3,
            per_host: 2,
            deadline: None,
        };
        let (in_flight2, total2) = (Arc::clone(&in_flight), Arc::clone(&total));
        let (max_host2, max_total2) = (Arc::clone(&max_host), Arc::clone(&max_total));
        let done = run_pool(jobs, limits, move |job| {
            let (in_flight, total) = (&in_flight2, &total2);
            let (max_host, max_total) = (&max_host2, &max_total2);
            let host = &in_flight[job.host.as_str()];
            max_host.fetch_max(host.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
            max_total.fetch_max(total.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(20));
            host.fetch_sub(1, Ordering::SeqCst);
            total.fetch_sub(1, Ordering::SeqCst);
            job.key.clone()
        });
        assert_eq!(done.len(), 12);
        assert!(done.iter().all(|(job, key)| job.key == *key));
        assert_eq!(max_host.load(Ordering::SeqCst), 2);
        assert_eq!(max_total.load(Ordering::SeqCst), 3);
    }
}
