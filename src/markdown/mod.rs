//! One page's Markdown to HTML, through small adaptors over pulldown-cmark's events: heading ids
//! and anchors, the table of contents, code highlighting, and dropping a leading `#` heading that
//! already serves as the page title. Pure: no IO, no knowledge of other pages: links are
//! rewritten by a function the caller passes.
//!
//! Rendering also returns the page's [`Analysis`]: its heading ids and every link as written,
//! with its position, which the site-wide link checks run on.
//!
//! A leaf: it imports nothing else of the crate, so that any stage may use it.

pub mod headings;
pub mod highlight;
pub mod html;

use headings::{HeadingText, TocItem, nest};
use highlight::{code_block, escape_into, language_of};
use html::{html_attributes, html_tags};
use pulldown_cmark::{
    Alignment, CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd,
};
use serde::{Deserialize, Serialize};
use std::ops::Range;

mod tables;
pub use tables::TableFix;

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
    /// Sections to mark as changed on a preview, by anchor (`""` for the introduction, before
    /// the first heading): each is wrapped in `<div class="changed-section">`. See [`sections`].
    pub marked: &'a [(String, SectionChange)],
    /// Whether the text of code blocks goes into the page's search records.
    pub search_code: bool,
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

/// A page's events, with what [`render`] and [`sections`] both need to know of its headings.
struct Parsed<'a> {
    /// The events with their source ranges, without a leading `#` heading that repeats the
    /// title.
    events: Vec<(Event<'a>, Range<usize>)>,
    /// The id of every heading in `events`, in order.
    ids: Vec<String>,
    /// Explicit ids that repeat one used before: index in `ids`, and the id.
    duplicates: Vec<(usize, String)>,
    /// The id of the dropped title heading: it still counts for numbering repeats, as in
    /// kramdown, and stays a link target.
    hidden: Option<String>,
}

fn parse<'a>(markdown: &'a str, options: MarkdownOptions<'_>) -> Parsed<'a> {
    let mut events: Vec<(Event<'_>, Range<usize>)> = Parser::new_ext(markdown, parser_options())
        .into_offset_iter()
        .collect();
    inch_marks(markdown, &mut events);
    let (mut ids, mut duplicates) = heading_ids(events.iter().map(|(e, _)| e));
    let skip = title_heading_len(events.iter().map(|(e, _)| e), options.title);
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
    Parsed {
        events,
        ids,
        duplicates,
        hidden,
    }
}

/// `15"` and `a 27" monitor` are inches, not the start of a quotation: smart punctuation makes
/// any `"` it cannot pair an opening `“`. A `"` right after a digit becomes `″` (double prime)
/// unless it closes a quotation opened earlier in the block (`"Chapter 15"`). Feet (`6'`) are
/// left as smart punctuation makes them: `’`, as kramdown does.
fn inch_marks(markdown: &str, events: &mut [(Event<'_>, Range<usize>)]) {
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

fn analysis_of(
    markdown: &str,
    events: &[(Event<'_>, Range<usize>)],
    anchors: Vec<String>,
    duplicates: Vec<(usize, String)>,
) -> Analysis {
    let mut analysis = Analysis {
        anchors,
        ..Analysis::default()
    };
    let mut duplicates = duplicates.into_iter();
    let mut next_duplicate = duplicates.next();
    let mut heading_index = 0;
    let mut open_image: Option<(usize, bool)> = None;
    for (event, range) in events {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                if next_duplicate
                    .as_ref()
                    .is_some_and(|(index, _)| *index == heading_index)
                {
                    let (_, id) = next_duplicate.take().unwrap_or_default();
                    analysis.duplicate_ids.push((id, range.start));
                    next_duplicate = duplicates.next();
                }
                heading_index += 1;
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                analysis.links.push(LinkRef {
                    dest: dest_url.to_string(),
                    offset: dest_offset(markdown, range, dest_url),
                    kind: LinkKind::Link,
                });
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                analysis.links.push(LinkRef {
                    dest: dest_url.to_string(),
                    offset: dest_offset(markdown, range, dest_url),
                    kind: LinkKind::Image,
                });
                open_image = Some((range.start, false));
            }
            Event::Text(text) | Event::Code(text) if open_image.is_some() => {
                if !text.trim().is_empty()
                    && let Some((_, has_text)) = open_image.as_mut()
                {
                    *has_text = true;
                }
            }
            Event::End(TagEnd::Image) => {
                if let Some((offset, false)) = open_image.take() {
                    analysis.images_without_alt.push(offset);
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                analyze_html(markdown, range, html, &mut analysis);
            }
            _ => {}
        }
    }
    analysis
}

/// Links, ids and alt-less images of a piece of raw HTML.
fn analyze_html(markdown: &str, range: &Range<usize>, html: &str, analysis: &mut Analysis) {
    // The event's text is the source text itself, so offsets carry over.
    let base = if markdown.get(range.clone()) == Some(html) {
        Some(range.start)
    } else {
        markdown[range.clone()].find(html).map(|i| range.start + i)
    };
    let at = |offset: usize| base.map_or(range.start, |b| b + offset);
    for tag in html_tags(html) {
        if tag.name == "img" && !tag.attributes.iter().any(|a| a.name == "alt") {
            analysis.images_without_alt.push(at(tag.start));
        }
        if tag.name == "script" && !tag.attributes.iter().any(|a| a.name == "src") {
            analysis.inline_code.push((at(tag.start), Inline::Script));
        }
        for attr in tag.attributes {
            let inline = match attr.name.as_str() {
                "style" => Some(Inline::Style),
                name if name.len() > 2 && name.starts_with("on") => {
                    Some(Inline::Handler(name.to_string()))
                }
                _ => None,
            };
            if let Some(inline) = inline {
                analysis
                    .inline_code
                    .push((at(attr.value_range.start), inline));
            }
            match attr.name.as_str() {
                "href" | "src" => analysis.links.push(LinkRef {
                    dest: attr.value.to_string(),
                    offset: at(attr.value_range.start),
                    kind: LinkKind::Html,
                }),
                "id" | "name" => analysis.anchors.push(attr.value.to_string()),
                _ => {}
            }
        }
    }
}

/// Where `dest` is written inside the link at `range` (the link's start if it cannot be found,
/// as for reference links).
fn dest_offset(markdown: &str, range: &Range<usize>, dest: &str) -> usize {
    let text = &markdown[range.clone()];
    if dest.is_empty() {
        return range.start;
    }
    // After the link text: `[text](dest)`; the text may contain the same characters.
    let after_text = text.rfind("](").map_or(0, |i| i + 2);
    text[after_text..]
        .find(dest)
        .map(|i| range.start + after_text + i)
        .or_else(|| text.find(dest).map(|i| range.start + i))
        .unwrap_or(range.start)
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

/// Renders `markdown` to HTML, and reads its links and headings (one parse for both).
/// `rewrite` gives the URL to write for a link destination, or `None` to keep it as written.
pub fn render(
    markdown: &str,
    options: MarkdownOptions<'_>,
    rewrite: &dyn Fn(&str) -> Option<String>,
) -> (RenderedMarkdown, Analysis) {
    let (fixed, tables) = tables::fix(markdown);
    let markdown: &str = &fixed;
    let Parsed {
        events,
        ids,
        duplicates,
        hidden,
    } = parse(markdown, options);
    let mut analysis = analysis_of(markdown, &events, ids.clone(), duplicates);
    analysis.tables = tables::rendered(tables, &events);
    let mut ids = ids.into_iter();
    let mut records = vec![SearchRecord::default()];
    let events: Vec<Event<'_>> = events.into_iter().map(|(e, _)| e).collect();

    let mut out: Vec<Event<'_>> = Vec::with_capacity(events.len() + 1);
    let mut toc = Vec::new();
    let mut anchors = Vec::new();
    if let Some(id) = hidden {
        out.push(hidden_title_anchor(&id));
        analysis.anchors.insert(0, id.clone());
        anchors.push(id);
    }
    let mut iter = events.into_iter();
    // Nesting depth of blocks: only headings outside lists and quotes start a marked section.
    let mut depth = 0usize;
    let mut marked_open = open_mark(&mut out, options.marked, "");
    while let Some(event) = iter.next() {
        match event {
            Event::Start(Tag::Heading {
                level,
                id: _,
                classes,
                attrs,
            }) => {
                let inner: Vec<Event<'_>> = iter
                    .by_ref()
                    .take_while(|e| !matches!(e, Event::End(TagEnd::Heading(_))))
                    .map(|e| rewrite_event(e, rewrite))
                    .collect();
                let text = plain_text(&inner);
                let id = ids.next().unwrap_or_default();
                if depth == 0 {
                    records.push(SearchRecord {
                        anchor: id.clone(),
                        heading: text.clone(),
                        text: String::new(),
                    });
                } else if let Some(record) = records.last_mut() {
                    record.gap();
                    record.push(&text);
                    record.gap();
                }
                if depth == 0 && !options.marked.is_empty() {
                    if marked_open {
                        out.push(Event::Html("</div>\n".into()));
                    }
                    marked_open = open_mark(&mut out, options.marked, &id);
                }
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
                if options.search_code
                    && let Some(record) = records.last_mut()
                {
                    record.gap();
                    record.push(&code);
                    record.gap();
                }
                out.push(Event::Html(code_block(lang.as_deref(), &code).into()));
            }
            other => {
                match &other {
                    Event::Start(_) => depth += 1,
                    Event::End(_) => depth = depth.saturating_sub(1),
                    _ => {}
                }
                if let Some(record) = records.last_mut() {
                    match &other {
                        Event::Text(text) | Event::Code(text) => record.push(text),
                        // Raw HTML's tags are left out; they separate words (`a<br>b`).
                        Event::SoftBreak
                        | Event::HardBreak
                        | Event::Html(_)
                        | Event::InlineHtml(_) => record.gap(),
                        Event::End(end) if ends_a_block(end) => record.gap(),
                        _ => {}
                    }
                }
                out.push(rewrite_event(other, rewrite));
            }
        }
    }
    if marked_open {
        out.push(Event::Html("</div>\n".into()));
    }

    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, align_attributes(out.into_iter()));
    let rendered = RenderedMarkdown {
        html,
        toc: nest(toc),
        anchors,
    };
    for record in &mut records {
        record.text = record.text.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    analysis.search = records;
    (rendered, analysis)
}

/// The title heading is not shown (the template shows the title), but a link to its id still
/// lands at the top of the text.
fn hidden_title_anchor(id: &str) -> Event<'static> {
    let mut span = String::from("<span id=\"");
    escape_into(&mut span, id);
    span.push_str("\"></span>\n");
    Event::Html(span.into())
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

/// The page's sections, in order, with the anchors [`render`] gives their headings. An empty
/// introduction is left out.
pub fn sections(markdown: &str, title: &str) -> Vec<Section> {
    let options = MarkdownOptions {
        toc_max_level: 0,
        title,
        marked: &[],
        search_code: false,
    };
    let (fixed, _) = tables::fix(markdown);
    let Parsed { events, ids, .. } = parse(&fixed, options);
    let mut ids = ids.into_iter();
    // Where each section starts in the Markdown, with its heading.
    let mut starts: Vec<(usize, String, String, u8)> = Vec::new();
    let body_start = events.first().map_or(markdown.len(), |(_, r)| r.start);
    starts.push((body_start, String::new(), String::new(), 0));
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
                if let Some((start, id, level, true)) = heading.take() {
                    let text = plain_text(&heading_text(markdown, start..range.end));
                    starts.push((start, id, text, level));
                }
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    let mut sections = Vec::with_capacity(starts.len());
    for (i, (start, anchor, title, level)) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(markdown.len(), |next| next.0);
        let text = &markdown[*start..end.max(*start)];
        if anchor.is_empty() && text.trim().is_empty() {
            continue;
        }
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        for line in text.lines().map(str::trim_end).filter(|l| !l.is_empty()) {
            hasher.update(line.as_bytes());
            hasher.update(b"\n");
        }
        sections.push(Section {
            anchor: anchor.clone(),
            title: title.clone(),
            level: *level,
            fingerprint: hasher.digest(),
        });
    }
    sections
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

/// Opens the mark of section `anchor` if it is marked; whether it did.
fn open_mark(out: &mut Vec<Event<'_>>, marked: &[(String, SectionChange)], anchor: &str) -> bool {
    let Some((_, change)) = marked.iter().find(|(a, _)| a == anchor) else {
        return false;
    };
    out.push(Event::Html(
        format!(
            "<div class=\"changed-section\" data-change=\"{}\">\n",
            change.as_str()
        )
        .into(),
    ));
    true
}

/// A link's destination as the output writes it; raw HTML with its `href`s and `src`s
/// rewritten.
/// Table column alignment as `align` attributes, as GitHub writes it, instead of the
/// `style="text-align: …"` pulldown-cmark writes: a strict Content-Security-Policy
/// (`style-src 'self'`) blocks style attributes. The theme styles `[align]`.
fn align_attributes<'a>(
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

fn rewrite_event<'a>(event: Event<'a>, rewrite: &dyn Fn(&str) -> Option<String>) -> Event<'a> {
    match event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: rewrite(&dest_url).map_or(dest_url, CowStr::from),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: rewrite(&dest_url).map_or(dest_url, CowStr::from),
            title,
            id,
        }),
        Event::Html(html) => Event::Html(rewrite_html(html, rewrite)),
        Event::InlineHtml(html) => Event::InlineHtml(rewrite_html(html, rewrite)),
        other => other,
    }
}

fn rewrite_html<'a>(html: CowStr<'a>, rewrite: &dyn Fn(&str) -> Option<String>) -> CowStr<'a> {
    let mut changes: Vec<(Range<usize>, String)> = html_attributes(&html)
        .into_iter()
        .filter(|a| a.name == "href" || a.name == "src")
        .filter_map(|a| Some((a.value_range, rewrite(a.value)?)))
        .collect();
    if changes.is_empty() {
        return html;
    }
    let mut text = html.to_string();
    changes.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    for (range, new) in changes {
        text.replace_range(range, &new);
    }
    text.into()
}

/// How many leading events make up a first-block `#` heading whose text is the page title
/// (0 if there is none): the template shows the title already.
fn title_heading_len<'e, 'a: 'e>(
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
    let mut inner = Vec::new();
    for event in events {
        if matches!(event, Event::End(TagEnd::Heading(HeadingLevel::H1))) {
            return if same_text(&plain_text(&inner), title) {
                inner.len() + 2
            } else {
                0
            };
        }
        inner.push(event.clone());
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

#[cfg(test)]
mod tests {
    use super::*;

    fn html(md: &str) -> String {
        render(
            md,
            MarkdownOptions {
                toc_max_level: 3,
                title: "Title",
                marked: &[],
                search_code: false,
            },
            &|_| None,
        )
        .0
        .html
    }

    fn records(md: &str, search_code: bool) -> Vec<(String, String, String)> {
        let options = MarkdownOptions {
            toc_max_level: 3,
            title: "Title",
            marked: &[],
            search_code,
        };
        render(md, options, &|_| None)
            .1
            .search
            .into_iter()
            .map(|r| (r.anchor, r.heading, r.text))
            .collect()
    }

    fn record(anchor: &str, heading: &str, text: &str) -> (String, String, String) {
        (anchor.into(), heading.into(), text.into())
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
            MarkdownOptions {
                toc_max_level: 3,
                title: "",
                marked: &[],
                search_code: false,
            },
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
        let r = render(
            md,
            MarkdownOptions {
                toc_max_level: 3,
                title: "",
                marked: &[],
                search_code: false,
            },
            &|_| None,
        )
        .0;
        assert_eq!(r.toc.len(), 2);
        assert_eq!(r.toc[0].children.len(), 1);
        assert!(r.toc[0].children[0].children.is_empty());
        let r = render(
            md,
            MarkdownOptions {
                toc_max_level: 0,
                title: "",
                marked: &[],
                search_code: false,
            },
            &|_| None,
        )
        .0;
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
            MarkdownOptions {
                toc_max_level: 3,
                title: "Don't \"panic\" -- ok...",
                marked: &[],
                search_code: false,
            },
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
        let options = MarkdownOptions {
            toc_max_level: 3,
            title: "",
            marked: &[],
            search_code: false,
        };
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
        assert!(out.starts_with("<pre class=\"hl-code\" tabindex=\"0\" data-lang=\"bash\"><code class=\"language-bash\"><span class=\"hl-"));
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
