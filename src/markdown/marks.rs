//! Preview marks: on a deploy preview, each changed section of a page is wrapped in
//! `<div class="changed-section">`, from its heading up to the next top-level heading.

use super::SectionChange;
use pulldown_cmark::{Event, Tag};

/// Passes every event through, with a mark opened before the introduction and before each
/// heading outside lists and quotes whose section is in `marked` (by anchor, `""` for the
/// introduction), and closed before the next such heading. Headings are read from their start
/// event's id, so this runs after [`super::ids::with_ids`].
pub(super) struct Marks<'m, 'a, I> {
    events: I,
    marked: &'m [(String, SectionChange)],
    /// Nesting depth of blocks: only headings outside lists and quotes start a section.
    depth: usize,
    /// Whether the introduction's mark is placed (or not marked).
    started: bool,
    /// Whether a mark is open, to close before the next section or at the end.
    open: bool,
    /// Events due before the next one of `events`, the first due last.
    due: Vec<Event<'a>>,
}

impl<'m, I> Marks<'m, '_, I> {
    pub fn new(events: I, marked: &'m [(String, SectionChange)]) -> Self {
        Marks {
            events,
            marked,
            depth: 0,
            started: false,
            open: false,
            due: Vec::new(),
        }
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Marks<'_, 'a, I> {
    type Item = Event<'a>;

    // Inlined, so that the chain of adaptors is one loop; a preview's marks are placed out of
    // line.
    #[inline]
    fn next(&mut self) -> Option<Event<'a>> {
        if self.marked.is_empty() {
            return self.events.next();
        }
        self.next_marked()
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Marks<'_, 'a, I> {
    /// The next event of a page with marked sections.
    #[inline(never)]
    fn next_marked(&mut self) -> Option<Event<'a>> {
        if let Some(event) = self.due.pop() {
            return Some(event);
        }
        if !std::mem::replace(&mut self.started, true)
            && let Some(mark) = open_mark(self.marked, "")
        {
            self.open = true;
            return Some(mark);
        }
        let Some(event) = self.events.next() else {
            return std::mem::take(&mut self.open).then(close_mark);
        };
        match &event {
            Event::Start(Tag::Heading { id, .. }) if self.depth == 0 => {
                let mark = open_mark(self.marked, id.as_deref().unwrap_or_default());
                let was_open = std::mem::replace(&mut self.open, mark.is_some());
                self.depth += 1;
                self.due.push(event);
                self.due.extend(mark);
                return if was_open {
                    Some(close_mark())
                } else {
                    self.due.pop()
                };
            }
            Event::Start(_) => self.depth += 1,
            Event::End(_) => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        Some(event)
    }
}

/// The mark that opens section `anchor`, if it is marked.
fn open_mark(marked: &[(String, SectionChange)], anchor: &str) -> Option<Event<'static>> {
    let (_, change) = marked.iter().find(|(a, _)| a == anchor)?;
    Some(Event::Html(
        format!(
            "<div class=\"changed-section\" data-change=\"{}\">\n",
            change.as_str()
        )
        .into(),
    ))
}

fn close_mark() -> Event<'static> {
    Event::Html("</div>\n".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::testing::level_ids;
    use pulldown_cmark::{Parser, html::push_html};

    /// `md` with marks, its headings' ids being `h` and their level.
    fn marked(md: &str, marked: &[(String, SectionChange)]) -> String {
        let events = level_ids(Parser::new(md));
        let mut html = String::new();
        push_html(&mut html, Marks::new(events, marked));
        html
    }

    #[test]
    fn marks_wrap_sections_up_to_the_next_top_level_heading() {
        let md = "intro\n## Two\n> ### In a quote\n### Three\n";
        let both = [
            (String::new(), SectionChange::Changed),
            ("h2".to_string(), SectionChange::Added),
        ];
        assert_eq!(
            marked(md, &both),
            "<div class=\"changed-section\" data-change=\"changed\">\n<p>intro</p>\n</div>\n<div class=\"changed-section\" data-change=\"added\">\n<h2 id=\"h2\">Two</h2>\n<blockquote>\n<h3 id=\"h3\">In a quote</h3>\n</blockquote>\n</div>\n<h3 id=\"h3\">Three</h3>\n"
        );
        let last = [("h3".to_string(), SectionChange::Changed)];
        assert!(marked(md, &last).ends_with(
            "<div class=\"changed-section\" data-change=\"changed\">\n<h3 id=\"h3\">Three</h3>\n</div>\n"
        ));
        assert_eq!(
            marked(md, &[]),
            marked(md, &[("none".into(), SectionChange::Added)])
        );
    }
}
