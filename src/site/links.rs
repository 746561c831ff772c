//! Internal links: what an author's link means, which URL the built site gives it, and whether
//! it arrives.
//!
//! Authors write links every way a handbook allows: site paths (`/company/values`,
//! `/company/values/#team`), paths relative to the page's Markdown file (`values`,
//! `../product/roadmap`, `roadmap.md`, `./img/chart.png`, the way they read on GitHub), legacy
//! `.html` URLs, and same-page `#anchors`. [`LinkTable::resolve`] turns each into the
//! site-absolute URL the output uses (with the `base_url` path in front), or says why it goes
//! nowhere. Pure: no IO.

mod nearest;

use crate::diagnostics::suggest;
use crate::site::{Page, PageId, Site};
use percent_encoding::percent_decode_str;
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, OnceLock};

/// What a link reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Page(PageId),
    /// A page reached through one of its aliases.
    Alias(PageId),
    /// A file of the output (a static or colocated file), by its path in the output folder.
    File(String),
}

/// One resolved internal link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub target: Target,
    /// The `#fragment`, percent-decoded, when there is one.
    pub fragment: Option<String>,
    /// What the built page links to: site-absolute, with the base path.
    pub href: String,
    /// The link names an old URL of the page (an alias): it works, through a redirect.
    pub via_alias: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Not a link into the site (`https://…`, `mailto:…`, an empty link): left as it is.
    Outside,
    /// `#anchor` on the page itself.
    SamePage(String),
    Internal(Resolved),
    /// Goes nowhere: why, and the nearest thing that exists (in the author's terms).
    Broken {
        reason: String,
        suggestion: Option<String>,
    },
}

/// Pages by their Markdown file and by their folder: what relative links are resolved
/// against. It depends only on where pages are, so `handbook serve` keeps it while only page
/// bodies change.
#[derive(Clone)]
pub struct LinkIndex {
    by_source: HashMap<String, PageId>,
    by_folder: HashMap<String, PageId>,
}

impl LinkIndex {
    pub fn new(site: &Site) -> LinkIndex {
        let mut by_source = HashMap::with_capacity(site.pages.len());
        let mut by_folder = HashMap::new();
        for (id, page) in site.pages.iter_enumerated() {
            if let Some(folder) = &page.folder {
                by_folder.insert(folder.clone(), id);
            }
            if !page.generated {
                by_source.insert(page.source.rel_path.clone(), id);
            }
        }
        LinkIndex {
            by_source,
            by_folder,
        }
    }
}

/// Everything a link can reach, built once per build.
pub struct LinkTable<'a> {
    site: &'a Site,
    index: Cow<'a, LinkIndex>,
    files: &'a BTreeSet<String>,
    /// `/handbook` when the site is served from `https://example.com/handbook/`, else empty.
    base_path: String,
    /// The page URLs indexed for "did you mean", made at the first broken link.
    nearest: OnceLock<nearest::Nearest<'a>>,
    /// The suggestion for each URL a broken link asked about: a migrated handbook has many
    /// links to the same old page.
    suggested: Mutex<HashMap<String, Option<String>>>,
}

/// Schemes a link may carry without being checked (the site cannot know where they lead).
const KNOWN_SCHEMES: &[&str] = &[
    "http", "https", "mailto", "tel", "ftp", "sftp", "ssh", "git", "irc", "ircs", "data", "file",
    "news", "sms", "slack", "zoommtg", "vscode", "webcal", "magnet", "xmpp", "callto", "skype",
];

/// Endings of names that are files, never web addresses (`roadmap.md`, not a host).
const FILE_EXTENSIONS: &[&str] = &[
    "md", "html", "htm", "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "pdf", "txt", "csv",
    "json", "yml", "yaml", "toml", "zip", "gz", "mp4", "webm", "mp3", "ico", "css", "js", "xml",
    "sh", "py", "rs", "sql", "drawio", "key", "pptx", "docx", "xlsx",
];

impl<'a> LinkTable<'a> {
    /// `files`: every path of the output folder (pages' `index.html` included).
    pub fn new(site: &'a Site, files: &'a BTreeSet<String>) -> Self {
        Self::with(site, files, Cow::Owned(LinkIndex::new(site)))
    }

    /// With an index made earlier for the same page files ([`LinkIndex::new`]).
    pub fn with_index(site: &'a Site, files: &'a BTreeSet<String>, index: &'a LinkIndex) -> Self {
        Self::with(site, files, Cow::Borrowed(index))
    }

    fn with(site: &'a Site, files: &'a BTreeSet<String>, index: Cow<'a, LinkIndex>) -> Self {
        LinkTable {
            site,
            index,
            files,
            base_path: site.config.base_path().to_string(),
            nearest: OnceLock::new(),
            suggested: Mutex::new(HashMap::new()),
        }
    }

    /// The URL the output uses for a site path (`/engineering/`): with the base path.
    pub fn href(&self, url: &str) -> String {
        format!("{}{url}", self.base_path)
    }

    /// What `dest`, written in page `from`, means; a broken link comes with the nearest page.
    pub fn resolve(&self, from: &Page, dest: &str) -> Outcome {
        self.resolve_as(from, dest, true)
    }

    /// What `dest` means, without looking for a suggestion when it is broken.
    pub fn resolve_target(&self, from: &Page, dest: &str) -> Outcome {
        self.resolve_as(from, dest, false)
    }

    /// [`LinkTable::resolve`], looking for a suggestion only when `suggest` (rendering a page
    /// needs only the URL).
    fn resolve_as(&self, from: &Page, dest: &str, suggest: bool) -> Outcome {
        let dest = dest.trim();
        if dest.is_empty() {
            return Outcome::Outside;
        }
        if let Some(problem) = suspicious_scheme(dest) {
            return broken(problem, None);
        }
        if has_scheme(dest) || dest.starts_with("//") {
            return Outcome::Outside;
        }
        let (before_fragment, fragment) = match dest.split_once('#') {
            Some((path, fragment)) => (path, Some(decode(fragment).into_owned())),
            None => (dest, None),
        };
        let (path, query) = match before_fragment.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (before_fragment, None),
        };
        if path.is_empty() && query.is_none() {
            return Outcome::SamePage(fragment.unwrap_or_default());
        }
        let path = decode(path);
        let found = if let Some(site_path) = path.strip_prefix('/') {
            self.site_path(site_path)
                .ok_or_else(|| self.missing_site_path(site_path, suggest))
        } else {
            self.relative(from, &path, suggest)
        };
        match found {
            Ok(target) => {
                let (target, mut via_alias) = match target {
                    Target::Alias(id) => (Target::Page(id), true),
                    other => (other, false),
                };
                let (target, mut href, redirected) = self.arrival(target, fragment.is_some());
                via_alias |= redirected;
                if let Some(query) = query {
                    href.push('?');
                    href.push_str(query);
                }
                if let Some((_, raw)) = dest.split_once('#') {
                    href.push('#');
                    href.push_str(raw);
                }
                Outcome::Internal(Resolved {
                    target,
                    fragment,
                    href,
                    via_alias,
                })
            }
            Err(outcome) => outcome,
        }
    }

    /// Where a link to `target` arrives, its URL, and whether it goes through a redirect the
    /// author wrote (`redirect_to`). A page that only redirects sends it where it leads; with
    /// its own `fragment`, the link goes to that page's URL without the redirect's fragment.
    fn arrival(&self, target: Target, fragment: bool) -> (Target, String, bool) {
        let id = match target {
            Target::Page(id) | Target::Alias(id) => id,
            Target::File(file) => {
                let href = self.href(&format!("/{file}"));
                return (Target::File(file), href, false);
            }
        };
        match &self.site.pages[id].redirect {
            Some(redirect) => {
                let href = match (redirect.page, fragment) {
                    (Some(p), true) => self.site.pages[p].href.clone(),
                    _ => redirect.href.clone(),
                };
                (
                    Target::Page(redirect.page.unwrap_or(id)),
                    href,
                    redirect.written,
                )
            }
            None => (Target::Page(id), self.href(&self.site.pages[id].url), false),
        }
    }

    /// The URL to write for `dest` in page `from`, when it is not `dest` as written.
    pub fn rewrite(&self, from: &Page, dest: &str) -> Option<String> {
        match self.resolve_as(from, dest, false) {
            Outcome::Internal(resolved) if resolved.href != dest => Some(resolved.href),
            _ => None,
        }
    }

    /// A path from the site's root, without its leading `/`.
    fn site_path(&self, path: &str) -> Option<Target> {
        if path.ends_with(".md") {
            return self.index.by_source.get(path).map(|&id| Target::Page(id));
        }
        let page = |url: &str| self.site.by_url.get(url).map(|&id| Target::Page(id));
        let trimmed = path.trim_end_matches('/');
        if let Some(found) = page(&url_of(trimmed)) {
            return Some(found);
        }
        // Before files: an alias's redirect page is a file of the output too.
        let alias = |url: &str| self.site.by_alias.get(url).map(|&id| Target::Alias(id));
        if let Some(found) = alias(&url_of(trimmed)).or_else(|| alias(&format!("/{path}"))) {
            return Some(found);
        }
        // An old `.html` address (`html_aliases`) is the page itself, not its redirect file.
        if let Some(&id) = self.site.html_aliases.get(&format!("/{path}")) {
            return Some(Target::Page(id));
        }
        if self.files.contains(path) {
            return Some(Target::File(path.to_string()));
        }
        // `/engineering/index.html` and the old handbook's `/engineering/triage.html`.
        if let Some(stem) = path.strip_suffix(".html") {
            let stem = stem.strip_suffix("index").unwrap_or(stem);
            return page(&url_of(stem.trim_end_matches('/')));
        }
        None
    }

    /// A path relative to the folder of `from`'s Markdown file.
    fn relative(&self, from: &Page, path: &str, suggest: bool) -> Result<Target, Outcome> {
        let Some(joined) = join(from.source.dir(), path) else {
            return Err(broken(
                format!("`{path}` goes above the content folder"),
                None,
            ));
        };
        let trimmed = joined.trim_end_matches('/');
        let found = if joined.ends_with(".md") {
            self.index
                .by_source
                .get(joined.as_str())
                .map(|&id| Target::Page(id))
        } else if self.files.contains(trimmed) && !trimmed.is_empty() {
            Some(Target::File(trimmed.to_string()))
        } else {
            self.index
                .by_source
                .get(format!("{trimmed}.md").as_str())
                .or_else(|| self.index.by_folder.get(trimmed))
                .map(|&id| Target::Page(id))
                .or_else(|| self.site_path(&joined))
        };
        found.or_else(|| self.as_browser_reads(from, path)).ok_or_else(|| {
            if let Some(why) = not_a_path(path) {
                return broken(why, None);
            }
            if let Some(host) = looks_like_host(path) {
                return broken(
                    format!(
                        "it looks like a web address; write https://{host}{} to link outside the handbook",
                        &path[host.len()..]
                    ),
                    None,
                );
            }
            let shown = format!("content/{joined}");
            let kind = if joined.ends_with(".md") {
                "no page"
            } else {
                "no page or file"
            };
            let near = suggest
                .then(|| self.nearest_page(&url_of(trimmed.trim_end_matches(".md"))))
                .flatten();
            broken(format!("{kind} at {shown}"), near)
        })
    }

    /// `path` as a browser reads it on `from`'s page, against the page's URL: `records/` on
    /// `/tools/slack/` is `/tools/slack/records/`, `../records/` on
    /// `/tools/slack/guide/` too. Handbooks written for Jekyll's and Eleventy's URLs link so,
    /// where the Markdown file's folder says something else (`tools/slack.md` beside
    /// `tools/slack/`, every page of its own folder).
    fn as_browser_reads(&self, from: &Page, path: &str) -> Option<Target> {
        if path.ends_with(".md") {
            return None;
        }
        let url = from.url.trim_start_matches('/');
        let dir = url.rsplit_once('/').map_or("", |(dir, _)| dir);
        self.site_path(&join(dir, path)?)
    }

    fn missing_site_path(&self, path: &str, suggest: bool) -> Outcome {
        let trimmed = path.trim_end_matches('/');
        let url = url_of(trimmed.trim_end_matches(".md").trim_end_matches(".html"));
        let what = if path.ends_with(".md") {
            format!("no page content/{path}")
        } else {
            format!("no page at {}", url_of(trimmed))
        };
        broken(what, suggest.then(|| self.nearest_page(&url)).flatten())
    }

    /// The page URL nearest to `url`, for "did you mean" (see [`nearest`]): found once per
    /// distinct URL, among the pages of its folder and those with a similar last segment.
    fn nearest_page(&self, url: &str) -> Option<String> {
        let memo = || {
            self.suggested
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        };
        if let Some(known) = memo().get(url) {
            return known.clone();
        }
        // Not locked meanwhile: the check looks for suggestions on several threads.
        let index = self
            .nearest
            .get_or_init(|| nearest::Nearest::new(self.site.by_url.keys().map(String::as_str)));
        let found = index.find(url).map(|u| self.href(u));
        memo().insert(url.to_string(), found.clone());
        found
    }

    /// The nearest heading id of page `id` to `fragment`.
    pub fn nearest_anchor(anchors: &[String], fragment: &str) -> Option<String> {
        suggest(fragment, anchors.iter().map(String::as_str))
            .or_else(|| reworded(anchors, fragment))
            .map(|a| format!("#{a}"))
    }
}

/// The one id of `anchors` that is `fragment` with words added or taken away at its end: the id
/// of a heading that grew (`#deploying` for `## Deploying to production`) or shrank.
fn reworded<'a>(anchors: &'a [String], fragment: &str) -> Option<&'a str> {
    if fragment.len() < 3 {
        return None;
    }
    let extends = |long: &str, short: &str| {
        long.strip_prefix(short)
            .is_some_and(|rest| rest.starts_with('-') && rest.len() > 1)
    };
    let mut found = anchors
        .iter()
        .map(String::as_str)
        .filter(|a| extends(a, fragment) || extends(fragment, a));
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

fn broken(reason: String, suggestion: Option<String>) -> Outcome {
    Outcome::Broken { reason, suggestion }
}

/// `/a/b/` for `a/b`, `/` for the empty path.
fn url_of(path: &str) -> String {
    if path.is_empty() {
        "/".into()
    } else {
        format!("/{path}/")
    }
}

fn decode(text: &str) -> Cow<'_, str> {
    if text.contains('%') {
        percent_decode_str(text).decode_utf8_lossy()
    } else {
        Cow::Borrowed(text)
    }
}

/// `dir` joined with the relative `path`, `.` and `..` resolved; `None` above the root.
fn join(dir: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    let mut joined = parts.join("/");
    if path.ends_with('/') && !joined.is_empty() {
        joined.push('/');
    }
    Some(joined)
}

/// `https:`, `mailto:`, …: anything with a URL scheme.
fn has_scheme(dest: &str) -> bool {
    scheme_of(dest).is_some()
}

fn scheme_of(dest: &str) -> Option<&str> {
    let (scheme, _) = dest.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(scheme)
}

/// A mistyped web address: `ttps://…`, `htps://…`, `https:/…`, `http:example.com`.
fn suspicious_scheme(dest: &str) -> Option<String> {
    let scheme = scheme_of(dest)?;
    let lower = scheme.to_ascii_lowercase();
    let rest = &dest[scheme.len() + 1..];
    if lower == "http" || lower == "https" {
        if !rest.starts_with("//") {
            return Some(format!(
                "`{scheme}:` must be followed by `//` (write {lower}://{})",
                rest.trim_start_matches('/')
            ));
        }
        return None;
    }
    if KNOWN_SCHEMES.contains(&lower.as_str()) {
        return None;
    }
    let near = ["http", "https"]
        .into_iter()
        .any(|s| strsim::damerau_levenshtein(&lower, s) <= 2);
    let looks_like_web = rest.starts_with("//") || (lower.len() >= 3 && lower.contains("tp"));
    (near && looks_like_web).then(|| {
        format!(
            "`{scheme}:` is not a web address scheme; did you mean https://{}?",
            rest.trim_start_matches('/')
        )
    })
}

/// The host at the start of a relative-looking link that is really a web address without
/// `https://`: `www.example.com/x`, `semver.org`. `None` for paths and file names.
/// Why a relative link is something other than a path, with the fix: an e-mail address
/// without `mailto:`, or a Liquid variable (`{{ site.baseurl }}/x/`) from a Jekyll or Eleventy
/// template language, which handbook does not fill in.
fn not_a_path(path: &str) -> Option<String> {
    if let Some((user, domain)) = path.split_once('@')
        && !user.is_empty()
        && !path.contains('/')
        && domain.contains('.')
    {
        return Some(format!(
            "it looks like an e-mail address; write mailto:{path} to link to it"
        ));
    }
    let start = path.find("{{")?;
    let end = path[start..].find("}}")? + start + 2;
    let rest = path[end..].trim_start_matches('/');
    Some(format!(
        "`{}` is a Liquid variable, which handbook does not fill in; write the link without it, like /{rest}",
        &path[start..end]
    ))
}

fn looks_like_host(path: &str) -> Option<&str> {
    let host = path.split('/').next()?;
    if host.starts_with("www.") && host.len() > 4 {
        return Some(host);
    }
    let (name, tld) = host.rsplit_once('.')?;
    let is_tld = (2..=6).contains(&tld.len()) && tld.chars().all(|c| c.is_ascii_lowercase());
    let is_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'));
    (is_tld && is_name && !FILE_EXTENSIONS.contains(&tld)).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_id_of_a_heading_that_grew_or_shrank() {
        let anchors: Vec<String> = [
            "deploying-to-production",
            "rollback",
            "setup",
            "setup-guide",
        ]
        .map(String::from)
        .into();
        let near = |f: &str| LinkTable::nearest_anchor(&anchors, f);
        assert_eq!(
            near("deploying").as_deref(),
            Some("#deploying-to-production")
        );
        assert_eq!(near("rollback-plan").as_deref(), Some("#rollback"));
        // Two candidates: no guess.
        assert_eq!(near("setup-guide-old"), None);
        // Not at a word's end.
        assert_eq!(near("deploy"), None);
    }

    #[test]
    fn joins_relative_paths() {
        assert_eq!(
            join("engineering", "triage").as_deref(),
            Some("engineering/triage")
        );
        assert_eq!(
            join("engineering", "./triage.md").as_deref(),
            Some("engineering/triage.md")
        );
        assert_eq!(
            join("engineering/a", "../../product/").as_deref(),
            Some("product/")
        );
        assert_eq!(join("", "../x"), None);
        assert_eq!(join("engineering", "..").as_deref(), Some(""));
    }

    #[test]
    fn spots_email_addresses_and_liquid_variables() {
        assert_eq!(
            not_a_path("team@example.com").as_deref(),
            Some("it looks like an e-mail address; write mailto:team@example.com to link to it")
        );
        assert_eq!(
            not_a_path("{{site.baseurl}}/software/").as_deref(),
            Some(
                "`{{site.baseurl}}` is a Liquid variable, which handbook does not fill in; write the link without it, like /software/"
            )
        );
        assert_eq!(not_a_path("img/logo@2x.png"), None);
        assert_eq!(not_a_path("software/"), None);
    }

    #[test]
    fn spots_mistyped_addresses() {
        assert!(suspicious_scheme("ttps://example.com").is_some());
        assert!(suspicious_scheme("htps://example.com").is_some());
        assert!(suspicious_scheme("https:/example.com").is_some());
        assert!(suspicious_scheme("https://example.com").is_none());
        assert!(suspicious_scheme("mailto:a@b.c").is_none());
        assert!(suspicious_scheme("zoommtg://x").is_none());
        assert_eq!(looks_like_host("semver.org"), Some("semver.org"));
        assert_eq!(
            looks_like_host("www.example.com/x"),
            Some("www.example.com")
        );
        assert_eq!(looks_like_host("roadmap.md"), None);
        assert_eq!(looks_like_host("img/chart.png"), None);
        assert_eq!(looks_like_host("values"), None);
    }
}
