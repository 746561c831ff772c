//! The page title in the Markdown: a first-block `#` heading. A page without a `title` in its
//! front matter takes it from there; a page whose heading repeats its title does not show the
//! heading (the template shows the title), only an anchor where it was.

use super::highlight::escape_into;
use super::inches::inch_marks;
use super::{parser_options, plain_text, push_plain};
use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
use std::ops::Range;

/// The text of the body's first block when it is a `#` heading: a page without a `title` in its
/// front matter takes its title from there.
pub fn leading_h1(markdown: &str) -> Option<String> {
    let mut parser = Parser::new_ext(markdown, parser_options()).into_offset_iter();
    match parser.next()?.0 {
        Event::Start(Tag::Heading {
            level: HeadingLevel::H1,
            ..
        }) => {
            let mut inner: Vec<(Event<'_>, Range<usize>)> = parser
                .take_while(|(e, _)| !matches!(e, Event::End(TagEnd::Heading(_))))
                .collect();
            inch_marks(markdown, &mut inner);
            let inner: Vec<Event<'_>> = inner.into_iter().map(|(e, _)| e).collect();
            let text = plain_text(&inner).trim().to_string();
            (!text.is_empty()).then_some(text)
        }
        _ => None,
    }
}

/// How many leading events make up a first-block `#` heading whose text is the page title
/// (0 if there is none).
pub(super) fn title_heading_len<'e, 'a: 'e>(
    mut events: impl Iterator<Item = &'e Event<'a>>,
    title: &str,
) -> usize {
    if !matches!(
        events.next(),
        Some(Event::Start(Tag::Heading {
            level: HeadingLevel::H1,
            ..
        }))
    ) {
        return 0;
    }
    let mut text = String::new();
    for (inner, event) in events.enumerate() {
        if matches!(event, Event::End(TagEnd::Heading(HeadingLevel::H1))) {
            return if same_text(&text, title) {
                inner + 2
            } else {
                0
            };
        }
        push_plain(&mut text, event);
    }
    0
}

/// Equal once smart punctuation is undone: the heading's `Don't` has become `Don’t`, the
/// front matter's title has not.
fn same_text(heading: &str, title: &str) -> bool {
    let plain = |text: &str| -> String {
        text.trim()
            .replace(['‘', '’'], "'")
            .replace(['“', '”', '″'], "\"")
            .replace('…', "...")
            .replace('—', "---")
            .replace('–', "--")
    };
    plain(heading) == plain(title)
}

/// Where the dropped title heading was: a link to its id still lands at the top of the text.
pub(super) fn hidden_title_anchor(id: &str) -> Event<'static> {
    let mut span = String::from("<span id=\"");
    escape_into(&mut span, id);
    span.push_str("\"></span>\n");
    Event::Html(span.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn len(md: &str, title: &str) -> usize {
        let events: Vec<Event<'_>> = Parser::new_ext(md, parser_options()).collect();
        title_heading_len(events.iter(), title)
    }

    #[test]
    fn only_a_leading_h1_with_the_title_text_is_the_title_heading() {
        // Start, `Title `, emphasis around `x`, end.
        assert_eq!(len("# Title *x*\n\ntext", "Title x"), 6);
        assert_ne!(len("# Don't \"panic\"...", "Don't \"panic\"..."), 0);
        assert_eq!(len("# Other\n", "Title"), 0);
        assert_eq!(len("## Title\n", "Title"), 0);
        assert_eq!(len("text\n\n# Title\n", "Title"), 0);
    }
}
