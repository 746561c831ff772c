//! Code highlighting with syntect: the adaptor that writes a page's code blocks, and the one
//! stylesheet that colours them in a light and a dark theme.
//!
//! Each run of code that looks the same gets one flat `<span>` whose classes name its colour in
//! each theme (`l3 d5`: the light theme's fourth colour, the dark theme's sixth), as Hugo's
//! Chroma does, rather than one nested span per syntax scope: the styles are resolved here, by
//! the themes' own rules, and a page carries a few short classes instead of every scope's name.
//! That halves a code-heavy page, and the colours are exactly the theme's (CSS specificity is not
//! TextMate's scoring).
//!
//! Syntax definitions load once, on the first code block of a build: a site without code never
//! pays for them.

mod memo;
mod palette;

pub use palette::{Palette, palette, stylesheet, theme_names};

use pulldown_cmark::{CodeBlockKind, Event, Tag, TagEnd};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;
use syntect::parsing::{ParseState, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    // two-face's set is syntect's defaults plus bat's extras (TOML among them).
    SET.get_or_init(two_face::syntax::extra_newlines)
}

/// Starts loading the syntax definitions on another thread, so that the first code block does
/// not wait for them. Call it only for a site that has code.
pub fn load_syntaxes_in_background() {
    rayon::spawn(|| {
        syntaxes();
    });
}

/// The language name of a fence's info string: "bash", "{.python}", "rust,ignore" → first word.
pub fn language_of(info: &str) -> Option<String> {
    let word = info
        .split(|c: char| c.is_whitespace() || c == ',' || c == '{' || c == '}')
        .find(|w| !w.is_empty())?;
    let word = word.trim_start_matches('.');
    (!word.is_empty()).then(|| word.to_ascii_lowercase())
}

/// A `<pre>` block for `code`: highlighted in `palette`'s themes when `lang` is known, else
/// escaped plain text.
pub fn code_block(palette: Option<&Palette>, lang: Option<&str>, code: &str) -> String {
    if lang.is_some_and(|l| l.eq_ignore_ascii_case("mermaid")) {
        return diagram_source(code);
    }
    let mut html = String::with_capacity(code.len() * 2 + 64);
    // Focusable, so that a keyboard can scroll a block wider than the page.
    html.push_str("<pre class=\"hl-code\" tabindex=\"0\"");
    if let Some(lang) = lang {
        html.push_str(" data-lang=\"");
        escape_into(&mut html, lang);
        html.push_str("\"><code class=\"language-");
        escape_into(&mut html, lang);
        html.push_str("\">");
    } else {
        html.push_str("><code>");
    }
    let highlighted = palette
        .zip(lang)
        .and_then(|(p, lang)| highlighted(p, lang, code));
    match highlighted {
        Some(spans) => html.push_str(&spans),
        None => escape_into(&mut html, code),
    }
    html.push_str("</code></pre>\n");
    html
}

/// What a page's HTML holds where it has a Mermaid diagram: the theme's script draws it.
const DIAGRAM_MARK: &str = "<pre class=\"mermaid-source\" data-diagram>";

/// A ```mermaid block: its text, for the theme's diagrams script to draw (and, without
/// JavaScript, to read).
fn diagram_source(code: &str) -> String {
    let mut html = String::with_capacity(code.len() + 64);
    html.push_str(DIAGRAM_MARK);
    escape_into(&mut html, code);
    html.push_str("</pre>\n");
    html
}

/// Writes each code block as one `<pre>` of raw HTML ([`code_block`]), swallowing the block's
/// text; every other event passes through.
pub(super) struct CodeBlocks<'p, I> {
    events: I,
    palette: Option<&'p Palette>,
    /// Set when a block is a Mermaid diagram.
    diagrams: &'p std::cell::Cell<bool>,
}

impl<'p, I> CodeBlocks<'p, I> {
    pub fn new(
        events: I,
        palette: Option<&'p Palette>,
        diagrams: &'p std::cell::Cell<bool>,
    ) -> Self {
        CodeBlocks {
            events,
            palette,
            diagrams,
        }
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for CodeBlocks<'_, I> {
    type Item = Event<'a>;

    // Inlined, so that the chain of adaptors is one loop; code blocks are read out of line.
    #[inline]
    fn next(&mut self) -> Option<Event<'a>> {
        match self.events.next()? {
            Event::Start(Tag::CodeBlock(kind)) => Some(self.code_block(kind)),
            other => Some(other),
        }
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> CodeBlocks<'_, I> {
    /// The block that `kind` starts, read up to its end.
    #[inline(never)]
    fn code_block(&mut self, kind: CodeBlockKind<'_>) -> Event<'static> {
        let lang = match &kind {
            CodeBlockKind::Fenced(info) => language_of(info),
            CodeBlockKind::Indented => None,
        };
        if lang.as_deref() == Some("mermaid") {
            self.diagrams.set(true);
        }
        let mut code = String::new();
        for event in self.events.by_ref() {
            match event {
                Event::Text(text) => code.push_str(&text),
                Event::End(TagEnd::CodeBlock) => break,
                _ => {}
            }
        }
        Event::Html(code_block(self.palette, lang.as_deref(), &code).into())
    }
}

fn highlighted(palette: &Palette, lang: &str, code: &str) -> Option<String> {
    let syntax = syntax_for(lang)?;
    // syntect must never take a build down: a panic inside it falls back to plain text.
    std::panic::catch_unwind(|| styled_html(palette, syntax, code))
        .ok()
        .flatten()
}

/// `code` as HTML with its colours as classes, a line at a time, each line's spans closed at
/// its end. Lines are memoized: parsing is most of a build's time, and handbooks repeat lines
/// (`git fetch origin`, `fi`, `}`) across pages.
fn styled_html(palette: &Palette, syntax: &SyntaxReference, code: &str) -> Option<String> {
    let mut state = ParseState::new(syntax);
    let mut scopes = ScopeStack::new();
    let mut html = String::with_capacity(code.len() * 2);
    for line in LinesWithEndings::from(code) {
        let styled = memo::style_line(palette, syntax, &mut state, &mut scopes, line)?;
        html.push_str(&styled.html);
    }
    Some(html)
}

thread_local! {
    static SYNTAX_OF: RefCell<HashMap<String, Option<&'static SyntaxReference>>> =
        RefCell::new(HashMap::new());
}

/// syntect's lookup by name or extension scans every syntax; a page asks for few languages.
fn syntax_for(lang: &str) -> Option<&'static SyntaxReference> {
    SYNTAX_OF.with(|known| {
        if let Some(&syntax) = known.borrow().get(lang) {
            return syntax;
        }
        let syntax = syntaxes().find_syntax_by_token(lang);
        known.borrow_mut().insert(lang.to_string(), syntax);
        syntax
    })
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_languages_highlight() {
        let palette = crate::markdown::testing::default_palette();
        for lang in [
            "bash", "sh", "yaml", "toml", "json", "python", "sql", "rust", "md", "html", "js",
        ] {
            let code = match lang {
                "md" => "# x = *1*\n",
                "html" => "<p id=\"x\">1</p>\n",
                _ => "x = \"1\"\n",
            };
            let html = code_block(Some(palette), Some(lang), code);
            assert!(
                html.contains("<span class=\""),
                "{lang} did not highlight: {html}"
            );
        }
    }

    #[test]
    fn unknown_languages_are_escaped_plain_text() {
        let html = code_block(None, Some("nosuchlang"), "<b>&</b>\n");
        assert_eq!(
            html,
            "<pre class=\"hl-code\" tabindex=\"0\" data-lang=\"nosuchlang\"><code class=\"language-nosuchlang\">&lt;b&gt;&amp;&lt;/b&gt;\n</code></pre>\n"
        );
    }

    #[test]
    fn code_blocks_become_one_pre_each_and_other_events_pass() {
        let md = "text\n\n```nosuchlang\n<a>\n```\n\n    indented\n";
        let events: Vec<Event<'_>> =
            CodeBlocks::new(pulldown_cmark::Parser::new(md), None, &Default::default()).collect();
        let html: Vec<&str> = events
            .iter()
            .filter_map(|e| match e {
                Event::Html(html) => Some(html.as_ref()),
                _ => None,
            })
            .collect();
        assert_eq!(
            html,
            [
                "<pre class=\"hl-code\" tabindex=\"0\" data-lang=\"nosuchlang\"><code class=\"language-nosuchlang\">&lt;a&gt;\n</code></pre>\n",
                "<pre class=\"hl-code\" tabindex=\"0\"><code>indented\n</code></pre>\n"
            ]
        );
        assert_eq!(events.len(), 5, "{events:?}");
    }

    #[test]
    fn reads_the_language_from_info_strings() {
        assert_eq!(language_of("bash"), Some("bash".into()));
        assert_eq!(language_of("{.Python}"), Some("python".into()));
        assert_eq!(language_of("rust,ignore"), Some("rust".into()));
        assert_eq!(language_of("  "), None);
    }
}
