//! A page's sections, as a deploy preview compares them with the page's earlier version: where
//! each starts in the Markdown, its heading, and a fingerprint of its text.

use super::inches::inch_marks;
use super::{Parsed, Section, parse, parser_options, plain_text, tables};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use std::ops::Range;

/// The page's sections, in order, with the anchors [`super::render`] gives their headings. An
/// empty introduction is left out.
pub fn sections(markdown: &str, title: &str) -> Vec<Section> {
    Outline::of(markdown, title).sections(markdown)
}

/// A page's headings, read once, for its sections and its ids both.
#[derive(Debug, Clone)]
pub struct Outline {
    /// Every heading, in order.
    pub headings: Vec<Heading>,
    /// Where the body starts, after a leading `#` heading that repeats the title.
    body_start: usize,
}

impl Outline {
    /// The outline of `markdown`, whose page is titled `title`.
    pub fn of(markdown: &str, title: &str) -> Outline {
        let (headings, body_start) = headings_and_start(markdown, title);
        Outline {
            headings,
            body_start,
        }
    }

    /// The sections of `markdown` (the text this outline was read from).
    pub fn sections(&self, markdown: &str) -> Vec<Section> {
        let starts = self.starts();
        let mut sections = Vec::with_capacity(starts.len());
        for (i, start) in starts.iter().enumerate() {
            let end = starts.get(i + 1).map_or(markdown.len(), |next| next.offset);
            let text = markdown
                .get(start.offset..end.max(start.offset))
                .unwrap_or("");
            if start.anchor.is_empty() && text.trim().is_empty() {
                continue;
            }
            sections.push(Section {
                anchor: start.anchor.to_string(),
                title: start.title.to_string(),
                level: start.level,
                fingerprint: fingerprint(text),
            });
        }
        sections
    }

    /// The introduction's start, then each top-level heading's.
    fn starts(&self) -> Vec<Start<'_>> {
        let intro = Start {
            offset: self.body_start,
            anchor: "",
            title: "",
            level: 0,
        };
        std::iter::once(intro)
            .chain(self.headings.iter().filter(|h| h.top).map(|h| Start {
                offset: h.offset,
                anchor: &h.anchor,
                title: &h.title,
                level: h.level,
            }))
            .collect()
    }
}

/// Where a section starts in the Markdown, with its heading.
struct Start<'a> {
    offset: usize,
    anchor: &'a str,
    title: &'a str,
    level: u8,
}

/// A heading of a page: its id, its text, its level and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub anchor: String,
    pub title: String,
    pub level: u8,
    /// Its byte offset in the Markdown.
    pub offset: usize,
    /// Outside lists and quotes: a heading that starts a section.
    pub top: bool,
}

/// [`headings`], and where the body starts (after a leading `#` heading that repeats `title`).
fn headings_and_start(markdown: &str, title: &str) -> (Vec<Heading>, usize) {
    let (fixed, _) = tables::fix(markdown);
    let Parsed { events, headings } = parse(&fixed, title, Default::default(), &mut Vec::new());
    let mut ids = headings.ids.into_iter();
    let body_start = events.first().map_or(markdown.len(), |(_, r)| r.start);
    let mut found = Vec::new();
    let mut depth = 0usize;
    let mut heading: Option<(usize, String, u8, bool)> = None;
    for (event, range) in &events {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let id = ids.next().unwrap_or_default();
                heading = Some((range.start, id, *level as u8, depth == 0));
                depth += 1;
            }
            Event::End(TagEnd::Heading(_)) => {
                depth = depth.saturating_sub(1);
                if let Some((offset, anchor, level, top)) = heading.take() {
                    let title = plain_text(&heading_text(markdown, offset..range.end));
                    found.push(Heading {
                        anchor,
                        title,
                        level,
                        offset,
                        top,
                    });
                }
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    (found, body_start)
}

/// The inline events of the heading written at `range`.
fn heading_text(markdown: &str, range: Range<usize>) -> Vec<Event<'_>> {
    let heading = markdown.get(range).unwrap_or_default();
    let mut events: Vec<_> = Parser::new_ext(heading, parser_options())
        .into_offset_iter()
        .collect();
    inch_marks(heading, &mut events);
    events
        .into_iter()
        .map(|(e, _)| e)
        .filter(|e| !matches!(e, Event::Start(_) | Event::End(_)))
        .collect()
}

/// Changes whenever `text` does, except for trailing spaces and blank lines.
fn fingerprint(text: &str) -> u64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    for line in text.lines().map(str::trim_end).filter(|l| !l.is_empty()) {
        hasher.update(line.as_bytes());
        hasher.update(b"\n");
    }
    hasher.digest()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_ignore_trailing_spaces_and_blank_lines_only() {
        assert_eq!(fingerprint("a  \n\n\nb\n"), fingerprint("a\nb"));
        assert_ne!(fingerprint("a b\n"), fingerprint("a  b\n"));
    }
}
