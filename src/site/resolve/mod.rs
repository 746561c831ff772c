//! Turns loaded pages into the [`Site`]: URLs (with every collision reported), the landing
//! page of each folder, redirects (`aliases`, `redirect_to`, old `.html` addresses), the
//! section tree, subcategory groups, weight order and navigation order.
//!
//! Order everywhere: `weight` ascending, pages without a weight after weighted ones, then the
//! source path (the order Jekyll listed them in).

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::markdown::headings::slugify;
use crate::site::{Node, NodeId, NodeKind, Page, PageId, Redirect, Site};
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
    let (mut pages, landing) = place_pages(sources, &folders, &config, diags);
    if let Some(layouts) = layouts {
        check_layouts(&pages, layouts, diags);
    }
    let by_url = index_urls(&pages, diags);
    let by_alias = index_aliases(&mut pages, &by_url, diags);
    redirect_targets(&mut pages, &by_url, &by_alias, &config, diags);
    let html_aliases = match config.html_aliases {
        true => html_aliases(&pages, &by_url, &by_alias),
        false => BTreeMap::new(),
    };

    let mut by_folder: HashMap<String, Vec<PageId>> = HashMap::new();
    for (id, page) in pages.iter().enumerate() {
        // Landing pages are their folder's node; redirects are in no navigation.
        if page.folder.is_none() && page.is_shown() {
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
    navigation_order(&nodes, &pages, root, &mut order);
    let mut position = vec![usize::MAX; pages.len()];
    for (i, &page) in order.iter().enumerate() {
        position[page] = i;
    }
    Site {
        config: Arc::new(config),
        pages: pages.into_iter().map(Arc::new).collect(),
        nodes: Arc::new(nodes),
        root,
        order: Arc::new(order),
        position: Arc::new(position),
        by_url: Arc::new(by_url),
        by_alias: Arc::new(by_alias),
        html_aliases: Arc::new(html_aliases),
        assets: Arc::new(assets),
    }
}

/// Every page, and the landing page of every folder: its `index.md` (or `_index.md`); else
/// the page beside it with its name (`tech-stack.md` beside `tech-stack/`, as Jekyll and
/// Eleventy lay out a page with sub-pages); else the page inside it with its name
/// (`tech-stack/tech-stack.md`, Eleventy's way) or titled like it ("Tech stack"), whose
/// folder's address then redirects to it; else a page handbook generates, listing what is
/// inside.
fn place_pages(
    sources: Vec<SourcePage>,
    folders: &BTreeSet<String>,
    config: &Config,
    diags: &mut Diagnostics,
) -> (Vec<Page>, BTreeMap<String, PageId>) {
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
        pages.push(new_page(source, config, false));
    }
    for way in [Named::Beside, Named::Inside, Named::Titled] {
        for (id, page) in pages.iter().enumerate() {
            if let Some(folder) = named_folder(page, way)
                && folders.contains(folder)
            {
                landing.entry(folder.to_string()).or_insert(id);
            }
        }
    }
    for folder in folders {
        let taken = match landing.get(folder) {
            None => None,
            Some(&id) if !pages[id].source.is_index() && pages[id].source.dir() == folder => {
                Some(id)
            }
            Some(_) => continue,
        };
        let mut made = new_page(generated_landing(folder), config, true);
        match taken {
            // The folder's address leads to the page named like it.
            Some(id) => {
                made.redirect = Some(Redirect {
                    href: pages[id].href.clone(),
                    page: Some(id),
                    written: false,
                });
            }
            None => {
                landing.insert(folder.clone(), pages.len());
            }
        }
        pages.push(made);
    }
    for (folder, &id) in &landing {
        pages[id].folder = Some(folder.clone());
    }
    (pages, landing)
}

/// How a page can be named after a folder, in the order they make it the folder's landing page.
#[derive(Clone, Copy, PartialEq)]
enum Named {
    /// `a/tech-stack.md` beside `a/tech-stack/`.
    Beside,
    /// `a/tech-stack/tech-stack.md`.
    Inside,
    /// A page of `a/tech-stack/` titled "Tech stack".
    Titled,
}

/// The folder `page` is named after in that `way`, if any.
fn named_folder(page: &Page, way: Named) -> Option<&str> {
    let source = &page.source;
    if source.is_index() {
        return None;
    }
    let dir = source.dir();
    let inside = match way {
        Named::Beside => return source.rel_path.rsplit_once('.').map(|(path, _)| path),
        Named::Inside => folder_name(dir) == source.stem(),
        Named::Titled => same_label(&page.title, folder_name(dir)),
    };
    (inside && !dir.is_empty()).then_some(dir)
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

/// Every page's aliases, each checked: safe to write, and taken by nothing else. An alias that
/// is the page's own URL is left out with a warning; one that is the address of a folder
/// without a landing page of its own takes that address over.
fn index_aliases(
    pages: &mut [Page],
    by_url: &HashMap<String, PageId>,
    diags: &mut Diagnostics,
) -> HashMap<String, PageId> {
    let mut by_alias: HashMap<String, PageId> = HashMap::new();
    // Folder addresses taken over by an alias, with the alias's page.
    let mut taken: HashMap<String, PageId> = HashMap::new();
    for id in 0..pages.len() {
        let source = &pages[id].source;
        let shown = source.display_path();
        let line = source
            .key_line("aliases")
            .or_else(|| source.key_line("redirect_from"))
            .unwrap_or(1);
        let error = |message: String| {
            Diagnostic::error(&shown, message)
                .at(line, 1)
                .help("an alias is an old address of this page on this site, like `/engineering/old-name/`")
        };
        for written in source.front.aliases.clone() {
            let alias = match checked_alias(&written) {
                Ok(alias) => alias,
                Err(why) => {
                    diags.push(error(why));
                    continue;
                }
            };
            if alias == pages[id].url {
                diags.push(own_url_warning(&shown, line, &written));
                continue;
            }
            if let Some(&other) = by_url.get(&alias)
                && !taken.contains_key(&alias)
            {
                match take_over(pages, other, id) {
                    true => drop(taken.insert(alias, id)),
                    false => diags.push(error(format!(
                        "alias `{written}` is the URL of {}: a redirect there would hide that page",
                        pages[other].source.display_path()
                    ))),
                }
                continue;
            }
            if let Some(&other) = by_alias.get(&alias).or_else(|| taken.get(&alias)) {
                let other = &pages[other];
                diags.push(error(if other.source.rel_path == pages[id].source.rel_path {
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

/// An alias that is its page's own URL (`redirect_from` lists often carry one): left out.
fn own_url_warning(shown: &str, line: usize, written: &str) -> Diagnostic {
    Diagnostic::warning(
        shown,
        format!("alias `{written}` is this page's own URL: it is left out"),
    )
    .at(line, 1)
    .help("remove it from the list: a page needs no redirect from its own address")
}

/// Gives the address of page `other` to page `id`'s alias, if `other` is a page handbook
/// generated for a folder (no text of its own): it then redirects to `id`.
fn take_over(pages: &mut [Page], other: PageId, id: PageId) -> bool {
    let page = &pages[other];
    if !page.generated || page.redirect.as_ref().is_some_and(|r| r.written) {
        return false;
    }
    pages[other].redirect = Some(Redirect {
        href: pages[id].href.clone(),
        page: Some(id),
        written: false,
    });
    true
}

/// An alias as a site URL, or why it cannot be one.
fn checked_alias(written: &str) -> Result<String, String> {
    if written.contains("://") || written.trim().starts_with("//") {
        return Err(format!("alias `{written}` is not a path of this site"));
    }
    let alias = alias_url(written);
    match unsafe_url(&alias) {
        Some(why) => Err(format!("alias `{written}` is not allowed: {why}")),
        None => Ok(alias),
    }
}

/// Reads every page's `redirect_to`: the page then only redirects there.
fn redirect_targets(
    pages: &mut [Page],
    by_url: &HashMap<String, PageId>,
    by_alias: &HashMap<String, PageId>,
    config: &Config,
    diags: &mut Diagnostics,
) {
    for id in 0..pages.len() {
        let Some(written) = pages[id].source.front.redirect_to.clone() else {
            continue;
        };
        let found = redirect_of(&written, pages, by_url, by_alias, config.base_path());
        let source = &pages[id].source;
        let problem = match found {
            Ok(redirect) if redirect.page == Some(id) => {
                format!(
                    "`redirect_to: {written}` is this page's own URL: it would redirect to itself"
                )
            }
            Ok(redirect) => {
                pages[id].redirect = Some(redirect);
                continue;
            }
            Err(why) => why,
        };
        diags.push(
            Diagnostic::error(source.display_path(), problem)
                .at(source.key_line("redirect_to").unwrap_or(1), 1)
                .help("write where the page moved: a path of this site, like `redirect_to: /engineering/releases/`, or an address starting with https://"),
        );
    }
}

/// Where `redirect_to: written` sends readers, or why it cannot.
fn redirect_of(
    written: &str,
    pages: &[Page],
    by_url: &HashMap<String, PageId>,
    by_alias: &HashMap<String, PageId>,
    base_path: &str,
) -> Result<Redirect, String> {
    let target = written.trim();
    let lower = target.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Ok(Redirect {
            href: target.to_string(),
            page: None,
            written: true,
        });
    }
    if target.is_empty() || target.starts_with("//") || target.contains("://") {
        return Err(format!(
            "`redirect_to: {written}` is neither a path of this site nor an http(s) address"
        ));
    }
    if !target.starts_with('/') {
        return Err(format!(
            "`redirect_to: {written}` is not a path from the site's root (it must start with `/`)"
        ));
    }
    let (path, fragment) = match target.split_once('#') {
        Some((path, fragment)) => (path, format!("#{fragment}")),
        None => (target, String::new()),
    };
    let page = by_url
        .get(&alias_url(path))
        .or_else(|| by_alias.get(&alias_url(path)))
        .copied();
    let href = match page {
        Some(p) => format!("{}{fragment}", pages[p].href),
        None => format!("{base_path}{target}"),
    };
    Ok(Redirect {
        href,
        page,
        written: true,
    })
}

/// With `html_aliases: true`, each page's address on a Jekyll site: `/company/values.html`
/// for `company/values.md`. Not for folders' `index.md` (Jekyll wrote them as
/// `company/index.html`, which the page's folder has anyway), pages with a `permalink`
/// (Jekyll used it as it is), pages that only redirect, and addresses an alias or a page
/// already has.
fn html_aliases(
    pages: &[Page],
    by_url: &HashMap<String, PageId>,
    by_alias: &HashMap<String, PageId>,
) -> BTreeMap<String, PageId> {
    let urls: BTreeSet<&str> = by_url.keys().map(String::as_str).collect();
    let mut found = BTreeMap::new();
    for (id, page) in pages.iter().enumerate() {
        let source = &page.source;
        if page.generated
            || !page.is_shown()
            || source.is_index()
            || source.front.permalink.is_some()
            || page.is_home()
            || page.url.ends_with(".html/")
        {
            continue;
        }
        let html = format!("{}.html", page.url.trim_end_matches('/'));
        // A page at `/x.html/` (or below) is written into the folder `x.html/`.
        let folder = format!("{html}/");
        let under = urls.range(folder.as_str()..).next();
        if by_alias.contains_key(&html) || under.is_some_and(|u| u.starts_with(&folder)) {
            continue;
        }
        found.insert(html, id);
    }
    found
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
        folder: None,
        redirect: None,
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

/// Layout names Jekyll sites give ordinary pages (`default` is Jekyll's own default): a site
/// without a template of that name renders such a page with `page` (the home page with
/// `index`), so that a handbook moved from Jekyll builds as it is.
pub const JEKYLL_LAYOUTS: &[&str] = &["default", "post", "home"];

/// The template file a page of `layout` at `url` is rendered with, among the site's `layouts`.
pub fn layout_template(layout: &str, url: &str, layouts: &BTreeSet<String>) -> String {
    if layouts.contains(layout) || !JEKYLL_LAYOUTS.contains(&layout) {
        format!("{layout}.html")
    } else if url == "/" {
        "index.html".into()
    } else {
        "page.html".into()
    }
}

pub fn check_layouts(pages: &[Page], layouts: &BTreeSet<String>, diags: &mut Diagnostics) {
    for page in pages {
        if !layouts.contains(&page.layout) && !JEKYLL_LAYOUTS.contains(&page.layout.as_str()) {
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
                    format!(
                        "two pages have the URL {}: {} and {}",
                        page.url,
                        describe(first),
                        describe(second)
                    ),
                )
                .at(at.source.key_line("permalink").unwrap_or(1), 1)
                .help(clash_help(first, second)),
            );
            continue;
        }
        by_url.insert(page.url.clone(), id);
    }
    by_url
}

/// How to settle two pages on one URL.
fn clash_help(first: &Page, second: &Page) -> String {
    let beside = |page: &Page, index: &Page| {
        index.source.is_index() && named_folder(page, Named::Beside) == Some(index.source.dir())
    };
    for (page, index) in [(first, second), (second, first)] {
        if beside(page, index) {
            return format!(
                "{} beside the folder content/{}/ is that folder's landing page, and so is {}: keep one of them (move the other's text into it)",
                page.source.display_path(),
                index.source.dir(),
                index.source.display_path()
            );
        }
    }
    "give one of them another `permalink`, or move a folder's page to its `index.md`".into()
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
            // A group named like its folder would repeat the folder's heading: its pages are
            // the folder's own.
            if same_label(&name, &self.nodes[section].title) || same_label(&name, folder_name(dir))
            {
                children.extend(members);
            } else {
                children.push(self.build_group(name, members));
            }
        }
        self.adopt(section, children);
        section
    }

    /// Whether node `n` is named like the group `name`: a page by its file name or title, a
    /// subfolder by its name or title.
    fn named_like(&self, n: NodeId, name: &str) -> bool {
        let node = &self.nodes[n];
        let Some(page) = node.page.map(|p| &self.pages[p]) else {
            return false;
        };
        let file = match node.kind {
            NodeKind::Page => page.source.stem(),
            NodeKind::Section => page.folder.as_deref().map_or("", folder_name),
            NodeKind::Group => return false,
        };
        same_label(file, name) || same_label(&node.title, name)
    }

    /// A subcategory: its header links to the member named like it (`subcategory: Release
    /// process` and `release-process.md`, or a page titled "Release process"), if there is one.
    /// A subfolder named like it takes the group's other pages in instead: the group would
    /// only repeat the subfolder's name above it.
    fn build_group(&mut self, name: String, mut members: Vec<NodeId>) -> NodeId {
        let header = members.iter().position(|&n| self.named_like(n, &name));
        let header = header.map(|i| members.remove(i));
        if let Some(folder) = header.filter(|&h| self.nodes[h].kind == NodeKind::Section) {
            let mut children = std::mem::take(&mut self.nodes[folder].children);
            children.extend(members);
            self.adopt(folder, children);
            return folder;
        }
        let header_page = header.and_then(|n| self.nodes[n].page);
        let weight = match header_page {
            Some(p) => self.pages[p].source.front.weight,
            None => members.iter().filter_map(|&n| self.nodes[n].weight).min(),
        };
        let first_path = members.iter().map(|&n| &self.nodes[n].sort_path).min();
        let sort_path = match header_page {
            Some(p) => self.pages[p].source.rel_path.clone(),
            None => first_path.cloned().unwrap_or_else(|| name.clone()),
        };
        let group = self.push(Node {
            kind: NodeKind::Group,
            title: name,
            weight,
            page: header_page,
            parent: None,
            children: Vec::new(),
            sort_path,
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

/// Two labels a reader takes for the same: equal but for case, or as slugs (`Dev standards`,
/// `dev-standards`).
fn same_label(a: &str, b: &str) -> bool {
    !a.trim().is_empty() && (a.trim().eq_ignore_ascii_case(b.trim()) || slugify(a) == slugify(b))
}

/// The last segment of a folder path (`dev-standards` for `engineering/dev-standards`).
fn folder_name(dir: &str) -> &str {
    dir.rsplit('/').next().unwrap_or(dir)
}

fn parent_dir(dir: &str) -> &str {
    dir.rsplit_once('/').map_or("", |(parent, _)| parent)
}

/// Weighted first (ascending), then by source path: pages of equal weight, and pages without
/// a weight, keep the order of their files, as Jekyll listed them.
fn order_key(node: &Node) -> (bool, i64, &str) {
    (
        node.weight.is_none(),
        node.weight.unwrap_or(0),
        &node.sort_path,
    )
}

/// Depth-first: a section's or group's landing page, then its entries. Pages that only
/// redirect are left out.
fn navigation_order(nodes: &[Node], pages: &[Page], node: NodeId, order: &mut Vec<PageId>) {
    if let Some(page) = nodes[node].page.filter(|&p| pages[p].is_shown()) {
        order.push(page);
    }
    for &child in &nodes[node].children {
        navigation_order(nodes, pages, child, order);
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
