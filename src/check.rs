//! Site-wide checks of the analysed pages, before anything is rendered: every internal link and
//! `#anchor` must arrive, explicit heading ids must be unique, images need alt text, and raw HTML
//! should not need what the Content-Security-Policy blocks (inline scripts, handlers, styles).
//!
//! Problems are reported at the Markdown source position of the link, compiler-style, with
//! the nearest existing page or heading suggested.

use crate::config::LinkPolicy;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::links::{LinkTable, Outcome, Target};
use crate::markdown::{Analysis, Inline, LinkKind};
use crate::model::{Page, PageId, Site};
use std::collections::{HashMap, HashSet};

/// The pages (by id) some other page's content links to.
pub type Linked = HashSet<PageId>;

/// An `http(s)` link of a page, for `handbook check --external`.
#[derive(Debug, Clone)]
pub struct ExternalLink {
    pub url: String,
    pub page: PageId,
    /// Byte offset of the link in the page's Markdown.
    pub offset: usize,
}

/// Checks every page's links against the whole site; returns the pages that other pages link
/// to, and the links that leave the site.
pub fn links<A: std::borrow::Borrow<Analysis>>(
    site: &Site,
    table: &LinkTable<'_>,
    analyses: &[A],
    diags: &mut Diagnostics,
) -> (Linked, Vec<ExternalLink>) {
    let mut external = Vec::new();
    let policy = site.config.links;
    let mut linked = Linked::new();
    for (id, (page, analysis)) in site.pages.iter().zip(analyses).enumerate() {
        let analysis: &Analysis = analysis.borrow();
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
                Outcome::Outside => {
                    let lower = dest.get(..8).unwrap_or(dest).to_ascii_lowercase();
                    if lower.starts_with("http://") || lower.starts_with("https://") {
                        external.push(ExternalLink {
                            url: dest.clone(),
                            page: id,
                            offset: link.offset,
                        });
                    }
                }
                Outcome::SamePage(fragment) => {
                    if !has_anchor(&analyses[id].borrow().anchors, &fragment) {
                        let hint = did_you_mean(LinkTable::nearest_anchor(
                            &analyses[id].borrow().anchors,
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
                        && site.pages[*target].is_shown()
                        && !has_anchor(&analyses[*target].borrow().anchors, fragment)
                    {
                        let hint = did_you_mean(
                            LinkTable::nearest_anchor(
                                &analyses[*target].borrow().anchors,
                                fragment,
                            )
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
                    if resolved.via_alias {
                        let (line, col) = position(page, link.offset);
                        diags.push(
                            Diagnostic::warning(
                                page.source.display_path(),
                                format!(
                                    "link {dest} is an old address (an alias) of {}: it works through a redirect",
                                    resolved.href
                                ),
                            )
                            .at(line, col)
                            .help(format!("link to {} directly", resolved.href)),
                        );
                    }
                    if let Target::Page(target) = resolved.target
                        && target != id
                    {
                        linked.insert(target);
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
        for table in &analysis.tables {
            let (line, col) = position(page, table.offset);
            let (message, help) = table.warning();
            diags.push(
                Diagnostic::warning(page.source.display_path(), message)
                    .at(line, col)
                    .help(help),
            );
        }
        for (offset, inline) in &analysis.inline_code {
            let (line, col) = position(page, *offset);
            let (what, help) = inline_code_warning(inline);
            diags.push(
                Diagnostic::warning(page.source.display_path(), what)
                    .at(line, col)
                    .help(help),
            );
        }
    }
    redirect_links(site, table, analyses, diags);
    (linked, external)
}

/// `redirect_to` of every page, when it is a path of this site: it must arrive, like a link.
fn redirect_links<A: std::borrow::Borrow<Analysis>>(
    site: &Site,
    table: &LinkTable<'_>,
    analyses: &[A],
    diags: &mut Diagnostics,
) {
    for page in site.pages.iter() {
        let Some(dest) = page.source.front.redirect_to.as_deref().map(str::trim) else {
            continue;
        };
        if !dest.starts_with('/') || page.redirect.is_none() {
            continue;
        }
        let problem = match table.resolve(page, dest) {
            Outcome::Broken { reason, suggestion } => {
                format!("{reason}{}", did_you_mean(suggestion))
            }
            Outcome::Internal(resolved) => match (&resolved.target, &resolved.fragment) {
                (Target::Page(target), Some(fragment))
                    if site.pages[*target].is_shown()
                        && !has_anchor(&analyses[*target].borrow().anchors, fragment) =>
                {
                    let url = table.href(&site.pages[*target].url);
                    let hint = did_you_mean(
                        LinkTable::nearest_anchor(&analyses[*target].borrow().anchors, fragment)
                            .map(|a| format!("{url}{a}")),
                    );
                    format!("{url} has no heading #{fragment}{hint}")
                }
                _ => continue,
            },
            _ => continue,
        };
        let message = format!("broken redirect_to {dest}: {problem}");
        let d = match site.config.links {
            LinkPolicy::Error => Diagnostic::error(page.source.display_path(), message),
            LinkPolicy::Warn => Diagnostic::warning(page.source.display_path(), message),
        };
        diags.push(d.at(page.source.key_line("redirect_to").unwrap_or(1), 1));
    }
}

/// What to say about raw HTML that the site's Content-Security-Policy blocks, and how to fix
/// it.
fn inline_code_warning(inline: &Inline) -> (String, &'static str) {
    const BLOCKS: &str = "the site's Content-Security-Policy (in _headers) blocks";
    match inline {
        Inline::Script => (
            format!("inline <script>: {BLOCKS} scripts written in the page"),
            "put the script in a file of static/ and load it with <script src=\"/name.js\"></script>",
        ),
        Inline::Handler(name) => (
            format!("{name}= attribute: {BLOCKS} event handlers written in the page"),
            "attach the handler from a script file in static/ (addEventListener)",
        ),
        Inline::Style => (
            format!("style= attribute: {BLOCKS} styles written in the page"),
            "give the element a class and style it in a stylesheet of static/",
        ),
    }
}

/// Checks the `http(s)` links on the network and reports each broken one at every place it is
/// written. Only a definite "not there" (404, 410, ...) is an error; timeouts, server errors and
/// sites that refuse robots are warnings, and errors with `strict`.
pub fn external_links(
    site: &Site,
    links: &[ExternalLink],
    options: &crate::external::CheckOptions,
    strict: bool,
    diags: &mut Diagnostics,
) {
    use crate::external::Outcome as Net;
    let urls: Vec<String> = links.iter().map(|l| l.url.clone()).collect();
    let report = crate::external::check(&urls, options);
    if let Some(problem) = &report.cache_error {
        diags.push(Diagnostic::warning(
            crate::external::CACHE_FILE,
            format!("cannot save the results of this check for the next one: {problem}"),
        ));
    }
    let outcomes: HashMap<&str, &crate::external::LinkReport> =
        report.links.iter().map(|r| (r.url.as_str(), r)).collect();
    for link in links {
        let Some(result) = outcomes.get(link.url.as_str()) else {
            continue;
        };
        let page = &site.pages[link.page];
        let (line, col) = position(page, link.offset);
        let path = page.source.display_path();
        let d = match &result.outcome {
            Net::Ok { .. } | Net::Ignored => continue,
            Net::Broken { .. } => {
                let outcome = result.outcome.to_string();
                let status = outcome.strip_prefix("broken: ").unwrap_or(&outcome);
                Diagnostic::error(
                    path,
                    format!("broken link {}: the server answers {status}", link.url),
                )
            }
            other => {
                let message = format!("could not check {}: {other}", link.url);
                if other.fails(strict) {
                    Diagnostic::error(path, message)
                } else {
                    Diagnostic::warning(path, message)
                }
            }
        };
        diags.push(d.at(line, col));
    }
}

/// `#top` and an empty fragment scroll to the top of any page (HTML's rule).
/// A page has a few dozen anchors at most: a scan beats building a set for every page.
fn has_anchor(anchors: &[String], fragment: &str) -> bool {
    fragment.is_empty() || fragment == "top" || anchors.iter().any(|a| a == fragment)
}

fn did_you_mean(suggestion: Option<String>) -> String {
    suggestion.map_or(String::new(), |s| format!(" (did you mean {s}?)"))
}

/// 1-based line and column in the page's file of a byte offset in its Markdown body.
pub fn position(page: &Page, offset: usize) -> (usize, usize) {
    let (line, column) = text_position(&page.source.body, offset);
    (page.source.body_line + line - 1, column)
}

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
        for attr in crate::links::html_attributes(text) {
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
            crate::config::CONFIG_FILE,
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
    sidebars: &HashMap<crate::model::NodeId, String>,
    linked: &Linked,
    diags: &mut Diagnostics,
) {
    let mut reached: HashSet<&str> = HashSet::new();
    for sidebar in sidebars.values() {
        for attr in crate::links::html_attributes(sidebar) {
            if attr.name == "href" {
                reached.insert(attr.value);
            }
        }
    }
    for (id, page) in site.pages.iter().enumerate() {
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

/// 1-based line and column of a byte offset in `text`.
fn text_position(text: &str, offset: usize) -> (usize, usize) {
    crate::diagnostics::position_after(&text.as_bytes()[..offset.min(text.len())])
}
