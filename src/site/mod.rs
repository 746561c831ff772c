//! The resolved site: pages with their URLs, and the navigation tree. Read-only once built by
//! `resolve`; pages and nodes refer to each other by index, never by reference.

pub mod ids;
pub mod links;
pub mod resolve;

use crate::config::Config;
use crate::source::{Asset, SourcePage};
use std::collections::HashMap;
use std::sync::Arc;

pub use ids::{IdVec, NodeId, PageId};

/// One value per page of the site, by [`PageId`].
pub type PerPage<T> = IdVec<PageId, T>;

#[derive(Debug, Clone)]
pub struct Page {
    pub source: std::sync::Arc<SourcePage>,
    pub title: String,
    /// `/engineering/triage/`: always a leading and a trailing `/`. Where the page is in the
    /// output folder.
    pub url: String,
    /// What links to the page say: `url` with the path of `base_url` in front
    /// (`/handbook/engineering/triage/` for a site at `https://example.com/handbook/`).
    pub href: String,
    /// The template that renders it, without `.html`.
    pub layout: String,
    /// The page's own node: a `Page` node, or the section or group it is the landing page of.
    pub node: NodeId,
    /// Deepest heading level in the table of contents; 0 for none.
    pub toc_max_level: u8,
    /// A landing page made for a folder that has no `index.md`.
    pub generated: bool,
    /// The folder (relative to `content/`, `` for the root) this page is the landing page of:
    /// its `index.md`, a page beside it with its name (`tech-stack.md` beside `tech-stack/`),
    /// or the page handbook generated for it.
    pub folder: Option<String>,
    /// Where the page sends its readers instead of being shown (`redirect_to`, or a folder's
    /// address that an alias or a page named like the folder took over).
    pub redirect: Option<Redirect>,
}

/// Where a page that is only a redirect sends its readers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// What readers are sent to: a site path with the path of `base_url` in front, or an
    /// `http(s)` address, with its `#fragment`.
    pub href: String,
    /// The page of the site it leads to, when it leads to one.
    pub page: Option<PageId>,
    /// Written by the author (`redirect_to`): a link to the page is then a link to an old
    /// address. False for a folder's address, which links may keep using.
    pub written: bool,
}

impl Page {
    /// The file the page is written to, relative to the output folder.
    pub fn output_path(&self) -> String {
        format!("{}index.html", &self.url[1..])
    }

    pub fn is_home(&self) -> bool {
        self.url == "/"
    }

    /// Shown as a page of its own: in the navigation, the sitemap and the search index. Not a
    /// page that only redirects.
    pub fn is_shown(&self) -> bool {
        self.redirect.is_none()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// A folder of `content/` (the root is the home page).
    Section,
    /// Pages sharing a `subcategory` inside one folder.
    Group,
    Page,
}

impl NodeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Section => "section",
            NodeKind::Group => "group",
            NodeKind::Page => "page",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Node {
    pub kind: NodeKind,
    pub title: String,
    pub weight: Option<i64>,
    /// The landing page of a section or group, or the page itself.
    pub page: Option<PageId>,
    pub parent: Option<NodeId>,
    /// Where the node is in its parent's `children`.
    pub index: usize,
    pub children: Vec<NodeId>,
    /// The source path that breaks ties in ordering.
    pub sort_path: String,
}

/// The most entries one list of the sidebar shows. A longer list (a folder of thousands of
/// pages) is shown a part at a time, with links to the parts before and after: every page's
/// sidebar then stays the same size whatever the size of its folder, so the site grows in
/// proportion to its pages, not to their square.
pub const MAX_LIST_ENTRIES: usize = 100;

/// Which sidebar a page shows: its navigation group's, and for each list longer than
/// [`MAX_LIST_ENTRIES`] on the way to the page, which part of it (`(list, part)`, part 0 left
/// out).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SidebarScope {
    pub node: NodeId,
    pub parts: Box<[(NodeId, usize)]>,
}

impl SidebarScope {
    /// The sidebar of `node` showing the first part of every list.
    pub fn of(node: NodeId) -> SidebarScope {
        SidebarScope {
            node,
            parts: Box::default(),
        }
    }

    /// The part of `list`'s entries this sidebar shows: 0 for the first.
    pub fn part(&self, list: NodeId) -> usize {
        self.parts
            .iter()
            .find(|(l, _)| *l == list)
            .map_or(0, |&(_, part)| part)
    }
}

/// Cheap to clone: `handbook serve` makes a new site for every edit, sharing everything that
/// did not change.
#[derive(Debug, Clone)]
pub struct Site {
    pub config: Arc<Config>,
    pub pages: IdVec<PageId, Arc<Page>>,
    pub nodes: Arc<IdVec<NodeId, Node>>,
    /// The root section: `content/` itself, whose landing page is the home page.
    pub root: NodeId,
    /// Every page in navigation order: the order of the sidebar, and of prev/next.
    pub order: Arc<Vec<PageId>>,
    /// Where each page is in `order`; `usize::MAX` for pages that only redirect.
    pub position: Arc<IdVec<PageId, usize>>,
    pub by_url: Arc<HashMap<String, PageId>>,
    /// Old URLs (`aliases` in front matter), each with the page it redirects to. An alias is
    /// `/old/` (written as `old/index.html`) or, for the old handbook's addresses,
    /// `/old.html`.
    pub by_alias: Arc<HashMap<String, PageId>>,
    /// With `html_aliases: true`: each page's old Jekyll address (`/company/values.html` for
    /// `/company/values/`), with its page. Unlike `by_alias`, a link to one is not reported.
    pub html_aliases: Arc<std::collections::BTreeMap<String, PageId>>,
    pub assets: Arc<Vec<Asset>>,
    /// The data files of `data/`, which templates and shortcodes see as `data`.
    pub data: Arc<crate::source::data::Data>,
}

/// The file of the output folder that serves an alias URL.
pub fn alias_output_path(alias: &str) -> String {
    if alias.ends_with(".html") {
        alias[1..].to_string()
    } else {
        format!("{}index.html", &alias[1..])
    }
}

impl Site {
    /// The `href` of a node's page; where it leads if it only redirects (a folder whose
    /// address an alias took links to that alias's page).
    pub fn node_href(&self, node: NodeId) -> Option<&str> {
        self.nodes[node].page.map(|p| self.destination(p))
    }

    /// Where a link to page `id` arrives: its `href`, or where it redirects.
    pub fn destination(&self, id: PageId) -> &str {
        let page = &self.pages[id];
        match &page.redirect {
            Some(redirect) => &redirect.href,
            None => &page.href,
        }
    }

    /// The nodes from the root down to `node`, both included.
    pub fn ancestry(&self, node: NodeId) -> Vec<NodeId> {
        let mut chain = vec![node];
        let mut current = node;
        while let Some(parent) = self.nodes[current].parent {
            chain.push(parent);
            current = parent;
        }
        chain.reverse();
        chain
    }

    /// The sidebar a page shows: the one of its section or group (a landing page's own section
    /// or group), with each list on the way to the page that is longer than
    /// [`MAX_LIST_ENTRIES`] cut to the part that holds the way. Pages of one group (and, in a
    /// long list, of one part of it) share one rendered sidebar.
    pub fn sidebar_scope(&self, page: PageId) -> SidebarScope {
        let own = self.pages[page].node;
        let node = match self.nodes[own].kind {
            NodeKind::Page => self.nodes[own].parent.unwrap_or(self.root),
            _ => own,
        };
        let mut parts = Vec::new();
        let mut current = own;
        while let Some(parent) = self.nodes[current].parent {
            let part = self.nodes[current].index / MAX_LIST_ENTRIES;
            if part > 0 {
                parts.push((parent, part));
            }
            current = parent;
        }
        SidebarScope {
            node,
            parts: parts.into_boxed_slice(),
        }
    }

    pub fn prev(&self, page: PageId) -> Option<PageId> {
        let i = *self.position.get(page)?;
        if i == usize::MAX {
            return None;
        }
        i.checked_sub(1).map(|i| self.order[i])
    }

    pub fn next(&self, page: PageId) -> Option<PageId> {
        let i = *self.position.get(page)?;
        self.order.get(i.checked_add(1)?).copied()
    }

    /// The top-level section a node is in (`None` for the root).
    pub fn top_section(&self, node: NodeId) -> Option<NodeId> {
        self.ancestry(node).get(1).copied()
    }

    /// Number of folders of `content/` below the root.
    /// The pages by their file, relative to `content/` (`engineering/triage.md`); a landing
    /// page handbook made for a folder has none.
    pub fn pages_by_file(&self) -> std::collections::HashMap<&str, PageId> {
        self.pages
            .iter_enumerated()
            .filter(|(_, p)| !p.generated)
            .map(|(id, p)| (p.source.rel_path.as_str(), id))
            .collect()
    }

    pub fn section_count(&self) -> usize {
        self.nodes
            .iter()
            .filter(|n| n.kind == NodeKind::Section)
            .count()
            - 1
    }
}
