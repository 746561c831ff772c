//! The HTTP side of `handbook serve`: every request is answered from the current
//! [`Generation`](super::state::Generation), never by opening a path the request names.
//!
//! A request path is percent-decoded and normalised first: `.` and empty segments are dropped,
//! `..`, backslashes and NUL are refused (400). An encoded slash is a slash. What is left is
//! looked up among the site's pages, aliases, generated files and the files of `static/` and
//! `content/`; anything else is the site's 404 page, with status 404.

use super::hosts::{AllowedHosts, check_host};
use super::state::Generation;
use super::{LiveEvent, Shared};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::convert::Infallible;
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;

/// Where the live-reload script and its event stream are served: a path no site has.
pub const LIVE_SCRIPT: &str = "/__handbook/live.js";
pub const LIVE_EVENTS: &str = "/__handbook/events";

const LIVE_JS: &str = include_str!("live.js");

pub fn router(shared: Arc<Shared>, hosts: Arc<AllowedHosts>) -> Router {
    Router::new()
        .route(LIVE_SCRIPT, get(live_script))
        .route(LIVE_EVENTS, get(live_events))
        .fallback(site)
        .with_state(shared)
        .layer(axum::middleware::from_fn_with_state(hosts, check_host))
}

async fn live_script(headers: HeaderMap) -> Response {
    respond(
        &Method::GET,
        &headers,
        StatusCode::OK,
        "text/javascript; charset=utf-8",
        LIVE_JS.as_bytes().to_vec(),
    )
}

/// Server-sent events: `hello` (version, instance, errors) on connecting, then `reload`,
/// `css` and `errors` as they happen.
async fn live_events(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let receiver = shared.subscribe();
    let hello = format!(
        "{{\"version\":{},\"instance\":\"{}\",\"errors\":{}}}",
        shared.current().version,
        shared.instance,
        shared.shown_problems()
    );
    let first = Event::default().event("hello").data(hello);
    let stream = futures_util::stream::unfold(
        (Some(first), receiver, shared),
        |(first, mut receiver, shared)| async move {
            if let Some(first) = first {
                return Some((Ok::<_, Infallible>(first), (None, receiver, shared)));
            }
            let event = match receiver.recv().await {
                Ok(LiveEvent::Reload(version, landings)) => Event::default()
                    .event("reload")
                    .data(reload_data(version, &landings)),
                Ok(LiveEvent::Stylesheets(version)) => Event::default()
                    .event("css")
                    .data(format!("{{\"version\":{version}}}")),
                Ok(LiveEvent::Problems(json)) => Event::default()
                    .event("errors")
                    .data(format!("{{\"errors\":{json}}}")),
                // Too slow to keep up: whatever was missed, a reload catches up.
                Err(RecvError::Lagged(_)) => Event::default()
                    .event("reload")
                    .data(format!("{{\"version\":{}}}", shared.current().version)),
                Err(RecvError::Closed) => return None,
            };
            Some((Ok(event), (None, receiver, shared)))
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// Every other path: pages, files, redirects, the 404 page.
async fn site(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
            "handbook serve only answers GET and HEAD\n",
        )
            .into_response();
    }
    let Some(path) = normalize(uri.path()) else {
        return (
            StatusCode::BAD_REQUEST,
            "This address is not a path of the site (it has `..`, a backslash or a NUL).\n",
        )
            .into_response();
    };
    let request = Request {
        generation: shared.current(),
        query: uri.query().map(|q| format!("?{q}")).unwrap_or_default(),
        uri: &uri,
        method: &method,
        headers: &headers,
        shared: &shared,
        path,
    };
    if let Some(response) = request.page().await {
        return response;
    }
    if let Some(response) = request.file().await {
        return response;
    }
    if let Some(response) = request.generated().await {
        return response;
    }
    request.folder_or_not_found().await
}

/// One request for a path of the site, answered from one version of it.
struct Request<'a> {
    generation: Arc<Generation>,
    /// `?…` as asked, kept by redirects.
    query: String,
    uri: &'a Uri,
    method: &'a Method,
    headers: &'a HeaderMap,
    shared: &'a Arc<Shared>,
    /// The normalised path, with its leading `/`.
    path: String,
}

impl Request<'_> {
    /// A page, by its URL or its `index.html`; a page that only redirects (`redirect_to`, a
    /// folder's address an alias took over) or an alias, as a redirect.
    async fn page(&self) -> Option<Response> {
        let site = &self.generation.site;
        let page_url = match self.path.ends_with('/') {
            true => Some(self.path.clone()),
            false => self.path.strip_suffix("index.html").map(str::to_string),
        };
        let found = page_url.as_ref().and_then(|url| site.by_url.get(url));
        if let Some(redirect) = found.and_then(|&id| site.pages[id].redirect.as_ref()) {
            return Some(self::redirect(&redirect.href));
        }
        if let Some(&id) = found {
            return Some(self.render(id).await);
        }
        let id = site.by_alias.get(&self.path)?;
        Some(redirect(&format!(
            "{}{}",
            site.destination(*id),
            self.query
        )))
    }

    /// Page `id`, rendered from the generation the id comes from: a newer one may number its
    /// pages differently (a page added or removed), and would answer with another page.
    /// Rendering takes a blocking thread; a cached page does not, so that many browsers (or a
    /// crawler) do not grow the blocking pool, each thread with its own memory.
    async fn render(&self, id: crate::site::PageId) -> Response {
        let generation = &self.generation;
        let rendered = match generation.cached(id) {
            Some(done) => Ok((done, generation.version)),
            None => {
                let for_render = generation.clone();
                tokio::task::spawn_blocking(move || (for_render.page(id), for_render.version)).await
            }
        };
        let (method, headers, shared) = (self.method, self.headers, self.shared);
        match rendered {
            Ok((rendered, version)) => match &*rendered {
                Ok(html) => html_response(method, headers, StatusCode::OK, html, shared, version),
                Err(problem) => error_page(method, headers, problem, shared, version),
            },
            Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    }

    /// A file of `static/` or `content/` (a folder's `index.html` too), an old `.html` address
    /// (`html_aliases`) unless a file of the site is there, or a file of the search index.
    async fn file(&self) -> Option<Response> {
        let (site, rel) = (&self.generation.site, &self.path[1..]);
        let (method, headers) = (self.method, self.headers);
        if let Some(source) = self.generation.copies.get(rel) {
            return Some(match read_file(source).await {
                Some(bytes) => respond(method, headers, StatusCode::OK, &content_type(rel), bytes),
                None => not_found(method, headers, self.shared).await,
            });
        }
        if let Some(&id) = site.html_aliases.get(&self.path) {
            return Some(redirect(&format!("{}{}", site.destination(id), self.query)));
        }
        if self.path.ends_with('/')
            && let Some(source) = self.generation.copies.get(&format!("{rel}index.html"))
            && let Some(bytes) = read_file(source).await
        {
            let html = "text/html; charset=utf-8";
            return Some(respond(method, headers, StatusCode::OK, html, bytes));
        }
        if site.config.search.enabled && rel.starts_with(crate::layout::SEARCH_INDEX_DIR) {
            return Some(self.search_file(rel).await);
        }
        None
    }

    /// A file of the search index of the version the browser's `?v=` names.
    async fn search_file(&self, rel: &str) -> Response {
        let build = (self.uri.query())
            .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("v=")))
            .map(str::to_string);
        let (from, rel) = (self.shared.clone(), rel.to_string());
        let found =
            tokio::task::spawn_blocking(move || from.search_file(&rel, build.as_deref())).await;
        let Ok(Some(gzipped)) = found else {
            return not_found(self.method, self.headers, self.shared).await;
        };
        // Kept gzipped: sent so to any browser, unpacked for a client that does not take it.
        let takes_gzip = self
            .headers
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|coding| {
                let mut parts = coding.split(';');
                let name = parts.next().unwrap_or("").trim();
                let refused =
                    parts.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
                (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
            });
        let bytes = match takes_gzip {
            true => gzipped.to_vec(),
            false => match super::gunzip(&gzipped) {
                Ok(bytes) => bytes,
                Err(_) => return not_found(self.method, self.headers, self.shared).await,
            },
        };
        let mut response = respond(
            self.method,
            self.headers,
            StatusCode::OK,
            "application/json",
            bytes,
        );
        let headers = response.headers_mut();
        headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        if takes_gzip {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        response
    }

    /// A generated file, or a folder's generated index.html (the search page, the changes
    /// page): typed by the name of the file the build writes, `search/index.html` for
    /// `/search/`.
    async fn generated(&self) -> Option<Response> {
        let rel = &self.path[1..];
        let name = match self.path.ends_with('/') {
            true => format!("{rel}index.html"),
            false => rel.to_string(),
        };
        let made = self.generation.generated(&name)?;
        let (method, headers, version) = (self.method, self.headers, self.generation.version);
        Some(match &*made {
            Ok(bytes) if name.ends_with(".html") => {
                let html = String::from_utf8_lossy(bytes);
                html_response(method, headers, StatusCode::OK, &html, self.shared, version)
            }
            Ok(bytes) => {
                let bytes = bytes.clone();
                respond(method, headers, StatusCode::OK, &content_type(&name), bytes)
            }
            Err(problem) => error_page(method, headers, problem, self.shared, version),
        })
    }

    /// `/engineering` for `/engineering/`, as static hosts do: for every folder the built site
    /// has an index.html in (pages, aliases, the search page, files of static/). Else 404.
    async fn folder_or_not_found(&self) -> Response {
        let (site, path) = (&self.generation.site, &self.path);
        if !path.ends_with('/') {
            let folder = format!("{path}/");
            if site.by_url.contains_key(&folder)
                || site.by_alias.contains_key(&folder)
                || (self.generation.outputs).contains(&format!("{}/index.html", &path[1..]))
            {
                return redirect(&format!("{folder}{}", self.query));
            }
        }
        not_found(self.method, self.headers, self.shared).await
    }
}

/// The bytes of a file of `static/` or `content/`, read as [`crate::source::walk::read`] does: never
/// through a link (one made since the file was listed), never a pipe. `None` when it cannot be.
async fn read_file(source: &std::path::Path) -> Option<Vec<u8>> {
    let source = source.to_path_buf();
    tokio::task::spawn_blocking(move || crate::source::walk::read(&source).ok())
        .await
        .ok()
        .flatten()
}

/// The request path, percent-decoded, without `.` and empty segments; `None` if it tries to
/// leave the site or is not text.
pub fn normalize(raw: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .ok()?;
    if decoded.contains('\\') || decoded.contains('\0') {
        return None;
    }
    let mut segments = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return None,
            other => segments.push(other),
        }
    }
    let mut path = String::from("/");
    path.push_str(&segments.join("/"));
    if decoded.ends_with('/') && !segments.is_empty() {
        path.push('/');
    }
    Some(path)
}

async fn not_found(method: &Method, headers: &HeaderMap, shared: &Arc<Shared>) -> Response {
    let shared_for_render = shared.clone();
    let made = tokio::task::spawn_blocking(move || {
        let generation = shared_for_render.current();
        (generation.generated("404.html"), generation.version)
    })
    .await;
    match made {
        Ok((Some(made), version)) => match &*made {
            Ok(bytes) => html_response(
                method,
                headers,
                StatusCode::NOT_FOUND,
                &String::from_utf8_lossy(bytes),
                shared,
                version,
            ),
            Err(problem) => error_page(method, headers, problem, shared, version),
        },
        // The site's static/ has its own 404.html.
        Ok((None, version)) => {
            let generation = shared.current();
            let page = match generation.copies.get("404.html") {
                Some(source) => read_file(source)
                    .await
                    .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                    .unwrap_or_default(),
                None => String::new(),
            };
            html_response(
                method,
                headers,
                StatusCode::NOT_FOUND,
                &page,
                shared,
                version,
            )
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

fn redirect(to: &str) -> Response {
    (
        StatusCode::MOVED_PERMANENTLY,
        [(header::LOCATION, to.to_string())],
    )
        .into_response()
}

/// A page that could not be rendered: the problem, and the overlay shows it too.
fn error_page(
    method: &Method,
    headers: &HeaderMap,
    problem: &crate::diagnostics::Diagnostic,
    shared: &Arc<Shared>,
    version: u64,
) -> Response {
    shared.render_failed(version, problem);
    let mut text = String::new();
    crate::markdown::highlight::escape_into(&mut text, &problem.to_string());
    let html = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>This page could not be rendered</title></head>\n<body>\n<h1>This page could not be rendered</h1>\n<pre id=\"handbook-render-error\">{text}</pre>\n<p>Fix it and save: this page reloads by itself.</p>\n</body>\n</html>\n"
    );
    html_response(
        method,
        headers,
        StatusCode::INTERNAL_SERVER_ERROR,
        &html,
        shared,
        version,
    )
}

/// An HTML response with the live-reload script, which knows the version it was rendered from.
fn html_response(
    method: &Method,
    headers: &HeaderMap,
    status: StatusCode,
    html: &str,
    shared: &Shared,
    version: u64,
) -> Response {
    let script = format!(
        "<script src=\"{LIVE_SCRIPT}\" data-version=\"{version}\" data-instance=\"{}\"></script>\n",
        shared.instance
    );
    let mut page = String::with_capacity(html.len() + script.len());
    match html.rfind("</body>") {
        Some(end) => {
            page.push_str(&html[..end]);
            page.push_str(&script);
            page.push_str(&html[end..]);
        }
        None => {
            page.push_str(html);
            page.push_str(&script);
        }
    }
    respond(
        method,
        headers,
        status,
        "text/html; charset=utf-8",
        page.into_bytes(),
    )
}

/// A response with an ETag; `304 Not Modified` when the browser has this very body, and no
/// body for `HEAD`.
fn respond(
    method: &Method,
    headers: &HeaderMap,
    status: StatusCode,
    content_type: &str,
    body: Vec<u8>,
) -> Response {
    let etag = format!("\"{:032x}\"", xxhash_rust::xxh3::xxh3_128(&body));
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == etag || t == "*")
        });
    let mut response = if matches && status == StatusCode::OK {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let length = body.len();
        let body = if *method == Method::HEAD {
            Body::empty()
        } else {
            Body::from(body)
        };
        let mut response = (status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(content_type)
                .unwrap_or(HeaderValue::from_static("application/octet-stream")),
        );
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
        response
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    // Always ask again: the file may change with the next save.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The `Content-Type` of a file, by its extension; text types say UTF-8.
pub fn content_type(path: &str) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let text = mime.type_() == mime_guess::mime::TEXT
        || matches!(
            mime.essence_str(),
            "application/javascript" | "application/json" | "application/xml" | "image/svg+xml"
        );
    if path.ends_with("_redirects") || path.ends_with("_headers") {
        return "text/plain; charset=utf-8".into();
    }
    if text {
        format!("{}; charset=utf-8", mime.essence_str())
    } else {
        mime.essence_str().to_string()
    }
}

/// The data of a `reload` event: the version, and where each edited page lands,
/// `{"version":3,"landings":[["/a/","setup"]]}`.
fn reload_data(version: u64, landings: &[(String, String)]) -> String {
    serde_json::json!({ "version": version, "landings": landings }).to_string()
}
