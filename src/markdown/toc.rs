//! The table of contents: an adaptor that reads headings as they pass, and changes no event.
//! [`super::headings::nest`] then nests them.

use super::push_plain;
use pulldown_cmark::{Event, Tag, TagEnd};

/// Passes every event through, adding each heading from `##` down to `max_level` to `flat` as
/// (level, id, text). Headings are read from their start event's id, so this runs after
/// [`super::ids::with_ids`].
pub(super) struct Toc<'t, I> {
    events: I,
    max_level: u8,
    flat: &'t mut Vec<(u8, String, String)>,
    /// Whether the events are those of a heading in `flat`.
    within: bool,
}

impl<'t, I> Toc<'t, I> {
    pub fn new(events: I, max_level: u8, flat: &'t mut Vec<(u8, String, String)>) -> Self {
        Toc {
            events,
            max_level,
            flat,
            within: false,
        }
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Toc<'_, I> {
    type Item = Event<'a>;

    #[inline]
    fn next(&mut self) -> Option<Event<'a>> {
        let event = self.events.next()?;
        match &event {
            Event::Start(Tag::Heading { level, id, .. })
                if (2..=self.max_level).contains(&(*level as u8)) =>
            {
                let id = id.as_deref().unwrap_or_default().to_string();
                self.flat.push((*level as u8, id, String::new()));
                self.within = true;
            }
            Event::End(TagEnd::Heading(_)) => self.within = false,
            _ if self.within => {
                if let Some((_, _, text)) = self.flat.last_mut() {
                    push_plain(text, &event);
                }
            }
            _ => {}
        }
        Some(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{CowStr, Parser};

    fn flat(md: &str, max_level: u8) -> Vec<(u8, String, String)> {
        let mut flat = Vec::new();
        let events = Parser::new(md).map(|e| match e {
            Event::Start(Tag::Heading {
                level,
                classes,
                attrs,
                ..
            }) => Event::Start(Tag::Heading {
                level,
                id: Some(CowStr::Borrowed("id")),
                classes,
                attrs,
            }),
            other => other,
        });
        Toc::new(events, max_level, &mut flat).for_each(drop);
        flat
    }

    #[test]
    fn headings_down_to_the_level_are_listed_with_their_text() {
        let md = "# One\n## Two *2*\n### Three\n- ## Listed\n";
        assert_eq!(
            flat(md, 2),
            [
                (2, "id".to_string(), "Two 2".to_string()),
                (2, "id".into(), "Listed".into())
            ]
        );
        assert_eq!(flat(md, 3).len(), 3);
        assert!(flat(md, 0).is_empty());
    }
}
