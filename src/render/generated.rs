//! The files handbook makes besides pages: the 404 and search pages, the changes page of a
//! preview, the recent changes and their feed (in `recent.rs`), `sitemap.xml`, `robots.txt`, Netlify's `_redirects` and `_headers`, the redirect page
//! of each old address, and the theme's stylesheets and scripts. A file of the site's `static/`
//! replaces the one of the same name.

use super::Renderer;
use super::assets::AssetFiles;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::extras::Extras;
use crate::layout::{CHANGES_PAGE, RECENT_CHANGES_FEED, RECENT_CHANGES_PAGE, SEARCH_PAGE};
use crate::markdown::highlight::escape_into;
use crate::output::{Plan, Sink, write_failure};
use crate::site::{PageId, Site, alias_output_path};
use crate::templates::{ChangesContext, theme};

pub use super::Made;

/// The files handbook writes besides pages (a site's `static/` may replace them): the search
/// page only when search is on, the changes page only on a preview, the recent changes and
/// their feed only when git knows of some.
pub fn generated_names(site: &Site, extras: &Extras) -> Vec<String> {
    let mut names: Vec<String> = [
        "404.html",
        "sitemap.xml",
        "robots.txt",
        "_redirects",
        "_headers",
        &theme::HIGHLIGHT_STYLESHEET[1..],
    ]
    .map(String::from)
    .into();
    let diagrams = site
        .pages
        .iter()
        .any(|page| theme::may_have_diagrams(&page.source.body));
    names.extend(
        theme::ASSETS
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| diagrams || !theme::DIAGRAM_ASSETS.contains(name))
            .map(str::to_string),
    );
    if site.config.branding.is_set() {
        names.push(theme::BRANDING_STYLESHEET[1..].to_string());
    }
    if site.config.search.enabled {
        names.push(SEARCH_PAGE.to_string());
    }
    if extras.review.is_some() {
        names.push(CHANGES_PAGE.to_string());
    }
    if extras.has_recent_changes() {
        names.push(RECENT_CHANGES_PAGE.to_string());
        names.push(RECENT_CHANGES_FEED.to_string());
    }
    names
}

/// One generated file by its path in the output, as `handbook serve` serves it too; `None` for
/// a path that is not one, and for `_headers`, which needs the whole build's files
/// ([`write_all`]). `root_sidebar` is the home page's sidebar, which the 404 page shows.
pub fn file(renderer: &Renderer<'_>, root_sidebar: &str, name: &str) -> Option<Made> {
    let site = renderer.site;
    if let Some(made) = theme::builtin_file(name, &site.config) {
        return Some(made);
    }
    Some(match name {
        "404.html" => outside_page(renderer, root_sidebar, "404.html"),
        SEARCH_PAGE if site.config.search.enabled => {
            outside_page(renderer, root_sidebar, "search.html")
        }
        CHANGES_PAGE if renderer.extras.review.is_some() => changes_page(renderer, root_sidebar),
        RECENT_CHANGES_PAGE if renderer.extras.has_recent_changes() => {
            super::recent::page(renderer, root_sidebar)
        }
        RECENT_CHANGES_FEED if renderer.extras.has_recent_changes() => {
            super::recent::feed(renderer)
        }
        "sitemap.xml" => Ok(sitemap(site).into_bytes()),
        "robots.txt" => Ok(format!(
            "User-agent: *\nAllow: /\n\nSitemap: {}/sitemap.xml\n",
            site.config.base_url
        )
        .into_bytes()),
        "_redirects" => Ok(netlify_redirects(site, &|_| false).into_bytes()),
        _ => return None,
    })
}

/// Writes the generated files that the site's `static/` does not replace, the stylesheets and
/// scripts under their fingerprinted names, and the redirect page of each alias, into `sink`.
pub fn write_all(
    renderer: &Renderer<'_>,
    root_sidebar: &str,
    plan: &Plan,
    assets: &AssetFiles,
    sink: &dyn Sink,
    diags: &mut Diagnostics,
) {
    let site = renderer.site;
    let written = renderer.fingerprints.output_paths(&plan.outputs);
    let replaced = |name: &str| plan.copies.contains_key(name);
    let mut files: Vec<(String, Made)> = generated_names(site, renderer.extras)
        .into_iter()
        .filter(|name| !replaced(name) && renderer.fingerprints.get(name).is_none())
        .filter_map(|name| {
            let bytes = match name.as_str() {
                "_redirects" => Ok(netlify_redirects(site, &replaced).into_bytes()),
                "_headers" => {
                    let immutable = assets.files.iter().map(|(rel, _)| rel.clone()).collect();
                    let noindex = renderer.extras.deploy.noindex;
                    let base = site.config.base_path();
                    let text = crate::netlify::headers::netlify_headers(
                        &written, &immutable, base, noindex,
                    );
                    Ok(text.into_bytes())
                }
                _ => file(renderer, root_sidebar, &name)?,
            };
            Some((name, bytes))
        })
        .collect();
    files.extend(alias_pages(renderer, &replaced));
    files.extend(
        assets
            .files
            .iter()
            .map(|(name, bytes)| (name.clone(), Ok(bytes.clone()))),
    );
    for (name, bytes) in files {
        let written = bytes.and_then(|bytes| {
            sink.write_if_changed(&name, &bytes).map_err(|err| {
                write_failure(sink.target(), err, |err| {
                    Diagnostic::error(name.as_str(), format!("cannot write: {err}"))
                })
            })
        });
        if let Err(d) = written {
            diags.push(d);
        }
    }
}

/// The redirect page of every alias, and of every old `.html` address (`html_aliases`)
/// where the site has no file of its own (`replaced`).
fn alias_pages(renderer: &Renderer<'_>, replaced: &dyn Fn(&str) -> bool) -> Vec<(String, Made)> {
    let site = renderer.site;
    let html_aliases = site
        .html_aliases
        .iter()
        .filter(|(alias, _)| !replaced(&alias[1..]));
    site.by_alias
        .iter()
        .chain(html_aliases)
        .map(|(alias, &page)| {
            let html = renderer
                .fingerprints
                .rewrite_html(redirect_page(site, page));
            (alias_output_path(alias), Ok(html.into_bytes()))
        })
        .collect()
}

/// A page that is no page of the site, rendered from `template` with the home page's sidebar:
/// the 404 page, the search page (which the theme's script fills in).
fn outside_page(renderer: &Renderer<'_>, root_sidebar: &str, template: &str) -> Made {
    let context = renderer.outside(root_sidebar);
    renderer
        .templates
        .render(template, &context)
        .map(|html| renderer.fingerprints.rewrite_html(html).into_bytes())
        .map_err(|e| super::template_failure(template, e))
}

/// The preview's list of what changed (`templates/changes.html`).
fn changes_page(renderer: &Renderer<'_>, root_sidebar: &str) -> Made {
    let Some(review) = &renderer.extras.review else {
        return Ok(Vec::new());
    };
    let context = ChangesContext {
        common: renderer.outside(root_sidebar),
        changes: review,
    };
    renderer
        .templates
        .render("changes.html", &context)
        .map(|html| renderer.fingerprints.rewrite_html(html).into_bytes())
        .map_err(|e| super::template_failure("changes.html", e))
}

/// Netlify's `_redirects`: each alias to its page, each page that only redirects to where it
/// leads, and with `html_aliases` each page's `.html` address (unless `shadowed`: a file of the
/// site is there), all permanently. Forced (`!`), because the redirect page written at each
/// old address (for other hosts) would otherwise shadow the rule.
fn netlify_redirects(site: &Site, shadowed: &dyn Fn(&str) -> bool) -> String {
    let mut rules: Vec<(&str, &str)> = site
        .by_alias
        .iter()
        .chain(site.html_aliases.iter().filter(|(a, _)| !shadowed(&a[1..])))
        .map(|(alias, &page)| (alias.as_str(), site.destination(page)))
        .chain(
            site.pages
                .iter()
                .filter_map(|p| Some((p.url.as_str(), p.redirect.as_ref()?.href.as_str()))),
        )
        .collect();
    rules.sort();
    let mut text =
        String::from("# Old URLs of pages (`aliases` in their front matter), made by handbook.\n");
    let base = site.config.base_path();
    for (from, to) in rules {
        text.push_str(&format!("{base}{from} {to} 301!\n"));
    }
    text
}

/// The page written at an old address of page `id` (an alias), or at the URL of a page that
/// only redirects, for hosts without `_redirects`: it sends the reader on at once, `#fragment`
/// included (`redirect.js` reads the target from `data-redirect-to`: a strict
/// Content-Security-Policy blocks inline scripts), falls back to `<meta http-equiv=refresh>`,
/// and tells search engines where the page is now.
pub fn redirect_page(site: &Site, id: PageId) -> String {
    let page = &site.pages[id];
    // The page the reader arrives at, if it is one of the site.
    let arrival = match &page.redirect {
        Some(redirect) => redirect.page.map(|p| &*site.pages[p]),
        None => Some(&**page),
    };
    let to = site.destination(id);
    let absolute = match arrival {
        Some(p) => format!("{}{}", site.config.base_url, p.url),
        None if to.starts_with('/') => format!(
            "{}{}",
            site.config.base_url,
            &to[site.config.base_path().len()..]
        ),
        None => to.to_string(),
    };
    let escaped = |text: &str| {
        let mut out = String::new();
        escape_into(&mut out, text);
        out
    };
    let (href, canonical) = (escaped(to), escaped(&absolute));
    let title = escaped(&arrival.unwrap_or(page).title);
    // Before the refresh, and not deferred: it runs first, and keeps the fragment.
    format!(
        "<!doctype html>\n<html lang=\"{lang}\" data-redirect-to=\"{href}\">\n<head>\n<meta charset=\"utf-8\">\n<title>Moved: {title}</title>\n<link rel=\"canonical\" href=\"{canonical}\">\n<meta name=\"robots\" content=\"noindex\">\n<script src=\"{base}{script}\"></script>\n<meta http-equiv=\"refresh\" content=\"0; url={href}\">\n</head>\n<body>\n<p>This page has moved to <a href=\"{href}\">{title}</a>.</p>\n</body>\n</html>\n",
        lang = site.config.language,
        base = site.config.base_path(),
        script = theme::REDIRECT_SCRIPT,
    )
}

/// Every built page, in navigation order, with its absolute URL.
fn sitemap(site: &Site) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for &id in site.order.iter() {
        xml.push_str("  <url><loc>");
        escape_into(
            &mut xml,
            &format!("{}{}", site.config.base_url, site.pages[id].url),
        );
        xml.push_str("</loc></url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}
