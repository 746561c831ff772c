//! Inch marks: `15"` and `a 27" monitor` are inches, not the start of a quotation. Smart
//! punctuation makes any `"` it cannot pair an opening `“`; this puts `″` back where a digit
//! comes before.

use pulldown_cmark::{Event, Tag};
use std::ops::Range;

/// A `"` right after a digit becomes `″` (double prime) unless it closes a quotation opened
/// earlier in the block (`"Chapter 15"`). Feet (`6'`) are left as smart punctuation makes them:
/// `’`, as kramdown does. A pass over the whole page: whether a quote closes one depends on
/// the quotes before it in its block.
pub(super) fn inch_marks(markdown: &str, events: &mut [(Event<'_>, Range<usize>)]) {
    let mut open = 0usize;
    for (event, range) in events.iter_mut() {
        match event {
            Event::Start(Tag::Paragraph | Tag::Heading { .. } | Tag::TableCell | Tag::Item) => {
                open = 0
            }
            Event::Text(text)
                if matches!(text.as_ref(), "“" | "”")
                    && markdown.get(range.clone()) == Some("\"") =>
            {
                let closing = text.as_ref() == "”";
                let after_digit = markdown
                    .get(..range.start)
                    .is_some_and(|before| before.ends_with(|c: char| c.is_ascii_digit()));
                if after_digit && !(closing && open > 0) {
                    *event = Event::Text("″".into());
                } else if closing {
                    open = open.saturating_sub(1);
                } else {
                    open += 1;
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::Parser;

    fn text(markdown: &str) -> String {
        let mut events: Vec<_> = Parser::new_ext(markdown, super::super::parser_options())
            .into_offset_iter()
            .collect();
        inch_marks(markdown, &mut events);
        events
            .into_iter()
            .filter_map(|(e, _)| match e {
                Event::Text(t) => Some(t.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_quote_after_a_digit_is_an_inch_mark_unless_it_closes_a_quotation() {
        assert_eq!(text("a 27\" monitor"), "a 27″ monitor");
        assert_eq!(text("\"High 3\" and 14\""), "“High 3” and 14″");
        // Each block starts without an open quotation.
        assert_eq!(text("\"open\n\n15\""), "“open15″");
        assert_eq!(text("6' tall"), "6’ tall");
    }
}
