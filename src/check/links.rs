//! The link check of each page: every internal link and `#anchor` must arrive, and every
//! `redirect_to` that is a path of the site. Each page is checked on its own (its analysis and
//! the anchors of the pages it links to), so that `handbook serve` re-checks only what changed.

use super::anchors::{Problem, missing_anchor};
use super::warnings::page_warnings;
use super::{ExternalLink, LinkAt, Linked, PageLinks, broken, broken_in, did_you_mean, position};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::markdown::{Analysis, LinkKind, LinkRef};
use crate::site::PerPage;
use crate::site::links::{LinkTable, Outcome, Resolved, Target};
use crate::site::{Page, PageId, Site};

/// Checks every page's links against the whole site, in parallel.
pub fn page_links_all<A: std::borrow::Borrow<Analysis> + Sync>(
    site: &Site,
    table: &LinkTable<'_>,
    analyses: &PerPage<A>,
) -> PerPage<PageLinks> {
    use rayon::prelude::*;
    site.pages
        .par_ids()
        .map(|id| page_links(site, table, analyses, id))
        .collect()
}

/// Checks every page's links against the whole site; returns the pages that other pages link
/// to, and the links that leave the site.
pub fn links<A: std::borrow::Borrow<Analysis> + Sync>(
    site: &Site,
    table: &LinkTable<'_>,
    analyses: &PerPage<A>,
    diags: &mut Diagnostics,
) -> (Linked, Vec<ExternalLink>) {
    let pages = page_links_all(site, table, analyses);
    merge_links(site, table, analyses, &pages, diags)
}

/// The problems of every page's link check (and of `redirect_to`) into `diags`; returns the
/// pages other pages link to, and the links that leave the site.
pub fn merge_links<A: std::borrow::Borrow<Analysis>>(
    site: &Site,
    table: &LinkTable<'_>,
    analyses: &PerPage<A>,
    pages: &PerPage<PageLinks>,
    diags: &mut Diagnostics,
) -> (Linked, Vec<ExternalLink>) {
    let mut linked = Linked::new();
    let mut external = Vec::new();
    for (id, page) in pages.iter_enumerated() {
        diags.extend(page.diags.iter().cloned());
        linked.extend(page.targets.iter().copied().filter(|&t| t != id));
        external.extend(page.external.iter().cloned());
    }
    redirect_links(site, table, analyses, diags);
    data_links(site, table, analyses, (&mut linked, &mut external), diags);
    (linked, external)
}

/// The link check of page `id` ([`PageLinks`]).
pub fn page_links<A: std::borrow::Borrow<Analysis>>(
    site: &Site,
    table: &LinkTable<'_>,
    analyses: &PerPage<A>,
    id: PageId,
) -> PageLinks {
    let page = &site.pages[id];
    let mut out = PageLinks::default();
    let Some(analysis) = analyses.get(id).map(|a| a.borrow()) else {
        return out;
    };
    let check = PageCheck {
        site,
        table,
        analyses,
        id,
        page,
        analysis,
    };
    for link in &analysis.links {
        check.link(link, &mut out);
    }
    page_warnings(page, analysis, &mut out.diags);
    out
}

/// What the link check of one page judges each of its links by.
struct PageCheck<'a, 't, A> {
    site: &'a Site,
    table: &'a LinkTable<'t>,
    analyses: &'a PerPage<A>,
    id: PageId,
    page: &'a Page,
    analysis: &'a Analysis,
}

impl<A: std::borrow::Borrow<Analysis>> PageCheck<'_, '_, A> {
    /// Checks one link of the page into `out`.
    fn link(&self, link: &LinkRef, out: &mut PageLinks) {
        let what = match link.kind {
            LinkKind::Image => "broken image",
            LinkKind::Link | LinkKind::Html => "broken link",
        };
        let dest = &link.dest;
        match self.table.resolve(self.page, dest) {
            Outcome::Outside => {
                if is_web(dest) {
                    out.external.push(ExternalLink {
                        url: dest.clone(),
                        at: LinkAt::Page {
                            page: self.id,
                            offset: link.offset,
                        },
                    });
                }
            }
            Outcome::SamePage(fragment) => {
                if let Some(problem) =
                    missing_anchor(&self.analysis.anchors, what, dest, &fragment, None)
                {
                    self.report(&mut out.diags, link.offset, problem);
                }
            }
            Outcome::Internal(resolved) => self.internal(link, what, resolved, out),
            Outcome::Broken { reason, suggestion } => {
                let message = format!("{what} {dest}: {reason}{}", did_you_mean(suggestion));
                self.report(&mut out.diags, link.offset, (message, None));
            }
        }
    }

    /// A link into the site: its anchor must be on the page it reaches, and it should not
    /// need an alias's redirect.
    fn internal(&self, link: &LinkRef, what: &str, resolved: Resolved, out: &mut PageLinks) {
        let (site, dest) = (self.site, &link.dest);
        if let Some(problem) = target_anchor(site, self.table, self.analyses, what, dest, &resolved)
        {
            self.report(&mut out.diags, link.offset, problem);
        }
        if resolved.via_alias {
            let (line, col) = position(self.page, link.offset);
            out.diags.push(
                Diagnostic::warning(
                    self.page.source.display_path(),
                    format!(
                        "link {dest} is an old address (an alias) of {}: it works through a redirect",
                        resolved.href
                    ),
                )
                .at(line, col)
                .help(format!("link to {} directly", resolved.href)),
            );
        }
        if let Target::Page(target) = resolved.target {
            out.targets.push(target);
        }
    }

    /// A broken link or anchor at `offset` of the page.
    fn report(&self, diags: &mut Vec<Diagnostic>, offset: usize, (message, help): Problem) {
        let (line, col) = position(self.page, offset);
        let d = broken(self.site.config.links, self.page, message).at(line, col);
        diags.push(match help {
            Some(help) => d.help(help),
            None => d,
        });
    }
}

/// The links of data files (a person's `page`, a tool's `url`), checked like a page's: a path
/// of the site must arrive, anchor included, and an `http(s)` link is one for `--external`.
/// They are read from the home page: `/engineering/` and `engineering/index.md` both work.
fn data_links<A: std::borrow::Borrow<Analysis>>(
    site: &Site,
    table: &LinkTable<'_>,
    analyses: &PerPage<A>,
    (linked, external): (&mut Linked, &mut Vec<ExternalLink>),
    diags: &mut Diagnostics,
) {
    let home = site.by_url.get("/").copied().or(site.pages.ids().next());
    let Some(from) = home.map(|id| &site.pages[id]) else {
        return;
    };
    for file in &site.data.files {
        for link in &file.links {
            let (dest, what) = (&link.dest, "broken link");
            let message = match table.resolve(from, dest) {
                Outcome::Broken { reason, suggestion } => {
                    format!("{what} {dest}: {reason}{}", did_you_mean(suggestion))
                }
                Outcome::Internal(resolved) => {
                    if let Target::Page(target) = resolved.target {
                        linked.insert(target);
                    }
                    match target_anchor(site, table, analyses, what, dest, &resolved) {
                        Some((message, _)) => message,
                        None => continue,
                    }
                }
                Outcome::Outside => {
                    if is_web(dest) {
                        external.push(ExternalLink {
                            url: dest.clone(),
                            at: LinkAt::File {
                                path: file.path.clone(),
                                line: link.line,
                                col: link.col,
                            },
                        });
                    }
                    continue;
                }
                Outcome::SamePage(_) => continue,
            };
            let d = broken_in(site.config.links, &file.path, message);
            diags.push(d.at(link.line, link.col).help(
                "a link in a data file is read from the handbook's home page: write it from the root, as `/engineering/onboarding/` or `/engineering/onboarding.md`",
            ));
        }
    }
}

/// The problem of a link that reaches a page of the site (`resolved`) with an `#anchor` that
/// page does not have; `None` without an anchor, or for a page that is not shown.
fn target_anchor<A: std::borrow::Borrow<Analysis>>(
    site: &Site,
    table: &LinkTable<'_>,
    analyses: &PerPage<A>,
    what: &str,
    dest: &str,
    resolved: &Resolved,
) -> Option<Problem> {
    let (Target::Page(target), Some(fragment)) = (&resolved.target, &resolved.fragment) else {
        return None;
    };
    if !site.pages[*target].is_shown() {
        return None;
    }
    let anchors = &analyses[*target].borrow().anchors;
    let url = table.href(&site.pages[*target].url);
    missing_anchor(anchors, what, dest, fragment, Some(&url))
}

/// Whether `dest` is an `http(s)` address, which `--external` checks on the network.
fn is_web(dest: &str) -> bool {
    let lower = dest.get(..8).unwrap_or(dest).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// `redirect_to` of every page, when it is a path of this site: it must arrive, like a link.
fn redirect_links<A: std::borrow::Borrow<Analysis>>(
    site: &Site,
    table: &LinkTable<'_>,
    analyses: &PerPage<A>,
    diags: &mut Diagnostics,
) {
    for page in site.pages.iter() {
        let Some(dest) = page.source.front.redirect_to.as_deref().map(str::trim) else {
            continue;
        };
        if !dest.starts_with('/') || page.redirect.is_none() {
            continue;
        }
        let what = "broken redirect_to";
        let message = match table.resolve(page, dest) {
            Outcome::Broken { reason, suggestion } => {
                format!("{what} {dest}: {reason}{}", did_you_mean(suggestion))
            }
            // Without its help: `check --fix` corrects links in Markdown, not front matter.
            Outcome::Internal(resolved) => {
                match target_anchor(site, table, analyses, what, dest, &resolved) {
                    Some((message, _)) => message,
                    None => continue,
                }
            }
            _ => continue,
        };
        let line = page.source.key_line("redirect_to").unwrap_or(1);
        diags.push(broken(site.config.links, page, message).at(line, 1));
    }
}
