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

mod cache;
mod fetch;
mod patterns;
mod pool;
mod report;

pub use crate::config::ExternalConfig;
pub use report::external_links;

use cache::{Cache, load_cache, save_cache, unix_now};
use fetch::Client;
use pool::{Job, Limits, run_pool};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use ureq::http::Uri;

/// Sent with every request, so a site's operator can tell who is knocking.
pub const USER_AGENT: &str = concat!("handbook-link-checker/", env!("CARGO_PKG_VERSION"));

/// Redirects followed before a link counts as broken ("too many redirects").
pub const MAX_REDIRECTS: u32 = 10;

/// Where the cache lives by default, relative to the handbook's root.
pub const CACHE_FILE: &str = ".handbook-cache/external-links.json";

/// `<root>/.handbook-cache/external-links.json`: the cache file of the handbook at `root`.
pub fn default_cache_path(root: &Path) -> PathBuf {
    root.join(CACHE_FILE)
}

impl ExternalConfig {
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
    let links = distinct_links(urls, config);
    let (mut results, jobs) = cached_or_queued(&links, &cache, now, config.cache_hours);
    let client = Arc::new(Client::new(options));
    let limits = Limits {
        workers: config.concurrency,
        per_host: config.per_host,
        deadline,
    };
    for (job, result) in run_pool(jobs, limits, move |job| client.check(&job.key)) {
        results.insert(job.key, (result, false));
    }
    // What a link not checked in time gets, when there is a deadline.
    let late = options.deadline.map(|d| Outcome::NotChecked {
        seconds: d.as_secs(),
    });
    let reports = links
        .into_iter()
        .map(|(url, plan)| link_report(url, plan, &results, late.as_ref()))
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

/// Distinct links, in order, each with what to do about it. Links differing only in their
/// `#fragment` are one request (the fragment never reaches the server).
fn distinct_links<'u>(urls: &'u [String], config: &ExternalConfig) -> Vec<(&'u str, Plan)> {
    let mut seen = HashSet::new();
    urls.iter()
        .filter(|url| seen.insert(url.as_str()))
        .map(|url| (url.as_str(), plan(url, config)))
        .collect()
}

/// One result per request key, from the cache (marked `true`) where it is fresh; the keys
/// that are not, as jobs for the network.
fn cached_or_queued(
    links: &[(&str, Plan)],
    cache: &Cache,
    now: u64,
    cache_hours: u64,
) -> (HashMap<String, (Checked, bool)>, Vec<Job>) {
    let mut results: HashMap<String, (Checked, bool)> = HashMap::new();
    let mut jobs = Vec::new();
    let mut queued = HashSet::new();
    for (_, plan) in links {
        if let Plan::Request { key, host } = plan {
            if results.contains_key(key) || !queued.insert(key.as_str()) {
                continue;
            }
            match cache.entries.get(key) {
                Some(entry) if entry.is_fresh(now, cache_hours) => {
                    results.insert(key.clone(), (entry.result(), true));
                }
                _ => jobs.push(Job {
                    key: key.clone(),
                    host: host.clone(),
                }),
            }
        }
    }
    (results, jobs)
}

/// The report of link `url`, planned as `plan`, from the `results` of its request. A request
/// without a result had no time (`late`, with a deadline).
fn link_report(
    url: &str,
    plan: Plan,
    results: &HashMap<String, (Checked, bool)>,
    late: Option<&Outcome>,
) -> LinkReport {
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
            let outcome = match late {
                Some(late) => late.clone(),
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
}
