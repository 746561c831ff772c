//! `handbook.yml`: the site's settings, with defaults for everything optional.
//!
//! Unknown keys are errors (with the nearest known key suggested): a typo in the config must not
//! silently fall back to a default.

pub mod branding;

use crate::diagnostics::{Diagnostic, suggest, yaml_message};
pub use crate::layout::CONFIG_FILE;
use crate::source::Interval;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Keys accepted at the top level of `handbook.yml`, for suggestions.
const KNOWN_KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "repository",
    "language",
    "toc_depth",
    "highlight",
    "links",
    "html_aliases",
    "external_links",
    "announcement",
    "search",
    "front_matter",
    "branding",
    "freshness",
    "recent_changes",
    "extra",
];

/// [`KNOWN_KEYS`] mirrors [`Config`]: a field added to it does not compile until it is named
/// here, and so listed there.
const _: fn(Config) = |config| {
    let Config {
        title: _,
        description: _,
        base_url: _,
        repository: _,
        language: _,
        toc_depth: _,
        highlight: _,
        links: _,
        html_aliases: _,
        external_links: _,
        announcement: _,
        search: _,
        front_matter: _,
        branding: _,
        freshness: _,
        recent_changes: _,
        extra: _,
        warnings: _,
    } = config;
};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The site's name, shown in the header and in every `<title>`.
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Absolute URL the site is served from; stored without a trailing `/`.
    pub base_url: String,
    #[serde(default)]
    pub repository: Repository,
    /// `lang` attribute of every page.
    #[serde(default = "default_language")]
    pub language: String,
    /// Default depth of the table of contents, as VuePress's `sidebarDepth`: 1 lists `##`
    /// headings, 2 also `###`, ... A page's `sidebarDepth` overrides it.
    #[serde(default = "default_toc_depth")]
    pub toc_depth: u8,
    #[serde(default)]
    pub highlight: Highlight,
    /// What a broken internal link or `#anchor` is: an error (the default: the build fails)
    /// or a warning.
    #[serde(default)]
    pub links: LinkPolicy,
    /// Every page also answers at its old Jekyll address (`/company/values.html` for
    /// `/company/values/`): a `_redirects` rule and a redirect page each.
    #[serde(default)]
    pub html_aliases: bool,
    /// How `handbook check --external` checks `http(s)` links.
    #[serde(default)]
    pub external_links: ExternalConfig,
    /// A bar at the top of every page.
    #[serde(default)]
    pub announcement: Option<Announcement>,
    /// The search box and the index it reads.
    #[serde(default)]
    pub search: Search,
    /// The site's own front matter keys.
    #[serde(default)]
    pub front_matter: FrontMatterSettings,
    /// The company's logo, accent colour, fonts and header links.
    #[serde(default)]
    pub branding: branding::Branding,
    /// How long a page may go unchanged before it is due for review.
    #[serde(default)]
    pub freshness: Freshness,
    /// The recent changes page and its feed.
    #[serde(default)]
    pub recent_changes: RecentChanges,
    /// Free-form settings for templates (`config.extra.*`).
    #[serde(default)]
    pub extra: serde_yaml::Mapping,
    /// What the settings are worth a warning for (an accent colour below WCAG AA).
    #[serde(skip)]
    pub warnings: Vec<Diagnostic>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Repository {
    /// The repository's web page: `https://github.com/org/handbook`.
    #[serde(default)]
    pub url: String,
    #[serde(default = "default_branch")]
    pub branch: String,
    /// Which kind of forge `url` is, for the shape of "Edit this page" links; guessed from
    /// `url` when not set (a host with `gitlab` in its name is GitLab, anything else GitHub).
    #[serde(default)]
    pub host: Option<Forge>,
    /// Where the handbook's folder is inside the repository: `docs/handbook/` (always with a
    /// trailing `/` after [`load`]), or empty at its top. When `handbook.yml` does not say,
    /// [`load`] asks git (`git rev-parse --show-prefix`); empty outside a checkout.
    #[serde(default)]
    pub path: Option<String>,
}

impl Default for Repository {
    fn default() -> Self {
        Repository {
            url: String::new(),
            branch: default_branch(),
            host: None,
            path: None,
        }
    }
}

/// The forges whose "edit a file" addresses handbook knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Forge {
    /// `https://github.com/org/repo/edit/<branch>/<path>`
    Github,
    /// `https://gitlab.com/group/project/-/edit/<branch>/<path>`
    Gitlab,
}

/// What may appear in a path segment of an edit link as it is: unreserved characters and the
/// sub-delimiters GitHub and GitLab leave alone.
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

impl Repository {
    /// The forge of `url`: `host` if set, else guessed from `url`'s host name.
    pub fn forge(&self) -> Forge {
        self.host.unwrap_or_else(|| {
            let after_scheme = self.url.split_once("://").map_or(&*self.url, |(_, r)| r);
            let host = after_scheme.split('/').next().unwrap_or("");
            if host.to_ascii_lowercase().contains("gitlab") {
                Forge::Gitlab
            } else {
                Forge::Github
            }
        })
    }

    /// The forge's page for editing `file` (relative to the handbook's folder:
    /// `content/engineering/triage.md`) on `branch`; `None` without a `url`.
    pub fn edit_url(&self, file: &str) -> Option<String> {
        let edit = match self.forge() {
            Forge::Github => "edit",
            Forge::Gitlab => "-/edit",
        };
        self.file_url(edit, file)
    }

    /// The forge's list of the commits that changed `file` (relative to the handbook's
    /// folder) on `branch`: the page's history. `None` without a `url`.
    pub fn history_url(&self, file: &str) -> Option<String> {
        let commits = match self.forge() {
            Forge::Github => "commits",
            Forge::Gitlab => "-/commits",
        };
        self.file_url(commits, file)
    }

    /// The forge's page of commit `id`; `None` without a `url`.
    pub fn commit_url(&self, id: &str) -> Option<String> {
        let commit = match self.forge() {
            Forge::Github => "commit",
            Forge::Gitlab => "-/commit",
        };
        Some(format!("{}/{commit}/{id}", self.web_url()?))
    }

    /// The forge's page of pull request (GitHub) or merge request (GitLab) `number`.
    pub fn request_url(&self, number: u64) -> Option<String> {
        let requests = match self.forge() {
            Forge::Github => "pull",
            Forge::Gitlab => "-/merge_requests",
        };
        Some(format!("{}/{requests}/{number}", self.web_url()?))
    }

    /// The forge's page of a `CODEOWNERS` owner: `@user`, `@org/team` (GitHub's team page,
    /// GitLab's group), or an e-mail address (`mailto:`).
    pub fn owner_url(&self, owner: &str) -> Option<String> {
        if let Some(name) = owner.strip_prefix('@') {
            let url = self.web_url()?;
            let (scheme, rest) = url.split_once("://")?;
            let host = rest.split('/').next()?;
            let forge = format!("{scheme}://{host}");
            return Some(match (self.forge(), name.split_once('/')) {
                (Forge::Github, Some((org, team))) => format!("{forge}/orgs/{org}/teams/{team}"),
                _ => format!("{forge}/{name}"),
            });
        }
        owner.contains('@').then(|| format!("mailto:{owner}"))
    }

    /// `url` without a trailing `/` or `.git`; `None` when there is none.
    fn web_url(&self) -> Option<&str> {
        let url = self.url.trim().trim_end_matches('/');
        let url = url.strip_suffix(".git").unwrap_or(url);
        (!url.is_empty()).then_some(url)
    }

    /// `url/<kind>/<branch>/<path of file>`, each segment percent-encoded.
    fn file_url(&self, kind: &str, file: &str) -> Option<String> {
        let url = self.web_url()?;
        let path = format!("{}{file}", self.path.as_deref().unwrap_or(""));
        let encode = |text: &str| {
            text.split('/')
                .filter(|segment| !segment.is_empty())
                .map(|segment| percent_encoding::utf8_percent_encode(segment, PATH_SEGMENT))
                .map(|segment| segment.to_string())
                .collect::<Vec<_>>()
                .join("/")
        };
        Some(format!(
            "{url}/{kind}/{}/{}",
            encode(&self.branch),
            encode(&path)
        ))
    }
}

/// `announcement:` in `handbook.yml`: a line of text at the top of every page, which a reader
/// can dismiss until it changes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Announcement {
    pub text: String,
    /// Where the text leads: a path of the site (`/community/`, which gets the path of
    /// `base_url` in front) or an absolute `http(s)` address.
    #[serde(default)]
    pub link: Option<String>,
    /// Turns the bar off without deleting the text.
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// The line of `link:` in `handbook.yml`, for messages about it.
    #[serde(skip)]
    pub link_line: Option<usize>,
}

impl Announcement {
    /// Whether the bar is shown: enabled and with some text.
    pub fn is_shown(&self) -> bool {
        self.enabled && !self.text.trim().is_empty()
    }
}

/// `front_matter:` in `handbook.yml`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatterSettings {
    /// Keys the site's pages use on purpose (`keywords`, `questions`): never warned about,
    /// and suggested when a page misspells one.
    #[serde(default)]
    pub keys: Vec<String>,
}

/// `recent_changes:` in `handbook.yml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecentChanges {
    /// `/recent-changes/`, its Atom feed, and the links to them (in a git checkout).
    #[serde(default = "default_true")]
    pub enabled: bool,
}

impl Default for RecentChanges {
    fn default() -> Self {
        RecentChanges { enabled: true }
    }
}

/// `freshness:` in `handbook.yml`: when a page is due for review (`handbook stale`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Freshness {
    /// How long a page may go without a change: `12 months`, `90 days`, `1 year`, `6 weeks`.
    /// A page's front matter may set its own (`review_every:`), or say `evergreen: true`.
    #[serde(default = "default_review_every")]
    pub review_every: Interval,
    /// A note at the top of each page due for review: "This page has not changed since …; it
    /// may be out of date."
    #[serde(default)]
    pub note: bool,
}

impl Default for Freshness {
    fn default() -> Self {
        Freshness {
            review_every: default_review_every(),
            note: false,
        }
    }
}

fn default_review_every() -> Interval {
    Interval {
        days: 365,
        text: "1 year".into(),
    }
}

/// `search:` in `handbook.yml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Search {
    /// The search box in the header, the `/search/` page and the index behind them.
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// Whether the text of code blocks is searchable. Off by default: commands and listings
    /// crowd out the prose that explains them. Inline `code` is always searchable.
    #[serde(default)]
    pub code: bool,
}

impl Default for Search {
    fn default() -> Self {
        Search {
            enabled: true,
            code: false,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkPolicy {
    #[default]
    Error,
    Warn,
}

impl Config {
    /// The path part of `base_url` without its trailing `/`: `/handbook` for
    /// `https://example.com/handbook/`, empty for a site at the root of its host.
    pub fn base_path(&self) -> &str {
        let after_scheme = self.base_url.split_once("://").map_or("", |(_, rest)| rest);
        after_scheme.find('/').map_or("", |i| &after_scheme[i..])
    }
}

/// Code highlighting themes: syntect's built-in theme names.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Highlight {
    #[serde(default = "default_light_theme")]
    pub light_theme: String,
    #[serde(default = "default_dark_theme")]
    pub dark_theme: String,
}

impl Default for Highlight {
    fn default() -> Self {
        Highlight {
            light_theme: default_light_theme(),
            dark_theme: default_dark_theme(),
        }
    }
}

fn default_language() -> String {
    "en".into()
}
fn default_toc_depth() -> u8 {
    2
}
fn default_true() -> bool {
    true
}
fn default_branch() -> String {
    "main".into()
}
fn default_light_theme() -> String {
    "InspiredGitHub".into()
}
fn default_dark_theme() -> String {
    "base16-ocean.dark".into()
}

/// Reads `handbook.yml` from `root`. `base_url` overrides the file's `base_url`.
pub fn load(root: &Path, base_url: Option<&str>) -> Result<Config, Diagnostic> {
    // Never through a link out of the handbook, never a pipe (src/files.rs).
    let path =
        crate::source::walk::own_file(root, CONFIG_FILE)?.unwrap_or_else(|| root.join(CONFIG_FILE));
    let text = crate::source::walk::read_to_string(&path).map_err(|err| {
        Diagnostic::error(
            CONFIG_FILE,
            format!("cannot read the site configuration: {err}"),
        )
        .help(format!(
            "run handbook in the handbook's folder (the one with `{CONFIG_FILE}`), or pass --root"
        ))
    })?;
    let mut config = parse(&text)?;
    check_themes(&config, &text)?;
    if let Some(announcement) = &mut config.announcement {
        announcement.link_line = announcement_link_line(&text);
        check_announcement(announcement)?;
    }
    config.repository.path = Some(repository_path(root, &config.repository));
    let (mut errors, warnings) = config.branding.check(root, &text);
    if !errors.is_empty() {
        return Err(errors.remove(0));
    }
    config.warnings = warnings;
    if let Some(url) = base_url {
        config.base_url = url.to_string();
    }
    config.base_url = normalize_base_url(&config.base_url).map_err(|message| {
        let d = Diagnostic::error(CONFIG_FILE, message)
            .help("write the full address, like `base_url: https://handbook.example.com/`");
        match line_of_key(&text, "base_url") {
            Some(line) if base_url.is_none() => d.at(line, 1),
            _ => d,
        }
    })?;
    Ok(config)
}

/// The highlighting themes must be ones syntect has, and are checked before any page renders.
fn check_themes(config: &Config, text: &str) -> Result<(), Diagnostic> {
    let known = crate::markdown::highlight::theme_names();
    for (key, name) in [
        ("light_theme", &config.highlight.light_theme),
        ("dark_theme", &config.highlight.dark_theme),
    ] {
        if !known.contains(name) {
            let mut d =
                Diagnostic::error(CONFIG_FILE, format!("unknown highlighting theme `{name}`"));
            if let Some(line) = text.lines().position(|l| l.trim_start().starts_with(key)) {
                d = d.at(line + 1, 1);
            }
            let near = suggest(name, known.iter().map(String::as_str));
            return Err(d.help(match near {
                Some(near) => format!("did you mean `{near}`? available: {}", known.join(", ")),
                None => format!("available: {}", known.join(", ")),
            }));
        }
    }
    Ok(())
}

/// The handbook's folder inside its repository, as `docs/handbook/` or empty: from
/// `handbook.yml`, else from git (only when there is a repository to link to, so that a site
/// without one never runs git here).
fn repository_path(root: &Path, repository: &Repository) -> String {
    let path = match &repository.path {
        Some(path) => path.trim().trim_matches('/').to_string(),
        None if repository.url.trim().is_empty() => String::new(),
        None => crate::git::Repo::open(root).map_or_else(String::new, |repo| repo.prefix),
    };
    let path = path.trim_end_matches('/');
    if path.is_empty() {
        String::new()
    } else {
        format!("{path}/")
    }
}

/// The first `link:` below the top-level `announcement:`.
fn announcement_link_line(text: &str) -> Option<usize> {
    let after = line_of_key(text, "announcement")?;
    let below = text
        .lines()
        .skip(after)
        .position(|l| l.trim_start().starts_with("link:"))?;
    Some(after + below + 1)
}

/// The announcement's link goes to a path of the site or to an address on the web: a relative
/// link would lead somewhere else from every page.
fn check_announcement(announcement: &Announcement) -> Result<(), Diagnostic> {
    let Some(link) = announcement.link.as_deref().map(str::trim) else {
        return Ok(());
    };
    if link.is_empty() {
        return Ok(());
    }
    let site_path = link.starts_with('/') && !link.starts_with("//");
    let web = ["https://", "http://", "mailto:"].iter().any(|scheme| {
        link.len() > scheme.len()
            && link
                .get(..scheme.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(scheme))
    });
    if site_path || web {
        return Ok(());
    }
    let d = Diagnostic::error(
        CONFIG_FILE,
        format!("the announcement's link must be a path of the site or an http(s) address, found `{link}`"),
    )
    .help("write it like `link: /community/` (the path of base_url is added) or `link: https://example.com/news`");
    Err(match announcement.link_line {
        Some(line) => d.at(line, 1),
        None => d,
    })
}

/// Parses the text of `handbook.yml`.
pub fn parse(text: &str) -> Result<Config, Diagnostic> {
    serde_yaml::from_str::<Config>(text).map_err(|err| {
        let message = yaml_message(&err);
        let mut d = Diagnostic::error(CONFIG_FILE, message.clone());
        if let Some(loc) = err.location() {
            d = d.at(loc.line(), loc.column());
        }
        if let Some(unknown) = unknown_field(&message) {
            // Inside a group (`highlight.dark_them`), the group's own keys are the known ones.
            let known = match unknown.group {
                "" => KNOWN_KEYS.to_vec(),
                _ => unknown.expected,
            };
            d.message = match unknown.group {
                "" => format!("unknown setting `{}`", unknown.key),
                group => format!("unknown setting `{group}.{}`", unknown.key),
            };
            d = match suggest(unknown.key, known.iter().copied()) {
                Some(near) => d.help(format!("did you mean `{near}`?")),
                None => d.help(format!("known settings: {}", known.join(", "))),
            };
        } else if let Some((key, found, expected)) = unknown_variant(&message) {
            d.message = format!("`{key}` must be {expected}, found `{found}`");
        } else if let Some((group, field)) = message.split_once("missing field ") {
            d.message = match group.strip_suffix(": ") {
                Some(group) => format!("missing setting {field} in `{group}`"),
                None => format!("missing setting {field}"),
            };
            d = d.help(format!("add a line like {}", example_for(field)));
        } else if let Some((key, found, expected)) = type_error(&message) {
            d.message = format!("`{key}` must be {expected}, found {found}");
        }
        d
    })
}

fn example_for(field: &str) -> &'static str {
    match field.trim_matches('`') {
        "base_url" => "`base_url: https://handbook.example.com/`",
        "text" => "`text: We moved to the new handbook!`",
        _ => "`title: Our Handbook`",
    }
}

/// `key: invalid type: found, expected what` in a contributor's words.
fn type_error(message: &str) -> Option<(&str, &str, &'static str)> {
    let (key, rest) = message
        .split_once(": invalid type: ")
        .or_else(|| message.split_once(": invalid value: "))?;
    let (found, expected) = rest.split_once(", expected ")?;
    let found = match found {
        "sequence" => "a list",
        "map" => "a group of `key: value` lines",
        other => other,
    };
    let expected = match expected {
        "u8" => "a whole number from 0 to 255",
        "a boolean" => "true or false",
        "a string" => "text",
        "a span of time, like `3 months`" => "a span of time, like `3 months` or `1 year`",
        _ if expected.starts_with("struct") || expected.starts_with("a map") => {
            "a group of `key: value` lines"
        }
        _ => "something else",
    };
    Some((key, found, expected))
}

/// A key serde did not expect, in the group (`highlight`; empty at the top level) where it
/// was found.
struct UnknownField<'a> {
    group: &'a str,
    key: &'a str,
    /// The keys of the group.
    expected: Vec<&'a str>,
}

/// `[group: ]unknown field `x`, expected one of `a`, `b``.
fn unknown_field(message: &str) -> Option<UnknownField<'_>> {
    let (group, rest) = message.split_once("unknown field `")?;
    let (key, rest) = rest.split_once('`')?;
    Some(UnknownField {
        group: group.strip_suffix(": ").unwrap_or(group),
        key,
        expected: quoted(rest),
    })
}

/// `key: unknown variant `x`, expected `a` or `b`` → (`key`, `x`, "`a` or `b`").
fn unknown_variant(message: &str) -> Option<(&str, &str, &str)> {
    let (key, rest) = message.split_once(": unknown variant `")?;
    let (found, rest) = rest.split_once('`')?;
    let expected = rest.split_once("expected ")?.1;
    let expected = expected.strip_prefix("one of ").unwrap_or(expected);
    Some((key, found, expected))
}

/// The `quoted` names of a serde message.
fn quoted(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// 1-based line of a top-level `key:` in a YAML text.
pub fn line_of_key(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map(|i| i + 1)
}

/// The first line of `key:` at any indentation (a key of a nested setting).
pub fn line_of_key_anywhere(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            line.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map(|i| i + 1)
}

fn normalize_base_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return Err(format!(
            "base_url must be an absolute http(s) address, found `{url}`"
        ));
    };
    if rest.is_empty() || rest.starts_with('/') || url.contains(['?', '#', ' ', '\\']) {
        return Err(format!("base_url `{url}` is not a valid address"));
    }
    Ok(url.trim_end_matches('/').to_string())
}

/// `external_links:` in `handbook.yml`: how `handbook check --external` checks the links to
/// other sites. Every key is optional.
///
/// ```yaml
/// external_links:
///   ignore:
///     - https://example.com/private/
///     - https://*.internal.example.com/*
///   concurrency: 8
///   per_host: 2
///   timeout_seconds: 10
///   retries: 2
///   cache_hours: 24
///   deadline_seconds: 120
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExternalConfig {
    /// Links that are never checked, for sites that cannot be reached from where the check runs
    /// (an intranet) or that refuse robots. A pattern without `*` matches every link that
    /// starts with it: `https://example.com/private/` ignores everything under that folder. In
    /// a pattern with `*`, each `*` stands for any run of characters (`/` included) and the
    /// pattern must match the whole link: `https://*.internal.example.com/*`. Matching is
    /// case-sensitive and sees the link exactly as written in the page. Default: none.
    pub ignore: Vec<String>,
    /// How many requests may be in flight at once, to all sites together. Default: 8. 0 is
    /// read as 1.
    pub concurrency: usize,
    /// How many requests may be in flight at once to one host (`docs.example.com`), so that
    /// many links to one site do not overload it. Default: 2. 0 is read as 1.
    pub per_host: usize,
    /// How long one request may take, redirects included, before the link is reported as
    /// "timed out". Default: 10. 0 is read as 1.
    pub timeout_seconds: u64,
    /// How many times a link is asked again after a network error, a "429 Too Many Requests"
    /// or a 5xx server error, waiting 1 s, then 2 s, 4 s, ... in between (or the
    /// `Retry-After` the server asks for, up to 10 s). Default: 2.
    pub retries: u32,
    /// How long a good result is trusted: a link that answered fine less than this many hours
    /// ago is not asked again. Broken or unverifiable links are asked again on every run.
    /// 0 checks everything every time. Default: 24.
    pub cache_hours: u64,
    /// How long the whole check may take. When it is over, requests still waiting for an
    /// answer are abandoned and the links not checked yet are reported as such; what was
    /// checked is cached, so the next check goes on from there. 0: no deadline. Default: 120.
    pub deadline_seconds: u64,
}

impl Default for ExternalConfig {
    fn default() -> Self {
        ExternalConfig {
            ignore: Vec::new(),
            concurrency: 8,
            per_host: 2,
            timeout_seconds: 10,
            retries: 2,
            cache_hours: 24,
            deadline_seconds: 120,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_defaults_and_trims_base_url() {
        let c = parse("title: H\nbase_url: https://h.example.com/\n").unwrap();
        assert_eq!(c.language, "en");
        assert_eq!(c.toc_depth, 2);
        assert_eq!(c.repository.branch, "main");
        assert_eq!(
            normalize_base_url(&c.base_url).unwrap(),
            "https://h.example.com"
        );
    }

    #[test]
    fn unknown_keys_are_errors_with_a_suggestion() {
        let err = parse("title: H\nbase_url: https://x.org\ndescripton: d\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "handbook.yml:3:1: unknown setting `descripton`\n  help: did you mean `description`?"
        );
    }

    #[test]
    fn wrong_types_say_what_is_expected() {
        let err = parse("title: [a]\nbase_url: https://x.org\n").unwrap_err();
        assert_eq!(err.message, "`title` must be text, found a list");
        let err = parse("title: t\nbase_url: https://x.org\ntoc_depth: -1\n").unwrap_err();
        assert_eq!(
            err.message,
            "`toc_depth` must be a whole number from 0 to 255, found integer `-1`"
        );
    }

    #[test]
    fn unknown_highlighting_themes_are_errors_at_their_line() {
        let text =
            "title: t\nbase_url: https://x.org\nhighlight:\n  dark_theme: base16-ocean.drak\n";
        let err = check_themes(&parse(text).unwrap(), text).unwrap_err();
        assert_eq!(err.position, Some((4, 1)));
        assert!(err.to_string().starts_with(
            "handbook.yml:4:1: unknown highlighting theme `base16-ocean.drak`\n  help: did you mean `base16-ocean.dark`?"
        ));
    }

    #[test]
    fn unknown_keys_inside_a_group_are_suggested_from_that_group() {
        let err =
            parse("title: H\nbase_url: https://x.org\nexternal_links:\n  timout_seconds: 3\n")
                .unwrap_err();
        assert_eq!(
            err.to_string(),
            "handbook.yml:4:3: unknown setting `external_links.timout_seconds`\n  help: did you mean `timeout_seconds`?"
        );
    }

    fn repository(url: &str, host: Option<Forge>, path: &str) -> Repository {
        Repository {
            url: url.into(),
            host,
            path: Some(path.into()),
            ..Repository::default()
        }
    }

    #[test]
    fn edit_links_follow_the_forge() {
        let file = "content/a b/ü#1.md";
        assert_eq!(
            repository("https://github.com/o/r", None, "")
                .edit_url(file)
                .unwrap(),
            "https://github.com/o/r/edit/main/content/a%20b/%C3%BC%231.md"
        );
        assert_eq!(
            repository("https://GitLab.example.com/g/p/", None, "docs/")
                .edit_url(file)
                .unwrap(),
            "https://GitLab.example.com/g/p/-/edit/main/docs/content/a%20b/%C3%BC%231.md"
        );
        assert_eq!(
            repository("https://git.example.com/g/p.git", Some(Forge::Gitlab), "")
                .edit_url("content/x.md")
                .unwrap(),
            "https://git.example.com/g/p/-/edit/main/content/x.md"
        );
        let mut feature = repository("https://github.com/o/r", None, "");
        feature.branch = "feature/new page".into();
        assert_eq!(
            feature.edit_url("content/x.md").unwrap(),
            "https://github.com/o/r/edit/feature/new%20page/content/x.md"
        );
        assert_eq!(repository("", None, "").edit_url("content/x.md"), None);
    }

    #[test]
    fn history_commit_request_and_owner_links_follow_the_forge() {
        let github = repository("https://github.com/o/r.git", None, "docs/");
        let gitlab = repository("https://gitlab.com/g/p", None, "");
        assert_eq!(
            github.history_url("content/a b.md").unwrap(),
            "https://github.com/o/r/commits/main/docs/content/a%20b.md"
        );
        assert_eq!(
            gitlab.history_url("content/a.md").unwrap(),
            "https://gitlab.com/g/p/-/commits/main/content/a.md"
        );
        assert_eq!(
            github.commit_url("abc").unwrap(),
            "https://github.com/o/r/commit/abc"
        );
        assert_eq!(
            gitlab.commit_url("abc").unwrap(),
            "https://gitlab.com/g/p/-/commit/abc"
        );
        assert_eq!(
            github.request_url(12).unwrap(),
            "https://github.com/o/r/pull/12"
        );
        assert_eq!(
            gitlab.request_url(7).unwrap(),
            "https://gitlab.com/g/p/-/merge_requests/7"
        );
        assert_eq!(
            github.owner_url("@jane").unwrap(),
            "https://github.com/jane"
        );
        assert_eq!(
            github.owner_url("@o/docs").unwrap(),
            "https://github.com/orgs/o/teams/docs"
        );
        assert_eq!(
            gitlab.owner_url("@g/docs").unwrap(),
            "https://gitlab.com/g/docs"
        );
        assert_eq!(
            gitlab.owner_url("ann@example.com").unwrap(),
            "mailto:ann@example.com"
        );
        assert_eq!(repository("", None, "").owner_url("@jane"), None);
        assert_eq!(repository("", None, "").history_url("content/a.md"), None);
    }

    #[test]
    fn reads_spans_of_time_as_people_write_them() {
        let days = |t: &str| Interval::parse(t).map(|i| i.days);
        assert_eq!(days("90 days"), Ok(90));
        assert_eq!(days("1 day"), Ok(1));
        assert_eq!(days("6 Weeks"), Ok(42));
        assert_eq!(days("3 months"), Ok(90));
        assert_eq!(days("1 year"), Ok(365));
        assert_eq!(days("45"), Ok(45));
        assert!(days("0 days").is_err());
        assert!(days("soon").is_err());
        assert!(days("3 fortnights").is_err());
        assert!(days("-3 months").is_err());
        let config = parse("title: T\nbase_url: https://e.com/\nfreshness:\n  review_every: 6 months\n  note: true\n").unwrap();
        assert_eq!(config.freshness.review_every.days, 180);
        assert!(config.freshness.note);
        assert!(
            parse("title: T\nbase_url: https://e.com/\nfreshness:\n  review_every: later\n")
                .is_err()
        );
    }

    #[test]
    fn rejects_relative_base_urls() {
        assert!(normalize_base_url("example.com").is_err());
        assert!(normalize_base_url("https:///x").is_err());
        assert_eq!(
            normalize_base_url("https://e.com/handbook/").unwrap(),
            "https://e.com/handbook"
        );
    }
}
