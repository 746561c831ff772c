//! Site-wide checks of the analysed pages, before anything is rendered: every internal link and
//! `#anchor` must arrive, explicit heading ids must be unique, images need alt text, and raw HTML
//! should not need what the Content-Security-Policy blocks (inline scripts, handlers, styles).
//!
//! Problems are reported at the Markdown source position of the link, compiler-style, with
//! the nearest existing page or heading suggested.

mod anchors;
pub mod external;
pub mod fix;
mod links;
mod site;
pub mod stale;
mod warnings;

pub use anchors::{CaseFix, apply_edits, case_edits, case_fix, case_fixes};
pub use external::external_links;
pub use links::{links, merge_links, page_links, page_links_all};
pub use site::{equal_weights, orphans, template_links};

use crate::config::LinkPolicy;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::markdown::Analysis;
use crate::site::PerPage;
use crate::site::links::LinkTable;
use crate::site::{Page, PageId, Site};
use std::collections::{HashMap, HashSet};

/// The pages (by id) some other page's content links to.
pub type Linked = HashSet<PageId>;

/// Which of the checks that are off by default run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Settings {
    /// Sibling pages with the same `weight` (`handbook check --strict`, and `handbook serve`).
    pub equal_weights: bool,
}

/// What the site-wide checks look at: the site, its templates and shared sidebars, and the
/// analysis of every rendered page.
pub struct Inputs<'a, A> {
    pub site: &'a Site,
    pub templates: &'a crate::templates::Templates,
    pub table: &'a LinkTable<'a>,
    pub sidebars: &'a HashMap<crate::site::SidebarScope, String>,
    pub analyses: &'a PerPage<A>,
}

/// Every site-wide check: links of templates and pages, pages no one links to, and with
/// `settings` the checks that are off by default. Returns the links that leave the site, for
/// `--external`.
pub fn all<A: std::borrow::Borrow<Analysis> + Sync>(
    inputs: &Inputs<'_, A>,
    settings: Settings,
    diags: &mut Diagnostics,
) -> Vec<ExternalLink> {
    let pages = page_links_all(inputs.site, inputs.table, inputs.analyses);
    with_page_links(inputs, &pages, settings, diags)
}

/// [`all`], with the link check of each page already made ([`page_links`]; `handbook serve`
/// keeps those of unchanged pages).
pub fn with_page_links<A: std::borrow::Borrow<Analysis>>(
    inputs: &Inputs<'_, A>,
    pages: &PerPage<PageLinks>,
    settings: Settings,
    diags: &mut Diagnostics,
) -> Vec<ExternalLink> {
    let Inputs {
        site,
        templates,
        table,
        sidebars,
        analyses,
    } = inputs;
    template_links(templates, site, table, diags);
    if settings.equal_weights {
        equal_weights(site, diags);
    }
    let (linked, external) = merge_links(site, table, analyses, pages, diags);
    orphans(site, sidebars, &linked, diags);
    external
}

/// An `http(s)` link of a page or a data file, for `handbook check --external`.
#[derive(Debug, Clone)]
pub struct ExternalLink {
    pub url: String,
    pub at: LinkAt,
}

/// Where a link is written.
#[derive(Debug, Clone)]
pub enum LinkAt {
    /// In a page, at this byte offset of its Markdown.
    Page { page: PageId, offset: usize },
    /// In a data file (its path as shown), at this 1-based line and column.
    File {
        path: String,
        line: usize,
        col: usize,
    },
}

impl LinkAt {
    /// The file as shown, and the 1-based line and column.
    pub fn position(&self, site: &Site) -> (String, usize, usize) {
        match self {
            LinkAt::Page { page, offset } => {
                let page = &site.pages[*page];
                let (line, col) = position(page, *offset);
                (page.source.display_path(), line, col)
            }
            LinkAt::File { path, line, col } => (path.clone(), *line, *col),
        }
    }
}

/// The link check of one page: its problems, the pages its links reach, and its links that
/// leave the site. Depends only on the page's own analysis and the anchors of the pages it
/// links to, so that `handbook serve` re-checks only changed pages and the pages linking to them.
#[derive(Debug, Clone, Default)]
pub struct PageLinks {
    pub diags: Vec<Diagnostic>,
    /// Every page of the site its links reach, itself included if it links to itself.
    pub targets: Vec<PageId>,
    pub external: Vec<ExternalLink>,
}

/// A broken link of `page`: an error, or a warning with `links: warn`.
fn broken(policy: LinkPolicy, page: &Page, message: String) -> Diagnostic {
    broken_in(policy, page.source.display_path(), message)
}

/// A broken link of the file `path` (a page, a data file).
fn broken_in(policy: LinkPolicy, path: impl Into<String>, message: String) -> Diagnostic {
    match policy {
        LinkPolicy::Error => Diagnostic::error(path, message),
        LinkPolicy::Warn => Diagnostic::warning(path, message),
    }
}

fn did_you_mean(suggestion: Option<String>) -> String {
    suggestion.map_or(String::new(), |s| format!(" (did you mean {s}?)"))
}

/// 1-based line and column in the page's file of a byte offset in its Markdown body.
pub fn position(page: &Page, offset: usize) -> (usize, usize) {
    let (line, column) = text_position(&page.source.body, offset);
    (page.source.body_line + line - 1, column)
}

/// 1-based line and column of a byte offset in `text`.
fn text_position(text: &str, offset: usize) -> (usize, usize) {
    crate::diagnostics::position_after(&text.as_bytes()[..offset.min(text.len())])
}
