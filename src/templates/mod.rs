//! Tera templates: loading (the built-in theme, overridden by `templates/`), the typed contexts
//! pages are rendered with, and rendering. Contexts borrow from the [`Site`]; nothing here reads
//! values back out of a Tera context.

pub mod assets;
pub mod theme;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::extras::Extras;
use crate::layout::TEMPLATES_DIR;
use crate::markdown::headings::TocItem;
use crate::site::{NodeId, NodeKind, PageId, Site};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use tera::{Context, Tera};

pub struct Templates {
    tera: Tera,
    /// Changes whenever any template's text changes.
    pub fingerprint: u128,
    /// Names usable as `layout:` (top-level templates, without `.html`).
    pub layouts: BTreeSet<String>,
    /// What the listing of `templates/` warns about (a named pipe, skipped).
    pub warnings: Vec<Diagnostic>,
    /// Each template's text, by name, with the path shown in messages.
    pub sources: BTreeMap<String, (String, String)>,
}

/// Loads the built-in theme, then every file of `root/templates` over it.
pub fn load(root: &Path) -> Result<Templates, Vec<Diagnostic>> {
    let mut sources: BTreeMap<String, String> = theme::TEMPLATES
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect();
    let mut found = crate::diagnostics::Diagnostics::default();
    let files = crate::source::list_files(root, TEMPLATES_DIR, &mut found);
    let (warnings, mut problems): (Vec<Diagnostic>, Vec<Diagnostic>) =
        found.into_iter().partition(|d| !d.is_error());
    for (name, path) in files {
        match crate::source::walk::read_to_string(&path) {
            Ok(text) => {
                sources.insert(name, text);
            }
            Err(err) => problems.push(Diagnostic::error(
                format!("{TEMPLATES_DIR}/{name}"),
                format!("cannot read the template: {err}"),
            )),
        }
    }
    problems.extend(reference_cycles(root, &sources));
    if !problems.is_empty() {
        problems.extend(warnings);
        return Err(problems);
    }
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    for (name, text) in &sources {
        hasher.update(name.as_bytes());
        hasher.update(&[0]);
        hasher.update(text.as_bytes());
        hasher.update(&[0]);
    }
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html"]);
    // Tera's default escaper also escapes `/`, which makes every URL unreadable and hides the
    // sidebar's links from `mark_current`. `& < > " '` are all HTML needs.
    tera.set_escape_fn(escape_html);
    if let Err(err) = tera.add_raw_templates(sources.iter().map(|(n, t)| (n.as_str(), t.as_str())))
    {
        let mut problems = vec![template_error(root, &err)];
        problems.extend(warnings);
        return Err(problems);
    }
    let layouts = sources
        .keys()
        .filter(|name| !name.contains('/') && name.ends_with(".html"))
        .filter(|name| {
            !matches!(
                name.as_str(),
                "base.html" | "404.html" | "changes.html" | "search.html"
            )
        })
        .map(|name| name.trim_end_matches(".html").to_string())
        .collect();
    let sources = sources
        .into_iter()
        .map(|(name, text)| {
            let shown = template_path(root, &name);
            (name, (shown, text))
        })
        .collect();
    Ok(Templates {
        tera,
        fingerprint: hasher.digest128(),
        layouts,
        warnings,
        sources,
    })
}

/// The built-in theme alone: what `handbook serve` falls back to while a site's templates are
/// broken.
pub fn builtin() -> Templates {
    // A folder that has no `templates/`: only the built-in theme is loaded.
    load(Path::new("/nonexistent/handbook-builtin-theme"))
        .expect("the built-in theme's templates are valid (tests render every one of them)")
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    crate::markdown::highlight::escape_into(&mut out, text);
    out
}

/// Templates that include, import or extend themselves, directly or through others: Tera would
/// recurse until the program's stack overflows, so they are refused before Tera sees them.
fn reference_cycles(root: &Path, sources: &BTreeMap<String, String>) -> Vec<Diagnostic> {
    let references: BTreeMap<&str, Vec<String>> = sources
        .iter()
        .map(|(name, text)| (name.as_str(), referenced_templates(text)))
        .collect();
    let mut problems = Vec::new();
    for start in references.keys() {
        // Depth-first from `start`, looking for a way back to it.
        let mut stack: Vec<(&str, Vec<&str>)> = vec![(start, vec![start])];
        let mut seen = BTreeSet::new();
        while let Some((name, path)) = stack.pop() {
            for next in references.get(name).into_iter().flatten() {
                if next == start {
                    let mut chain = path.clone();
                    chain.push(next);
                    problems.push(
                        Diagnostic::error(template_path(root, start), format!("this template uses itself: {}", chain.join(" → ")))
                            .help("a template may not include, import or extend itself, directly or through other templates"),
                    );
                    stack.clear();
                    break;
                }
                if seen.insert(next.as_str()) {
                    let mut longer = path.clone();
                    longer.push(next);
                    stack.push((next, longer));
                }
            }
        }
    }
    problems
}

/// The names in `{% include "x" %}`, `{% import "x" as y %}` and `{% extends "x" %}`.
fn referenced_templates(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for keyword in ["include", "import", "extends"] {
        for (i, _) in text.match_indices(keyword) {
            let rest = text[i + keyword.len()..].trim_start();
            let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            if let Some(name) = rest[1..].split(quote).next() {
                names.push(name.to_string());
            }
        }
    }
    names
}

fn template_path(root: &Path, name: &str) -> String {
    if root.join(TEMPLATES_DIR).join(name).is_file() {
        format!("{TEMPLATES_DIR}/{name}")
    } else {
        format!("{TEMPLATES_DIR}/{name} (built-in theme)")
    }
}

/// A parse error, at the template and line Tera names when it names them.
fn template_error(root: &Path, err: &tera::Error) -> Diagnostic {
    let chain = cause_chain(err);
    let name = chain
        .split('\'')
        .nth(1)
        .or_else(|| chain.split('"').nth(1))
        .unwrap_or("");
    let path = template_path(root, name);
    // Tera's first line names the template; pest's `= expected ...` line says what is wrong.
    let what = chain
        .lines()
        .filter_map(|l| l.trim().strip_prefix("= "))
        .next()
        .map(str::to_string)
        .unwrap_or_else(|| chain.lines().next().unwrap_or("").to_string());
    let mut d = Diagnostic::error(path, format!("template syntax error: {what}"))
        .help("see https://keats.github.io/tera/docs/ for the template syntax");
    if let Some((line, col)) = pest_position(&chain) {
        d = d.at(line, col);
    }
    d
}

/// `--> 3:15` in a pest error message.
fn pest_position(text: &str) -> Option<(usize, usize)> {
    let rest = text.split("--> ").nth(1)?;
    let (line, rest) = rest.split_once(':')?;
    let col: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((line.trim().parse().ok()?, col.parse().ok()?))
}

/// Tera keeps the useful part of an error in its sources: print all of them.
pub fn cause_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl Templates {
    pub fn render(&self, name: &str, context: &impl Serialize) -> Result<String, String> {
        let context = Context::from_serialize(context).map_err(|e| cause_chain(&e))?;
        self.tera
            .render(name, &context)
            .map_err(|e| cause_chain(&e))
    }
}

#[derive(Serialize)]
pub struct SiteView<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub base_url: &'a str,
    /// The home page's URL: `/`, or the path of `base_url` (`/handbook/`).
    pub root: String,
    pub language: &'a str,
    pub repository: &'a crate::config::Repository,
    /// The bar at the top of every page; `None` when there is none or it is turned off.
    pub announcement: Option<AnnouncementView<'a>>,
    /// Where the search page and the search index are; `None` when search is turned off.
    pub search: Option<SearchView>,
}

#[derive(Serialize)]
pub struct SearchView {
    /// The search page: `/search/` (with the path of `base_url` in front).
    pub page: String,
    /// The folder of the index, which the theme's script reads: `/_search/`.
    pub index: String,
}

impl<'a> SiteView<'a> {
    pub fn new(config: &'a Config) -> Self {
        SiteView {
            title: &config.title,
            description: &config.description,
            base_url: &config.base_url,
            root: format!("{}/", config.base_path()),
            language: &config.language,
            repository: &config.repository,
            announcement: config
                .announcement
                .as_ref()
                .filter(|a| a.is_shown())
                .map(|a| AnnouncementView::new(a, config)),
            search: config.search.enabled.then(|| SearchView {
                page: format!("{}/{}", config.base_path(), crate::layout::SEARCH_PAGE_URL),
                index: format!("{}/{}", config.base_path(), crate::layout::SEARCH_INDEX_DIR),
            }),
        }
    }
}

#[derive(Serialize)]
pub struct AnnouncementView<'a> {
    pub text: &'a str,
    /// Where the text links to: a path of the site with the path of `base_url` in front
    /// (`/handbook/community/`), or an address on the web.
    pub link: Option<String>,
    /// Names this text: the theme's script remembers that a reader closed the bar by it, so
    /// that a new announcement shows again.
    pub id: String,
}

impl<'a> AnnouncementView<'a> {
    fn new(announcement: &'a crate::config::Announcement, config: &Config) -> Self {
        let text = announcement.text.trim();
        let link = (announcement.link.as_deref().map(str::trim))
            .filter(|link| !link.is_empty())
            .map(|link| {
                if link.starts_with('/') {
                    format!("{}{link}", config.base_path())
                } else {
                    link.to_string()
                }
            });
        AnnouncementView {
            text,
            link,
            id: format!("{:016x}", xxhash_rust::xxh3::xxh3_64(text.as_bytes())),
        }
    }
}

/// URLs of the theme's files, with the path of `base_url` in front: plain names for `handbook
/// serve` ([`Assets::new`]), fingerprinted ones for a build ([`Assets::fingerprinted`]).
#[derive(Serialize)]
pub struct Assets {
    pub stylesheet: String,
    pub highlight: String,
    pub script: String,
    pub search_script: String,
    pub icon: String,
}

impl Assets {
    pub fn new(config: &Config) -> Self {
        let at = |path: &str| format!("{}{path}", config.base_path());
        Assets {
            stylesheet: at(theme::STYLESHEET),
            highlight: at(theme::HIGHLIGHT_STYLESHEET),
            script: at(theme::SCRIPT),
            search_script: at(theme::SEARCH_SCRIPT),
            icon: at(theme::ICON),
        }
    }

    /// The URLs a build writes: stylesheets and scripts under their fingerprinted names.
    pub fn fingerprinted(fingerprints: &crate::templates::assets::Fingerprints) -> Self {
        Assets {
            stylesheet: fingerprints.url(theme::STYLESHEET),
            highlight: fingerprints.url(theme::HIGHLIGHT_STYLESHEET),
            script: fingerprints.url(theme::SCRIPT),
            search_script: fingerprints.url(theme::SEARCH_SCRIPT),
            icon: fingerprints.url(theme::ICON),
        }
    }
}

#[derive(Serialize)]
pub struct NavItem<'a> {
    pub title: &'a str,
    pub url: Option<&'a str>,
    pub kind: &'static str,
    pub weight: Option<i64>,
    pub description: Option<&'a str>,
    pub active: bool,
    pub has_children: bool,
    pub children: Vec<NavItem<'a>>,
    /// On a preview: `added`, `changed` or `renamed` when the merge request changed the page.
    pub change: Option<&'static str>,
}

/// The item of `node`. Children are filled for active items (and `depth` more levels below).
pub fn nav_item<'a>(
    site: &'a Site,
    extras: &Extras,
    node: NodeId,
    active: &HashSet<NodeId>,
    depth: usize,
) -> NavItem<'a> {
    let n = &site.nodes[node];
    let is_active = active.contains(&node);
    // A group without a page of its own is only a heading: it cannot be opened, so it always
    // shows its entries.
    let heading_only = n.kind == NodeKind::Group && n.page.is_none();
    let children = if is_active || depth > 0 || heading_only {
        n.children
            .iter()
            .map(|&c| nav_item(site, extras, c, active, depth.saturating_sub(1)))
            .collect()
    } else {
        Vec::new()
    };
    NavItem {
        title: &n.title,
        url: site.node_href(node),
        kind: n.kind.as_str(),
        weight: n.weight,
        description: n
            .page
            .and_then(|p| site.pages[p].source.front.description.as_deref()),
        active: is_active,
        has_children: !n.children.is_empty(),
        children,
        change: n.page.and_then(|p| extras.change_of(p)).map(|m| m.change),
    }
}

#[derive(Serialize)]
struct SidebarContext<'a> {
    site: SiteView<'a>,
    nav: Vec<NavItem<'a>>,
    config: &'a Config,
}

/// The sidebar of one navigation group (`scope`): every top-level entry, with the scope and its
/// ancestors expanded.
pub fn render_sidebar(
    site: &Site,
    extras: &Extras,
    templates: &Templates,
    scope: NodeId,
) -> Result<String, String> {
    let active: HashSet<NodeId> = site
        .ancestry(scope)
        .into_iter()
        .filter(|&n| n != site.root)
        .collect();
    let nav = site.nodes[site.root]
        .children
        .iter()
        .map(|&c| nav_item(site, extras, c, &active, 0))
        .collect();
    let context = SidebarContext {
        site: SiteView::new(&site.config),
        nav,
        config: &site.config,
    };
    templates.render("partials/sidebar.html", &context)
}

/// Marks the link to the current page in a shared sidebar: the last one, the deepest entry (a
/// folder whose address redirects to the page links there too).
pub fn mark_current(sidebar: &str, url: &str) -> String {
    let needle = format!("href=\"{url}\"");
    match memchr::memmem::rfind(sidebar.as_bytes(), needle.as_bytes()) {
        Some(i) => {
            let end = i + needle.len();
            let mut out = String::with_capacity(sidebar.len() + 24);
            out.push_str(&sidebar[..end]);
            out.push_str(" aria-current=\"page\"");
            out.push_str(&sidebar[end..]);
            out
        }
        None => sidebar.to_string(),
    }
}

#[derive(Serialize)]
pub struct Link<'a> {
    pub title: &'a str,
    pub url: Option<&'a str>,
}

#[derive(Serialize)]
pub struct PageView<'a> {
    pub title: &'a str,
    pub url: &'a str,
    pub permalink: String,
    pub content: &'a str,
    pub description: Option<&'a str>,
    pub weight: Option<i64>,
    pub layout: &'a str,
    pub subcategory: Option<&'a str>,
    pub source_path: String,
    pub toc: &'a [TocItem],
    pub extra: &'a serde_yaml::Mapping,
    pub draft: bool,
    pub is_home: bool,
    pub children: Vec<NavItem<'a>>,
    /// On a preview: `added`, `changed` or `renamed` when the merge request changed the page.
    pub change: Option<&'static str>,
    /// On a preview: how many of its sections are marked as added or changed.
    pub changed_sections: usize,
    /// The forge's page for editing the page's file; `None` without `repository.url`, and for
    /// a landing page handbook made for a folder without `index.md`.
    pub edit_url: Option<String>,
    /// The file's latest commit (`handbook build` and `check` only, in a git checkout).
    pub updated: Option<UpdatedView<'a>>,
}

/// What the preview banner says: how many pages changed, and where the list is.
#[derive(Serialize)]
pub struct ReviewBanner<'a> {
    /// The changes page.
    pub url: &'a str,
    pub count: usize,
    /// False when the changes could not be told (see the changes page's note).
    pub known: bool,
}

impl<'a> ReviewBanner<'a> {
    pub fn of(extras: &'a Extras) -> Option<Self> {
        extras.review.as_ref().map(|review| ReviewBanner {
            url: &review.url,
            count: review.count,
            known: review.base.is_some(),
        })
    }
}

#[derive(Serialize)]
pub struct UpdatedView<'a> {
    /// `2026-11-20`, for `<time datetime>`.
    pub date: &'a str,
    /// `20 November 2026`.
    pub date_text: String,
    pub author: &'a str,
}

impl<'a> UpdatedView<'a> {
    fn new(updated: &'a crate::git::history::Updated) -> Self {
        UpdatedView {
            date: &updated.date,
            date_text: updated.long_date(),
            author: &updated.author,
        }
    }
}

#[derive(Serialize)]
pub struct PageContext<'a> {
    pub site: SiteView<'a>,
    pub page: PageView<'a>,
    pub section: Option<NavItem<'a>>,
    pub breadcrumbs: Vec<Link<'a>>,
    pub prev: Option<Link<'a>>,
    pub next: Option<Link<'a>>,
    pub sidebar: &'a str,
    pub assets: Assets,
    pub config: &'a Config,
    /// Where the build is going: Netlify's context, merge request, branch and commit.
    pub deploy: &'a crate::netlify::deploy::Deploy,
    /// On a preview: the banner's facts.
    pub review: Option<ReviewBanner<'a>>,
}

/// Everything a page template receives, for page `id` with its rendered Markdown.
pub fn page_context<'a>(
    site: &'a Site,
    extras: &'a Extras,
    id: PageId,
    content: &'a str,
    toc: &'a [TocItem],
    sidebar: &'a str,
) -> PageContext<'a> {
    let page = &site.pages[id];
    let none = HashSet::new();
    let own = &site.nodes[page.node];
    let children = if own.kind == NodeKind::Page {
        Vec::new()
    } else {
        own.children
            .iter()
            .map(|&c| nav_item(site, extras, c, &none, 0))
            .collect()
    };
    let link = |p: PageId| Link {
        title: &site.pages[p].title,
        url: Some(&site.pages[p].href),
    };
    let breadcrumbs = breadcrumbs(site, page.node);
    let front = &page.source.front;
    PageContext {
        site: SiteView::new(&site.config),
        page: PageView {
            title: &page.title,
            url: &page.href,
            permalink: format!("{}{}", site.config.base_url, page.url),
            content,
            description: front.description.as_deref(),
            weight: front.weight,
            layout: &page.layout,
            subcategory: front.subcategory.as_deref(),
            source_path: page.source.display_path(),
            toc,
            extra: &page.source.extra,
            draft: front.draft == Some(true),
            is_home: page.is_home(),
            children,
            change: extras.change_of(id).map(|m| m.change),
            changed_sections: extras.change_of(id).map_or(0, |m| m.sections.len()),
            edit_url: (!page.generated)
                .then(|| site.config.repository.edit_url(&page.source.display_path()))
                .flatten(),
            updated: extras.updated(site, id).map(UpdatedView::new),
        },
        section: site
            .top_section(page.node)
            .map(|n| nav_item(site, extras, n, &none, 0)),
        breadcrumbs,
        prev: site.prev(id).map(link),
        next: site.next(id).map(link),
        sidebar,
        assets: Assets::new(&site.config),
        config: &site.config,
        deploy: &extras.deploy,
        review: ReviewBanner::of(extras),
    }
}

/// The trail from the home page down to `node`. A label never shows twice in a row (a
/// folder, its group and its page all named "Team practices"): of such a run, the crumb kept
/// is the current page, else the deepest one with a link.
fn breadcrumbs(site: &Site, node: NodeId) -> Vec<Link<'_>> {
    let chain = site.ancestry(node);
    let last = chain.len().saturating_sub(1);
    let mut crumbs: Vec<Link<'_>> = Vec::with_capacity(chain.len());
    for (i, n) in chain.into_iter().enumerate() {
        let crumb = Link {
            title: &site.nodes[n].title,
            url: site.node_href(n),
        };
        match crumbs.last_mut() {
            Some(previous) if same_label(previous.title, crumb.title) => {
                if i == last || crumb.url.is_some() {
                    *previous = crumb;
                }
            }
            _ => crumbs.push(crumb),
        }
    }
    crumbs
}

/// Labels a reader takes for the same one: equal but for case and surrounding spaces.
fn same_label(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// What a page that is not a page of the site (the 404 page, the changes page, the search page) receives.
#[derive(Serialize)]
pub struct NotFoundContext<'a> {
    pub site: SiteView<'a>,
    pub sidebar: &'a str,
    pub assets: Assets,
    pub config: &'a Config,
    pub deploy: &'a crate::netlify::deploy::Deploy,
    pub review: Option<ReviewBanner<'a>>,
}

impl<'a> NotFoundContext<'a> {
    /// With the home page's sidebar, and the stylesheets and scripts by their `fingerprints`.
    pub fn new(
        site: &'a Site,
        extras: &'a Extras,
        root_sidebar: &'a str,
        fingerprints: &crate::templates::assets::Fingerprints,
    ) -> Self {
        NotFoundContext {
            site: SiteView::new(&site.config),
            sidebar: root_sidebar,
            assets: Assets::fingerprinted(fingerprints),
            config: &site.config,
            deploy: &extras.deploy,
            review: ReviewBanner::of(extras),
        }
    }
}

/// The changes page of a preview (`changes.html`): what the 404 page gets, and `changes`.
#[derive(Serialize)]
pub struct ChangesContext<'a> {
    #[serde(flatten)]
    pub common: NotFoundContext<'a>,
    /// Everything that changed.
    pub changes: &'a crate::netlify::review::Review,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_only_the_exact_current_link() {
        let html = r#"<a href="/a/b/">B</a><a href="/a/">A</a>"#;
        assert_eq!(
            mark_current(html, "/a/"),
            r#"<a href="/a/b/">B</a><a href="/a/" aria-current="page">A</a>"#
        );
        assert_eq!(mark_current(html, "/zzz/"), html);
    }

    #[test]
    fn refuses_templates_that_use_themselves() {
        let sources = BTreeMap::from([
            ("a.html".to_string(), "{% include \"b.html\" %}".to_string()),
            (
                "b.html".to_string(),
                "{%- import 'a.html' as a -%}".to_string(),
            ),
            (
                "c.html".to_string(),
                "{% extends \"base.html\" %}".to_string(),
            ),
        ]);
        let problems: Vec<String> = reference_cycles(Path::new("/nonexistent"), &sources)
            .iter()
            .map(|d| d.to_string())
            .collect();
        assert_eq!(
            problems,
            [
                "templates/a.html (built-in theme): this template uses itself: a.html → b.html → a.html\n  help: a template may not include, import or extend itself, directly or through other templates",
                "templates/b.html (built-in theme): this template uses itself: b.html → a.html → b.html\n  help: a template may not include, import or extend itself, directly or through other templates",
            ]
        );
    }

    #[test]
    fn finds_pest_positions() {
        assert_eq!(
            pest_position("Failed to parse 'x.html':  --> 3:15\n  |"),
            Some((3, 15))
        );
        assert_eq!(pest_position("no position"), None);
    }
}
