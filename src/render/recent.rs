//! The "Recent changes" page (`recent-changes/`) and its Atom feed (`recent-changes/atom.xml`,
//! RFC 4287), made from the same list of changes ([`crate::templates::recent::views`]).

use super::Made;
use super::Renderer;
use crate::layout::{RECENT_CHANGES_FEED, RECENT_CHANGES_PATH};
use crate::markdown::highlight::escape_into;
use crate::templates::RecentContext;
use crate::templates::recent::{ChangeView, views};

/// The page, from `templates/recent-changes.html`.
pub fn page(renderer: &Renderer<'_>, root_sidebar: &str) -> Made {
    let context = RecentContext {
        common: renderer.outside(root_sidebar),
        changes: views(renderer.site, renderer.extras),
        cut: renderer.extras.git.changes.as_ref().is_some_and(|c| c.cut),
    };
    renderer
        .templates
        .render("recent-changes.html", &context)
        .map(|html| renderer.fingerprints.rewrite_html(html).into_bytes())
        .map_err(|e| super::template_failure("recent-changes.html", e))
}

/// The Atom feed: one entry per change, newest first, its pages as links in the entry's
/// content. Every address in it is absolute (`base_url`), as feed readers need.
pub fn feed(renderer: &Renderer<'_>) -> Made {
    let site = renderer.site;
    let config = &site.config;
    let changes = views(site, renderer.extras);
    let page_url = format!("{}/{RECENT_CHANGES_PATH}", config.base_url);
    let feed_url = format!("{}/{RECENT_CHANGES_FEED}", config.base_url);
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"",
    );
    escape_into(&mut xml, &config.language);
    xml.push_str("\">\n");
    element(
        &mut xml,
        "  ",
        "title",
        &format!("{}: recent changes", config.title),
    );
    if !config.description.is_empty() {
        element(&mut xml, "  ", "subtitle", &config.description);
    }
    element(&mut xml, "  ", "id", &page_url);
    link(&mut xml, "  ", "self", "application/atom+xml", &feed_url);
    link(&mut xml, "  ", "alternate", "text/html", &page_url);
    // The newest change: the feed changes when, and only when, a change is added.
    let updated = changes.first().map_or("1970-01-01T00:00:00Z", |c| c.date);
    element(&mut xml, "  ", "updated", updated);
    xml.push_str(&format!(
        "  <generator version=\"{}\">handbook</generator>\n",
        env!("CARGO_PKG_VERSION")
    ));
    for change in &changes {
        entry(&mut xml, renderer, change, &page_url);
    }
    xml.push_str("</feed>\n");
    Ok(xml.into_bytes())
}

/// One `<entry>`: the change's title, author and date, a link to it on the forge (else to its
/// place on the page), and its pages as HTML.
fn entry(xml: &mut String, renderer: &Renderer<'_>, change: &ChangeView<'_>, page_url: &str) {
    let config = &renderer.site.config;
    let absolute = |href: &str| -> String {
        // Pages' URLs carry the path of `base_url`; the host comes from it.
        let base = config.base_url.as_str();
        let host = &base[..base.len() - config.base_path().len()];
        format!("{host}{href}")
    };
    xml.push_str("  <entry>\n");
    element(xml, "    ", "title", change.title);
    // A commit id never changes: neither does the entry's id.
    element(xml, "    ", "id", &format!("{page_url}#{}", change.anchor));
    let alternate = change
        .url
        .clone()
        .unwrap_or_else(|| format!("{page_url}#{}", change.anchor));
    link(xml, "    ", "alternate", "text/html", &alternate);
    element(xml, "    ", "updated", change.date);
    xml.push_str("    <author>\n");
    element(xml, "      ", "name", change.author);
    xml.push_str("    </author>\n");
    let mut html = String::from("<ul>");
    for page in &change.pages {
        html.push_str("<li>");
        let mut title = String::new();
        escape_into(&mut title, &page.title);
        match page.url {
            Some(url) => {
                html.push_str("<a href=\"");
                escape_into(&mut html, &absolute(url));
                html.push_str(&format!("\">{title}</a>"));
            }
            None => html.push_str(&title),
        }
        html.push_str(&format!(" ({})", page.kind));
        if let Some(from) = &page.from {
            html.push_str(" from <code>");
            escape_into(&mut html, from);
            html.push_str("</code>");
        }
        html.push_str("</li>");
    }
    if change.more > 0 {
        let s = if change.more == 1 { "" } else { "s" };
        html.push_str(&format!("<li>and {} more page{s}</li>", change.more));
    }
    html.push_str("</ul>");
    let by = match &change.request {
        Some(request) => format!("Merge request {request}, "),
        None => String::new(),
    };
    html.push_str(&format!("<p>{by}commit <code>{}</code>.</p>", change.short));
    xml.push_str("    <content type=\"html\">");
    escape_into(xml, &strip_controls(&html));
    xml.push_str("</content>\n");
    xml.push_str("  </entry>\n");
}

fn element(xml: &mut String, indent: &str, name: &str, text: &str) {
    xml.push_str(&format!("{indent}<{name}>"));
    escape_into(xml, &strip_controls(text));
    xml.push_str(&format!("</{name}>\n"));
}

fn link(xml: &mut String, indent: &str, rel: &str, kind: &str, href: &str) {
    xml.push_str(&format!(
        "{indent}<link rel=\"{rel}\" type=\"{kind}\" href=\""
    ));
    escape_into(xml, href);
    xml.push_str("\"/>\n");
}

/// `text` without the control characters XML 1.0 does not allow (a commit message may have
/// them), which would make the whole feed unreadable.
fn strip_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
    if text.contains(bad) {
        text.replace(bad, "").into()
    } else {
        text.into()
    }
}
