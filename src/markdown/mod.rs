//! One page's Markdown to HTML, through small adaptors over pulldown-cmark's events, one per
//! concern: heading ids and anchors ([`ids`]), dropping a leading `#` heading that already
//! serves as the page title ([`title`]), link rewriting ([`links`]), search text
//! ([`search_text`]), the table of contents ([`toc`]), preview marks ([`marks`]), code
//! highlighting ([`highlight`]) and table alignment ([`align`]). [`render`] chains them. Pure:
//! no IO, no knowledge of other pages: links are rewritten by a function the caller passes.
//!
//! Rendering also returns the page's [`Analysis`]: its heading ids and every link as written,
//! with its position, which the site-wide link checks run on.
//!
//! A leaf: it imports nothing else of the crate, so that any stage may use it.

mod align;
pub mod headings;
pub mod highlight;
pub mod html;
mod ids;
mod inches;
mod links;
mod marks;
mod search_text;
mod sections;
pub mod shortcodes;
mod tables;
mod title;
mod toc;

use headings::TocItem;
use ids::HeadingIds;
use pulldown_cmark::{Event, Options};

use serde::{Deserialize, Serialize};
use std::ops::Range;

pub use sections::{Heading, Outline, sections};
pub use tables::TableFix;
pub use title::leading_h1;

/// What rendering a page's Markdown produces.
#[derive(Debug, Clone, Default)]
pub struct RenderedMarkdown {
    pub html: String,
    /// Whether it has a Mermaid diagram: then the page loads the script that draws it.
    pub diagrams: bool,
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
    /// Sections to mark as changed on a preview, by anchor (`""` for the introduction, before
    /// the first heading): each is wrapped in `<div class="changed-section">`. See [`sections`].
    pub marked: &'a [(String, SectionChange)],
    /// Whether the text of code blocks goes into the page's search records.
    pub search_code: bool,
    /// The themes code blocks are highlighted in; without, code is plain text.
    pub palette: Option<&'a highlight::Palette>,
    /// What renders shortcode calls; without, calls are text.
    pub shortcodes: Shortcodes<'a>,
}

/// What renders a page's shortcode calls, if anything does.
#[derive(Clone, Copy, Default)]
pub struct Shortcodes<'a>(pub Option<&'a dyn shortcodes::Expand>);

impl std::fmt::Debug for Shortcodes<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Shortcodes(on)"
        } else {
            "Shortcodes(off)"
        })
    }
}

/// How a section of a page differs from the page's version the preview is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SectionChange {
    Added,
    Changed,
}

impl SectionChange {
    pub fn as_str(self) -> &'static str {
        match self {
            SectionChange::Added => "added",
            SectionChange::Changed => "changed",
        }
    }
}

/// A part of a page: the text before its first heading (the introduction, `anchor` empty), or a
/// top-level heading and what follows it up to the next one. Headings inside lists and block
/// quotes do not start a section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub anchor: String,
    /// The heading as a reader sees it; empty for the introduction.
    pub title: String,
    pub level: u8,
    /// Changes whenever the section's text does, except for trailing spaces and blank lines.
    pub fingerprint: u64,
}

pub(crate) fn parser_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}

/// Where a link of a page was written, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkRef {
    /// The destination as written (`../product/roadmap.md#goals`).
    pub dest: String,
    /// Byte offset in the Markdown where the destination is written.
    pub offset: usize,
    pub kind: LinkKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkKind {
    Link,
    Image,
    /// `href` or `src` of a tag in raw HTML.
    Html,
}

/// What [`render`] finds in a page besides its HTML: what links are checked against.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Analysis {
    /// Every id a link may point to: headings, and `id`/`name` attributes of raw HTML.
    pub anchors: Vec<String>,
    pub links: Vec<LinkRef>,
    /// Explicit heading ids (`{#id}`) used twice: the id and where its second use is.
    pub duplicate_ids: Vec<(String, usize)>,
    /// Images (Markdown or `<img>`) without alt text, by offset.
    pub images_without_alt: Vec<usize>,
    /// Raw HTML that the site's Content-Security-Policy blocks, by offset.
    #[serde(default)]
    pub inline_code: Vec<(usize, Inline)>,
    /// The page's text by section, for the search index: the introduction first (always, even
    /// empty), then one record per heading outside lists and quotes.
    #[serde(default)]
    pub search: Vec<SearchRecord>,
    /// Tables whose delimiter row has another number of cells than their header row.
    #[serde(default)]
    pub tables: Vec<TableFix>,
    /// Shortcode calls that could not be rendered.
    #[serde(default)]
    pub shortcodes: Vec<shortcodes::Problem>,
}

/// A part of a page as search sees it: one record of the index.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchRecord {
    /// The heading's id; empty for the introduction.
    pub anchor: String,
    /// The heading as a reader sees it; empty for the introduction.
    pub heading: String,
    /// The section's plain text, spaces collapsed; code blocks only with
    /// [`MarkdownOptions::search_code`].
    pub text: String,
}

/// Raw HTML that a strict Content-Security-Policy (the one of the site's `_headers`) blocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Inline {
    /// A `<script>` without `src`.
    Script,
    /// An event handler attribute (`onclick`), by name.
    Handler(String),
    /// A `style` attribute.
    Style,
}

/// A page's events with their source ranges, without a leading `#` heading that repeats the
/// title, and the ids of their headings.
struct Parsed<'a> {
    events: Vec<(Event<'a>, Range<usize>)>,
    headings: HeadingIds,
}

fn parse<'a>(
    markdown: &'a str,
    title: &str,
    shortcodes: Shortcodes<'_>,
    problems: &mut Vec<shortcodes::Problem>,
) -> Parsed<'a> {
    let mut events = shortcodes::expanded(markdown, parser_options(), shortcodes.0, problems);
    inches::inch_marks(markdown, &mut events);
    let headings = ids::assign(&mut events, title);
    Parsed { events, headings }
}

/// Renders `markdown` to HTML, and reads its links and headings (one parse for both).
/// `rewrite` gives the URL to write for a link destination, or `None` to keep it as written.
pub fn render(
    markdown: &str,
    options: MarkdownOptions<'_>,
    rewrite: &dyn Fn(&str) -> Option<String>,
) -> (RenderedMarkdown, Analysis) {
    let (fixed, tables) = tables::fix(markdown);
    let markdown: &str = &fixed;
    let mut problems = Vec::new();
    let Parsed { events, headings } =
        parse(markdown, options.title, options.shortcodes, &mut problems);
    let title_anchor = headings.hidden.as_deref().map(title::hidden_title_anchor);
    let shown = usize::from(headings.hidden.is_some());
    // The events borrow their headings' ids from `anchors`.
    let (anchors, duplicates) = headings.into_anchors();
    let mut analysis = analysis_of(markdown, &events, &anchors, duplicates, tables);
    analysis.shortcodes = problems;

    let mut toc = Vec::new();
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    // Ids first: the adaptors after read them from the heading starts. Search text and the
    // table of contents read headings and code before they become raw HTML, and before the
    // marks, whose HTML is no text. The title's anchor comes before the introduction's mark.
    let events = events.into_iter().map(|(event, _)| event);
    let events = ids::with_ids(events, &anchors[shown..]);
    let events = links::rewritten(events, rewrite);
    let events = search_text::SearchText::new(events, &mut analysis.search, options.search_code);
    let events = toc::Toc::new(events, options.toc_max_level, &mut toc);
    let events = marks::Marks::new(events, options.marked);
    let diagrams = std::cell::Cell::new(false);
    let events = highlight::CodeBlocks::new(events, options.palette, &diagrams);
    let events = title_anchor
        .into_iter()
        .chain(ids::HeadingHtml::new(events));
    pulldown_cmark::html::push_html(&mut html, align::align_attributes(events));
    search_text::collapse_spaces(&mut analysis.search);
    let rendered = RenderedMarkdown {
        diagrams: diagrams.get(),
        html,
        toc: headings::nest(toc),
        anchors,
    };
    (rendered, analysis)
}

/// What the site-wide checks need to know of a page, but its search text.
fn analysis_of(
    markdown: &str,
    events: &[(Event<'_>, Range<usize>)],
    anchors: &[String],
    duplicates: Vec<(usize, String)>,
    tables: Vec<TableFix>,
) -> Analysis {
    let mut analysis = Analysis {
        anchors: anchors.to_vec(),
        duplicate_ids: ids::duplicate_offsets(events, duplicates),
        tables: tables::rendered(tables, events),
        ..Analysis::default()
    };
    links::analyze(markdown, events, &mut analysis);
    analysis
}

/// Adds what `event` shows of a heading's text: text and code as they are, a line break as a
/// space, nothing for tags and raw HTML.
fn push_plain(text: &mut String, event: &Event<'_>) {
    match event {
        Event::Text(t) | Event::Code(t) => text.push_str(t),
        Event::SoftBreak | Event::HardBreak => text.push(' '),
        _ => {}
    }
}

/// The text of inline events, as a reader sees it (code spans included, tags dropped).
fn plain_text(events: &[Event<'_>]) -> String {
    let mut text = String::new();
    for event in events {
        push_plain(&mut text, event);
    }
    text
}

/// What the unit tests of the adaptors share.
#[cfg(test)]
pub(crate) mod testing {
    use super::MarkdownOptions;
    use pulldown_cmark::{CowStr, Event, Tag};

    /// Options with a table of contents down to `toc_max_level` and the page title `title`.
    pub fn options(toc_max_level: u8, title: &str) -> MarkdownOptions<'_> {
        MarkdownOptions {
            toc_max_level,
            title,
            marked: &[],
            search_code: false,
            palette: Some(default_palette()),
            shortcodes: Default::default(),
        }
    }

    /// The palette of the default highlighting themes.
    pub fn default_palette() -> &'static super::highlight::Palette {
        let themes = crate::config::Highlight::default();
        super::highlight::palette(&themes.light_theme, &themes.dark_theme).unwrap()
    }

    /// `events` with each heading's id `h1`..`h6` after its level, as if ids were given.
    pub fn level_ids<'a>(
        events: impl Iterator<Item = Event<'a>>,
    ) -> impl Iterator<Item = Event<'a>> {
        events.map(|e| match e {
            Event::Start(Tag::Heading {
                level,
                classes,
                attrs,
                ..
            }) => Event::Start(Tag::Heading {
                level,
                id: Some(CowStr::from(format!("h{}", level as u8))),
                classes,
                attrs,
            }),
            other => other,
        })
    }

    /// A search record as (anchor, heading, text).
    pub fn record(anchor: &str, heading: &str, text: &str) -> (String, String, String) {
        (anchor.into(), heading.into(), text.into())
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{options, record};
    use super::*;

    fn html(md: &str) -> String {
        render(md, options(3, "Title"), &|_| None).0.html
    }

    fn records(md: &str, search_code: bool) -> Vec<(String, String, String)> {
        let options = MarkdownOptions {
            toc_max_level: 3,
            title: "Title",
            marked: &[],
            search_code,
            palette: None,
            shortcodes: Default::default(),
        };
        render(md, options, &|_| None)
            .1
            .search
            .into_iter()
            .map(|r| (r.anchor, r.heading, r.text))
            .collect()
    }

    #[test]
    fn search_records_follow_headings_outside_lists_and_quotes() {
        let md = "# Title

Intro **bold**ness and `code`.

## First

- item one
- item two

  ### In a list

> ## Quoted

| a | b |
|---|---|
| c | d |

```sh
ls -la
```

### Second *part*

Line one
line two<br>three.
";
        assert_eq!(
            records(md, false),
            [
                record("", "", "Intro boldness and code."),
                record(
                    "first",
                    "First",
                    "item one item two In a list Quoted a b c d"
                ),
                record("second-part", "Second part", "Line one line two three."),
            ]
        );
        let with_code = records(md, true);
        assert_eq!(
            with_code[1].2,
            "item one item two In a list Quoted a b c d ls -la"
        );
    }

    #[test]
    fn a_page_without_text_has_one_empty_introduction() {
        assert_eq!(records("", false), [record("", "", "")]);
        assert_eq!(
            records(
                "## Only
", false
            ),
            [record("", "", ""), record("only", "Only", "")]
        );
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
            options(3, ""),
            &|_| None,
        )
        .0;
        assert_eq!(r.anchors, ["setup", "setup-2", "setup-1"]);
    }

    fn render_titled(md: &str, title: &str) -> (RenderedMarkdown, Analysis) {
        let options = MarkdownOptions {
            toc_max_level: 3,
            title,
            marked: &[],
            search_code: false,
            palette: None,
            shortcodes: Default::default(),
        };
        render(md, options, &|_| None)
    }

    #[test]
    fn a_heading_ending_in_raw_html_gets_kramdowns_id_and_keeps_its_anchor() {
        // kramdown-parser-gfm: the id is made of the heading's text elements only (its
        // update_raw_text leaves out HTML elements without children), so `Twitter ` with its
        // space: generate_gfm_header_id("Twitter ") = "twitter-".
        let (out, analysis) = render_titled(
            "#### Twitter <a name=\"twitter\"></a>\n\n## ![Logo](logo.png) Brand <span>kit</span>\n",
            "",
        );
        assert!(
            out.html.starts_with(
                "<h4 id=\"twitter-\">Twitter <a name=\"twitter\"></a><a class=\"anchor\""
            ),
            "{}",
            out.html
        );
        // Image alt text is no text element either (kramdown's img has no children); text in
        // <span> is.
        assert_eq!(out.anchors, ["twitter-", "-brand-kit"]);
        assert_eq!(analysis.anchors, ["twitter-", "-brand-kit", "twitter"]);
    }

    #[test]
    fn the_hidden_title_heading_stays_an_anchor_and_counts_for_repeats() {
        // kramdown renders `# Setup` and numbers the next `## Setup` setup-1.
        let (out, analysis) = render_titled("# Setup\n\n## Setup\n\n## Setup\n", "Setup");
        assert!(
            out.html
                .starts_with("<span id=\"setup\"></span>\n<h2 id=\"setup-1\">")
        );
        assert_eq!(analysis.anchors, ["setup", "setup-1", "setup-2"]);
        assert_eq!(
            sections("# Setup\n\n## Setup\n", "Setup")[0].anchor,
            "setup-1"
        );
        // A repeated explicit id is still found, at its heading.
        let md = "# Setup\n\n## A {#x}\n\n## B {#x}\n";
        let (_, analysis) = render_titled(md, "Setup");
        assert_eq!(
            analysis
                .duplicate_ids
                .iter()
                .map(|(id, offset)| (id.as_str(), &md[*offset..*offset + 4]))
                .collect::<Vec<_>>(),
            [("x", "## B")]
        );
    }

    #[test]
    fn a_double_quote_after_a_digit_is_an_inch_mark() {
        assert_eq!(html("A 15\" laptop."), "<p>A 15″ laptop.</p>\n");
        assert_eq!(
            html("a 27\" monitor and a 14\" laptop, 6' tall, 6'2\""),
            "<p>a 27″ monitor and a 14″ laptop, 6’ tall, 6’2″</p>\n"
        );
        // Quotations that end in a digit still close; other quotes stay smart.
        assert_eq!(
            html("code \"4700\" and \"High 3\" and \"I'm 15\" on a 14\" laptop"),
            "<p>code “4700” and “High 3” and “I’m 15” on a 14″ laptop</p>\n"
        );
        assert_eq!(
            html("`15\"` and 15\\\""),
            "<p><code>15\"</code> and 15\"</p>\n"
        );
        let (out, _) = render_titled("# A 15\" laptop\n\n## 27\" screens\n", "A 15\" laptop");
        assert!(
            out.html
                .starts_with("<span id=\"a-15-laptop\"></span>\n<h2 id=\"27-screens\">27″ screens"),
            "{}",
            out.html
        );
        assert_eq!(
            leading_h1("# A 15\" laptop\n").as_deref(),
            Some("A 15″ laptop")
        );
    }

    #[test]
    fn a_table_whose_delimiter_row_has_fewer_cells_renders_and_is_reported() {
        let md = "Intro [a](#x).\n\n| a | b | c |\n|---|---|\n| 1 | 2 | 3 |\n\n[b](#y)\n";
        let (out, analysis) = render_titled(md, "");
        assert!(out.html.contains("<table>"), "{}", out.html);
        assert_eq!(out.html.matches("<th>").count(), 3, "{}", out.html);
        assert!(out.html.contains("<td>3</td>"), "{}", out.html);
        assert_eq!(
            analysis.tables,
            [TableFix {
                offset: md.find("|---").unwrap(),
                header_cells: 3,
                delimiter_cells: 2,
                rendered: true,
            }]
        );
        // Offsets after the table are those of the page as written.
        assert_eq!(&md[analysis.links[1].offset..][..2], "#y");
    }

    #[test]
    fn toc_respects_depth() {
        let md = "## A\n### B\n#### C\n## D\n";
        let r = render(md, options(3, ""), &|_| None).0;
        assert_eq!(r.toc.len(), 2);
        assert_eq!(r.toc[0].children.len(), 1);
        assert!(r.toc[0].children[0].children.is_empty());
        let r = render(md, options(0, ""), &|_| None).0;
        assert!(r.toc.is_empty());
    }

    #[test]
    fn drops_a_leading_heading_that_is_the_title() {
        // The heading's id stays, as an anchor at the top of the text.
        assert_eq!(
            html("# Title\n\ntext\n"),
            "<span id=\"title\"></span>\n<p>text</p>\n"
        );
        let r = render(
            "# Don't \"panic\" -- ok...\n",
            options(3, "Don't \"panic\" -- ok..."),
            &|_| None,
        )
        .0;
        assert_eq!(r.html, "<span id=\"dont-panic--ok\"></span>\n");
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
    fn table_alignment_is_written_as_align_attributes_not_styles() {
        let out = html("| a | b | c | d |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |\n");
        assert!(!out.contains("style="), "{out}");
        for cell in ["th", "td"] {
            for align in ["left", "center", "right"] {
                assert!(
                    out.contains(&format!("<{cell} align=\"{align}\">")),
                    "{out}"
                );
            }
            assert!(out.contains(&format!("<{cell}>")), "{out}");
        }
    }

    #[test]
    fn finds_raw_html_that_a_strict_content_security_policy_blocks() {
        let md = "<script>alert(1)</script>\n\n<script src=\"/ok.js\"></script>\n\nText <b onclick=\"x()\" style=\"color: red\">b</b>.\n";
        let options = options(3, "");
        let (_, analysis) = render(md, options, &|_| None);
        let found: Vec<(&str, &Inline)> = analysis
            .inline_code
            .iter()
            .map(|(offset, what)| (&md[*offset..*offset + 7], what))
            .collect();
        assert_eq!(
            found,
            [
                ("<script", &Inline::Script),
                ("x()\" st", &Inline::Handler("onclick".into())),
                ("color: ", &Inline::Style),
            ]
        );
    }

    #[test]
    fn code_blocks_are_highlighted() {
        let out = html("```bash\necho hi\n```\n");
        assert!(out.starts_with("<pre class=\"hl-code\" tabindex=\"0\" data-lang=\"bash\"><code class=\"language-bash\"><span class=\""));
    }

    #[test]
    fn sections_split_at_top_level_headings_only() {
        let md = "# Title\n\nIntro.\n\n## Goals\n\nText.\n\n> ## Quoted\n\n- item\n\n### Deeper `x`\n\nMore.  \n\n\n";
        let sections = sections(md, "Title");
        let shape: Vec<(&str, &str, u8)> = sections
            .iter()
            .map(|s| (s.anchor.as_str(), s.title.as_str(), s.level))
            .collect();
        assert_eq!(
            shape,
            [
                ("", "", 0),
                ("goals", "Goals", 2),
                ("deeper-x", "Deeper x", 3)
            ]
        );
        // Trailing spaces and blank lines do not count as changes; words do.
        let same = sections_of(
            "# Title\n\nIntro.   \n\n\n## Goals\n\nText.\n\n> ## Quoted\n\n- item\n\n### Deeper `x`\n\nMore.\n",
        );
        assert_eq!(sections, same);
        let edited = sections_of(&md.replace("Text.", "Text, edited."));
        assert_ne!(sections[1].fingerprint, edited[1].fingerprint);
        assert_eq!(sections[2].fingerprint, edited[2].fingerprint);
        assert!(
            sections_of("## Only\n\nText\n")[0].anchor == "only",
            "no empty introduction"
        );
    }

    fn sections_of(md: &str) -> Vec<Section> {
        sections(md, "Title")
    }

    #[test]
    fn marked_sections_are_wrapped_up_to_the_next_top_level_heading() {
        let marked = [
            (String::new(), SectionChange::Changed),
            ("b".to_string(), SectionChange::Added),
        ];
        let (out, _) = render(
            "Intro\n\n## A\n\nx\n\n## B\n\n> ## Quoted\n\ny\n\n## C\n\nz\n",
            MarkdownOptions {
                toc_max_level: 0,
                title: "",
                marked: &marked,
                search_code: false,
                palette: None,
                shortcodes: Default::default(),
            },
            &|_| None,
        );
        let html = out.html;
        let intro = html
            .find("<div class=\"changed-section\" data-change=\"changed\">")
            .unwrap();
        let a = html.find("<h2 id=\"a\"").unwrap();
        let b_open = html
            .find("<div class=\"changed-section\" data-change=\"added\">")
            .unwrap();
        let b = html.find("<h2 id=\"b\"").unwrap();
        let quoted = html.find("id=\"quoted\"").unwrap();
        let c = html.find("<h2 id=\"c\"").unwrap();
        assert!(intro < a && a < b_open && b_open < b && b < quoted && quoted < c);
        assert_eq!(html.matches("</div>").count(), 2);
        let between_a_and_b = &html[a..b_open];
        assert!(between_a_and_b.contains("</div>") || html[intro..a].contains("</div>"));
        assert!(
            html[quoted..c].contains("</div>"),
            "B closes before C: {html}"
        );
    }
}
