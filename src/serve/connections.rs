//! Accepting connections for `handbook serve`, so that no client can use the server up.
//!
//! - A connection must send a whole request head within [`Limits::idle`] of opening, and of
//!   the end of the previous response (keep-alive): hyper's header read timeout covers both,
//!   so a client that sends nothing, or half a request a byte at a time (slowloris), is closed.
//!   It does not apply while a response is being sent: the live-reload stream stays open for
//!   as long as the page, with a keep-alive comment every 15 s.
//! - At most [`Limits::max_connections`] connections are open at once, below the limit of open
//!   files (raised at start to what the system allows, [`raise_open_file_limit`]). At the cap
//!   the server stops accepting until a connection closes; the others wait in the listen
//!   queue. So thousands of connections cannot make `accept` fail for want of file
//!   descriptors, and if it fails anyway (another process used them up) the server waits a
//!   little before it tries again, instead of spinning.

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// How long a connection may take to send a request head, and stay idle between requests.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(10);
/// Most connections at once, whatever the limit of open files.
pub const MAX_CONNECTIONS: usize = 8192;
/// Files kept free for everything else: reading pages and files, the watcher, the runtime.
const RESERVED_FILES: u64 = 256;
/// How long to wait before accepting again after `accept` failed for want of resources.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Test-only overrides, so that a test need not wait 10 s or open 8,000 connections.
const IDLE_TIMEOUT_ENV: &str = "HANDBOOK_SERVE_IDLE_TIMEOUT_MS";
const MAX_CONNECTIONS_ENV: &str = "HANDBOOK_SERVE_MAX_CONNECTIONS";

/// What a connection may take.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub idle: Duration,
    pub max_connections: usize,
}

impl Limits {
    /// The limits for `open_files` file descriptors, or those the (undocumented, for tests)
    /// environment variables ask for.
    pub fn new(open_files: u64) -> Result<Limits, String> {
        let mut limits = Limits {
            idle: IDLE_TIMEOUT,
            max_connections: connection_cap(open_files),
        };
        if let Some(ms) = env_number(IDLE_TIMEOUT_ENV)? {
            limits.idle = Duration::from_millis(ms.max(1));
        }
        if let Some(n) = env_number(MAX_CONNECTIONS_ENV)? {
            limits.max_connections = usize::try_from(n.max(1)).unwrap_or(MAX_CONNECTIONS);
        }
        Ok(limits)
    }
}

/// Most connections at once with `open_files` file descriptors: what is left after
/// [`RESERVED_FILES`], or half of them when there are few.
fn connection_cap(open_files: u64) -> usize {
    let room = open_files
        .saturating_sub(RESERVED_FILES)
        .max(open_files / 2);
    usize::try_from(room)
        .unwrap_or(MAX_CONNECTIONS)
        .clamp(1, MAX_CONNECTIONS)
}

fn env_number(name: &str) -> Result<Option<u64>, String> {
    match std::env::var(name) {
        Ok(value) => value
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| format!("{name} must be a whole number, found {value:?}")),
        Err(_) => Ok(None),
    }
}

/// Raises the soft limit of open files to the hard limit, and returns the limit in effect.
pub fn raise_open_file_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct it is given.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return 1024;
    }
    let mut wanted = limit.rlim_max;
    // macOS refuses RLIM_INFINITY (and anything above OPEN_MAX) for open files.
    if cfg!(target_os = "macos") {
        wanted = wanted.min(10240);
    }
    if wanted > limit.rlim_cur {
        let raised = libc::rlimit {
            rlim_cur: wanted,
            rlim_max: limit.rlim_max,
        };
        // SAFETY: setrlimit reads the struct it is given.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            limit.rlim_cur = wanted;
        }
    }
    limit.rlim_cur
}

/// Serves `router` on `listener` until the process ends.
pub async fn serve(listener: TcpListener, router: Router, limits: Limits) {
    let open = Arc::new(Semaphore::new(limits.max_connections));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.idle)
        .keep_alive(true);
    let mut failing = false;
    loop {
        // At the cap: wait for a connection to close before taking the next one.
        let Ok(permit) = open.clone().acquire_owned().await else {
            return;
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(err) if connection_error(&err) => continue,
            Err(err) => {
                if !failing {
                    eprintln!(
                        "warning: cannot accept connections ({err}); trying again every {} ms",
                        ACCEPT_BACKOFF.as_millis()
                    );
                    failing = true;
                }
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        if failing {
            eprintln!("Accepting connections again.");
            failing = false;
        }
        let _ = stream.set_nodelay(true);
        let connection = http.serve_connection(
            TokioIo::new(stream),
            TowerToHyperService::new(router.clone()),
        );
        tokio::spawn(async move {
            // An error here is the client's (it left, it timed out): nothing to report.
            let _ = connection.await;
            drop(permit);
        });
    }
}

/// Errors of one connection, which say nothing about the next.
fn connection_error(err: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        err.kind(),
        ErrorKind::ConnectionRefused
            | ErrorKind::ConnectionAborted
            | ErrorKind::ConnectionReset
            | ErrorKind::Interrupted
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_stays_below_the_limit_of_open_files() {
        for (files, cap) in [
            (256, 128),
            (1024, 768),
            (20_000, MAX_CONNECTIONS),
            (u64::MAX, MAX_CONNECTIONS),
            (1, 1),
        ] {
            assert_eq!(connection_cap(files), cap, "{files} files");
        }
    }
}
