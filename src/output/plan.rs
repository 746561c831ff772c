//! Every path of the new site, decided before anything is rendered: pages, aliases, the files
//! handbook generates, and the files copied from `static/` and `content/`. Two things that
//! would be written to one path are all reported at once.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::layout::{CONTENT_DIR, SEARCH_INDEX_DIR, SEARCH_PAGE, STATIC_DIR};
use crate::site::{Site, alias_output_path};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Where an output file comes from, to explain collisions.
#[derive(Debug, Clone)]
pub enum Origin {
    Page(String),
    /// The redirect page of an alias of this page.
    Alias(String),
    Generated,
    Static(PathBuf, String),
    Content(PathBuf, String),
}

impl Origin {
    pub fn describe(&self) -> String {
        match self {
            Origin::Page(path) => format!("the page {path}"),
            Origin::Alias(path) => format!("an alias of {path}"),
            Origin::Generated => "a file handbook generates".into(),
            Origin::Static(_, shown) | Origin::Content(_, shown) => shown.clone(),
        }
    }

    /// The file copied as it is, for a file of `static/` or `content/`.
    pub fn source(&self) -> Option<&Path> {
        match self {
            Origin::Static(path, _) | Origin::Content(path, _) => Some(path),
            _ => None,
        }
    }
}

/// The outputs of one build.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// The files copied as they are (`static/`, and the files beside pages in `content/`), by
    /// output path.
    pub copies: BTreeMap<String, Origin>,
    /// Every path the new site will have: what links may point at.
    pub outputs: BTreeSet<String>,
}

impl Plan {
    /// The files copied as they are, each with its source file.
    pub fn copied_files(&self) -> BTreeMap<String, PathBuf> {
        self.copies
            .iter()
            .filter_map(|(rel, origin)| Some((rel.clone(), origin.source()?.to_path_buf())))
            .collect()
    }
}

/// Plans the outputs of `site`, whose generated files (`404.html`, `sitemap.xml`, …) are
/// `generated`; a file of `static/` may replace one of those, nothing else. Clashes go to `diags`.
pub fn plan(site: &Site, root: &Path, generated: &[String], diags: &mut Diagnostics) -> Plan {
    let mut taken = own_outputs(site, diags);
    for name in generated {
        // The search page's clash is reported with its own advice (`own_outputs`).
        if let Some(Origin::Page(shown) | Origin::Alias(shown)) = taken.get(name)
            && name != SEARCH_PAGE
        {
            diags.push(
                Diagnostic::error(
                    shown.clone(),
                    format!("would be written to {name}, where handbook writes a page of its own"),
                )
                .help("give the page another permalink (`permalink:` in its front matter)"),
            );
            continue;
        }
        taken.insert(name.clone(), Origin::Generated);
    }
    let mut copies: BTreeMap<String, Origin> = BTreeMap::new();
    let statics = crate::source::list_files(root, STATIC_DIR, diags)
        .into_iter()
        .map(|(rel, path)| {
            let shown = format!("{STATIC_DIR}/{rel}");
            (rel, Origin::Static(path, shown))
        });
    let assets = site.assets.iter().map(|a| {
        let shown = format!("{CONTENT_DIR}/{}", a.rel_path);
        (a.rel_path.clone(), Origin::Content(a.source.clone(), shown))
    });
    for (rel, origin) in statics.chain(assets) {
        let clash = copies.get(&rel).or_else(|| taken.get(&rel)).cloned();
        match clash {
            // A site's static file replaces a generated or built-in one of the same name.
            Some(Origin::Generated) | None => {
                copies.insert(rel, origin);
            }
            Some(other) => diags.push(
                Diagnostic::error(
                    origin.describe(),
                    format!(
                        "would be written to {rel}, which is also the output of {}",
                        other.describe()
                    ),
                )
                .help("rename or move one of them"),
            ),
        }
    }
    let outputs = taken.into_keys().chain(copies.keys().cloned()).collect();
    Plan { copies, outputs }
}

/// The paths of the pages, their aliases and the search page, checked against each other.
fn own_outputs(site: &Site, diags: &mut Diagnostics) -> BTreeMap<String, Origin> {
    let mut taken: BTreeMap<String, Origin> = BTreeMap::new();
    for page in &site.pages {
        taken.insert(page.output_path(), Origin::Page(page.source.display_path()));
    }
    for (alias, &page) in site.by_alias.iter() {
        let rel = alias_output_path(alias);
        let origin = Origin::Alias(site.pages[page].source.display_path());
        if let Some(other) = taken.get(&rel) {
            diags.push(Diagnostic::error(
                origin.describe(),
                format!(
                    "alias {alias} would be written to {rel}, which is also the output of {}",
                    other.describe()
                ),
            ));
            continue;
        }
        taken.insert(rel, origin);
    }
    // An old `.html` address gives way to a file the site really has there.
    for alias in site.html_aliases.keys() {
        taken
            .entry(alias_output_path(alias))
            .or_insert(Origin::Generated);
    }
    if site.config.search.enabled {
        if let Some(other) = taken.get(SEARCH_PAGE) {
            let shown = match other {
                Origin::Page(shown) | Origin::Alias(shown) => shown.clone(),
                other => other.describe(),
            };
            diags.push(
                Diagnostic::error(
                    shown,
                    format!("would be written to {SEARCH_PAGE}, which is the search page"),
                )
                .help("give the page another permalink, or turn the search page off with `search: {enabled: false}` in handbook.yml"),
            );
        }
        // One of the index's files, for `_headers`; the rest are only known once pages are
        // rendered.
        taken.insert(format!("{SEARCH_INDEX_DIR}meta.json"), Origin::Generated);
    }
    taken
}
