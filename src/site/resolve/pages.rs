//! Places every page: each source file as a [`Page`] (its title, URL and layout), and the
//! landing page of every folder, found among the pages or generated. Kept apart from the URL
//! and alias checks, which need every page placed first.

use super::named::{Named, named_folder};
use super::urls::{normalize_permalink, path_url};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::site::ids::Id;
use crate::site::{IdVec, NodeId, Page, PageId, Redirect};
use crate::source::{FrontMatter, SourcePage};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

/// Every page, and the landing page of every folder: its `index.md` (or `_index.md`); else
/// the page beside it with its name (`tech-stack.md` beside `tech-stack/`, as Jekyll and
/// Eleventy lay out a page with sub-pages); else the page inside it with its name
/// (`tech-stack/tech-stack.md`, Eleventy's way) or titled like it ("Tech stack"), whose
/// folder's address then redirects to it; else a page handbook generates, listing what is
/// inside.
pub(super) fn place_pages(
    sources: Vec<Arc<SourcePage>>,
    folders: &BTreeSet<String>,
    config: &Config,
    diags: &mut Diagnostics,
) -> (IdVec<PageId, Page>, BTreeMap<String, PageId>) {
    let mut pages = IdVec::with_capacity(sources.len() + folders.len());
    let mut landing = index_pages(sources, &mut pages, config, diags);
    named_landing_pages(&pages, folders, &mut landing);
    generated_landing_pages(&mut pages, folders, config, &mut landing);
    for (folder, &id) in &landing {
        pages[id].folder = Some(folder.clone());
    }
    (pages, landing)
}

/// Every source as a page into `pages`; returns the folders whose `index.md` (or `_index.md`)
/// is their landing page. A folder with both keeps the first, and the other is an error.
fn index_pages(
    sources: Vec<Arc<SourcePage>>,
    pages: &mut IdVec<PageId, Page>,
    config: &Config,
    diags: &mut Diagnostics,
) -> BTreeMap<String, PageId> {
    let mut landing: BTreeMap<String, PageId> = BTreeMap::new();
    // Made in parallel: `handbook serve` does this again for every change of the navigation.
    let made: Vec<Page> = sources
        .into_par_iter()
        .map(|source| new_page(source, config, false))
        .collect();
    for page in made {
        let source = &page.source;
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
            landing.insert(source.dir().to_string(), pages.next_id());
        }
        pages.push(page);
    }
    landing
}

/// For the folders without an `index.md`: the page named after the folder, in the order of
/// [`Named`], becomes its landing page.
fn named_landing_pages(
    pages: &IdVec<PageId, Page>,
    folders: &BTreeSet<String>,
    landing: &mut BTreeMap<String, PageId>,
) {
    let without: HashSet<&str> = folders
        .iter()
        .filter(|folder| !landing.contains_key(*folder))
        .map(String::as_str)
        .collect();
    if without.is_empty() {
        return;
    }
    for way in [Named::Beside, Named::Inside, Named::Titled] {
        for (id, page) in pages.iter_enumerated() {
            if let Some(folder) = named_folder(page, way)
                && without.contains(folder)
            {
                landing.entry(folder.to_string()).or_insert(id);
            }
        }
    }
}

/// A page generated for every folder that has no landing page of its own, and for every
/// folder whose landing page is a page inside it (the generated page then redirects there).
fn generated_landing_pages(
    pages: &mut IdVec<PageId, Page>,
    folders: &BTreeSet<String>,
    config: &Config,
    landing: &mut BTreeMap<String, PageId>,
) {
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
                landing.insert(folder.clone(), pages.next_id());
            }
        }
        pages.push(made);
    }
}

/// Every folder that holds a page, and all their parent folders; `` is the root.
pub(super) fn folders_of(sources: &[Arc<SourcePage>]) -> BTreeSet<String> {
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
        calls: Vec::new(),
    }
}

pub fn new_page(source: impl Into<Arc<SourcePage>>, config: &Config, generated: bool) -> Page {
    let source: Arc<SourcePage> = source.into();
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
        // Set by the navigation.
        node: NodeId::from_index(0),
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
