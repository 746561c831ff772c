//! Shortcodes: a page calls a template with arguments, in the generic-directive syntax of
//! remark-directive, Docusaurus and MyST (`:name[label]{key="value"}` in text, `::name{…}` on
//! its own line, `:::name{…}` … `:::` around a Markdown body), and GitHub's alerts
//! (`> [!NOTE]`) are the `callout` shortcode. Why this syntax is in `docs/shortcodes.md`.
//!
//! The calls are found before the page is parsed ([`scan`]) and each is replaced, in place and
//! with the same length, by a placeholder the parser reads as one unit: a thematic break
//! (`***`) for a call on its own line, a code span for a call in text. Offsets (and so every
//! line and column reported) stay those of the page as written. A placeholder that the parse
//! shows was not where a call can be (in an HTML block, an indented code block) is put back
//! as text. Each call's HTML, from [`Expand`], then replaces its placeholder's event: a body
//! stays the page's own events between the HTML before and after it, so its headings, links
//! and code are the page's like any other. The headings and text of a shortcode's HTML become
//! events too ([`html`]): its headings get ids, go into the table of contents and the search
//! index, and its links and ids are checked.

mod html;
mod scan;

pub use scan::{Form, arguments};

use pulldown_cmark::{BlockQuoteKind, Event, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::ops::Range;

/// Events of a call's HTML, each at the call's range.
type Events = Vec<(Event<'static>, Range<usize>)>;

/// A call, as the template that renders it sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call<'a> {
    pub name: &'a str,
    /// The label in brackets (or after the name on an opening line), as inline HTML and as
    /// plain text.
    pub label: Option<(String, String)>,
    pub args: Vec<(String, String)>,
    /// `:::name` … `:::`: the HTML goes around the body.
    pub body: bool,
    /// Written in text (`:name[…]`), not on its own line.
    pub inline: bool,
}

/// The HTML of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expansion {
    Whole(String),
    /// Before and after the body.
    Around(String, String),
}

/// Why a call could not be rendered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub message: String,
    pub help: String,
    /// A problem of the template itself: its path as shown and a line (0 when unknown).
    pub template: Option<(String, usize)>,
}

/// A problem of a shortcode call, at a byte offset of the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub offset: usize,
    pub failure: Failure,
}

/// Renders calls: the templates of `templates/shortcodes/`.
pub trait Expand {
    fn expand(&self, call: &Call<'_>) -> Result<Expansion, Failure>;
}

/// The calls `text` may make, each with the arguments that can be read, for what a page
/// depends on: every call it makes, and perhaps a few written where the parse will not take
/// them as calls. A GitHub alert (`[!NOTE]`) calls `callout`.
pub fn calls(text: &str) -> Vec<(&str, Vec<(String, String)>)> {
    let mut calls: Vec<(&str, Vec<(String, String)>)> = scan::find(text)
        .into_iter()
        .filter(|f| !matches!(f.form, Form::Close(_)))
        .map(|f| {
            let args = f
                .args
                .and_then(|r| arguments(&text[r]).ok())
                .unwrap_or_default();
            (&text[f.name], args)
        })
        .collect();
    if memchr::memmem::find(text.as_bytes(), b"[!").is_some() {
        calls.push(("callout", Vec::new()));
    }
    calls
}

/// The page's text with each call replaced by its placeholder, and the calls.
struct Prepared<'t> {
    text: Cow<'t, str>,
    calls: Vec<scan::Found>,
}

fn prepare<'t>(text: &'t str, calls: Vec<scan::Found>) -> Prepared<'t> {
    if calls.is_empty() {
        return Prepared {
            text: Cow::Borrowed(text),
            calls,
        };
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for call in &calls {
        out.push_str(&text[last..call.range.start]);
        let part = &text[call.range.clone()];
        match call.form {
            // A code span of spaces, keeping line ends: "`    `". A character of several
            // bytes is as many spaces.
            Form::Inline => {
                out.push('`');
                let inner = &part[1..part.len() - 1];
                out.extend(inner.bytes().map(|b| if b == b'\n' { '\n' } else { ' ' }));
                out.push('`');
            }
            // A thematic break: "***" and spaces.
            _ => {
                let stars = 3.min(part.len());
                out.push_str(&"***"[..stars]);
                out.extend(std::iter::repeat_n(' ', part.len() - stars));
            }
        }
        last = call.range.end;
    }
    out.push_str(&text[last..]);
    Prepared {
        text: Cow::Owned(out),
        calls,
    }
}

/// `event`, parsed from `source` (the page with placeholders), borrowing from `original` (the
/// page as written) instead: outside the calls, the two have the same bytes at the same
/// offsets. What is not a slice of `source` outside the calls is copied.
fn rebased<'a>(
    event: Event<'_>,
    source: &str,
    original: &'a str,
    calls: &[scan::Found],
) -> Event<'a> {
    let cow = |text: pulldown_cmark::CowStr<'_>| -> pulldown_cmark::CowStr<'a> {
        if let pulldown_cmark::CowStr::Borrowed(s) = &text {
            let start = (s.as_ptr() as usize).wrapping_sub(source.as_ptr() as usize);
            let end = start.wrapping_add(s.len());
            // The calls are in order and do not overlap.
            let next = calls.partition_point(|c| c.range.end <= start);
            let outside = calls.get(next).is_none_or(|c| end <= c.range.start);
            if end <= source.len()
                && start <= end
                && outside
                && let Some(same) = original.get(start..end)
            {
                return pulldown_cmark::CowStr::Borrowed(same);
            }
        }
        text.into_static()
    };
    match event {
        Event::Text(t) => Event::Text(cow(t)),
        Event::Code(t) => Event::Code(cow(t)),
        Event::Html(t) => Event::Html(cow(t)),
        Event::InlineHtml(t) => Event::InlineHtml(cow(t)),
        other => other.into_static(),
    }
}

/// Pairs each `:::name` with the line of colons that ends its body; an opening line never
/// closed is a problem, a line of colons that closes nothing stays text.
fn pair(found: Vec<scan::Found>, problems: &mut Vec<Problem>) -> Vec<scan::Found> {
    let mut open: Vec<usize> = Vec::new();
    let mut keep = vec![true; found.len()];
    for (i, call) in found.iter().enumerate() {
        match call.form {
            Form::Open(_) => open.push(i),
            Form::Close(n) => match open.iter().rposition(|&o| found[o].form == Form::Open(n)) {
                Some(at) => {
                    for unclosed in open.drain(at + 1..) {
                        keep[unclosed] = false;
                        problems.push(never_closed(&found[unclosed]));
                    }
                    open.pop();
                }
                None => keep[i] = false,
            },
            _ => {}
        }
    }
    for unclosed in open {
        keep[unclosed] = false;
        problems.push(never_closed(&found[unclosed]));
    }
    found
        .into_iter()
        .zip(keep)
        .filter_map(|(f, k)| k.then_some(f))
        .collect()
}

fn never_closed(call: &scan::Found) -> Problem {
    let Form::Open(n) = call.form else {
        unreachable!("only opening lines are closed")
    };
    Problem {
        offset: call.range.start,
        failure: Failure {
            message: "this shortcode's body is never closed".into(),
            help: format!(
                "end its body with a line of {n} colons, `{}`, at the same indentation",
                ":".repeat(n)
            ),
            template: None,
        },
    }
}

/// The page's events with every shortcode call and GitHub alert replaced by its HTML.
/// `text` is the page as written; problems go into `problems`.
pub(super) fn expanded<'a>(
    text: &'a str,
    options: pulldown_cmark::Options,
    expand: Option<&dyn Expand>,
    problems: &mut Vec<Problem>,
) -> Vec<(Event<'a>, Range<usize>)> {
    let mut calls = match expand {
        Some(_) => pair(scan::find(text), problems),
        None => Vec::new(),
    };
    let alerts = || memchr::memmem::find(text.as_bytes(), b"[!").is_some();
    let expand = match expand {
        Some(expand) if !calls.is_empty() || alerts() => expand,
        _ => return Parser::new_ext(text, options).into_offset_iter().collect(),
    };
    // Placeholders the parse did not read as calls are dropped, and the page parsed again.
    let (events, calls) = loop {
        let prepared = prepare(text, calls);
        let owned = match prepared.text {
            Cow::Borrowed(_) => None,
            Cow::Owned(s) => Some(s),
        };
        let source = owned.as_deref().unwrap_or(text);
        let events: Vec<(Event<'_>, Range<usize>)> = Parser::new_ext(source, options)
            .into_offset_iter()
            .collect();
        let placed = placed(&events, &prepared.calls);
        if placed.iter().all(Option::is_some) {
            let events = events
                .into_iter()
                .map(|(e, r)| (rebased(e, source, text, &prepared.calls), r))
                .collect::<Vec<_>>();
            break (events, zip_placed(prepared.calls, placed));
        }
        calls = without_unplaced(prepared.calls, &placed, problems);
    };
    Expander {
        text,
        options,
        expand,
        problems,
    }
    .run(events, calls)
}

/// The event index of each call's placeholder, and its parent (the start event it is inside),
/// or `None` where the parse did not read a placeholder there.
fn placed(
    events: &[(Event<'_>, Range<usize>)],
    calls: &[scan::Found],
) -> Vec<Option<(usize, Option<usize>)>> {
    let mut at = vec![None; calls.len()];
    let mut parents: Vec<usize> = Vec::new();
    let mut next = 0;
    for (i, (event, range)) in events.iter().enumerate() {
        while next < calls.len() && calls[next].range.start < range.start {
            next += 1;
        }
        let matches = |call: &scan::Found| match (event, call.form) {
            (Event::Code(_), Form::Inline) => *range == call.range,
            (Event::Rule, Form::Leaf | Form::Open(_) | Form::Close(_)) => {
                range.start <= call.range.start && call.range.end <= range.end
            }
            _ => false,
        };
        // A thematic break's range may start at the line's indentation, before the call.
        let candidates = next.saturating_sub(1)..(next + 1).min(calls.len());
        for c in candidates {
            if at[c].is_none() && matches(&calls[c]) {
                at[c] = Some((i, parents.last().copied()));
            }
        }
        match event {
            Event::Start(_) => parents.push(i),
            Event::End(_) => {
                parents.pop();
            }
            _ => {}
        }
    }
    // A body must end where it starts: not inside a list item it began outside of.
    let mut open: Vec<usize> = Vec::new();
    for c in 0..calls.len() {
        match calls[c].form {
            Form::Open(_) => open.push(c),
            Form::Close(_) => {
                if let Some(o) = open.pop()
                    && let (Some((_, a)), Some((_, b))) = (at[o], at[c])
                    && a != b
                {
                    at[c] = None;
                }
            }
            _ => {}
        }
    }
    at
}

fn zip_placed(
    calls: Vec<scan::Found>,
    placed: Vec<Option<(usize, Option<usize>)>>,
) -> Vec<(usize, scan::Found)> {
    calls
        .into_iter()
        .zip(placed)
        .map(|(call, at)| (at.expect("every call was placed").0, call))
        .collect()
}

/// The calls without those the parse did not read as calls, and without the other half of a
/// body whose opening or closing line is among them.
fn without_unplaced(
    calls: Vec<scan::Found>,
    placed: &[Option<(usize, Option<usize>)>],
    problems: &mut Vec<Problem>,
) -> Vec<scan::Found> {
    let mut keep: Vec<bool> = placed.iter().map(Option::is_some).collect();
    let mut open: Vec<usize> = Vec::new();
    for (c, call) in calls.iter().enumerate() {
        match call.form {
            Form::Open(_) => open.push(c),
            Form::Close(n) => {
                let Some(o) = open.pop() else { continue };
                if keep[o] && !keep[c] {
                    problems.push(Problem {
                        offset: calls[c].range.start,
                        failure: Failure {
                            message: "this line closes a shortcode's body opened at another level".into(),
                            help: format!(
                                "put the closing `{}` at the indentation of its opening line, outside any list or quote the opening line is not in",
                                ":".repeat(n)
                            ),
                            template: None,
                        },
                    });
                }
                let both = keep[o] && keep[c];
                keep[o] = both;
                keep[c] = both;
            }
            _ => {}
        }
    }
    calls
        .into_iter()
        .zip(keep)
        .filter_map(|(c, k)| k.then_some(c))
        .collect()
}

/// Replaces placeholders with the calls' HTML.
struct Expander<'p, 'a> {
    text: &'a str,
    options: pulldown_cmark::Options,
    expand: &'p dyn Expand,
    problems: &'p mut Vec<Problem>,
}

impl<'a> Expander<'_, 'a> {
    fn run(
        mut self,
        events: Vec<(Event<'a>, Range<usize>)>,
        calls: Vec<(usize, scan::Found)>,
    ) -> Vec<(Event<'a>, Range<usize>)> {
        let mut out = Vec::with_capacity(events.len() + calls.len() * 4);
        let mut calls = calls.into_iter().peekable();
        // For each open body (a `:::` call or a quote): what goes after it.
        let mut afters: Vec<Option<Events>> = Vec::new();
        let mut quotes: Vec<Option<Events>> = Vec::new();
        for (i, (event, range)) in events.into_iter().enumerate() {
            if calls.peek().is_some_and(|(at, _)| *at == i) {
                let (_, call) = calls.next().expect("peeked");
                match call.form {
                    Form::Close(_) => {
                        if let Some(after) = afters.pop().flatten() {
                            out.extend(after);
                        }
                    }
                    _ => {
                        let (now, after) = self.call(&call);
                        out.extend(now);
                        if matches!(call.form, Form::Open(_)) {
                            afters.push(after);
                        }
                    }
                }
                continue;
            }
            match &event {
                Event::Start(Tag::BlockQuote(kind)) => {
                    let alert = kind.map(|kind| self.alert(kind, &range));
                    match alert {
                        Some((now, after)) => {
                            out.extend(now);
                            quotes.push(Some(after));
                            continue;
                        }
                        None => quotes.push(None),
                    }
                }
                Event::End(TagEnd::BlockQuote(_)) => {
                    if let Some(after) = quotes.pop().flatten() {
                        out.extend(after);
                        continue;
                    }
                }
                _ => {}
            }
            out.push((event, range));
        }
        out
    }

    /// A call's events, and for a body, what goes after it.
    fn call(&mut self, found: &scan::Found) -> (Events, Option<Events>) {
        let range = found.range.clone();
        let inline = found.form == Form::Inline;
        let as_text = |text: &str| {
            let html = html::escaped(text);
            match inline {
                true => vec![(Event::InlineHtml(html.into()), range.clone())],
                false => vec![(
                    Event::Html(format!("<p>{html}</p>\n").into()),
                    range.clone(),
                )],
            }
        };
        let args = match found
            .args
            .clone()
            .map(|r| arguments(&self.text[r.clone()]).map_err(|e| (r.start + e.0, e.1)))
        {
            None => Vec::new(),
            Some(Ok(args)) => args,
            Some(Err((offset, message))) => {
                self.problems.push(Problem {
                    offset,
                    failure: Failure {
                        message: format!("cannot read this shortcode's arguments: {message}"),
                        help: "write arguments as `{key=\"value\" other=\"value\"}`".into(),
                        template: None,
                    },
                });
                let after = matches!(found.form, Form::Open(_)).then(Vec::new);
                return (as_text(&self.text[range.clone()]), after);
            }
        };
        let label = found
            .label
            .clone()
            .or(found.trailing.clone())
            .map(|r| self.label(&self.text[r]));
        let call = Call {
            name: &self.text[found.name.clone()],
            label,
            args,
            body: matches!(found.form, Form::Open(_)),
            inline,
        };
        match self.expand.expand(&call) {
            Ok(Expansion::Whole(html)) => (html::events(&html, inline, &range), None),
            Ok(Expansion::Around(before, after)) => (
                html::events(&before, false, &range),
                Some(html::events(&after, false, &range)),
            ),
            Err(failure) => {
                self.problems.push(Problem {
                    offset: range.start,
                    failure,
                });
                let after = call.body.then(Vec::new);
                (as_text(&self.text[range.clone()]), after)
            }
        }
    }

    /// A GitHub alert: the `callout` shortcode around the quote's text.
    fn alert(&mut self, kind: BlockQuoteKind, range: &Range<usize>) -> (Events, Events) {
        let kind = match kind {
            BlockQuoteKind::Note => "note",
            BlockQuoteKind::Tip => "tip",
            BlockQuoteKind::Important => "important",
            BlockQuoteKind::Warning => "warning",
            BlockQuoteKind::Caution => "caution",
        };
        let call = Call {
            name: "callout",
            label: None,
            args: vec![("type".into(), kind.into())],
            body: true,
            inline: false,
        };
        let at = range.start..range.start + 1;
        match self.expand.expand(&call) {
            Ok(Expansion::Around(before, after)) => (
                html::events(&before, false, &at),
                html::events(&after, false, &at),
            ),
            Ok(Expansion::Whole(_)) | Err(_) => (
                vec![(Event::Html("<blockquote>\n".into()), at.clone())],
                vec![(Event::Html("</blockquote>\n".into()), at)],
            ),
        }
    }

    /// A label's Markdown as inline HTML, and as plain text.
    fn label(&self, markdown: &str) -> (String, String) {
        let events: Vec<Event<'_>> = Parser::new_ext(markdown, self.options)
            .filter(|e| {
                !matches!(
                    e,
                    Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph)
                )
            })
            .collect();
        let text = super::plain_text(&events);
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, events.into_iter());
        (html.trim_end().to_string(), text)
    }
}

#[cfg(test)]
mod tests;
