//! Site-wide checks of the analysed pages, before anything is rendered: every internal link and
//! `#anchor` must arrive, explicit heading ids must be unique, images need alt text, and raw HTML
//! should not need what the Content-Security-Policy blocks (inline scripts, handlers, styles).
//!
//! Problems are reported at the Markdown source position of the link, compiler-style, with
//! the nearest existing page or heading suggested.

pub mod external;
pub mod fix;

use crate::config::LinkPolicy;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::markdown::{Analysis, Inline, LinkKind};
use crate::site::links::{LinkTable, Outcome, Target};
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
    pub sidebars: &'a HashMap<crate::site::NodeId, String>,
    pub analyses: &'a [A],
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
    pages: &[PageLinks],
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

/// An `http(s)` link of a page, for `handbook check --external`.
#[derive(Debug, Clone)]
pub struct ExternalLink {
    pub url: String,
    pub page: PageId,
    /// Byte offset of the link in the page's Markdown.
    pub offset: usize,
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

/// Checks every page's links against the whole site, in parallel.
pub fn page_links_all<A: std::borrow::Borrow<Analysis> + Sync>(
    site: &Site,
    table: &LinkTable<'_>,
    analyses: &[A],
) -> Vec<PageLinks> {
    use rayon::prelude::*;
    (0..site.pages.len())
        .into_par_iter()
        .map(|id| page_links(site, table, analyses, id))
        .collect()
}

/// Checks every page's links against the whole site; returns the pages that other pages link
/// to, and the links that leave the site.
pub fn links<A: std::borrow::Borrow<Analysis> + Sync>(
    site: &Site,
    table: &LinkTable<'_>,
    analyses: &[A],
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
    analyses: &[A],
    pages: &[PageLinks],
    diags: &mut Diagnostics,
) -> (Linked, Vec<ExternalLink>) {
    let mut linked = Linked::new();
    let mut external = Vec::new();
    for (id, page) in pages.iter().enumerate() {
        diags.extend(page.diags.iter().cloned());
        linked.extend(page.targets.iter().copied().filter(|&t| t != id));
        external.extend(page.external.iter().cloned());
    }
    redirect_links(site, table, analyses, diags);
    (linked, external)
}

/// The link check of page `id` ([`PageLinks`]).
pub fn page_links<A: std::borrow::Borrow<Analysis>>(
    site: &Site,
    table: &LinkTable<'_>,
    analyses: &[A],
    id: PageId,
) -> PageLinks {
    let policy = site.config.links;
    let page = &site.pages[id];
    let mut out = PageLinks::default();
    let Some(analysis) = analyses.get(id).map(|a| a.borrow()) else {
        return out;
    };
    let diags = &mut out.diags;
    let report = |diags: &mut Vec<Diagnostic>, offset: usize, (message, help): Problem| {
        let (line, col) = position(page, offset);
        let d = broken(policy, page, message).at(line, col);
        diags.push(match help {
            Some(help) => d.help(help),
            None => d,
        });
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
                    out.external.push(ExternalLink {
                        url: dest.clone(),
                        page: id,
                        offset: link.offset,
                    });
                }
            }
            Outcome::SamePage(fragment) => {
                if let Some(problem) =
                    missing_anchor(&analysis.anchors, what, dest, &fragment, None)
                {
                    report(diags, link.offset, problem);
                }
            }
            Outcome::Internal(resolved) => {
                if let (Target::Page(target), Some(fragment)) =
                    (&resolved.target, &resolved.fragment)
                    && site.pages[*target].is_shown()
                {
                    let anchors = &analyses[*target].borrow().anchors;
                    let url = table.href(&site.pages[*target].url);
                    if let Some(problem) = missing_anchor(anchors, what, dest, fragment, Some(&url))
                    {
                        report(diags, link.offset, problem);
                    }
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
                if let Target::Page(target) = resolved.target {
                    out.targets.push(target);
                }
            }
            Outcome::Broken { reason, suggestion } => {
                let message = format!("{what} {dest}: {reason}{}", did_you_mean(suggestion));
                report(diags, link.offset, (message, None));
            }
        }
    }
    page_warnings(page, analysis, diags);
    out
}

/// What the analysis of a page found wrong besides its links: ids used twice, images without
/// alt text, tables to fix, raw HTML the Content-Security-Policy blocks.
fn page_warnings(page: &Page, analysis: &Analysis, diags: &mut Vec<Diagnostic>) {
    let at = |offset: usize| position(page, offset);
    for (duplicate, offset) in &analysis.duplicate_ids {
        let (line, col) = at(*offset);
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
        let (line, col) = at(*offset);
        diags.push(
            Diagnostic::warning(page.source.display_path(), "image without alt text")
                .at(line, col)
                .help("describe the image for readers who cannot see it: ![what it shows](path), or alt=\"...\""),
        );
    }
    for table in &analysis.tables {
        let (line, col) = at(table.offset);
        let (message, help) = table.warning();
        diags.push(
            Diagnostic::warning(page.source.display_path(), message)
                .at(line, col)
                .help(help),
        );
    }
    for (offset, inline) in &analysis.inline_code {
        let (line, col) = at(*offset);
        let (what, help) = inline_code_warning(inline);
        diags.push(
            Diagnostic::warning(page.source.display_path(), what)
                .at(line, col)
                .help(help),
        );
    }
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
        let what = "broken redirect_to";
        let message = match table.resolve(page, dest) {
            Outcome::Broken { reason, suggestion } => {
                format!("{what} {dest}: {reason}{}", did_you_mean(suggestion))
            }
            Outcome::Internal(resolved) => match (&resolved.target, &resolved.fragment) {
                (Target::Page(target), Some(fragment)) if site.pages[*target].is_shown() => {
                    let anchors = &analyses[*target].borrow().anchors;
                    let url = table.href(&site.pages[*target].url);
                    // Without its help: `check --fix` corrects links in Markdown, not front matter.
                    match missing_anchor(anchors, what, dest, fragment, Some(&url)) {
                        Some((message, _)) => message,
                        None => continue,
                    }
                }
                _ => continue,
            },
            _ => continue,
        };
        let line = page.source.key_line("redirect_to").unwrap_or(1);
        diags.push(broken(site.config.links, page, message).at(line, 1));
    }
}

/// A broken link of `page`: an error, or a warning with `links: warn`.
fn broken(policy: LinkPolicy, page: &Page, message: String) -> Diagnostic {
    match policy {
        LinkPolicy::Error => Diagnostic::error(page.source.display_path(), message),
        LinkPolicy::Warn => Diagnostic::warning(page.source.display_path(), message),
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
    options: &crate::check::external::CheckOptions,
    strict: bool,
    diags: &mut Diagnostics,
) {
    use crate::check::external::Outcome as Net;
    let urls: Vec<String> = links.iter().map(|l| l.url.clone()).collect();
    let report = crate::check::external::check(&urls, options);
    if let Some(problem) = &report.cache_error {
        diags.push(Diagnostic::warning(
            crate::check::external::CACHE_FILE,
            format!("cannot save the results of this check for the next one: {problem}"),
        ));
    }
    let outcomes: HashMap<&str, &crate::check::external::LinkReport> =
        report.links.iter().map(|r| (r.url.as_str(), r)).collect();
    let mut late = HashSet::new();
    for link in links {
        let Some(result) = outcomes.get(link.url.as_str()) else {
            continue;
        };
        let page = &site.pages[link.page];
        let (line, col) = position(page, link.offset);
        let path = page.source.display_path();
        let d = match &result.outcome {
            Net::Ok { .. } | Net::Ignored => continue,
            // Once, where the link is first written.
            Net::NotChecked { .. } if !late.insert(link.url.as_str()) => continue,
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
    if let Some(seconds) = options.deadline.map(|d| d.as_secs())
        && !late.is_empty()
    {
        diags.push(deadline_passed(late.len(), seconds, strict));
    }
}

/// The summary of the links `handbook check --external` had no time for.
fn deadline_passed(count: usize, seconds: u64, strict: bool) -> Diagnostic {
    let links = if count == 1 { "link" } else { "links" };
    let message = format!(
        "{count} external {links} not checked: the check stops after {seconds} s (external_links.deadline_seconds)"
    );
    let d = if strict {
        Diagnostic::error(crate::layout::CONFIG_FILE, message)
    } else {
        Diagnostic::warning(crate::layout::CONFIG_FILE, message)
    };
    d.help("what was checked is remembered, so the next check goes on with the rest; allow more time with `deadline_seconds` or `handbook check --external-deadline SECONDS`")
}

/// What to say about a link to an anchor that is not there, and how to fix it.
type Problem = (String, Option<String>);

/// Says how `handbook check --fix` repairs an anchor in the wrong letter case.
const CASE_HELP: &str = "`handbook check --fix` corrects the letter case of such anchors in every page, changing nothing else";

/// The problem with `#fragment` of `dest`, a link to a page (`page_url`; `None`: the page
/// itself) whose ids are `anchors`; `None` when the anchor is there.
fn missing_anchor(
    anchors: &[String],
    what: &str,
    dest: &str,
    fragment: &str,
    page_url: Option<&str>,
) -> Option<Problem> {
    if has_anchor(anchors, fragment) {
        return None;
    }
    let page = page_url.unwrap_or("this page");
    let missing = format!("{what} {dest}: {page} has no heading #{fragment}");
    if let Some(right) = case_fix(anchors, fragment) {
        let fixed = with_fragment(dest, right);
        return Some((
            format!("{missing}; letter case matters in anchors: write {fixed}"),
            Some(CASE_HELP.to_string()),
        ));
    }
    let hint = did_you_mean(
        LinkTable::nearest_anchor(anchors, fragment)
            .map(|a| format!("{}{a}", page_url.unwrap_or(""))),
    );
    Some((format!("{missing}{hint}"), None))
}

/// The one id of `anchors` that `fragment` names in another letter case
/// (`#Birthday-gift-budget` for `birthday-gift-budget`); `None` when no id or several do.
pub fn case_fix<'a>(anchors: &'a [String], fragment: &str) -> Option<&'a str> {
    let lower = fragment.to_lowercase();
    let mut found = anchors
        .iter()
        .filter(|a| a.as_str() != fragment && a.to_lowercase() == lower);
    let first = found.next()?;
    found.all(|other| other == first).then_some(first.as_str())
}

/// `dest` with its `#fragment` replaced by `anchor`.
fn with_fragment(dest: &str, anchor: &str) -> String {
    let path = dest.split_once('#').map_or(dest, |(path, _)| path);
    format!("{path}#{anchor}")
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
    sidebars: &HashMap<crate::site::NodeId, String>,
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

/// A link whose `#anchor` names an id of its page in another letter case, as `handbook check
/// --fix` repairs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFix {
    pub page: PageId,
    /// Where the link is in the page's Markdown body ([`crate::markdown::LinkRef::offset`]).
    pub offset: usize,
    /// The link as written.
    pub dest: String,
    /// The id it means.
    pub anchor: String,
}

/// Every link of the site whose anchor is right but for its letter case.
pub fn case_fixes<A: std::borrow::Borrow<Analysis>>(
    site: &Site,
    table: &LinkTable<'_>,
    analyses: &[A],
) -> Vec<CaseFix> {
    let mut fixes = Vec::new();
    for (id, (page, analysis)) in site.pages.iter().zip(analyses).enumerate() {
        for link in &analysis.borrow().links {
            let (target, fragment) = match table.resolve_target(page, &link.dest) {
                Outcome::SamePage(fragment) => (id, fragment),
                Outcome::Internal(resolved) => match (resolved.target, resolved.fragment) {
                    (Target::Page(target), Some(fragment)) => (target, fragment),
                    _ => continue,
                },
                _ => continue,
            };
            let anchors = &analyses[target].borrow().anchors;
            if has_anchor(anchors, &fragment) {
                continue;
            }
            if let Some(anchor) = case_fix(anchors, &fragment) {
                fixes.push(CaseFix {
                    page: id,
                    offset: link.offset,
                    dest: link.dest.clone(),
                    anchor: anchor.to_string(),
                });
            }
        }
    }
    fixes
}

/// Where in `body` each fix changes the text, and to what: the anchor of the link as written,
/// or of the reference definition it uses (`[x]: /a/#Anchor`), and only when the two differ in
/// letter case alone (not when the anchor is percent-encoded, say). Sorted, without repeats.
pub fn case_edits(body: &str, fixes: &[&CaseFix]) -> Vec<(std::ops::Range<usize>, String)> {
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut definitions = None;
    for fix in fixes {
        let at = if body
            .get(fix.offset..)
            .is_some_and(|t| t.starts_with(&fix.dest))
        {
            Some(fix.offset)
        } else {
            definitions
                .get_or_insert_with(|| reference_definitions(body))
                .iter()
                .find(|(dest, _)| *dest == fix.dest)
                .map(|(_, at)| *at)
        };
        let Some(at) = at else { continue };
        let Some(hash) = fix.dest.find('#') else {
            continue;
        };
        let range = at + hash + 1..at + fix.dest.len();
        let written = &body[range.clone()];
        if written != fix.anchor && written.to_lowercase() == fix.anchor.to_lowercase() {
            edits.push((range, fix.anchor.clone()));
        }
    }
    edits.sort_by_key(|(range, _)| range.start);
    edits.dedup_by_key(|(range, _)| range.start);
    edits
}

/// The destination of every reference definition of `body`, with where it is written.
fn reference_definitions(body: &str) -> Vec<(String, usize)> {
    let parser = pulldown_cmark::Parser::new_ext(body, crate::markdown::parser_options());
    parser
        .reference_definitions()
        .iter()
        .filter_map(|(_, def)| {
            let text = body.get(def.span.clone())?;
            let after_label = text.find("]:").map_or(0, |i| i + 2);
            let found = text[after_label..].find(def.dest.as_ref())?;
            Some((def.dest.to_string(), def.span.start + after_label + found))
        })
        .collect()
}

/// `text` with `edits` (sorted, not overlapping) made.
pub fn apply_edits(text: &str, edits: &[(std::ops::Range<usize>, String)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (range, replacement) in edits {
        out.push_str(&text[copied..range.start]);
        out.push_str(replacement);
        copied = range.end;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(offset: usize, dest: &str, anchor: &str) -> CaseFix {
        CaseFix {
            page: 0,
            offset,
            dest: dest.into(),
            anchor: anchor.into(),
        }
    }

    #[test]
    fn a_case_fix_needs_one_id_in_another_case() {
        let anchors = ["setup".to_string(), "Install".into(), "install".into()];
        assert_eq!(case_fix(&anchors, "Setup"), Some("setup"));
        assert_eq!(case_fix(&anchors, "setup"), None, "already right");
        assert_eq!(case_fix(&anchors, "INSTALL"), None, "two ids: which one?");
        assert_eq!(case_fix(&anchors, "setp"), None);
    }

    #[test]
    fn edits_change_only_the_anchor_as_written() {
        let body = "[A](#Setup) [B](#Set%75p) [C][c]\n\n[c]: /x/#SETUP\n";
        let fixes = [
            fix(4, "#Setup", "setup"),
            // Percent-encoded: more than the letter case would change.
            fix(16, "#Set%75p", "setup"),
            // A reference link: the definition changes.
            fix(26, "/x/#SETUP", "setup"),
            // Not where the analysis said: left alone.
            fix(0, "#Other", "other"),
        ];
        let refs: Vec<&CaseFix> = fixes.iter().collect();
        let edits = case_edits(body, &refs);
        assert_eq!(
            apply_edits(body, &edits),
            "[A](#setup) [B](#Set%75p) [C][c]\n\n[c]: /x/#setup\n"
        );
    }
}
