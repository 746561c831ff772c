//! The typed contexts pages are rendered with: the site, the page and its navigation, the
//! theme's asset URLs and, on a preview, the review banner. They borrow from the [`Site`].

use super::theme;
use crate::config::Config;
use crate::extras::Extras;
use crate::markdown::headings::TocItem;
use crate::site::{MAX_LIST_ENTRIES, NodeId, NodeKind, PageId, SidebarScope, Site};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::HashSet;

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
    /// The "Recent changes" page and its Atom feed; `None` outside git.
    pub recent_changes: Option<super::recent::RecentLinks>,
}

#[derive(Serialize)]
pub struct SearchView {
    /// The search page: `/search/` (with the path of `base_url` in front).
    pub page: String,
    /// The folder of the index, which the theme's script reads: `/_search/`.
    pub index: String,
}

impl<'a> SiteView<'a> {
    pub fn new(site: &'a Site, extras: &Extras) -> Self {
        let config = &site.config;
        SiteView {
            recent_changes: super::recent::RecentLinks::of(site, extras),
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
    /// `branding.css`, when `handbook.yml` has `branding`.
    pub branding: Option<String>,
    /// Mermaid and the script that draws diagrams with it (for pages with a diagram).
    pub mermaid: String,
    pub diagrams: String,
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
            branding: config
                .branding
                .is_set()
                .then(|| at(theme::BRANDING_STYLESHEET)),
            mermaid: at(theme::MERMAID_SCRIPT),
            diagrams: at(theme::DIAGRAMS_SCRIPT),
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
            branding: fingerprints
                .get(&theme::BRANDING_STYLESHEET[1..])
                .map(|_| fingerprints.url(theme::BRANDING_STYLESHEET)),
            mermaid: fingerprints.url(theme::MERMAID_SCRIPT),
            diagrams: fingerprints.url(theme::DIAGRAMS_SCRIPT),
            script: fingerprints.url(theme::SCRIPT),
            search_script: fingerprints.url(theme::SEARCH_SCRIPT),
            icon: fingerprints.url(theme::ICON),
        }
    }
}

#[derive(Serialize)]
pub struct NavItem<'a> {
    pub title: Cow<'a, str>,
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

/// The item of `node`. Children are filled for active items, and for groups that are only a
/// heading. In a sidebar (`scope`), a list longer than [`MAX_LIST_ENTRIES`] shows one part.
pub fn nav_item<'a>(
    site: &'a Site,
    extras: &Extras,
    node: NodeId,
    active: &HashSet<NodeId>,
    scope: Option<&SidebarScope>,
) -> NavItem<'a> {
    let n = &site.nodes[node];
    let is_active = active.contains(&node);
    // A group without a page of its own is only a heading: it cannot be opened, so it always
    // shows its entries.
    let heading_only = n.kind == NodeKind::Group && n.page.is_none();
    let children = if is_active || heading_only {
        entries(site, extras, node, active, scope)
    } else {
        Vec::new()
    };
    NavItem {
        title: Cow::Borrowed(&n.title),
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

/// The entries of `list`: all of them, or in a sidebar the part of a long list that `scope`
/// names, between links to the parts before and after it.
fn entries<'a>(
    site: &'a Site,
    extras: &Extras,
    list: NodeId,
    active: &HashSet<NodeId>,
    scope: Option<&SidebarScope>,
) -> Vec<NavItem<'a>> {
    let children = &site.nodes[list].children;
    let item = |&c: &NodeId| nav_item(site, extras, c, active, scope);
    let Some(scope) = scope.filter(|_| children.len() > MAX_LIST_ENTRIES) else {
        return children.iter().map(item).collect();
    };
    let total = children.len();
    let start = (scope.part(list) * MAX_LIST_ENTRIES).min(total - 1);
    let end = (start + MAX_LIST_ENTRIES).min(total);
    let mut items = Vec::with_capacity(end - start + 2);
    if start > 0 {
        let part = &children[start.saturating_sub(MAX_LIST_ENTRIES)..start];
        let title = format!("← Entries {}–{start} of {total}", start - part.len() + 1);
        items.push(more_item(site, part, title));
    }
    items.extend(children[start..end].iter().map(item));
    if end < total {
        let part = &children[end..(end + MAX_LIST_ENTRIES).min(total)];
        let title = format!("Entries {}–{} of {total} →", end + 1, end + part.len());
        items.push(more_item(site, part, title));
    }
    items
}

/// The link to another part of a long list, `part`: to its first entry that has a page, whose
/// sidebar shows that part.
fn more_item<'a>(site: &'a Site, part: &[NodeId], title: String) -> NavItem<'a> {
    NavItem {
        title: Cow::Owned(title),
        url: part.iter().find_map(|&n| site.node_href(n)),
        kind: "more",
        weight: None,
        description: None,
        active: false,
        has_children: false,
        children: Vec::new(),
        change: None,
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
    /// Whether the page has a Mermaid diagram (the theme loads its script only then).
    pub diagrams: bool,
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
    /// The forge's list of the commits that changed the page's file; `None` as for `edit_url`.
    pub history_url: Option<String>,
    /// The file's latest commit (`handbook build` and `check` only, in a git checkout).
    pub updated: Option<UpdatedView<'a>>,
    /// Who owns the page's file, from `CODEOWNERS`; empty without one.
    pub owners: Vec<OwnerView<'a>>,
    /// With `freshness.note: true`, on a page due for review: since when it has not changed.
    pub stale: Option<StaleView<'a>>,
    /// On the home page: the pages changed last, newest first ([`RECENT_PAGES`] at most).
    pub recent: Vec<RecentPage<'a>>,
}

/// An owner of a page: `@org/docs`, `@jane`, `jane@example.com`.
#[derive(Serialize)]
pub struct OwnerView<'a> {
    pub name: &'a str,
    /// Their page on the forge, `None` without `repository.url`; `mailto:` for an address,
    /// which needs no forge.
    pub url: Option<String>,
}

/// Why a page is due for review.
#[derive(Serialize)]
pub struct StaleView<'a> {
    /// Its latest change.
    pub updated: UpdatedView<'a>,
    /// `14 months`, `2 years`: how long ago that was.
    pub age: String,
    /// Its review interval as written: `1 year`.
    pub every: &'a str,
}

/// `days` as a person says it: `3 weeks`, `14 months`, `2 years`.
pub fn age_text(days: i64) -> String {
    let (n, unit) = match days {
        ..=13 => (days.max(0), "day"),
        14..=60 => (days / 7, "week"),
        61..=729 => (days / 30, "month"),
        _ => (days / 365, "year"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// How many pages the home page lists as changed last.
pub const RECENT_PAGES: usize = 6;

/// A page of the home page's "Recently updated".
#[derive(Serialize)]
pub struct RecentPage<'a> {
    pub title: &'a str,
    pub url: &'a str,
    pub updated: UpdatedView<'a>,
}

/// The pages shown in the navigation that changed last, by the date of their latest commit
/// (then their place in the navigation).
fn recent_pages<'a>(site: &'a Site, extras: &'a Extras) -> Vec<RecentPage<'a>> {
    let mut dated: Vec<(&str, usize, PageId)> = site
        .order
        .iter()
        .enumerate()
        .filter(|(_, id)| !site.pages[**id].is_home())
        .filter_map(|(i, &id)| Some((extras.updated(site, id)?.date.as_str(), i, id)))
        .collect();
    dated.sort_by(|a, b| b.0.cmp(a.0).then(a.1.cmp(&b.1)));
    dated
        .into_iter()
        .take(RECENT_PAGES)
        .filter_map(|(_, _, id)| {
            let page = &site.pages[id];
            Some(RecentPage {
                title: &page.title,
                url: &page.href,
                updated: UpdatedView::new(extras.updated(site, id)?),
            })
        })
        .collect()
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
    /// The data files, when a page template reads them ([`super::Templates::pages_use_data`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<&'a serde_json::Value>,
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
    let link = |p: PageId| Link {
        title: &site.pages[p].title,
        url: Some(&site.pages[p].href),
    };
    let breadcrumbs = breadcrumbs(site, page.node);
    PageContext {
        site: SiteView::new(site, extras),
        page: PageView::new(site, extras, id, content, toc),
        section: site
            .top_section(page.node)
            .map(|n| nav_item(site, extras, n, &HashSet::new(), None)),
        breadcrumbs,
        prev: site.prev(id).map(link),
        next: site.next(id).map(link),
        sidebar,
        assets: Assets::new(&site.config),
        config: &site.config,
        deploy: &extras.deploy,
        review: ReviewBanner::of(extras),
        data: None,
    }
}

impl<'a> PageView<'a> {
    /// Page `id` as its template sees it, with its rendered Markdown and table of contents.
    fn new(
        site: &'a Site,
        extras: &'a Extras,
        id: PageId,
        content: &'a str,
        toc: &'a [TocItem],
    ) -> Self {
        let page = &site.pages[id];
        let front = &page.source.front;
        PageView {
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
            diagrams: false,
            extra: &page.source.extra,
            draft: front.draft == Some(true),
            is_home: page.is_home(),
            children: child_items(site, extras, page.node),
            change: extras.change_of(id).map(|m| m.change),
            changed_sections: extras.change_of(id).map_or(0, |m| m.sections.len()),
            edit_url: (!page.generated)
                .then(|| site.config.repository.edit_url(&page.source.display_path()))
                .flatten(),
            history_url: (!page.generated)
                .then(|| {
                    site.config
                        .repository
                        .history_url(&page.source.display_path())
                })
                .flatten(),
            updated: extras.updated(site, id).map(UpdatedView::new),
            owners: extras
                .owners(site, id)
                .into_iter()
                .map(|name| OwnerView {
                    name,
                    url: site.config.repository.owner_url(name),
                })
                .collect(),
            stale: stale_view(site, extras, id),
            recent: match page.is_home() {
                true => recent_pages(site, extras),
                false => Vec::new(),
            },
        }
    }
}

/// The note of a page due for review, when `freshness.note` asks for it.
fn stale_view<'a>(site: &'a Site, extras: &'a Extras, id: PageId) -> Option<StaleView<'a>> {
    if !site.config.freshness.note {
        return None;
    }
    let age = extras.age(site, id, extras.today);
    match (age.stale, age.updated, age.days, age.every) {
        (true, Some(updated), Some(days), Some(every)) => Some(StaleView {
            updated: UpdatedView::new(updated),
            age: age_text(days),
            every: &every.text,
        }),
        _ => None,
    }
}

/// The entries under `node` (none for a plain page), each without its own children.
fn child_items<'a>(site: &'a Site, extras: &Extras, node: NodeId) -> Vec<NavItem<'a>> {
    let own = &site.nodes[node];
    if own.kind == NodeKind::Page {
        return Vec::new();
    }
    let none = HashSet::new();
    own.children
        .iter()
        .map(|&c| nav_item(site, extras, c, &none, None))
        .collect()
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
            site: SiteView::new(site, extras),
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

/// The "Recent changes" page (`recent-changes.html`): what the 404 page gets, and `changes`.
#[derive(Serialize)]
pub struct RecentContext<'a> {
    #[serde(flatten)]
    pub common: NotFoundContext<'a>,
    /// The latest merges and commits that changed pages, newest first.
    pub changes: Vec<super::recent::ChangeView<'a>>,
    /// Older changes are not in this clone's history (a shallow clone).
    pub cut: bool,
}

#[cfg(test)]
mod tests {
    use super::age_text;

    #[test]
    fn says_ages_as_people_do() {
        assert_eq!(age_text(0), "0 days");
        assert_eq!(age_text(1), "1 day");
        assert_eq!(age_text(20), "2 weeks");
        assert_eq!(age_text(400), "13 months");
        assert_eq!(age_text(800), "2 years");
    }
}
