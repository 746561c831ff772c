//! The checks of the site as a whole rather than of one page: links written in templates and
//! in the announcement, pages nothing links to, and sibling pages of equal weight.

use super::{Linked, did_you_mean, text_position};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::site::links::{LinkTable, Outcome};
use crate::site::{Page, Site};
use std::collections::{HashMap, HashSet};

/// Links written literally in templates (`<a href="/about/">`): checked like a page's links,
/// at their place in the template. Links made from variables come from the navigation and
/// cannot break.
pub fn template_links(
    templates: &crate::templates::Templates,
    site: &Site,
    table: &LinkTable<'_>,
    diags: &mut Diagnostics,
) {
    for (shown, text) in templates.sources.values() {
        for attr in crate::markdown::html::html_attributes(text) {
            if !matches!(attr.name.as_str(), "href" | "src")
                || attr.value.contains("{{")
                || attr.value.contains("{%")
                || !attr.value.starts_with('/')
            {
                continue;
            }
            // Any page serves as the origin: only site paths are checked.
            let Some(from) = site.pages.first() else {
                return;
            };
            if let Outcome::Broken { reason, suggestion } = table.resolve(from, attr.value) {
                let (line, col) = text_position(text, attr.value_range.start);
                diags.push(
                    Diagnostic::error(
                        shown.clone(),
                        format!(
                            "broken link {}: {reason}{}",
                            attr.value,
                            did_you_mean(suggestion)
                        ),
                    )
                    .at(line, col)
                    .help("a link in a template is on every page it renders; templates can link to the home page with {{ site.root }}"),
                );
            }
        }
    }
    announcement_link(site, table, diags);
}

/// The link of `handbook.yml`'s announcement, which `base.html` shows on every page: a path of
/// the site must lead somewhere, like a link in a template.
fn announcement_link(site: &Site, table: &LinkTable<'_>, diags: &mut Diagnostics) {
    let Some(announcement) = site.config.announcement.as_ref().filter(|a| a.is_shown()) else {
        return;
    };
    let Some(link) = (announcement.link.as_deref())
        .map(str::trim)
        .filter(|link| link.starts_with('/'))
    else {
        return;
    };
    let Some(from) = site.pages.first() else {
        return;
    };
    if let Outcome::Broken { reason, suggestion } = table.resolve(from, link) {
        let mut d = Diagnostic::error(
            crate::layout::CONFIG_FILE,
            format!(
                "broken announcement link {link}: {reason}{}",
                did_you_mean(suggestion)
            ),
        )
        .help("the link is a path of the site, without the path of base_url (`/community/`)");
        if let Some(line) = announcement.link_line {
            d = d.at(line, 1);
        }
        diags.push(d);
    }
}

/// Pages that neither a sidebar nor another page's content links to (the home page excepted):
/// a reader can only find them by their address.
pub fn orphans(
    site: &Site,
    sidebars: &HashMap<crate::site::SidebarScope, String>,
    linked: &Linked,
    diags: &mut Diagnostics,
) {
    let mut reached: HashSet<&str> = HashSet::new();
    for sidebar in sidebars.values() {
        for attr in crate::markdown::html::html_attributes(sidebar) {
            if attr.name == "href" {
                reached.insert(attr.value);
            }
        }
    }
    for (id, page) in site.pages.iter_enumerated() {
        if !page.is_home()
            && !page.generated
            && page.is_shown()
            && !linked.contains(&id)
            && !reached.contains(page.href.as_str())
        {
            diags.push(
                Diagnostic::warning(
                    page.source.display_path(),
                    format!("no navigation and no other page links to {}", page.href),
                )
                .help("link to it from a page or put it where the sidebar shows it"),
            );
        }
    }
}

/// Sibling pages with the same `weight`: their order comes from the tie-break (their source
/// paths), which may not be what the author meant. One warning per group.
pub fn equal_weights(site: &Site, diags: &mut Diagnostics) {
    for node in site.nodes.iter() {
        let mut by_weight: std::collections::BTreeMap<i64, Vec<&Page>> = Default::default();
        for &child in &node.children {
            let child = &site.nodes[child];
            if let (Some(weight), Some(page)) = (child.weight, child.page) {
                by_weight.entry(weight).or_default().push(&site.pages[page]);
            }
        }
        for (weight, pages) in by_weight {
            if pages.len() < 2 {
                continue;
            }
            let first = pages[0];
            let names: Vec<String> = pages.iter().map(|p| p.source.display_path()).collect();
            diags.push(
                Diagnostic::warning(
                    first.source.display_path(),
                    format!(
                        "{} pages have weight {weight}, so their file paths decide their order: {}",
                        pages.len(),
                        names.join(", ")
                    ),
                )
                .at(first.source.key_line("weight").unwrap_or(1), 1)
                .help("give each a different weight to choose the order"),
            );
        }
    }
}
