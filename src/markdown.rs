//! One page's Markdown to HTML, through small adaptors over pulldown-cmark's events: heading ids
//! and anchors, the table of contents, code highlighting, and dropping a leading `#` heading that
//! already serves as the page title. Pure: no IO, no knowledge of other pages.

use crate::headings::{IdSet, TocItem, nest};
use crate::highlight::{code_block, escape_into, language_of};
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// What rendering a page's Markdown produces.
#[derive(Debug, Clone, Default)]
pub struct RenderedMarkdown {
    pub html: String,
    pub toc: Vec<TocItem>,
    /// Every heading id of the page, in order.
    pub anchors: Vec<String>,
}

/// How to render one page.
#[derive(Debug, Clone, Copy)]
pub struct MarkdownOptions<'a> {
    /// Headings from `##` down to this level go into the table of contents (2 = `##` only...).
    /// Zero means no table of contents.
    pub toc_max_level: u8,
    /// A first-block `#` heading with this text is dropped: the template shows the title.
    pub title: &'a str,
}

fn parser_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders `markdown` to HTML.
pub fn render(markdown: &str, options: MarkdownOptions<'_>) -> RenderedMarkdown {
    let mut events: Vec<Event<'_>> = Parser::new_ext(markdown, parser_options()).collect();
    drop_title_heading(&mut events, options.title);

    let mut ids = IdSet::default();
    // Explicit `{#id}`s are reserved first so that generated ids never take them.
    for event in &events {
        if let Event::Start(Tag::Heading { id: Some(id), .. }) = event {
            ids.reserve(id);
        }
    }

    let mut out: Vec<Event<'_>> = Vec::with_capacity(events.len());
    let mut toc = Vec::new();
    let mut anchors = Vec::new();
    let mut iter = events.into_iter();
    while let Some(event) = iter.next() {
        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let inner: Vec<Event<'_>> = iter
                    .by_ref()
                    .take_while(|e| !matches!(e, Event::End(TagEnd::Heading(_))))
                    .collect();
                let text = plain_text(&inner);
                let id = match id {
                    Some(id) => id.to_string(),
                    None => ids.unique(&text),
                };
                let depth = level as u8;
                if depth >= 2 && depth <= options.toc_max_level {
                    toc.push((depth, id.clone(), text.clone()));
                }
                out.push(Event::Html(
                    heading_open(level, &id, &classes, &attrs).into(),
                ));
                out.extend(inner);
                out.push(Event::Html(heading_close(level, &id).into()));
                anchors.push(id);
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match &kind {
                    CodeBlockKind::Fenced(info) => language_of(info),
                    CodeBlockKind::Indented => None,
                };
                let mut code = String::new();
                for inner in iter.by_ref() {
                    match inner {
                        Event::Text(text) => code.push_str(&text),
                        Event::End(TagEnd::CodeBlock) => break,
                        _ => {}
                    }
                }
                out.push(Event::Html(code_block(lang.as_deref(), &code).into()));
            }
            other => out.push(other),
        }
    }

    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    RenderedMarkdown {
        html,
        toc: nest(toc),
        anchors,
    }
}

/// Removes the first block if it is a `#` heading whose text is the page title.
fn drop_title_heading(events: &mut Vec<Event<'_>>, title: &str) {
    if !matches!(
        events.first(),
        Some(Event::Start(Tag::Heading {
            level: HeadingLevel::H1,
            ..
        }))
    ) {
        return;
    }
    let Some(end) = events
        .iter()
        .position(|e| matches!(e, Event::End(TagEnd::Heading(HeadingLevel::H1))))
    else {
        return;
    };
    if same_text(&plain_text(&events[1..end]), title) {
        events.drain(..=end);
    }
}

/// Equal once smart punctuation is undone: the heading's `Don't` has become `Don’t`, the
/// front matter's title has not.
fn same_text(heading: &str, title: &str) -> bool {
    let plain = |text: &str| -> String {
        text.trim()
            .replace(['‘', '’'], "'")
            .replace(['“', '”'], "\"")
            .replace('…', "...")
            .replace('—', "---")
            .replace('–', "--")
    };
    plain(heading) == plain(title)
}

/// The text of inline events, as a reader sees it (code spans included, tags dropped).
fn plain_text(events: &[Event<'_>]) -> String {
    let mut text = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    text
}

fn heading_open(
    level: HeadingLevel,
    id: &str,
    classes: &[pulldown_cmark::CowStr<'_>],
    attrs: &[(
        pulldown_cmark::CowStr<'_>,
        Option<pulldown_cmark::CowStr<'_>>,
    )],
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

/// The text of the body's first block when it is a `#` heading: a page without a `title` in its
/// front matter takes its title from there.
pub fn leading_h1(markdown: &str) -> Option<String> {
    let mut parser = Parser::new_ext(markdown, parser_options());
    match parser.next()? {
        Event::Start(Tag::Heading {
            level: HeadingLevel::H1,
            ..
        }) => {
            let inner: Vec<Event<'_>> = parser
                .take_while(|e| !matches!(e, Event::End(TagEnd::Heading(_))))
                .collect();
            let text = plain_text(&inner).trim().to_string();
            (!text.is_empty()).then_some(text)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(md: &str) -> String {
        render(
            md,
            MarkdownOptions {
                toc_max_level: 3,
                title: "Title",
            },
        )
        .html
    }

    #[test]
    fn headings_get_github_ids_and_anchors() {
        assert_eq!(
            html("## Outages & escalation"),
            "<h2 id=\"outages--escalation\">Outages &amp; escalation<a class=\"anchor\" href=\"#outages--escalation\" aria-label=\"Link to this section\">#</a></h2>\n"
        );
    }

    #[test]
    fn duplicate_headings_are_numbered_and_custom_ids_win() {
        let r = render(
            "## Setup\n## Setup\n## Other {#setup-1}\n",
            MarkdownOptions {
                toc_max_level: 3,
                title: "",
            },
        );
        assert_eq!(r.anchors, ["setup", "setup-2", "setup-1"]);
    }

    #[test]
    fn toc_respects_depth() {
        let md = "## A\n### B\n#### C\n## D\n";
        let r = render(
            md,
            MarkdownOptions {
                toc_max_level: 3,
                title: "",
            },
        );
        assert_eq!(r.toc.len(), 2);
        assert_eq!(r.toc[0].children.len(), 1);
        assert!(r.toc[0].children[0].children.is_empty());
        let r = render(
            md,
            MarkdownOptions {
                toc_max_level: 0,
                title: "",
            },
        );
        assert!(r.toc.is_empty());
    }

    #[test]
    fn drops_a_leading_heading_that_is_the_title() {
        assert_eq!(html("# Title\n\ntext\n"), "<p>text</p>\n");
        let r = render(
            "# Don't \"panic\" -- ok...\n",
            MarkdownOptions {
                toc_max_level: 3,
                title: "Don't \"panic\" -- ok...",
            },
        );
        assert_eq!(r.html, "");
        assert!(html("# Other\n\ntext\n").contains("<h1 id=\"other\">"));
        assert_eq!(
            leading_h1("# Hello `x`\n\nbody").as_deref(),
            Some("Hello x")
        );
        assert_eq!(leading_h1("intro\n# Hello"), None);
    }

    #[test]
    fn gfm_extensions_and_raw_html_work() {
        let out =
            html("| a |\n|---|\n| b |\n\n~~s~~ - [x] t\n\n<div class=\"x\">raw</div>\n\n\"q\"");
        assert!(out.contains("<table>"));
        assert!(out.contains("<del>s</del>"));
        assert!(out.contains("<div class=\"x\">raw</div>"));
        assert!(out.contains("“q”"));
    }

    #[test]
    fn code_blocks_are_highlighted() {
        let out = html("```bash\necho hi\n```\n");
        assert!(out.starts_with("<pre class=\"hl-code\" tabindex=\"0\" data-lang=\"bash\"><code class=\"language-bash\"><span class=\"hl-"));
    }
}
