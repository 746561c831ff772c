//! Changes `handbook serve` applies to a resolved site in place, in a few milliseconds at
//! 10,000 pages, where resolving the whole site again takes several times that: a page's title
//! or weight, and a new page in a folder. Each says `None` for any change that could move
//! other pages or clash with them; the caller then resolves the site ([`super::resolve`]), and
//! a test checks both ways give the same navigation.

use super::named::{folder_name, same_label};
use super::navigation::{order_and_position, order_key};
use super::urls::unsafe_url;
use crate::site::{IdVec, Node, NodeId, NodeKind, Page, PageId, Site};
use std::sync::Arc;

/// `site` with page `id` replaced by `page`, when all that changed of where the page sits is
/// what the navigation shows of it (its title, weight or description): its node takes the new
/// title and weight and moves to its place among its siblings, and the navigation order
/// follows.
///
/// `None` when the change may move the page or others: a landing page or a group member (a
/// title names them), a title that names the page's folder (which would make it the folder's
/// landing page), another URL, subcategory, draft state, aliases or redirect. Those need
/// [`super::resolve`].
pub fn renavigate(site: &Site, id: PageId, mut page: Page) -> Option<Site> {
    let old = &site.pages[id];
    let node = old.node;
    let folder = folder_name(old.source.dir());
    let (before, after) = (&old.source.front, &page.source.front);
    let in_place = !old.generated
        && old.folder.is_none()
        && old.redirect.is_none()
        && site.nodes[node].kind == NodeKind::Page
        && site.nodes[node].page == Some(id)
        && page.url == old.url
        && old.source.rel_path == page.source.rel_path
        && before.permalink == after.permalink
        && ungrouped(&before.subcategory)
        && ungrouped(&after.subcategory)
        && before.draft == after.draft
        && before.aliases == after.aliases
        && before.redirect_to == after.redirect_to
        && !same_label(&old.title, folder)
        && !same_label(&page.title, folder);
    if !in_place {
        return None;
    }
    let parent = site.nodes[node].parent?;
    let mut nodes = (*site.nodes).clone();
    nodes[node].title = page.title.clone();
    nodes[node].weight = after.weight;
    reorder(&mut nodes, parent);
    page.node = node;
    let mut pages = site.pages.clone();
    pages[id] = Arc::new(page);
    Some(with_navigation(site, pages, nodes))
}

/// `site` with the new page `page`, and its id, when the page is one more entry of a folder
/// that has an `index.md`: not grouped, without aliases or a redirect, on an address nothing
/// else has, and not named like a folder beside it (which would make it that folder's landing
/// page). `None` for any other, which needs [`super::resolve`]: then a clash is reported as a
/// build reports it.
pub fn add_page(site: &Site, mut page: Page) -> Option<(Site, PageId)> {
    let source = &page.source;
    let front = &source.front;
    let dir = source.dir();
    let beside = source
        .rel_path
        .rsplit_once('.')
        .map_or("", |(path, _)| path);
    let section = site
        .pages
        .iter()
        .find(|p| p.folder.as_deref() == Some(dir))
        .filter(|landing| !landing.generated && landing.source.is_index())
        .map(|landing| landing.node)
        .filter(|&node| site.nodes[node].kind == NodeKind::Section)?;
    let alone = !source.is_index()
        && ungrouped(&front.subcategory)
        && front.aliases.is_empty()
        && front.redirect_to.is_none()
        && front.draft != Some(true)
        && !site.config.html_aliases
        && unsafe_url(&page.url).is_none()
        && !site.by_url.contains_key(&page.url)
        && !site.by_alias.contains_key(&page.url)
        // A redirect that led nowhere may lead to the new page.
        && site
            .pages
            .iter()
            .all(|p| p.redirect.as_ref().is_none_or(|r| r.page.is_some()))
        && !site.pages.iter().any(|p| p.folder.as_deref() == Some(beside));
    if !alone {
        return None;
    }
    let id = site.pages.next_id();
    let mut nodes = (*site.nodes).clone();
    page.node = nodes.push(Node {
        kind: NodeKind::Page,
        title: page.title.clone(),
        weight: front.weight,
        page: Some(id),
        parent: Some(section),
        index: 0,
        children: Vec::new(),
        sort_path: source.rel_path.clone(),
    });
    nodes[section].children.push(page.node);
    reorder(&mut nodes, section);
    let mut by_url = (*site.by_url).clone();
    by_url.insert(page.url.clone(), id);
    let mut pages = site.pages.clone();
    pages.push(Arc::new(page));
    let site = Site {
        by_url: Arc::new(by_url),
        ..site.clone()
    };
    Some((with_navigation(&site, pages, nodes), id))
}

fn ungrouped(subcategory: &Option<String>) -> bool {
    subcategory.as_deref().is_none_or(|s| s.trim().is_empty())
}

/// Sorts the children of `parent` into navigation order.
fn reorder(nodes: &mut IdVec<NodeId, Node>, parent: NodeId) {
    let mut children = std::mem::take(&mut nodes[parent].children);
    children.sort_by(|&a, &b| order_key(&nodes[a]).cmp(&order_key(&nodes[b])));
    for (index, &child) in children.iter().enumerate() {
        nodes[child].index = index;
    }
    nodes[parent].children = children;
}

/// `site` with these pages and nodes, and the navigation order they give.
fn with_navigation(
    site: &Site,
    pages: IdVec<PageId, Arc<Page>>,
    nodes: IdVec<NodeId, Node>,
) -> Site {
    let (order, position) =
        order_and_position(&nodes, site.root, pages.len(), &|p| pages[p].is_shown());
    Site {
        pages,
        nodes: Arc::new(nodes),
        order: Arc::new(order),
        position: Arc::new(position),
        ..site.clone()
    }
}
