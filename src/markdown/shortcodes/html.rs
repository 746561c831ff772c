//! A shortcode's HTML as events of the page: its headings become heading events (so that they
//! get ids, go into the table of contents and the search index), its text becomes text events
//! (for the search index), and its tags stay raw HTML (whose links and ids are checked).

use pulldown_cmark::{CowStr, Event, HeadingLevel, Tag, TagEnd};
use std::ops::Range;

type Events = Vec<(Event<'static>, Range<usize>)>;

/// `text` escaped for HTML.
pub fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    crate::markdown::highlight::escape_into(&mut out, text);
    out
}

/// The events of `html`, all at `range` (the call). Raw HTML is inline HTML in text
/// (`inline`), block HTML otherwise.
pub fn events(html: &str, inline: bool, range: &Range<usize>) -> Events {
    let mut out = Vec::new();
    let mut raw = String::new();
    let flush = |raw: &mut String, out: &mut Events, inline: bool| {
        if !raw.is_empty() {
            let html: CowStr<'static> = std::mem::take(raw).into();
            // Tags inside a line of text stay inline: they do not separate its words.
            let phrasing = crate::markdown::html::only_phrasing_tags(&html);
            out.push((
                if inline || phrasing {
                    Event::InlineHtml(html)
                } else {
                    Event::Html(html)
                },
                range.clone(),
            ));
        }
    };
    let mut i = 0;
    while i < html.len() {
        let rest = &html[i..];
        if let Some(tag_len) = tag_at(rest) {
            if let Some((level, end)) = heading_at(rest, tag_len) {
                flush(&mut raw, &mut out, inline);
                heading(
                    &rest[..tag_len],
                    &rest[tag_len..end],
                    level,
                    range,
                    &mut out,
                );
                i += end + "</h1>".len();
                continue;
            }
            let skip = raw_text_end(rest, tag_len).unwrap_or(tag_len);
            raw.push_str(&rest[..skip]);
            i += skip;
            continue;
        }
        let end = memchr::memchr(b'<', &rest.as_bytes()[1..]).map_or(rest.len(), |k| k + 1);
        let text = &rest[..end];
        match decoded(text) {
            Some(plain) if !text.trim().is_empty() => {
                flush(&mut raw, &mut out, inline);
                out.push((Event::Text(plain.into()), range.clone()));
            }
            _ => raw.push_str(text),
        }
        i += end;
    }
    flush(&mut raw, &mut out, inline);
    out
}

/// The length of the tag (or comment) that starts `text`, if one does.
fn tag_at(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    if bytes.first() != Some(&b'<') {
        return None;
    }
    if text.starts_with("<!--") {
        return Some(text.find("-->").map_or(text.len(), |e| e + 3));
    }
    let next = *bytes.get(1)?;
    if !(next.is_ascii_alphabetic() || next == b'/' || next == b'!') {
        return None;
    }
    let mut quote = None;
    for (i, &b) in bytes.iter().enumerate().skip(1) {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => return Some(i + 1),
            None => {}
        }
    }
    Some(text.len())
}

/// For `<script>` and `<style>`, the end of their closing tag: what they hold is no text.
fn raw_text_end(text: &str, tag_len: usize) -> Option<usize> {
    let name = tag_name(&text[1..tag_len]);
    if name != "script" && name != "style" {
        return None;
    }
    let close = format!("</{name}");
    let lower = text.to_ascii_lowercase();
    let at = lower[tag_len..].find(&close)? + tag_len;
    Some(at + text[at..].find('>').map_or(text.len() - at, |e| e + 1))
}

fn tag_name(after_lt: &str) -> String {
    after_lt
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// A heading's level and where its closing tag starts, for `<h2 …>` … `</h2>` at the start
/// of `text` with no other heading inside.
fn heading_at(text: &str, tag_len: usize) -> Option<(HeadingLevel, usize)> {
    let name = tag_name(&text[1..tag_len]);
    let level = match name.as_str() {
        "h1" => HeadingLevel::H1,
        "h2" => HeadingLevel::H2,
        "h3" => HeadingLevel::H3,
        "h4" => HeadingLevel::H4,
        "h5" => HeadingLevel::H5,
        "h6" => HeadingLevel::H6,
        _ => return None,
    };
    let lower = text[tag_len..].to_ascii_lowercase();
    let end = lower.find(&format!("</{name}>"))? + tag_len;
    (!lower[..end - tag_len].contains("<h")).then_some((level, end))
}

/// A heading's events: its id, classes and other attributes from its tag, its text as text.
fn heading(tag: &str, inner: &str, level: HeadingLevel, range: &Range<usize>, out: &mut Events) {
    let mut id = None;
    let mut classes = Vec::new();
    let mut attrs = Vec::new();
    for tag in crate::markdown::html::html_tags(tag) {
        for attr in tag.attributes {
            let value = decoded(attr.value).unwrap_or_else(|| attr.value.to_string());
            match attr.name.as_str() {
                "id" => id = Some(CowStr::from(value)),
                "class" => classes.extend(value.split_whitespace().map(|c| c.to_string().into())),
                _ => attrs.push((attr.name.into(), Some(value.into()))),
            }
        }
    }
    out.push((
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }),
        range.clone(),
    ));
    out.extend(events(inner, true, range));
    out.push((Event::End(TagEnd::Heading(level)), range.clone()));
}

/// HTML text with its character references decoded; `None` if it has one this does not know.
fn decoded(text: &str) -> Option<String> {
    if !text.contains('&') {
        return Some(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.find(';').filter(|e| *e <= 10)?;
        let name = &after[..end];
        let c = match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" => '\u{a0}',
            n if n.starts_with("#x") || n.starts_with("#X") => {
                char::from_u32(u32::from_str_radix(&n[2..], 16).ok()?)?
            }
            n if n.starts_with('#') => char::from_u32(n[1..].parse().ok()?)?,
            _ => return None,
        };
        out.push(c);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(html: &str) -> Vec<String> {
        events(html, false, &(0..1))
            .into_iter()
            .map(|(e, _)| match e {
                Event::Html(h) => format!("html {h}"),
                Event::InlineHtml(h) => format!("inline {h}"),
                Event::Text(t) => format!("text {t}"),
                Event::Start(Tag::Heading { level, id, .. }) => {
                    format!("h{} {}", level as u8, id.as_deref().unwrap_or("-"))
                }
                Event::End(_) => "end".into(),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn headings_and_text_become_events() {
        assert_eq!(
            shape(
                "<section>\n<h2 id=\"ada\" class=\"person\">Ada &amp; <em>co</em></h2>\n<p>Role: R&amp;D</p><script>if (a<b) x()</script></section>"
            ),
            [
                "html <section>\n",
                "h2 ada",
                "text Ada & ",
                "inline <em>",
                "text co",
                "inline </em>",
                "end",
                "html \n<p>",
                "text Role: R&D",
                "html </p><script>if (a<b) x()</script></section>",
            ]
        );
    }

    #[test]
    fn unknown_references_stay_raw() {
        assert_eq!(shape("<p>a &foo; b</p>"), ["html <p>a &foo; b</p>"]);
        assert_eq!(decoded("&#x41;&#66;&lt;").as_deref(), Some("AB<"));
    }
}
