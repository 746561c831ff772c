//! Links of a page: their destinations rewritten as the output writes them, and every link as
//! written, with where it is, for the site-wide checks ([`Analysis`]): Markdown links and images,
//! and the `href`s, `src`s, ids and inline code of raw HTML.

use super::html::{html_attributes, html_tags};
use super::{Analysis, Inline, LinkKind, LinkRef};
use pulldown_cmark::{CowStr, Event, Tag, TagEnd};
use std::ops::Range;

/// `events` with each link's and image's destination, and each `href` and `src` of raw HTML,
/// as `rewrite` gives it (kept as written where it gives `None`).
pub(super) fn rewritten<'a>(
    events: impl Iterator<Item = Event<'a>>,
    rewrite: &dyn Fn(&str) -> Option<String>,
) -> impl Iterator<Item = Event<'a>> {
    events.map(move |event| rewrite_event(event, rewrite))
}

fn rewrite_event<'a>(event: Event<'a>, rewrite: &dyn Fn(&str) -> Option<String>) -> Event<'a> {
    match event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: rewrite(&dest_url).map_or(dest_url, CowStr::from),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: rewrite(&dest_url).map_or(dest_url, CowStr::from),
            title,
            id,
        }),
        Event::Html(html) => Event::Html(rewrite_html(html, rewrite)),
        Event::InlineHtml(html) => Event::InlineHtml(rewrite_html(html, rewrite)),
        other => other,
    }
}

/// Raw HTML with its `href`s and `src`s rewritten; borrowed as it was when none changes.
fn rewrite_html<'a>(html: CowStr<'a>, rewrite: &dyn Fn(&str) -> Option<String>) -> CowStr<'a> {
    let mut changes: Vec<(Range<usize>, String)> = html_attributes(&html)
        .into_iter()
        .filter(|a| a.name == "href" || a.name == "src")
        .filter_map(|a| Some((a.value_range, rewrite(a.value)?)))
        .collect();
    if changes.is_empty() {
        return html;
    }
    let mut text = html.to_string();
    changes.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    for (range, new) in changes {
        text.replace_range(range, &new);
    }
    text.into()
}

/// Adds the links, the images without alt text, and raw HTML's ids and inline code of a page's
/// events (with their offsets in `markdown`) to `analysis`, in the order they are written.
pub(super) fn analyze(
    markdown: &str,
    events: &[(Event<'_>, Range<usize>)],
    analysis: &mut Analysis,
) {
    // An image being read: where it starts, and whether it has alt text so far.
    let mut open_image: Option<(usize, bool)> = None;
    for (event, range) in events {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) => {
                analysis.links.push(LinkRef {
                    dest: dest_url.to_string(),
                    offset: dest_offset(markdown, range, dest_url),
                    kind: LinkKind::Link,
                });
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                analysis.links.push(LinkRef {
                    dest: dest_url.to_string(),
                    offset: dest_offset(markdown, range, dest_url),
                    kind: LinkKind::Image,
                });
                open_image = Some((range.start, false));
            }
            Event::Text(text) | Event::Code(text) if open_image.is_some() => {
                if !text.trim().is_empty()
                    && let Some((_, has_text)) = open_image.as_mut()
                {
                    *has_text = true;
                }
            }
            Event::End(TagEnd::Image) => {
                if let Some((offset, false)) = open_image.take() {
                    analysis.images_without_alt.push(offset);
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                analyze_html(markdown, range, html, analysis);
            }
            _ => {}
        }
    }
}

/// Links, ids, alt-less images and inline code of a piece of raw HTML.
fn analyze_html(markdown: &str, range: &Range<usize>, html: &str, analysis: &mut Analysis) {
    // The event's text is the source text itself, so offsets carry over.
    let base = if markdown.get(range.clone()) == Some(html) {
        Some(range.start)
    } else {
        markdown[range.clone()].find(html).map(|i| range.start + i)
    };
    let at = |offset: usize| base.map_or(range.start, |b| b + offset);
    for tag in html_tags(html) {
        if tag.name == "img" && !tag.attributes.iter().any(|a| a.name == "alt") {
            analysis.images_without_alt.push(at(tag.start));
        }
        if tag.name == "script" && !tag.attributes.iter().any(|a| a.name == "src") {
            analysis.inline_code.push((at(tag.start), Inline::Script));
        }
        for attr in tag.attributes {
            if let Some(inline) = inline_code(&attr.name) {
                analysis
                    .inline_code
                    .push((at(attr.value_range.start), inline));
            }
            match attr.name.as_str() {
                "href" | "src" => analysis.links.push(LinkRef {
                    dest: attr.value.to_string(),
                    offset: at(attr.value_range.start),
                    kind: LinkKind::Html,
                }),
                "id" | "name" => analysis.anchors.push(attr.value.to_string()),
                _ => {}
            }
        }
    }
}

/// The inline code an attribute named `name` holds: a style, or an event handler (`onclick`).
fn inline_code(name: &str) -> Option<Inline> {
    match name {
        "style" => Some(Inline::Style),
        name if name.len() > 2 && name.starts_with("on") => Some(Inline::Handler(name.to_string())),
        _ => None,
    }
}

/// Where `dest` is written inside the link at `range` (the link's start if it cannot be found,
/// as for reference links).
fn dest_offset(markdown: &str, range: &Range<usize>, dest: &str) -> usize {
    let text = &markdown[range.clone()];
    if dest.is_empty() {
        return range.start;
    }
    // After the link text: `[text](dest)`; the text may contain the same characters.
    let after_text = text.rfind("](").map_or(0, |i| i + 2);
    text[after_text..]
        .find(dest)
        .map(|i| range.start + after_text + i)
        .or_else(|| text.find(dest).map(|i| range.start + i))
        .unwrap_or(range.start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::Parser;

    fn analysis(md: &str) -> Analysis {
        let events: Vec<_> = Parser::new_ext(md, super::super::parser_options())
            .into_offset_iter()
            .collect();
        let mut analysis = Analysis::default();
        analyze(md, &events, &mut analysis);
        analysis
    }

    #[test]
    fn links_are_found_where_their_destination_is_written() {
        let md = "[x](x) and ![](x.png) then <a href=\"x\" id=\"top\">a</a>\n\n[r]\n\n[r]: /ref\n";
        let found = analysis(md);
        let links: Vec<(&str, &str, LinkKind)> = found
            .links
            .iter()
            .map(|l| (l.dest.as_str(), &md[l.offset..l.offset + 2], l.kind))
            .collect();
        assert_eq!(
            links,
            [
                ("x", "x)", LinkKind::Link),
                ("x.png", "x.", LinkKind::Image),
                ("x", "x\"", LinkKind::Html),
                // A reference link is found at its start.
                ("/ref", "[r", LinkKind::Link),
            ]
        );
        assert_eq!(found.anchors, ["top"]);
        assert_eq!(found.images_without_alt, [md.find("![").unwrap()]);
    }

    #[test]
    fn destinations_and_raw_html_are_rewritten() {
        let rewrite = |dest: &str| (dest == "a").then(|| "/A/".to_string());
        let events = Parser::new("[l](a) [k](b) <img src=\"a\" alt=\"a\">");
        let out: Vec<Event<'_>> = rewritten(events, &rewrite).collect();
        let dests: Vec<String> = out
            .iter()
            .filter_map(|e| match e {
                Event::Start(Tag::Link { dest_url, .. }) => Some(dest_url.to_string()),
                Event::InlineHtml(html) => Some(html.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(dests, ["/A/", "b", "<img src=\"/A/\" alt=\"a\">"]);
        let html = CowStr::Borrowed("<a href=\"b\">");
        assert!(matches!(
            rewrite_html(html, &rewrite),
            CowStr::Borrowed("<a href=\"b\">")
        ));
    }
}
