//! Table column alignment as `align` attributes, as GitHub writes it, instead of the
//! `style="text-align: …"` pulldown-cmark writes: a strict Content-Security-Policy
//! (`style-src 'self'`) blocks style attributes. The theme styles `[align]`.

use pulldown_cmark::{Alignment, Event, Tag};

/// `events` with each aligned table cell as its own start tag in raw HTML, and tables without
/// alignments for pulldown-cmark to write.
pub(super) fn align_attributes<'a>(
    events: impl Iterator<Item = Event<'a>>,
) -> impl Iterator<Item = Event<'a>> {
    let mut columns = Vec::new();
    let mut in_head = false;
    let mut column = 0;
    events.map(move |event| match event {
        Event::Start(Tag::Table(alignments)) => {
            let plain = vec![Alignment::None; alignments.len()];
            columns = alignments;
            Event::Start(Tag::Table(plain))
        }
        Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => {
            in_head = matches!(event, Event::Start(Tag::TableHead));
            column = 0;
            event
        }
        Event::Start(Tag::TableCell) => {
            column += 1;
            let align = match columns.get(column - 1) {
                Some(Alignment::Left) => "left",
                Some(Alignment::Center) => "center",
                Some(Alignment::Right) => "right",
                _ => return event,
            };
            let cell = if in_head { "th" } else { "td" };
            Event::Html(format!("<{cell} align=\"{align}\">").into())
        }
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{Parser, html::push_html};

    #[test]
    fn aligned_cells_get_align_attributes_in_the_head_and_the_body() {
        let md = "| a | b |\n|:-:|---|\n| 1 | 2 |\n";
        let mut html = String::new();
        push_html(
            &mut html,
            align_attributes(Parser::new_ext(md, super::super::parser_options())),
        );
        assert_eq!(
            html,
            "<table><thead><tr><th align=\"center\">a</th><th>b</th></tr></thead><tbody>\n<tr><td align=\"center\">1</td><td>2</td></tr>\n</tbody></table>\n"
        );
    }
}
