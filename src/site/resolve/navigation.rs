//! The navigation tree (sections, subcategory groups and pages, each level in weight order)
//! and the navigation order of the pages: the sidebar's order, and prev/next.

use super::Pages;
use super::named::{folder_name, same_label};
use crate::site::{IdVec, Node, NodeId, NodeKind, PageId};
use std::collections::{BTreeMap, HashMap};

/// The navigation of a site: its nodes, the root section, and the pages in navigation order.
pub(super) struct Navigation {
    pub nodes: IdVec<NodeId, Node>,
    pub root: NodeId,
    pub order: Vec<PageId>,
    /// Where each page is in `order`; `usize::MAX` for pages that only redirect.
    pub position: IdVec<PageId, usize>,
}

/// The navigation tree of the placed `pages` (setting each page's `node`), from the root
/// section down, and the navigation order.
pub(super) fn build(pages: &mut Pages, landing: &BTreeMap<String, PageId>) -> Navigation {
    let mut by_folder: HashMap<String, Vec<PageId>> = HashMap::new();
    for (id, page) in pages.iter_enumerated() {
        // Landing pages are their folder's node; redirects are in no navigation.
        if page.folder.is_none() && page.is_shown() {
            by_folder
                .entry(page.source.dir().to_string())
                .or_default()
                .push(id);
        }
    }
    let mut tree = Tree {
        pages: &mut *pages,
        nodes: IdVec::new(),
        by_folder,
    };
    let root = tree.build_section("", landing);
    let nodes = tree.nodes;
    let (order, position) = order_and_position(&nodes, root, pages.len(), &|p| pages[p].is_shown());
    Navigation {
        nodes,
        root,
        order,
        position,
    }
}

/// The pages in navigation order, and where each is in it (`usize::MAX` for pages that only
/// redirect). `shown` says whether a page is shown.
pub(super) fn order_and_position(
    nodes: &IdVec<NodeId, Node>,
    root: NodeId,
    pages: usize,
    shown: &dyn Fn(PageId) -> bool,
) -> (Vec<PageId>, IdVec<PageId, usize>) {
    let mut order = Vec::with_capacity(pages);
    navigation_order(nodes, shown, root, &mut order);
    let mut position: IdVec<PageId, usize> = vec![usize::MAX; pages].into();
    for (i, &page) in order.iter().enumerate() {
        position[page] = i;
    }
    (order, position)
}

struct Tree<'p> {
    pages: &'p mut Pages,
    nodes: IdVec<NodeId, Node>,
    /// The pages of each folder, landing pages excepted.
    by_folder: HashMap<String, Vec<PageId>>,
}

impl Tree<'_> {
    fn push(&mut self, node: Node) -> NodeId {
        self.nodes.push(node)
    }

    fn page_node(&self, kind: NodeKind, page: PageId) -> Node {
        let p = &self.pages[page];
        Node {
            kind,
            title: p.title.clone(),
            weight: p.source.front.weight,
            page: Some(page),
            parent: None,
            index: 0,
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
            index: 0,
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
        for (index, &child) in children.iter().enumerate() {
            self.nodes[child].parent = Some(parent);
            self.nodes[child].index = index;
        }
        self.nodes[parent].children = children;
    }
}

fn parent_dir(dir: &str) -> &str {
    dir.rsplit_once('/').map_or("", |(parent, _)| parent)
}

/// Weighted first (ascending), then by source path: pages of equal weight, and pages without
/// a weight, keep the order of their files, as Jekyll listed them.
pub(super) fn order_key(node: &Node) -> (bool, i64, &str) {
    (
        node.weight.is_none(),
        node.weight.unwrap_or(0),
        &node.sort_path,
    )
}

/// Depth-first: a section's or group's landing page, then its entries. Pages that only
/// redirect are left out.
fn navigation_order(
    nodes: &IdVec<NodeId, Node>,
    shown: &dyn Fn(PageId) -> bool,
    node: NodeId,
    order: &mut Vec<PageId>,
) {
    if let Some(page) = nodes[node].page.filter(|&p| shown(p)) {
        order.push(page);
    }
    for &child in &nodes[node].children {
        navigation_order(nodes, shown, child, order);
    }
}
