//! Turns loaded pages into the [`Site`]: URLs (with every collision reported), the section
//! tree, subcategory groups, weight order and navigation order.
//!
//! Order everywhere: `weight` ascending, pages without a weight after weighted ones, then title
//! (case-insensitive), then source path.

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::headings::slugify;
use crate::model::{Node, NodeId, NodeKind, Page, PageId, Site};
use crate::source::{Content, FrontMatter, SourcePage};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// Builds the site. `layouts` are the template names pages may ask for (unchecked if `None`).
pub fn resolve(
    config: Config,
    content: Content,
    layouts: Option<&BTreeSet<String>>,
    diags: &mut Diagnostics,
) -> Site {
    let Content {
        pages: sources,
        assets,
    } = content;
    let folders = folders_of(&sources);
    let mut landing: BTreeMap<String, PageId> = BTreeMap::new();
    let mut pages: Vec<Page> = Vec::with_capacity(sources.len() + folders.len());

    for source in sources {
        if source.is_index() {
            if let Some(&other) = landing.get(source.dir()) {
                diags.push(
                    Diagnostic::error(
                        source.display_path(),
                        format!(
                            "this folder has two landing pages: {} and {}",
                            pages[other].source.display_path(),
                            source.display_path()
                        ),
                    )
                    .help("keep one of `index.md` and `_index.md`"),
                );
                continue;
            }
            landing.insert(source.dir().to_string(), pages.len());
        }
        pages.push(new_page(source, &config, false));
    }
    for folder in &folders {
        if !landing.contains_key(folder) {
            landing.insert(folder.clone(), pages.len());
            pages.push(new_page(generated_landing(folder), &config, true));
        }
    }
    if let Some(layouts) = layouts {
        check_layouts(&pages, layouts, diags);
    }
    let by_url = index_urls(&pages, diags);

    let mut by_folder: HashMap<String, Vec<PageId>> = HashMap::new();
    for (id, page) in pages.iter().enumerate() {
        if !page.source.is_index() {
            by_folder
                .entry(page.source.dir().to_string())
                .or_default()
                .push(id);
        }
    }
    let mut tree = Tree {
        pages: &mut pages,
        nodes: Vec::new(),
        by_folder,
    };
    let root = tree.build_section("", &landing);
    let nodes = tree.nodes;
    let mut order = Vec::with_capacity(pages.len());
    navigation_order(&nodes, root, &mut order);
    let mut position = vec![0; pages.len()];
    for (i, &page) in order.iter().enumerate() {
        position[page] = i;
    }
    let by_alias = index_aliases(&pages, &by_url, diags);
    Site {
        config: Arc::new(config),
        pages: pages.into_iter().map(Arc::new).collect(),
        nodes: Arc::new(nodes),
        root,
        order: Arc::new(order),
        position: Arc::new(position),
        by_url: Arc::new(by_url),
        by_alias: Arc::new(by_alias),
        assets: Arc::new(assets),
        deploy: Arc::default(),
        review: None,
        history: Arc::default(),
    }
}

/// An alias as written (`old/page`, `/old/page/`, `/old/page.html`) as a site URL.
fn alias_url(alias: &str) -> String {
    let trimmed = alias.trim();
    if trimmed.ends_with(".html") {
        format!("/{}", trimmed.trim_start_matches('/'))
    } else {
        normalize_permalink(trimmed)
    }
}

/// Every page's aliases, each checked: safe to write, and taken by nothing else.
fn index_aliases(
    pages: &[Page],
    by_url: &HashMap<String, PageId>,
    diags: &mut Diagnostics,
) -> HashMap<String, PageId> {
    let mut by_alias: HashMap<String, PageId> = HashMap::new();
    for (id, page) in pages.iter().enumerate() {
        let source = &page.source;
        let line = source
            .key_line("aliases")
            .or_else(|| source.key_line("redirect_from"))
            .unwrap_or(1);
        let error = |message: String| {
            Diagnostic::error(source.display_path(), message)
                .at(line, 1)
                .help("an alias is an old address of this page on this site, like `/engineering/old-name/`")
        };
        for written in &source.front.aliases {
            if written.contains("://") || written.trim().starts_with("//") {
                diags.push(error(format!(
                    "alias `{written}` is not a path of this site"
                )));
                continue;
            }
            let alias = alias_url(written);
            if let Some(why) = unsafe_url(&alias) {
                diags.push(error(format!("alias `{written}` is not allowed: {why}")));
                continue;
            }
            if alias == page.url {
                diags.push(error(format!(
                    "alias `{written}` is this page's own URL: it would redirect to itself"
                )));
                continue;
            }
            if let Some(&other) = by_url.get(&alias) {
                diags.push(error(format!(
                    "alias `{written}` is the URL of {}: a redirect there would hide that page",
                    pages[other].source.display_path()
                )));
                continue;
            }
            if let Some(&other) = by_alias.get(&alias) {
                let other = &pages[other];
                diags.push(error(if other.source.rel_path == source.rel_path {
                    format!("alias `{written}` is listed twice")
                } else {
                    format!(
                        "alias `{written}` is also an alias of {}: one old URL can only lead to one page",
                        other.source.display_path()
                    )
                }));
                continue;
            }
            by_alias.insert(alias, id);
        }
    }
    by_alias
}

/// Every folder that holds a page, and all their parent folders; `` is the root.
fn folders_of(sources: &[SourcePage]) -> BTreeSet<String> {
    let mut folders = BTreeSet::from([String::new()]);
    for source in sources {
        let mut dir = source.dir();
        while !dir.is_empty() && folders.insert(dir.to_string()) {
            dir = dir.rsplit_once('/').map_or("", |(parent, _)| parent);
        }
    }
    folders
}

fn generated_landing(folder: &str) -> SourcePage {
    let rel_path = if folder.is_empty() {
        "index.md".to_string()
    } else {
        format!("{folder}/index.md")
    };
    SourcePage {
        rel_path,
        front: FrontMatter::default(),
        key_lines: Vec::new(),
        extra: Default::default(),
        body: "".into(),
        body_line: 1,
        first_heading: None,
    }
}

pub fn new_page(source: SourcePage, config: &Config, generated: bool) -> Page {
    let title = source
        .front
        .title
        .clone()
        .or_else(|| source.first_heading.clone())
        .unwrap_or_else(|| default_title(&source, config));
    let url = match &source.front.permalink {
        Some(permalink) => normalize_permalink(permalink),
        None => path_url(&source),
    };
    let layout = source.front.layout.clone().unwrap_or_else(|| {
        if url == "/" {
            "index".into()
        } else {
            "page".into()
        }
    });
    let toc_max_level = match source.front.toc {
        Some(false) => 0,
        _ => {
            let depth = source
                .front
                .sidebar_depth
                .unwrap_or(config.toc_depth)
                .min(5);
            if depth == 0 { 0 } else { depth + 1 }
        }
    };
    Page {
        source,
        title,
        href: format!("{}{url}", config.base_path()),
        url,
        layout,
        node: 0,
        toc_max_level,
        generated,
    }
}

/// `release-process.md` → "Release process"; a folder's landing page is named after the folder.
fn default_title(source: &SourcePage, config: &Config) -> String {
    let name = if source.is_index() {
        source.dir().rsplit('/').next().unwrap_or("")
    } else {
        source.stem()
    };
    if name.is_empty() {
        return config.title.clone();
    }
    let words = name.replace(['-', '_'], " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `engineering/release-process.md` → `/engineering/release-process/`; `x/index.md` → `/x/`.
fn path_url(source: &SourcePage) -> String {
    let path = if source.is_index() {
        source.dir().to_string()
    } else {
        match source.dir() {
            "" => source.stem().to_string(),
            dir => format!("{dir}/{}", source.stem()),
        }
    };
    let path: String = path
        .chars()
        .map(|c| if c.is_whitespace() { '-' } else { c })
        .collect();
    if path.is_empty() {
        "/".into()
    } else {
        format!("/{path}/")
    }
}

/// A leading and a trailing `/`, whatever the author wrote.
pub fn normalize_permalink(permalink: &str) -> String {
    let trimmed = permalink.trim().trim_matches('/');
    if trimmed.is_empty() {
        "/".into()
    } else {
        format!("/{trimmed}/")
    }
}

/// Why a URL cannot be written inside the output folder, if it cannot.
pub fn unsafe_url(url: &str) -> Option<&'static str> {
    let lower = url.to_ascii_lowercase();
    if url.contains('\\') {
        return Some("it contains a backslash");
    }
    if url.chars().any(char::is_control) {
        return Some("it contains a control character");
    }
    if lower.contains("%2e")
        || lower.contains("%2f")
        || lower.contains("%5c")
        || lower.contains("%00")
    {
        return Some("it contains an encoded `.`, `/` or `\\`");
    }
    if url.contains(['?', '#']) {
        return Some("it contains `?` or `#`");
    }
    let segments: Vec<&str> = url.trim_matches('/').split('/').collect();
    if url != "/" && segments.iter().any(|s| s.is_empty()) {
        return Some("it contains an empty path segment (`//`)");
    }
    if segments.iter().any(|s| *s == "." || *s == "..") {
        return Some("it contains a `.` or `..` segment and would leave the output folder");
    }
    if segments
        .first()
        .is_some_and(|s| s.len() == 2 && s.ends_with(':'))
    {
        return Some("it looks like a drive path (`C:`)");
    }
    None
}

pub fn check_layouts(pages: &[Page], layouts: &BTreeSet<String>, diags: &mut Diagnostics) {
    for page in pages {
        if !layouts.contains(&page.layout) {
            let line = page.source.key_line("layout").unwrap_or(1);
            let known: Vec<&str> = layouts.iter().map(String::as_str).collect();
            diags.push(
                Diagnostic::error(
                    page.source.display_path(),
                    format!("unknown layout `{}`", page.layout),
                )
                .at(line, 1)
                .help(format!(
                    "available layouts: {} (a layout `x` is the template `templates/x.html`)",
                    known.join(", ")
                )),
            );
        }
    }
}

/// Maps URLs to pages, reporting unsafe URLs and every URL two pages share.
fn index_urls(pages: &[Page], diags: &mut Diagnostics) -> HashMap<String, PageId> {
    let mut by_url: HashMap<String, PageId> = HashMap::with_capacity(pages.len());
    for (id, page) in pages.iter().enumerate() {
        let line = page.source.key_line("permalink").unwrap_or(1);
        if let Some(why) = unsafe_url(&page.url) {
            let written = page.source.front.permalink.as_deref().unwrap_or(&page.url);
            diags.push(
                Diagnostic::error(page.source.display_path(), format!("permalink `{}` is not allowed: {why}", written.escape_debug()))
                    .at(line, 1)
                    .help("use a site path made of plain segments, like `permalink: /engineering/release-process/`"),
            );
            continue;
        }
        if let Some(&other) = by_url.get(&page.url) {
            let (first, second) = if pages[other].source.rel_path <= page.source.rel_path {
                (&pages[other], page)
            } else {
                (page, &pages[other])
            };
            let describe = |p: &Page| match (p.generated, p.source.dir()) {
                (true, "") => "the home page (content/ has no index.md)".to_string(),
                (true, dir) => format!("the folder content/{dir}/"),
                (false, _) => p.source.display_path(),
            };
            // Report where the clash was made: at a `permalink`, else at the later file.
            let at = [second, first]
                .into_iter()
                .find(|p| !p.generated && p.source.key_line("permalink").is_some())
                .unwrap_or(if second.generated { first } else { second });
            diags.push(
                Diagnostic::error(
                    at.source.display_path(),
                    format!("two pages have the URL {}: {} and {}", page.url, describe(first), describe(second)),
                )
                .at(at.source.key_line("permalink").unwrap_or(1), 1)
                .help("give one of them another `permalink`, or move a folder's page to its `index.md`"),
            );
            continue;
        }
        by_url.insert(page.url.clone(), id);
    }
    by_url
}

struct Tree<'p> {
    pages: &'p mut Vec<Page>,
    nodes: Vec<Node>,
    /// The pages of each folder, landing pages excepted.
    by_folder: HashMap<String, Vec<PageId>>,
}

impl Tree<'_> {
    fn push(&mut self, node: Node) -> NodeId {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    fn page_node(&self, kind: NodeKind, page: PageId) -> Node {
        let p = &self.pages[page];
        Node {
            kind,
            title: p.title.clone(),
            weight: p.source.front.weight,
            page: Some(page),
            parent: None,
            children: Vec::new(),
            sort_path: p.source.rel_path.clone(),
        }
    }

    /// The node of folder `dir`, with its pages, subfolders and groups, all ordered.
    fn build_section(&mut self, dir: &str, landing: &BTreeMap<String, PageId>) -> NodeId {
        let index = landing[dir];
        let section = self.push(self.page_node(NodeKind::Section, index));
        self.pages[index].node = section;

        // Entries of this folder: its own pages, then the landing pages of direct subfolders.
        let mut entries: Vec<(Option<String>, NodeId)> = Vec::new();
        let own = self.by_folder.remove(dir).unwrap_or_default();
        for page in own {
            let node = self.push(self.page_node(NodeKind::Page, page));
            self.pages[page].node = node;
            entries.push((self.pages[page].source.front.subcategory.clone(), node));
        }
        let subfolders: Vec<String> = landing
            .keys()
            .filter(|d| !d.is_empty() && parent_dir(d) == dir)
            .cloned()
            .collect();
        for sub in subfolders {
            let node = self.build_section(&sub, landing);
            let subcategory = self.pages[landing[&sub]].source.front.subcategory.clone();
            entries.push((subcategory, node));
        }

        let mut children = Vec::new();
        let mut groups: BTreeMap<String, Vec<NodeId>> = BTreeMap::new();
        for (subcategory, node) in entries {
            match subcategory {
                Some(name) if !name.trim().is_empty() => groups.entry(name).or_default().push(node),
                _ => children.push(node),
            }
        }
        for (name, members) in groups {
            children.push(self.build_group(name, members));
        }
        self.adopt(section, children);
        section
    }

    /// A subcategory: its header links to the member named like it (`subcategory: Release
    /// process` and `release-process.md`, or a page titled "Release process"), if there is one.
    fn build_group(&mut self, name: String, mut members: Vec<NodeId>) -> NodeId {
        let slug = slugify(&name);
        let header = members.iter().position(|&n| {
            let node = &self.nodes[n];
            node.kind == NodeKind::Page
                && node.page.is_some_and(|p| {
                    let page = &self.pages[p];
                    slugify(page.source.stem()) == slug || page.title.eq_ignore_ascii_case(&name)
                })
        });
        let header_page = header
            .map(|i| members.remove(i))
            .and_then(|n| self.nodes[n].page);
        let weight = match header_page {
            Some(p) => self.pages[p].source.front.weight,
            None => members.iter().filter_map(|&n| self.nodes[n].weight).min(),
        };
        let group = self.push(Node {
            kind: NodeKind::Group,
            title: name.clone(),
            weight,
            page: header_page,
            parent: None,
            children: Vec::new(),
            sort_path: header_page.map_or(name, |p| self.pages[p].source.rel_path.clone()),
        });
        if let Some(p) = header_page {
            self.pages[p].node = group;
        }
        self.adopt(group, members);
        group
    }

    fn adopt(&mut self, parent: NodeId, mut children: Vec<NodeId>) {
        children.sort_by(|&a, &b| order_key(&self.nodes[a]).cmp(&order_key(&self.nodes[b])));
        for &child in &children {
            self.nodes[child].parent = Some(parent);
        }
        self.nodes[parent].children = children;
    }
}

fn parent_dir(dir: &str) -> &str {
    dir.rsplit_once('/').map_or("", |(parent, _)| parent)
}

/// Weighted first (ascending), then title ignoring case, then title, then source path.
fn order_key(node: &Node) -> (bool, i64, String, &str, &str) {
    (
        node.weight.is_none(),
        node.weight.unwrap_or(0),
        node.title.to_lowercase(),
        &node.title,
        &node.sort_path,
    )
}

/// Depth-first: a section's or group's landing page, then its entries.
fn navigation_order(nodes: &[Node], node: NodeId, order: &mut Vec<PageId>) {
    if let Some(page) = nodes[node].page {
        order.push(page);
    }
    for &child in &nodes[node].children {
        navigation_order(nodes, child, order);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permalinks_get_slashes_on_both_ends() {
        assert_eq!(normalize_permalink("engineering"), "/engineering/");
        assert_eq!(normalize_permalink("/a/b"), "/a/b/");
        assert_eq!(normalize_permalink("/"), "/");
    }

    #[test]
    fn urls_that_escape_the_output_are_refused() {
        for bad in [
            "/../x/",
            "/a/../../b/",
            "/a\\b/",
            "/a\0/",
            "/%2e%2e/x/",
            "/c:/windows/",
            "/a//b/",
        ] {
            assert!(unsafe_url(bad).is_some(), "{bad:?} accepted");
        }
        for good in ["/", "/engineering/", "/a.b/c_d/"] {
            assert_eq!(unsafe_url(good), None, "{good:?} refused");
        }
    }
}
