//! `handbook serve`'s checker thread: the checks of `handbook check --strict` on each new
//! version, the same function as a build's ([`crate::check::with_page_links`]), so that the
//! terminal and the overlay show what the build will say. After a save only the changed pages
//! and the pages linking to them are checked again; then the search index of the version.

use super::Shared;
use super::state::{Generation, lock};
use crate::check::{self, PageLinks};
use crate::diagnostics::Diagnostics;
use crate::site::PageId;
use crate::site::PerPage;
use crate::site::links::LinkIndex;
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long the link check waits after a change.
const CHECK_DELAY: Duration = Duration::from_millis(50);

/// The checks of `handbook check --strict` that serve runs too.
const SETTINGS: check::Settings = check::Settings {
    equal_weights: true,
};

/// The link check of the last checked version: what the next one may keep.
pub(super) struct LastCheck {
    /// Same index and outputs: the same pages in the same places, the same files.
    links: Arc<LinkIndex>,
    outputs: Arc<BTreeSet<String>>,
    /// The analysis key of each page.
    keys: PerPage<u64>,
    pages: PerPage<PageLinks>,
    /// How many pages this check checked again (every page when nothing could be kept).
    pub rechecked: usize,
}

/// Analyses every page once (then only changed ones) and checks each new version.
pub fn check_loop(shared: &Shared) {
    let mut checked = 0;
    let mut first = true;
    let mut last: Option<LastCheck> = None;
    loop {
        {
            let mut wanted = lock(&shared.to_check.0);
            while *wanted == checked && !first {
                wanted = shared
                    .to_check
                    .1
                    .wait(wanted)
                    .unwrap_or_else(|p| p.into_inner());
            }
        }
        if !first {
            // Not at the same moment as the browsers' reload: let the changed page be served
            // first (and take in the rest of a burst of saves).
            std::thread::sleep(CHECK_DELAY);
        }
        let generation = shared.current();
        checked = generation.version;
        let started = Instant::now();
        let analyses = generation.analyses();
        if shared.current().version != checked {
            // Changed meanwhile: the analyses are kept; check the newer version.
            continue;
        }
        let (diags, done) = check_version(&generation, &analyses, last.take());
        last = Some(done);
        shared.set_checked(diags.into_sorted());
        if generation.site.config.search.enabled {
            shared.index_search(&generation, &analyses);
            drop(analyses);
            generation.forget_search_text();
        }
        // A check, and an index (the first is made whole: ~100 MB at 10,000 pages for a
        // moment), free memory the allocator would otherwise keep.
        super::memory::return_freed_memory();
        if first {
            println!(
                "Checked the links of {} pages in {} ms",
                generation.site.pages.len(),
                started.elapsed().as_millis()
            );
            first = false;
        }
    }
}

/// The checks of one version, keeping from `last` the link checks of pages that neither
/// changed nor link to a page that changed.
pub(super) fn check_version(
    generation: &Generation,
    analyses: &crate::site::PerPage<Arc<crate::markdown::Analysis>>,
    last: Option<LastCheck>,
) -> (Diagnostics, LastCheck) {
    let site = &generation.site;
    let table = generation.link_table();
    let keys: PerPage<u64> = site
        .pages
        .ids()
        .map(|id| generation.analysis_key(id))
        .collect();
    let reusable = last.filter(|last| {
        Arc::ptr_eq(&last.links, &generation.links)
            && Arc::ptr_eq(&last.outputs, &generation.outputs)
            && last.keys.len() == keys.len()
    });
    let mut rechecked = keys.len();
    let pages = match reusable {
        Some(last) => {
            let changed: HashSet<PageId> =
                keys.ids().filter(|&id| last.keys[id] != keys[id]).collect();
            let mut pages = last.pages;
            let again: Vec<(PageId, PageLinks)> = keys
                .par_ids()
                .filter(|&id| {
                    changed.contains(&id) || pages[id].targets.iter().any(|t| changed.contains(t))
                })
                .map(|id| (id, check::page_links(site, &table, analyses, id)))
                .collect();
            rechecked = again.len();
            for (id, checked) in again {
                pages[id] = checked;
            }
            pages
        }
        None => check::page_links_all(site, &table, analyses),
    };
    let sidebars = all_sidebars(generation);
    let inputs = check::Inputs {
        site,
        templates: &generation.templates,
        table: &table,
        sidebars: &sidebars,
        analyses,
    };
    let mut diags = Diagnostics::default();
    check::with_page_links(&inputs, &pages, SETTINGS, &mut diags);
    let done = LastCheck {
        links: generation.links.clone(),
        outputs: generation.outputs.clone(),
        keys,
        pages,
        rechecked,
    };
    (diags, done)
}

/// Every shared sidebar of the version (rendered now if not yet), for the check of pages that
/// no navigation reaches.
fn all_sidebars(generation: &Generation) -> HashMap<crate::site::SidebarScope, String> {
    let site = &generation.site;
    let scopes: BTreeSet<_> = site
        .pages
        .ids()
        .map(|p| site.sidebar_scope(p))
        .chain([crate::site::SidebarScope::of(site.root)])
        .collect();
    scopes
        .into_par_iter()
        .filter_map(|scope| {
            let rendered = generation.sidebar(&scope);
            let html = rendered.as_ref().as_ref().ok()?;
            Some((scope, html.clone()))
        })
        .collect()
}
