//! A page's text by section, for the search index ([`SearchRecord`]s): an adaptor that reads
//! the events as they pass, and changes none.

use super::{SearchRecord, push_plain};
use pulldown_cmark::{Event, Tag, TagEnd};

/// Passes every event through, adding the page's text to `records`: the introduction first
/// (always, even empty), then one record per heading outside lists and quotes. Headings are
/// read from their start event's id, so this runs after [`super::ids::with_ids`].
pub(super) struct SearchText<'r, I> {
    events: I,
    records: &'r mut Vec<SearchRecord>,
    search_code: bool,
    /// Nesting depth of blocks: only headings outside lists and quotes start a record.
    depth: usize,
    within: Within,
}

/// What the events being read are part of.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Within {
    Body,
    /// A heading that starts a record (its text is the record's heading), or one inside a list
    /// or quote (its text is text).
    Heading {
        starts_record: bool,
    },
    CodeBlock,
}

impl<'r, I> SearchText<'r, I> {
    pub fn new(events: I, records: &'r mut Vec<SearchRecord>, search_code: bool) -> Self {
        records.push(SearchRecord::default());
        SearchText {
            events,
            records,
            search_code,
            depth: 0,
            within: Within::Body,
        }
    }

    #[inline(never)]
    fn read(&mut self, event: &Event<'_>) {
        let Some(record) = self.records.last_mut() else {
            return;
        };
        match self.within {
            Within::Heading { starts_record } => match event {
                Event::End(TagEnd::Heading(_)) => {
                    if !starts_record {
                        record.gap();
                    }
                    self.within = Within::Body;
                }
                _ if starts_record => push_plain(&mut record.heading, event),
                _ => push_plain(&mut record.text, event),
            },
            Within::CodeBlock => match event {
                Event::End(TagEnd::CodeBlock) => {
                    if self.search_code {
                        record.gap();
                    }
                    self.within = Within::Body;
                }
                Event::Text(code) if self.search_code => record.push(code),
                _ => {}
            },
            Within::Body => self.read_body(event),
        }
    }

    fn read_body(&mut self, event: &Event<'_>) {
        let Some(record) = self.records.last_mut() else {
            return;
        };
        match event {
            Event::Start(Tag::Heading { id, .. }) => {
                let starts_record = self.depth == 0;
                if starts_record {
                    self.records.push(SearchRecord {
                        anchor: id.as_deref().unwrap_or_default().to_string(),
                        ..SearchRecord::default()
                    });
                } else {
                    record.gap();
                }
                self.within = Within::Heading { starts_record };
            }
            Event::Start(Tag::CodeBlock(_)) => {
                if self.search_code {
                    record.gap();
                }
                self.within = Within::CodeBlock;
            }
            Event::Start(_) => self.depth += 1,
            Event::End(end) => {
                self.depth = self.depth.saturating_sub(1);
                if ends_a_block(end) {
                    record.gap();
                }
            }
            Event::Text(text) | Event::Code(text) => record.push(text),
            // Raw HTML's tags are left out; they separate words (`a<br>b`), but for those of
            // elements inside a line (`<em>x</em>y`).
            Event::InlineHtml(html) if super::html::only_phrasing_tags(html) => {}
            Event::SoftBreak | Event::HardBreak | Event::Html(_) | Event::InlineHtml(_) => {
                record.gap()
            }
            _ => {}
        }
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for SearchText<'_, I> {
    type Item = Event<'a>;

    // Inlined, so that the chain of adaptors is one loop; events are read out of line.
    #[inline]
    fn next(&mut self) -> Option<Event<'a>> {
        let event = self.events.next()?;
        self.read(&event);
        Some(event)
    }
}

impl SearchRecord {
    fn push(&mut self, text: &str) {
        self.text.push_str(text);
    }

    fn gap(&mut self) {
        if !self.text.ends_with(' ') {
            self.text.push(' ');
        }
    }
}

/// Whether the end of `tag` separates words: the end of a paragraph or a table cell does, the
/// end of emphasis does not (`**bold**ness` is one word).
fn ends_a_block(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Paragraph
            | TagEnd::Item
            | TagEnd::TableCell
            | TagEnd::TableHead
            | TagEnd::TableRow
            | TagEnd::BlockQuote(_)
            | TagEnd::List(_)
            | TagEnd::FootnoteDefinition
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
    )
}

/// Each record's text with its runs of spaces and line ends made one space, and none at the
/// ends: once every event is read.
pub(super) fn collapse_spaces(records: &mut [SearchRecord]) {
    for record in records {
        let mut text = String::with_capacity(record.text.len());
        for word in record.text.split_whitespace() {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(word);
        }
        record.text = text;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::testing::{level_ids, record};
    use pulldown_cmark::Parser;

    /// The records of `md`, its headings' ids being `h` and their level.
    fn records(md: &str, search_code: bool) -> Vec<(String, String, String)> {
        let mut records = Vec::new();
        let events = level_ids(Parser::new_ext(md, super::super::parser_options()));
        SearchText::new(events, &mut records, search_code).for_each(drop);
        collapse_spaces(&mut records);
        records
            .into_iter()
            .map(|r| (r.anchor, r.heading, r.text))
            .collect()
    }

    #[test]
    fn headings_outside_lists_start_records_and_others_are_text() {
        let md = "a<br>b **c**d\n\n## Two  `x`\n\n- one\n\n  ### Three\n\n```\ncode\n```\n";
        assert_eq!(
            records(md, false),
            [
                record("", "", "a b cd"),
                record("h2", "Two  x", "one Three"),
            ]
        );
        assert_eq!(records(md, true)[1].2, "one Three code");
    }
}
