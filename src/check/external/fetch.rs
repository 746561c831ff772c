//! The HTTP side of the check: one `ureq` agent, `HEAD` then `GET`, retries with backoff, and
//! what each answer or failure means for the link.

use super::{CheckOptions, Checked, MAX_REDIRECTS, Outcome, USER_AGENT};
use std::time::Duration;
use ureq::ResponseExt;
use ureq::http::Uri;

/// The longest `Retry-After` we wait for; a site asking for more is reported as it answered.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);

/// The longest pause between two tries, whatever the backoff says.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// The HTTP side: one agent (its connection pool shared by the workers) and the retry policy.
pub(super) struct Client {
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
    pub(super) fn new(options: &CheckOptions) -> Client {
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
    pub(super) fn check(&self, url: &str) -> Checked {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::external::ExternalConfig;

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
}
