//! Site-wide checks of the analysed pages, before anything is rendered: every internal link and
//! `#anchor` must arrive, explicit heading ids must be unique, images need alt text.
//!
//! Problems are reported at the Markdown source position of the link, compiler-style, with
//! the nearest existing page or heading suggested.

use crate::config::LinkPolicy;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::links::{LinkTable, Outcome, Target};
use crate::markdown::{Analysis, LinkKind};
use crate::model::{Page, Site};
use std::collections::{HashMap, HashSet};

/// For each page, the URL the output writes for each link destination that changes.
pub type Rewrites = HashMap<String, String>;

/// Checks every page's links against the whole site; returns each page's rewrites.
pub fn links(
    site: &Site,
    table: &LinkTable<'_>,
    analyses: &[Analysis],
    diags: &mut Diagnostics,
) -> Vec<Rewrites> {
    let anchors: Vec<HashSet<&str>> = analyses
        .iter()
        .map(|a| a.anchors.iter().map(String::as_str).collect())
        .collect();
    let policy = site.config.links;
    let mut all = Vec::with_capacity(site.pages.len());
    for (id, (page, analysis)) in site.pages.iter().zip(analyses).enumerate() {
        let mut rewrites = Rewrites::new();
        let report = |diags: &mut Diagnostics, offset: usize, message: String| {
            let (line, col) = position(page, offset);
            let d = match policy {
                LinkPolicy::Error => Diagnostic::error(page.source.display_path(), message),
                LinkPolicy::Warn => Diagnostic::warning(page.source.display_path(), message),
            };
            diags.push(d.at(line, col));
        };
        for link in &analysis.links {
            let what = match link.kind {
                LinkKind::Image => "broken image",
                LinkKind::Link | LinkKind::Html => "broken link",
            };
            let dest = &link.dest;
            match table.resolve(page, dest) {
                Outcome::Outside => {}
                Outcome::SamePage(fragment) => {
                    if !has_anchor(&anchors[id], &fragment) {
                        let hint = did_you_mean(LinkTable::nearest_anchor(
                            &analyses[id].anchors,
                            &fragment,
                        ));
                        report(
                            diags,
                            link.offset,
                            format!("{what} {dest}: this page has no heading #{fragment}{hint}"),
                        );
                    }
                }
                Outcome::Internal(resolved) => {
                    if let (Target::Page(target), Some(fragment)) =
                        (&resolved.target, &resolved.fragment)
                        && !has_anchor(&anchors[*target], fragment)
                    {
                        let hint = did_you_mean(
                            LinkTable::nearest_anchor(&analyses[*target].anchors, fragment)
                                .map(|a| format!("{}{a}", table.href(&site.pages[*target].url))),
                        );
                        report(
                            diags,
                            link.offset,
                            format!(
                                "{what} {dest}: {} has no heading #{fragment}{hint}",
                                table.href(&site.pages[*target].url)
                            ),
                        );
                    }
                    if resolved.href != *dest {
                        rewrites.insert(dest.clone(), resolved.href);
                    }
                }
                Outcome::Broken { reason, suggestion } => {
                    report(
                        diags,
                        link.offset,
                        format!("{what} {dest}: {reason}{}", did_you_mean(suggestion)),
                    );
                }
            }
        }
        for (duplicate, offset) in &analysis.duplicate_ids {
            let (line, col) = position(page, *offset);
            diags.push(
                Diagnostic::error(
                    page.source.display_path(),
                    format!("two headings have the id `{duplicate}`: a link to #{duplicate} could only reach the first"),
                )
                .at(line, col)
                .help("give this heading another `{#id}`"),
            );
        }
        for offset in &analysis.images_without_alt {
            let (line, col) = position(page, *offset);
            diags.push(
                Diagnostic::warning(page.source.display_path(), "image without alt text")
                    .at(line, col)
                    .help("describe the image for readers who cannot see it: ![what it shows](path), or alt=\"...\""),
            );
        }
        all.push(rewrites);
    }
    all
}

/// `#top` and an empty fragment scroll to the top of any page (HTML's rule).
fn has_anchor(anchors: &HashSet<&str>, fragment: &str) -> bool {
    fragment.is_empty() || fragment == "top" || anchors.contains(fragment)
}

fn did_you_mean(suggestion: Option<String>) -> String {
    suggestion.map_or(String::new(), |s| format!(" (did you mean {s}?)"))
}

/// 1-based line and column in the page's file of a byte offset in its Markdown body.
pub fn position(page: &Page, offset: usize) -> (usize, usize) {
    let body = &page.source.body;
    let offset = offset.min(body.len());
    let before = &body.as_bytes()[..offset];
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    let newlines = memchr::memchr_iter(b'\n', before).count();
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (page.source.body_line + newlines, column)
}
