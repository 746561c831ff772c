//! The external link checker against a real HTTP server on 127.0.0.1: statuses, redirects,
//! retries, timeouts, the per-host limit and the cache.
//!
//! The server is the tests' `Listener` (one thread accepts, one thread per connection answers
//! one request and closes) with routes of its own. It counts requests per route and the most
//! requests in flight at once.

use crate::support::Fixture;
use crate::support::static_server::Listener;
use handbook::check::external::{
    self, CheckOptions, ExternalConfig, ExternalReport, LinkReport, Outcome,
};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// What the server saw.
#[derive(Default)]
struct Seen {
    /// `"HEAD /ok"`, `"GET /ok"`, ... in the order they came.
    requests: Mutex<Vec<String>>,
    user_agents: Mutex<Vec<String>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    stopping: AtomicBool,
}

struct Server {
    seen: Arc<Seen>,
    listener: Listener,
}

impl Server {
    fn start() -> Server {
        let seen = Arc::new(Seen::default());
        let answering = Arc::clone(&seen);
        Server {
            seen,
            listener: Listener::start(move |stream| answer(stream, &answering)),
        }
    }

    fn url(&self, path: &str) -> String {
        self.listener.url(path)
    }

    /// How many requests (any method) came for `path`.
    fn hits(&self, path: &str) -> usize {
        let requests = self.seen.requests.lock().unwrap();
        requests
            .iter()
            .filter(|r| r.split_once(' ').is_some_and(|(_, p)| p == path))
            .count()
    }

    fn requests(&self) -> Vec<String> {
        self.seen.requests.lock().unwrap().clone()
    }
}

impl Drop for Server {
    /// Wakes the slow answers (they check the flag while they sleep); the listener stops when
    /// dropped next.
    fn drop(&mut self) {
        self.seen.stopping.store(true, Ordering::SeqCst);
    }
}

/// Answers one request on `stream`.
fn answer(mut stream: TcpStream, seen: &Seen) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
        // Not HTTP (a TLS handshake starts with 0x16): answer as a plain HTTP server would.
        if !request[0].is_ascii_uppercase() {
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
            return;
        }
    }
    let request = String::from_utf8_lossy(&request).into_owned();
    let mut words = request.split_whitespace();
    let (method, path) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let user_agent = request
        .lines()
        .find_map(|line| {
            line.strip_prefix("user-agent: ")
                .or(line.strip_prefix("User-Agent: "))
        })
        .unwrap_or("")
        .to_string();

    let now = seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    seen.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let earlier = {
        let mut requests = seen.requests.lock().unwrap();
        let earlier = requests
            .iter()
            .filter(|r| r.ends_with(&format!(" {path}")))
            .count();
        requests.push(format!("{method} {path}"));
        earlier
    };
    seen.user_agents.lock().unwrap().push(user_agent);

    let (status, extra) = route(method, path, earlier, seen);
    // No more in flight before the client can see the answer, so that the client's next request
    // is never counted together with this one.
    seen.in_flight.fetch_sub(1, Ordering::SeqCst);
    let reason = match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        _ => "Whatever",
    };
    let body = format!("{status} {reason}\n");
    let mut response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n",
        body.len()
    );
    if method != "HEAD" {
        response.push_str(&body);
    }
    let _ = stream.write_all(response.as_bytes());
}

/// The status and extra headers for a request; `earlier`: requests for this path before it.
fn route(method: &str, path: &str, earlier: usize, seen: &Seen) -> (u16, String) {
    let path = path.split('?').next().unwrap_or("");
    match path {
        "/" | "/ok" => (200, String::new()),
        "/not-found" => (404, String::new()),
        "/gone" => (410, String::new()),
        "/forbidden" => (403, String::new()),
        "/error" => (500, String::new()),
        // One failed attempt (its HEAD and its GET), then fine.
        "/flaky" if earlier < 2 => (500, String::new()),
        "/flaky" => (200, String::new()),
        "/moved" => (301, "Location: /ok\r\n".into()),
        "/found" => (302, "Location: /moved\r\n".into()),
        "/moved-to-missing" => (301, "Location: /not-found\r\n".into()),
        "/loop" => (302, "Location: /loop\r\n".into()),
        "/no-head" if method == "HEAD" => (405, String::new()),
        "/no-head" => (200, String::new()),
        "/rate-limited" => (429, "Retry-After: 0\r\n".into()),
        "/rate-limited-once" if earlier == 0 => (429, "Retry-After: 1\r\n".into()),
        "/rate-limited-once" => (200, String::new()),
        "/rate-limited-long" => (429, "Retry-After: 3600\r\n".into()),
        "/slow" => {
            // Longer than the test timeout; wakes up early when the server stops.
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(3)
                && !seen.stopping.load(Ordering::SeqCst)
            {
                thread::sleep(Duration::from_millis(20));
            }
            (200, String::new())
        }
        // Slow enough that requests overlap, to see the concurrency limits.
        p if p.starts_with("/busy/") => {
            thread::sleep(Duration::from_millis(100));
            (200, String::new())
        }
        _ => (404, String::new()),
    }
}

fn options(config: ExternalConfig) -> CheckOptions {
    let mut options = CheckOptions::new(config, None);
    options.backoff_base = Duration::from_millis(2);
    options
}

fn config() -> ExternalConfig {
    ExternalConfig {
        timeout_seconds: 1,
        ..ExternalConfig::default()
    }
}

fn run(urls: &[String], options: &CheckOptions) -> ExternalReport {
    let report = external::check(urls, options);
    assert_eq!(report.cache_error, None);
    report
}

fn outcomes(report: &ExternalReport) -> HashMap<String, Outcome> {
    report
        .links
        .iter()
        .map(|link| (link.url.clone(), link.outcome.clone()))
        .collect()
}

fn link<'a>(report: &'a ExternalReport, url: &str) -> &'a LinkReport {
    report
        .links
        .iter()
        .find(|link| link.url == url)
        .unwrap_or_else(|| panic!("no report for {url}"))
}

#[test]
fn statuses_become_outcomes() {
    let server = Server::start();
    let paths = [
        ("/ok", Outcome::Ok { status: 200 }),
        ("/not-found", Outcome::Broken { status: 404 }),
        ("/gone", Outcome::Broken { status: 410 }),
        ("/forbidden", Outcome::Unverifiable { status: 403 }),
        ("/error", Outcome::ServerError { status: 500 }),
        ("/no-head", Outcome::Ok { status: 200 }),
        ("/rate-limited", Outcome::Unverifiable { status: 429 }),
    ];
    let urls: Vec<String> = paths.iter().map(|(path, _)| server.url(path)).collect();
    let report = run(&urls, &options(config()));
    let found = outcomes(&report);
    for (path, expected) in &paths {
        assert_eq!(&found[&server.url(path)], expected, "{path}");
        assert!(!link(&report, &server.url(path)).from_cache);
    }
    // Reported in the input's order.
    let order: Vec<&str> = report.links.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(order, urls.iter().map(String::as_str).collect::<Vec<_>>());

    let requests = server.requests();
    // HEAD is enough for a good page; a 405 to HEAD is asked again with GET.
    assert_eq!(requests.iter().filter(|r| r.ends_with(" /ok")).count(), 1);
    assert!(requests.contains(&"HEAD /ok".to_string()));
    assert!(requests.contains(&"GET /no-head".to_string()));
    // 500 and 429 are retried (2 retries by default): 3 attempts.
    assert_eq!(requests.iter().filter(|r| *r == "GET /error").count(), 3);
    assert_eq!(
        server.hits("/rate-limited"),
        3,
        "429 is not asked again with GET"
    );
    // A 404 is not retried: one attempt, HEAD then GET.
    assert_eq!(server.hits("/not-found"), 2);

    let agents = server.seen.user_agents.lock().unwrap();
    assert!(
        agents
            .iter()
            .all(|agent| agent.starts_with("handbook-link-checker/")),
        "{agents:?}"
    );
}

#[test]
fn retries_then_succeeds_or_gives_up() {
    let server = Server::start();
    let url = server.url("/flaky");
    let without_retries = ExternalConfig {
        retries: 0,
        ..config()
    };
    let report = run(std::slice::from_ref(&url), &options(without_retries));
    assert_eq!(
        report.links[0].outcome,
        Outcome::ServerError { status: 500 }
    );
    // The server has failed its two requests now; with a retry, the second attempt works.
    let report = run(std::slice::from_ref(&url), &options(config()));
    assert_eq!(report.links[0].outcome, Outcome::Ok { status: 200 });
    assert_eq!(server.hits("/flaky"), 3);
}

#[test]
fn retry_after_is_honoured_when_short() {
    let server = Server::start();
    let started = Instant::now();
    let report = run(&[server.url("/rate-limited-once")], &options(config()));
    assert_eq!(report.links[0].outcome, Outcome::Ok { status: 200 });
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited {:?}, the server asked for 1 s",
        started.elapsed()
    );

    // An hour is too long to wait: reported at once, not retried.
    let started = Instant::now();
    let report = run(&[server.url("/rate-limited-long")], &options(config()));
    assert_eq!(
        report.links[0].outcome,
        Outcome::Unverifiable { status: 429 }
    );
    assert_eq!(server.hits("/rate-limited-long"), 1);
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[test]
fn redirects_are_followed_and_reported() {
    let server = Server::start();
    let urls = [
        server.url("/moved"),
        server.url("/found"),
        server.url("/moved-to-missing"),
        server.url("/loop"),
        server.url(""),
    ];
    let report = run(&urls, &options(config()));
    for url in &urls[..2] {
        let moved = link(&report, url);
        assert_eq!(moved.outcome, Outcome::Ok { status: 200 });
        assert_eq!(moved.redirected_to, Some(server.url("/ok")));
    }
    let missing = link(&report, &urls[2]);
    assert_eq!(missing.outcome, Outcome::Broken { status: 404 });
    assert_eq!(missing.redirected_to, Some(server.url("/not-found")));
    assert_eq!(
        link(&report, &urls[3]).outcome,
        Outcome::NetworkError {
            message: "too many redirects (more than 10)".into()
        }
    );
    // `http://host` and `http://host/` are the same page, not a redirect.
    let root = link(&report, &urls[4]);
    assert_eq!(root.outcome, Outcome::Ok { status: 200 });
    assert_eq!(root.redirected_to, None);
    // A redirect loop is not retried: 1 request and 10 redirects, once.
    assert_eq!(server.hits("/loop"), 11);
}

#[test]
fn slow_answers_time_out() {
    let server = Server::start();
    let started = Instant::now();
    let no_retry = ExternalConfig {
        retries: 0,
        ..config()
    };
    let report = run(&[server.url("/slow")], &options(no_retry));
    assert_eq!(
        report.links[0].outcome,
        Outcome::NetworkError {
            message: "timed out after 1 s".into()
        }
    );
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(900) && elapsed < Duration::from_millis(2500),
        "{elapsed:?}"
    );
}

#[test]
fn network_errors_and_odd_links_never_panic() {
    // A port nobody listens on: bind one, then free it.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let refused = format!("http://127.0.0.1:{port}/");
    let urls: Vec<String> = [
        refused.as_str(),
        "https://exa mple.com/",
        "http://",
        "https://[::1",
        "mailto:someone@example.com",
        "ftp://example.com/file",
        "/relative/page",
        "",
    ]
    .map(String::from)
    .to_vec();
    let started = Instant::now();
    let report = run(&urls, &options(config()));
    let found = outcomes(&report);
    assert_eq!(
        found[&refused],
        Outcome::NetworkError {
            message: "connection refused".into()
        }
    );
    for invalid in &urls[1..4] {
        assert_eq!(
            found[invalid],
            Outcome::NetworkError {
                message: "not a valid URL".into()
            },
            "{invalid}"
        );
    }
    for other in &urls[4..] {
        assert_eq!(found[other], Outcome::Ignored, "{other}");
    }
    // Retried twice with the tests' short backoff, then given up.
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[test]
fn https_to_a_plain_http_server_is_a_tls_error() {
    let server = Server::start();
    let url = format!("https://{}/ok", server.listener.address());
    let no_retry = ExternalConfig {
        retries: 0,
        ..config()
    };
    let report = run(std::slice::from_ref(&url), &options(no_retry));
    let Outcome::NetworkError { message } = &report.links[0].outcome else {
        panic!("{:?}", report.links[0]);
    };
    assert!(message.starts_with("TLS error"), "{message}");
}

#[test]
fn each_link_is_requested_once() {
    let server = Server::start();
    let ok = server.url("/ok");
    let urls = vec![
        ok.clone(),
        ok.clone(),
        format!("{ok}#section"),
        server.url("/not-found"),
        server.url("/not-found"),
    ];
    let report = run(&urls, &options(config()));
    // One report per distinct link, fragments included...
    let reported: Vec<&str> = report.links.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(reported, [&urls[0], &urls[2], &urls[3]]);
    assert_eq!(link(&report, &urls[2]).outcome, Outcome::Ok { status: 200 });
    // ... but one request per page.
    assert_eq!(server.hits("/ok"), 1);
    assert_eq!(server.hits("/not-found"), 2, "HEAD and GET, once");
}

#[test]
fn ignore_patterns_are_never_requested() {
    let server = Server::start();
    let ignored = ExternalConfig {
        ignore: vec![
            server.url("/not-"),
            format!("http://{}/*/gone*", server.listener.address()),
        ],
        ..config()
    };
    let urls = [
        server.url("/not-found"),
        server.url("/deep/gone?x=1"),
        server.url("/gone"),
    ];
    let report = run(&urls, &options(ignored));
    assert_eq!(link(&report, &urls[0]).outcome, Outcome::Ignored);
    assert_eq!(link(&report, &urls[1]).outcome, Outcome::Ignored);
    assert_eq!(
        link(&report, &urls[2]).outcome,
        Outcome::Broken { status: 410 }
    );
    assert_eq!(server.requests(), ["HEAD /gone", "GET /gone"]);
}

#[test]
fn per_host_limit_is_respected() {
    let server = Server::start();
    let urls: Vec<String> = (0..8).map(|i| server.url(&format!("/busy/{i}"))).collect();
    let limited = ExternalConfig {
        concurrency: 8,
        per_host: 2,
        ..config()
    };
    let report = run(&urls, &options(limited));
    assert!(report.links.iter().all(|l| l.outcome.is_ok()));
    assert_eq!(server.seen.max_in_flight.load(Ordering::SeqCst), 2);
}

#[test]
fn overall_limit_is_respected() {
    let server = Server::start();
    let urls: Vec<String> = (0..8).map(|i| server.url(&format!("/busy/{i}"))).collect();
    let limited = ExternalConfig {
        concurrency: 3,
        per_host: 100,
        ..config()
    };
    let report = run(&urls, &options(limited));
    assert!(report.links.iter().all(|l| l.outcome.is_ok()));
    assert_eq!(server.seen.max_in_flight.load(Ordering::SeqCst), 3);
}

#[test]
fn cache_reuses_good_results_only() {
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    // A folder that does not exist yet: created on the first write.
    let cache_path = tmp.path().join(".handbook-cache/external-links.json");
    let mut options = options(config());
    options.cache_path = Some(cache_path.clone());
    let urls = [
        server.url("/ok"),
        server.url("/moved"),
        server.url("/not-found"),
        server.url("/error"),
    ];

    let first = run(&urls, &options);
    assert!(first.links.iter().all(|l| !l.from_cache));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cache_path).unwrap()).unwrap();
    for url in &urls {
        assert!(
            json.to_string().contains(url.as_str()),
            "{url} not in {json}"
        );
    }
    let before = server.requests().len();

    let second = run(&urls, &options);
    assert_eq!(outcomes(&first), outcomes(&second));
    for url in &urls[..2] {
        assert!(link(&second, url).from_cache, "{url}");
    }
    assert_eq!(
        link(&second, &urls[1]).redirected_to,
        Some(server.url("/ok")),
        "the redirect hint is kept in the cache"
    );
    for url in &urls[2..] {
        assert!(!link(&second, url).from_cache, "{url}");
    }
    let new: Vec<String> = server.requests()[before..].to_vec();
    assert!(
        new.iter()
            .all(|r| r.ends_with("/not-found") || r.ends_with("/error")),
        "{new:?}"
    );
    assert_eq!(new.iter().filter(|r| r.ends_with("/not-found")).count(), 2);

    // cache_hours: 0 trusts nothing.
    let mut fresh = options.clone();
    fresh.config.cache_hours = 0;
    let before = server.hits("/ok");
    let third = run(&urls[..1], &fresh);
    assert!(!third.links[0].from_cache);
    assert_eq!(server.hits("/ok"), before + 1);
}

#[test]
fn corrupt_cache_is_ignored_and_replaced() {
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let cache_path = tmp.path().join("links.json");
    std::fs::write(&cache_path, "{ this is not json").unwrap();
    let mut options = options(config());
    options.cache_path = Some(cache_path.clone());
    let urls = [server.url("/ok")];

    let report = run(&urls, &options);
    assert_eq!(report.links[0].outcome, Outcome::Ok { status: 200 });
    assert!(!report.links[0].from_cache);
    let text = std::fs::read_to_string(&cache_path).unwrap();
    assert!(
        serde_json::from_str::<serde_json::Value>(&text).is_ok(),
        "{text}"
    );
    assert!(run(&urls, &options).links[0].from_cache);

    // Valid JSON of another shape is no better than garbage.
    std::fs::write(&cache_path, r#"{"version": 1, "entries": [1, 2]}"#).unwrap();
    assert!(!run(&urls, &options).links[0].from_cache);
}

#[test]
fn unwritable_cache_is_reported_not_fatal() {
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    // The cache's folder is a file: nothing can be written there.
    let blocker = tmp.path().join("blocker");
    std::fs::write(&blocker, "").unwrap();
    let mut options = options(config());
    options.cache_path = Some(blocker.join("links.json"));
    let report = external::check(&[server.url("/ok")], &options);
    assert_eq!(report.links[0].outcome, Outcome::Ok { status: 200 });
    assert!(
        report
            .cache_error
            .is_some_and(|e| e.contains("cannot write"))
    );
}

/// `handbook::check` with `external` on a real site: each problem at its place in the Markdown,
/// errors only for links that are definitely not there, and the cache in `.handbook-cache/`.
#[test]
fn check_external_reports_links_at_their_place_in_the_pages() {
    let server = Server::start();
    let site = Fixture::new()
        .file(
            "handbook.yml",
            "title: T\nbase_url: https://example.com/\nexternal_links:\n  timeout_seconds: 1\n  retries: 0\n  ignore: [\"https://ignored.example.com/\"]\n",
        )
        .file(
            "content/index.md",
            format!(
                "# Home\n\n[ok]({ok}) [missing]({missing})\n\n[slow]({slow}) [down]({error}) [ignored](https://ignored.example.com/x)\n",
                ok = server.url("/ok"),
                missing = server.url("/not-found"),
                slow = server.url("/slow"),
                error = server.url("/error"),
            ),
        );
    let root = &site.root();
    let options = handbook::BuildOptions {
        root: root.to_path_buf(),
        ..Default::default()
    };
    let checks = handbook::CheckOptions {
        external: true,
        ..Default::default()
    };
    let err = handbook::check(&options, checks).expect_err("a 404 is an error");
    let lines: Vec<String> = err.diagnostics.iter().map(ToString::to_string).collect();
    let missing = server.url("/not-found");
    let slow = server.url("/slow");
    let error = server.url("/error");
    assert_eq!(
        lines,
        [
            format!(
                "content/index.md:3:{}: broken link {missing}: the server answers 404 Not Found",
                server.url("/ok").len() + 18
            ),
            format!("content/index.md:5:8: warning: could not check {slow}: timed out after 1 s"),
            format!(
                "content/index.md:5:{}: warning: could not check {error}: server error: 500 Internal Server Error",
                8 + slow.len() + 9
            ),
        ]
    );
    assert!(!root.join("public").exists(), "check writes no site");
    assert!(
        root.join(external::CACHE_FILE).is_file(),
        "results are kept for the next check"
    );
    // Without --external, no request at all.
    let before = server.seen.requests.lock().unwrap().len();
    handbook::check(&options, handbook::CheckOptions::default()).expect("internal links are fine");
    assert_eq!(server.seen.requests.lock().unwrap().len(), before);
}

/// A server that accepts every connection and never answers: what a dead link behind a
/// firewall that drops packets looks like to the checker, only faster to set up. The
/// connections stay open until it is dropped.
struct Silent {
    listener: Listener,
    _held: Arc<Mutex<Vec<TcpStream>>>,
}

impl Silent {
    fn start() -> Silent {
        let held = Arc::new(Mutex::new(Vec::new()));
        let holding = Arc::clone(&held);
        Silent {
            listener: Listener::start(move |stream| holding.lock().unwrap().push(stream)),
            _held: held,
        }
    }

    fn urls(&self, count: usize) -> Vec<String> {
        (0..count)
            .map(|i| self.listener.url(&format!("/dead/{i}")))
            .collect()
    }
}

/// 100 links that never answer, a request timeout of 10 s and a deadline of 2 s: the check ends
/// at the deadline, abandoning the requests in flight, reports the links it did not check, and
/// caches the one it did.
#[test]
fn the_deadline_ends_the_check_and_reports_what_was_not_checked() {
    let (server, silent) = (Server::start(), Silent::start());
    let dir = tempfile::tempdir().unwrap();
    let mut options = options(ExternalConfig {
        timeout_seconds: 10,
        retries: 0,
        ..ExternalConfig::default()
    });
    options.deadline = Some(Duration::from_secs(2));
    options.cache_path = Some(dir.path().join("links.json"));
    let mut urls = vec![server.url("/ok")];
    urls.extend(silent.urls(100));
    let started = Instant::now();
    let report = run(&urls, &options);
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "the check took {took:?}: it should end at the 2 s deadline, not after the 10 s timeout"
    );
    assert_eq!(link(&report, &urls[0]).outcome, Outcome::Ok { status: 200 });
    for url in &urls[1..] {
        assert_eq!(
            link(&report, url).outcome,
            Outcome::NotChecked { seconds: 2 },
            "{url}"
        );
    }
    assert_eq!(
        Outcome::NotChecked { seconds: 2 }.to_string(),
        "not checked: the check's deadline of 2 s passed first"
    );
    // The next check asks only about what was not checked.
    options.deadline = None;
    options.config.timeout_seconds = 1;
    let next = run(&urls[..1], &options);
    assert!(
        next.links[0].from_cache,
        "the link checked in time was cached"
    );
}

/// `handbook check --external` with `deadline_seconds: 2`: each link not checked is a warning
/// where it is first written, and one more says how many and how to allow more time; with
/// `--strict` they are errors.
#[test]
fn check_external_reports_links_left_at_the_deadline() {
    let silent = Silent::start();
    let urls = silent.urls(100);
    let lines: Vec<String> = urls.iter().map(|u| format!("- [dead]({u})\n")).collect();
    let page = format!(
        "# Home\n\n{}\nAgain: [first]({})\n",
        lines.concat(),
        urls[0]
    );
    let site = Fixture::new()
        .file(
            "handbook.yml",
            "title: T\nbase_url: https://example.com/\nexternal_links:\n  timeout_seconds: 10\n  retries: 0\n  deadline_seconds: 2\n",
        )
        .file("content/index.md", page);
    let options = handbook::BuildOptions {
        root: site.root(),
        ..Default::default()
    };
    let checks = handbook::CheckOptions {
        external: true,
        ..Default::default()
    };
    let started = Instant::now();
    let summary = handbook::check(&options, checks).expect("not checked is not an error");
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
    let warnings: Vec<String> = summary.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(warnings.len(), 101, "{warnings:#?}");
    assert_eq!(
        warnings[0],
        format!(
            "content/index.md:3:10: warning: could not check {}: not checked: the check's deadline of 2 s passed first",
            urls[0]
        )
    );
    assert_eq!(
        warnings[100],
        "handbook.yml: warning: 100 external links not checked: the check stops after 2 s (external_links.deadline_seconds)\n  \
         help: what was checked is remembered, so the next check goes on with the rest; allow more time with `deadline_seconds` or `handbook check --external-deadline SECONDS`"
    );
    let strict = handbook::CheckOptions {
        strict: true,
        external_deadline: Some(1),
        ..checks
    };
    let started = Instant::now();
    let err = handbook::check(&options, strict).expect_err("--strict fails");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(err.errors().count(), 101);
    assert!(
        err.diagnostics[100]
            .to_string()
            .starts_with("handbook.yml: 100 external links not checked: the check stops after 1 s"),
        "{}",
        err.diagnostics[100]
    );
}

/// The `http(s)` links of a data file are checked by `handbook check --external` too, and a
/// broken one is reported at its line in the data file.
#[test]
fn check_external_checks_the_links_of_data_files() {
    let server = Server::start();
    let site = Fixture::new().file("content/index.md", "# Home\n").file(
        "data/tools.yml",
        format!(
            "- name: Good\n  url: {}\n- name: Gone\n  url: {}\n",
            server.url("/ok"),
            server.url("/not-found")
        ),
    );
    let options = handbook::BuildOptions {
        root: site.root(),
        ..Default::default()
    };
    let checks = handbook::CheckOptions {
        external: true,
        ..Default::default()
    };
    let err = handbook::check(&options, checks).expect_err("a 404 is an error");
    let errors: Vec<String> = err.errors().map(ToString::to_string).collect();
    assert_eq!(
        errors,
        [format!(
            "data/tools.yml:4:8: broken link {}: the server answers 404 Not Found",
            server.url("/not-found")
        )]
    );
    assert_eq!(server.hits("/ok"), 1, "{:?}", server.requests());
}
