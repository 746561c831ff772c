//! Heading ids on a page's events: which id each heading gets (by [`headings::heading_ids`]),
//! explicit ids used twice, and the headings written with their id and a `#` anchor link.
//!
//! The ids are given once for the whole page, as they depend on every heading; [`with_ids`]
//! then puts each into its heading's start event, where the later adaptors read it.

use super::headings::{self, HeadingText};
use super::highlight::escape_into;
use super::title::title_heading_len;
use pulldown_cmark::{CowStr, Event, HeadingLevel, Tag, TagEnd};
use std::ops::Range;

/// The heading ids of a page whose title heading may have been dropped.
pub(super) struct HeadingIds {
    /// The id of every heading of the events, in order.
    pub ids: Vec<String>,
    /// Explicit ids that repeat one used before: index in `ids`, and the id.
    pub duplicates: Vec<(usize, String)>,
    /// The id of the dropped title heading: it still counts for numbering repeats, as in
    /// kramdown, and stays a link target.
    pub hidden: Option<String>,
}

impl HeadingIds {
    /// Every heading id, the hidden title's first, and the repeated explicit ids.
    pub fn into_anchors(self) -> (Vec<String>, Vec<(usize, String)>) {
        let mut anchors = Vec::with_capacity(usize::from(self.hidden.is_some()) + self.ids.len());
        anchors.extend(self.hidden);
        anchors.extend(self.ids);
        (anchors, self.duplicates)
    }
}

/// Gives every heading of `events` its id, and drops a leading `#` heading whose text is
/// `title` (the template shows the title).
pub(super) fn assign(events: &mut Vec<(Event<'_>, Range<usize>)>, title: &str) -> HeadingIds {
    let (mut ids, mut duplicates) = heading_ids(events.iter().map(|(e, _)| e));
    let skip = title_heading_len(events.iter().map(|(e, _)| e), title);
    let mut hidden = None;
    if skip > 0 && !ids.is_empty() {
        events.drain(..skip);
        hidden = Some(ids.remove(0));
        // The title heading is the first: it is never the repeat of an earlier id.
        duplicates = duplicates
            .into_iter()
            .filter_map(|(index, id)| Some((index.checked_sub(1)?, id)))
            .collect();
    }
    HeadingIds {
        ids,
        duplicates,
        hidden,
    }
}

/// The id of every heading in order (see [`headings::heading_ids`]), and the explicit ids that
/// repeat one used before (by heading index).
fn heading_ids<'e, 'a: 'e>(
    events: impl Iterator<Item = &'e Event<'a>>,
) -> (Vec<String>, Vec<(usize, String)>) {
    let mut headings = Vec::new();
    let mut current: Option<HeadingText> = None;
    // Image alt text is not part of the id: kramdown's text of a heading leaves images out.
    let mut images = 0usize;
    for event in events {
        match event {
            Event::Start(Tag::Heading { id, .. }) => {
                current = Some(HeadingText {
                    explicit: id.as_ref().map(|id| id.to_string()),
                    text: String::new(),
                });
            }
            Event::End(TagEnd::Heading(_)) => headings.extend(current.take()),
            Event::Start(Tag::Image { .. }) => images += 1,
            Event::End(TagEnd::Image) => images = images.saturating_sub(1),
            Event::Text(t) | Event::Code(t) if images == 0 => {
                if let Some(heading) = current.as_mut() {
                    heading.text.push_str(t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(heading) = current.as_mut() {
                    heading.text.push(' ');
                }
            }
            _ => {}
        }
    }
    let (ids, repeated) = headings::heading_ids(&headings);
    let duplicates = repeated
        .into_iter()
        .filter_map(|index| Some((index, ids.get(index)?.clone())))
        .collect();
    (ids, duplicates)
}

/// Each repeated explicit id with the offset of the heading that repeats it.
pub(super) fn duplicate_offsets(
    events: &[(Event<'_>, Range<usize>)],
    duplicates: Vec<(usize, String)>,
) -> Vec<(String, usize)> {
    let mut starts = events
        .iter()
        .filter(|(e, _)| matches!(e, Event::Start(Tag::Heading { .. })))
        .map(|(_, range)| range.start)
        .enumerate();
    duplicates
        .into_iter()
        .filter_map(|(index, id)| {
            let (_, offset) = starts.find(|(i, _)| *i == index)?;
            Some((id, offset))
        })
        .collect()
}

/// `events` with each heading's start carrying its id from `ids`, in order: the id the later
/// adaptors and [`HeadingHtml`] use. Borrowed, so that no id is copied.
pub(super) fn with_ids<'i, 'a: 'i>(
    events: impl Iterator<Item = Event<'a>>,
    ids: &'i [String],
) -> impl Iterator<Item = Event<'i>> {
    let mut ids = ids.iter();
    events.map(move |event| match event {
        Event::Start(Tag::Heading {
            level,
            id: _,
            classes,
            attrs,
        }) => Event::Start(Tag::Heading {
            level,
            id: ids.next().map(|id| CowStr::Borrowed(id.as_str())),
            classes,
            attrs,
        }),
        other => other,
    })
}

/// Writes each heading with its id, and a `#` link to it before its end, as raw HTML; every
/// other event passes through.
pub(super) struct HeadingHtml<I> {
    events: I,
    /// The end of the heading being written.
    close: Option<String>,
}

impl<I> HeadingHtml<I> {
    pub fn new(events: I) -> Self {
        HeadingHtml {
            events,
            close: None,
        }
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for HeadingHtml<I> {
    type Item = Event<'a>;

    // Inlined, so that the chain of adaptors is one loop; headings are written out of line.
    #[inline]
    fn next(&mut self) -> Option<Event<'a>> {
        Some(match self.events.next()? {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => self.open(level, id.as_deref().unwrap_or_default(), &classes, &attrs),
            Event::End(TagEnd::Heading(_)) => {
                Event::Html(self.close.take().unwrap_or_default().into())
            }
            other => other,
        })
    }
}

impl<I> HeadingHtml<I> {
    /// The heading's start as raw HTML; its end is kept for [`Event::End`].
    #[inline(never)]
    fn open(
        &mut self,
        level: HeadingLevel,
        id: &str,
        classes: &[CowStr<'_>],
        attrs: &[(CowStr<'_>, Option<CowStr<'_>>)],
    ) -> Event<'static> {
        self.close = Some(heading_close(level, id));
        Event::Html(heading_open(level, id, classes, attrs).into())
    }
}

fn heading_open(
    level: HeadingLevel,
    id: &str,
    classes: &[CowStr<'_>],
    attrs: &[(CowStr<'_>, Option<CowStr<'_>>)],
) -> String {
    let mut html = format!("<{level} id=\"");
    escape_into(&mut html, id);
    html.push('"');
    if !classes.is_empty() {
        html.push_str(" class=\"");
        escape_into(&mut html, &classes.join(" "));
        html.push('"');
    }
    for (name, value) in attrs {
        html.push(' ');
        escape_into(&mut html, name);
        if let Some(value) = value {
            html.push_str("=\"");
            escape_into(&mut html, value);
            html.push('"');
        }
    }
    html.push('>');
    html
}

fn heading_close(level: HeadingLevel, id: &str) -> String {
    let mut html = String::from("<a class=\"anchor\" href=\"#");
    escape_into(&mut html, id);
    html.push_str(&format!(
        "\" aria-label=\"Link to this section\">#</a></{level}>\n"
    ));
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::Parser;

    fn events(md: &str) -> Vec<(Event<'_>, Range<usize>)> {
        Parser::new_ext(md, super::super::parser_options())
            .into_offset_iter()
            .collect()
    }

    #[test]
    fn the_title_heading_is_dropped_and_its_id_kept_apart() {
        let md = "# Setup\n\n## Setup\n\n## A {#x}\n\n## B {#x}\n";
        let mut events = events(md);
        let HeadingIds {
            ids,
            duplicates,
            hidden,
        } = assign(&mut events, "Setup");
        assert_eq!(hidden.as_deref(), Some("setup"));
        assert_eq!(ids, ["setup-1", "x", "x"]);
        assert_eq!(duplicates, [(2, "x".to_string())]);
        assert!(matches!(events[0].0, Event::Start(Tag::Heading { .. })));
        assert_eq!(&md[events[0].1.clone()], "## Setup\n");
        let offsets = duplicate_offsets(&events, duplicates);
        assert_eq!(offsets.len(), 1);
        assert_eq!(&md[offsets[0].1..][..4], "## B");
    }

    #[test]
    fn headings_are_written_with_their_ids_and_anchors() {
        let md = "## A *b* {.wide}\n\ntext\n";
        let ids = ["given".to_string()];
        let html: Vec<String> =
            HeadingHtml::new(with_ids(events(md).into_iter().map(|(e, _)| e), &ids))
                .filter_map(|e| match e {
                    Event::Html(html) => Some(html.to_string()),
                    _ => None,
                })
                .collect();
        assert_eq!(
            html,
            [
                "<h2 id=\"given\" class=\"wide\">",
                "<a class=\"anchor\" href=\"#given\" aria-label=\"Link to this section\">#</a></h2>\n"
            ]
        );
    }
}
