//! Which names `handbook serve` answers to: a request's `Host` must be `localhost`, a name
//! ending in `.localhost`, an IP address, or a name given with `--allow-host`; anything else is
//! refused with a page that says why (DNS rebinding).

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The names a request may be addressed to (its `Host`), besides `localhost`, names ending in
/// `.localhost` and IP addresses.
///
/// Why: a web page the contributor opens could point a name of its own at 127.0.0.1 (DNS
/// rebinding) and then read the preview as its own site. Its requests carry its name as
/// `Host`, so the server answers only names that cannot be anyone else's: the loopback names
/// and IP addresses (rebinding needs a DNS name), plus those `--allow-host` names.
#[derive(Debug, Default)]
pub struct AllowedHosts {
    /// Lower case, without a trailing dot.
    names: Vec<String>,
}

impl AllowedHosts {
    /// The names given with `--allow-host`; an error for one that is not a host name.
    pub fn new(names: &[String]) -> Result<AllowedHosts, String> {
        let mut allowed = AllowedHosts::default();
        for name in names {
            let normal = normal_host(name);
            let valid = !normal.is_empty()
                && normal
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_');
            if !valid {
                return Err(format!(
                    "--allow-host {name:?} is not a host name: give the name alone, like --allow-host my-laptop.local (no http://, port or path)"
                ));
            }
            allowed.names.push(normal);
        }
        Ok(allowed)
    }

    /// Whether a request addressed to `authority` (a `Host` header: a name or an address, and
    /// perhaps a port) is answered.
    pub fn allows(&self, authority: &str) -> bool {
        let Some(host) = host_of(authority) else {
            return false;
        };
        if host.starts_with('[') {
            // host_of checked that it is an IPv6 address.
            return true;
        }
        let host = normal_host(host);
        host.parse::<std::net::Ipv4Addr>().is_ok()
            || host == "localhost"
            || host.ends_with(".localhost")
            || self.names.contains(&host)
    }
}

fn normal_host(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

/// The host of `name[:port]` or `[ipv6][:port]`; `None` when it is neither.
fn host_of(authority: &str) -> Option<&str> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let end = rest.find(']')?;
        rest[..end].parse::<std::net::Ipv6Addr>().ok()?;
        (&authority[..end + 2], &rest[end + 1..])
    } else {
        let end = authority.find(':').unwrap_or(authority.len());
        (&authority[..end], &authority[end..])
    };
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    (port_ok && !host.is_empty()).then_some(host)
}

/// Refuses (403) a request addressed to a name the server does not know: see [`AllowedHosts`].
/// A request without `Host` is answered: browsers always send one, only HTTP/1.0 tools do
/// not, and rebinding needs a browser.
pub async fn check_host(
    State(hosts): State<Arc<AllowedHosts>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    // An absolute URL in the request line (`GET http://name/ HTTP/1.1`) names the host too.
    let in_uri = request.uri().authority().map(|a| a.as_str().to_string());
    let mut named = Vec::new();
    for value in request.headers().get_all(header::HOST) {
        named.push(value.to_str().ok().map(str::to_string));
    }
    if let Some(authority) = in_uri {
        named.push(Some(authority));
    }
    for name in named {
        match name {
            Some(name) if hosts.allows(&name) => {}
            other => return refuse_host(other.as_deref()),
        }
    }
    next.run(request).await
}

fn refuse_host(name: Option<&str>) -> Response {
    let shown = name
        .and_then(host_of)
        .filter(|h| h.len() <= 253)
        .map(|h| h.to_string());
    let (what, allow) = match &shown {
        Some(host) => (format!("`{host}`"), format!("--allow-host {host}")),
        None => (
            "a name it does not know".to_string(),
            "--allow-host NAME".to_string(),
        ),
    };
    let text = format!(
        "handbook serve does not answer requests addressed to {what}.\n\n\
         It answers only localhost, names ending in .localhost and IP addresses, so that a web\n\
         page you visit cannot read your preview through a name of its own (DNS rebinding).\n\n\
         If you opened this address yourself (the computer's name on your network, with\n\
         --bind 0.0.0.0), start the server again with {allow}.\n"
    );
    let mut response = (StatusCode::FORBIDDEN, text).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_and_addresses_are_allowed_and_other_names_are_not() {
        let hosts = AllowedHosts::new(&["My-Laptop.local".to_string()]).unwrap();
        for allowed in [
            "localhost",
            "localhost:1111",
            "LOCALHOST.:1111",
            "handbook.localhost:1111",
            "127.0.0.1",
            "127.0.0.1:1111",
            "192.168.1.20:1111",
            "[::1]:1111",
            "[::1]",
            "[fe80::1]:80",
            "my-laptop.local",
            "MY-LAPTOP.LOCAL:1111",
        ] {
            assert!(hosts.allows(allowed), "{allowed}");
        }
        for refused in [
            "evil.example",
            "evil.example:1111",
            "localhost.evil.example",
            "127.0.0.1.evil.example",
            "evillocalhost",
            "my-laptop.local.evil.example",
            "0x7f.1",
            "2130706433x",
            "::1",
            "[::1",
            "[not-v6]:1111",
            "localhost:",
            "localhost:11x",
            "localhost:1111:1111",
            "",
            ":1111",
        ] {
            assert!(!hosts.allows(refused), "{refused:?}");
        }
    }

    #[test]
    fn an_allowed_host_must_be_a_plain_name() {
        assert!(AllowedHosts::new(&["laptop.local.".to_string()]).is_ok());
        for bad in ["http://laptop.local", "laptop.local:1111", "", "a/b", "a b"] {
            let err = AllowedHosts::new(&[bad.to_string()]).unwrap_err();
            assert!(err.contains("--allow-host"), "{err}");
        }
    }
}
