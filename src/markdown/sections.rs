//! A page's sections, as a deploy preview compares them with the page's earlier version: where
//! each starts in the Markdown, its heading, and a fingerprint of its text.

use super::inches::inch_marks;
use super::{Parsed, Section, parse, parser_options, plain_text, tables};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use std::ops::Range;

/// The page's sections, in order, with the anchors [`super::render`] gives their headings. An
/// empty introduction is left out.
pub fn sections(markdown: &str, title: &str) -> Vec<Section> {
    let starts = starts(markdown, title);
    let mut sections = Vec::with_capacity(starts.len());
    for (i, start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(markdown.len(), |next| next.offset);
        let text = &markdown[start.offset..end.max(start.offset)];
        if start.anchor.is_empty() && text.trim().is_empty() {
            continue;
        }
        sections.push(Section {
            anchor: start.anchor.clone(),
            title: start.title.clone(),
            level: start.level,
            fingerprint: fingerprint(text),
        });
    }
    sections
}

/// Where a section starts in the Markdown, with its heading.
struct Start {
    offset: usize,
    anchor: String,
    title: String,
    level: u8,
}

/// The introduction's start, then each top-level heading's.
fn starts(markdown: &str, title: &str) -> Vec<Start> {
    let (fixed, _) = tables::fix(markdown);
    let Parsed { events, headings } = parse(&fixed, title, Default::default(), &mut Vec::new());
    let mut ids = headings.ids.into_iter();
    let body_start = events.first().map_or(markdown.len(), |(_, r)| r.start);
    let mut starts = vec![Start {
        offset: body_start,
        anchor: String::new(),
        title: String::new(),
        level: 0,
    }];
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
                if let Some((offset, anchor, level, true)) = heading.take() {
                    let title = plain_text(&heading_text(markdown, offset..range.end));
                    starts.push(Start {
                        offset,
                        anchor,
                        title,
                        level,
                    });
                }
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    starts
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
