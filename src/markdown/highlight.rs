//! Code highlighting with syntect, as CSS classes (`hl-*`): the adaptor that writes a page's
//! code blocks so, plus the one stylesheet that colours them in a light and a dark theme.
//!
//! Syntax definitions load once, on the first code block of a build: a site without code never
//! pays for them.

use pulldown_cmark::{CodeBlockKind, Event, Tag, TagEnd};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use syntect::highlighting::{Color, Theme, ThemeSet};
use syntect::html::{ClassStyle, css_for_theme_with_class_style, line_tokens_to_classed_spans};
use syntect::parsing::{ParseState, ScopeStack, ScopeStackOp, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

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

/// A `<pre>` block for `code`: highlighted when `lang` is known, else escaped plain text.
pub fn code_block(lang: Option<&str>, code: &str) -> String {
    let mut html = String::with_capacity(code.len() * 3 + 64);
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
    match lang.and_then(|lang| highlighted(lang, code)) {
        Some(spans) => html.push_str(&spans),
        None => escape_into(&mut html, code),
    }
    html.push_str("</code></pre>\n");
    html
}

/// Writes each code block as one `<pre>` of raw HTML ([`code_block`]), swallowing the block's
/// text; every other event passes through.
pub(super) struct CodeBlocks<I> {
    events: I,
}

impl<I> CodeBlocks<I> {
    pub fn new(events: I) -> Self {
        CodeBlocks { events }
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for CodeBlocks<I> {
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

impl<'a, I: Iterator<Item = Event<'a>>> CodeBlocks<I> {
    /// The block that `kind` starts, read up to its end.
    #[inline(never)]
    fn code_block(&mut self, kind: CodeBlockKind<'_>) -> Event<'static> {
        let lang = match &kind {
            CodeBlockKind::Fenced(info) => language_of(info),
            CodeBlockKind::Indented => None,
        };
        let mut code = String::new();
        for event in self.events.by_ref() {
            match event {
                Event::Text(text) => code.push_str(&text),
                Event::End(TagEnd::CodeBlock) => break,
                _ => {}
            }
        }
        Event::Html(code_block(lang.as_deref(), &code).into())
    }
}

fn highlighted(lang: &str, code: &str) -> Option<String> {
    let set = syntaxes();
    let syntax = syntax_for(lang)?;
    // syntect must never take a build down: a panic inside it falls back to plain text.
    std::panic::catch_unwind(|| classed_html(set, syntax, code))
        .ok()
        .flatten()
}

/// What syntect's `ClassedHTMLGenerator` produces, byte for byte, with each line's parse
/// memoized: parsing is most of a build's time, and handbooks repeat lines (`git fetch
/// origin`, `fi`, `}`) across pages.
fn classed_html(set: &SyntaxSet, syntax: &SyntaxReference, code: &str) -> Option<String> {
    let mut state = ParseState::new(syntax);
    let mut scopes = ScopeStack::new();
    let mut html = String::with_capacity(code.len() * 4);
    let mut open_spans: isize = 0;
    for line in LinesWithEndings::from(code) {
        let parsed = parse_line(set, syntax, &mut state, line)?;
        if let Some((spans, delta)) = &parsed.spans {
            // The same spans whatever the stack holds: only keep the stack up to date.
            for (_, op) in &parsed.ops {
                scopes.apply(op).ok()?;
            }
            open_spans += delta;
            html.push_str(spans);
            continue;
        }
        let (spans, delta) =
            line_tokens_to_classed_spans(line, &parsed.ops, CLASS_STYLE, &mut scopes).ok()?;
        open_spans += delta;
        html.push_str(&spans);
    }
    for _ in 0..open_spans {
        html.push_str("</span>");
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

/// Parses of single lines, by syntax, the state before the line, and the line. Parsing is a
/// pure function of those three, so a hit gives exactly what parsing would. Shared by all
/// threads: a line one thread parsed is a hit for the others.
///
/// Two generations, so that memory stays bounded and the lines a handbook repeats stay: new
/// parses go into `young`; when it is full it becomes `old` (the previous `old` is dropped),
/// and a line found in `old` is brought back into `young`.
#[derive(Default)]
struct LineCache {
    young: Generation,
    old: Generation,
}

#[derive(Default)]
struct Generation {
    by_line: HashMap<u64, Vec<Arc<ParsedLine>>>,
    len: usize,
}

impl Generation {
    fn find(
        &self,
        key: u64,
        syntax: usize,
        line: &str,
        state: &ParseState,
    ) -> Option<Arc<ParsedLine>> {
        let entries = self.by_line.get(&key)?;
        entries
            .iter()
            .find(|e| e.syntax == syntax && e.line == line && e.before == *state)
            .cloned()
    }
}

impl LineCache {
    fn find(
        &mut self,
        key: u64,
        syntax: usize,
        line: &str,
        state: &ParseState,
    ) -> Option<Arc<ParsedLine>> {
        if let Some(hit) = self.young.find(key, syntax, line, state) {
            return Some(hit);
        }
        let hit = self.old.find(key, syntax, line, state)?;
        self.insert(key, Arc::clone(&hit));
        Some(hit)
    }

    fn insert(&mut self, key: u64, entry: Arc<ParsedLine>) {
        if self.young.len >= LINES_PER_GENERATION {
            self.old = std::mem::take(&mut self.young);
        }
        self.young.len += 1;
        self.young.by_line.entry(key).or_default().push(entry);
    }
}

struct ParsedLine {
    syntax: usize,
    line: String,
    before: ParseState,
    ops: Vec<(usize, ScopeStackOp)>,
    after: ParseState,
    /// The line's HTML and the change in open spans, when they do not depend on the scopes
    /// already open: only `Clear` and `Restore` ops look at those.
    spans: Option<(String, isize)>,
}

// SAFETY: a `ParseState` is not `Send`/`Sync` only because a state that captured a regex group
// (a heredoc's delimiter, say) holds an Oniguruma `Region`: two heap arrays of offsets behind raw
// pointers, with no tie to the thread that made them. A `ParsedLine` is never changed after it
// is built; other threads only compare and clone it (which reads those arrays), and it is freed
// only once no thread holds it (`Arc`).
unsafe impl Send for ParsedLine {}
unsafe impl Sync for ParsedLine {}

/// Lines in each of the cache's two generations: about 1.3 KB each, so at most ~40 MB in all.
const LINES_PER_GENERATION: usize = 8_192;

fn line_cache() -> &'static Mutex<LineCache> {
    static CACHE: OnceLock<Mutex<LineCache>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

/// The parse of `line` from `state`, advancing `state` past it. The lock is held only to look
/// up and to insert, never while parsing.
fn parse_line(
    set: &SyntaxSet,
    syntax: &SyntaxReference,
    state: &mut ParseState,
    line: &str,
) -> Option<Arc<ParsedLine>> {
    // The syntax set lives for the whole program: its entries' addresses identify them.
    let syntax_id = std::ptr::from_ref(syntax) as usize;
    let key = xxhash_rust::xxh3::xxh3_64_with_seed(line.as_bytes(), syntax_id as u64);
    let hit = {
        // A poisoned lock only means another thread panicked mid-insert: the map is intact.
        let mut cache = line_cache().lock().unwrap_or_else(|p| p.into_inner());
        cache.find(key, syntax_id, line, state)
    };
    if let Some(entry) = hit {
        state.clone_from(&entry.after);
        return Some(entry);
    }
    let before = state.clone();
    let ops = state.parse_line(line, set).ok()?;
    let stack_free = ops.iter().all(|(_, op)| {
        matches!(
            op,
            ScopeStackOp::Push(_) | ScopeStackOp::Pop(_) | ScopeStackOp::Noop
        )
    });
    let spans = if stack_free {
        line_tokens_to_classed_spans(line, &ops, CLASS_STYLE, &mut ScopeStack::new()).ok()
    } else {
        None
    };
    let entry = Arc::new(ParsedLine {
        syntax: syntax_id,
        line: line.to_string(),
        before,
        ops,
        after: state.clone(),
        spans,
    });
    let mut cache = line_cache().lock().unwrap_or_else(|p| p.into_inner());
    cache.insert(key, Arc::clone(&entry));
    Some(entry)
}

/// Names of the themes a site may pick in `handbook.yml`.
pub fn theme_names() -> Vec<String> {
    themes().themes.keys().cloned().collect()
}

fn themes() -> &'static ThemeSet {
    static SET: OnceLock<ThemeSet> = OnceLock::new();
    SET.get_or_init(ThemeSet::load_defaults)
}

fn theme(name: &str) -> Result<&'static Theme, String> {
    themes().themes.get(name).ok_or_else(|| {
        format!(
            "unknown highlighting theme `{name}`; available: {}",
            theme_names().join(", ")
        )
    })
}

/// `syntax.css`: the light theme, then the dark one inside `prefers-color-scheme: dark`, both
/// with every colour raised to a readable contrast.
pub fn stylesheet(light: &str, dark: &str) -> Result<String, String> {
    let light = css_for_theme_with_class_style(&readable_theme(theme(light)?), CLASS_STYLE)
        .map_err(|e| e.to_string())?;
    let dark = css_for_theme_with_class_style(&readable_theme(theme(dark)?), CLASS_STYLE)
        .map_err(|e| e.to_string())?;
    // Each theme only in its own media query: a class that only the light theme colours must not
    // keep its light colour on the dark background. Print is always light.
    let mut css = String::from("/* Generated by handbook: code highlighting, light and dark. */\n");
    css.push_str("@media not screen and (prefers-color-scheme: dark) {\n");
    css.push_str(&light);
    css.push_str("\n}\n@media screen and (prefers-color-scheme: dark) {\n");
    css.push_str(&dark);
    css.push_str("\n}\n");
    Ok(css)
}

/// WCAG AA for normal text.
const MIN_CONTRAST: f64 = 4.5;

/// `theme` with each foreground colour moved toward black or white until it has at least
/// [`MIN_CONTRAST`] against its background. Most themes draw comments too faintly to read
/// (InspiredGitHub's are 2.9:1 on white).
fn readable_theme(theme: &Theme) -> Theme {
    let mut theme = theme.clone();
    let background = theme.settings.background.unwrap_or(Color::WHITE);
    if let Some(fg) = theme.settings.foreground {
        theme.settings.foreground = Some(readable(fg, background));
    }
    for item in &mut theme.scopes {
        if let Some(fg) = item.style.foreground {
            let bg = item.style.background.unwrap_or(background);
            item.style.foreground = Some(readable(fg, bg));
        }
    }
    theme
}

/// `fg`, or the first mix of it with black or white (whichever `bg` contrasts with more) that
/// reaches [`MIN_CONTRAST`] against `bg`.
fn readable(fg: Color, bg: Color) -> Color {
    if contrast(fg, bg) >= MIN_CONTRAST {
        return fg;
    }
    let target = if contrast(Color::BLACK, bg) > contrast(Color::WHITE, bg) {
        Color::BLACK
    } else {
        Color::WHITE
    };
    let mix = |t: f64| {
        let channel =
            |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
        Color {
            r: channel(fg.r, target.r),
            g: channel(fg.g, target.g),
            b: channel(fg.b, target.b),
            a: fg.a,
        }
    };
    (1..=20)
        .map(|step| mix(f64::from(step) / 20.0))
        .find(|c| contrast(*c, bg) >= MIN_CONTRAST)
        .unwrap_or(target)
}

/// The WCAG 2 contrast ratio of two colours, from 1 to 21.
fn contrast(a: Color, b: Color) -> f64 {
    let luminance = |c: Color| {
        let linear = |v: u8| {
            let s = f64::from(v) / 255.0;
            if s <= 0.03928 {
                s / 12.92
            } else {
                ((s + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b)
    };
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
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
        for lang in [
            "bash", "sh", "yaml", "toml", "json", "python", "sql", "rust", "md", "html", "js",
        ] {
            let html = code_block(Some(lang), "x = \"1\"\n");
            assert!(
                html.contains("<span class=\"hl-"),
                "{lang} did not highlight: {html}"
            );
        }
    }

    #[test]
    fn memoized_lines_give_exactly_what_syntect_gives() {
        use syntect::html::ClassedHTMLGenerator;
        let samples = [
            (
                "rust",
                "/* a\n comment */\nfn main() {\n    let s = \"x\n y\";\n}\nfn main() {\n}\n",
            ),
            (
                "python",
                "def f():\n    '''doc\n    more'''\n    return 1\n'''\nnot code\n'''\n",
            ),
            (
                "bash",
                "cat <<EOF\nfi\nEOF\nif true; then\n  echo \"$x\"\nfi\n",
            ),
            ("yaml", "a: |\n  text\n  more\nb: [1, 2]\n"),
            ("md", "# Title\n```bash\necho hi\n```\n"),
            ("html", "<script>\nvar x = '<b>';\n</script>\n<p>hi</p>\n"),
        ];
        let set = syntaxes();
        for round in 0..2 {
            for (lang, code) in samples {
                let syntax = set.find_syntax_by_token(lang).unwrap();
                let mut generator =
                    ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
                for line in LinesWithEndings::from(code) {
                    generator
                        .parse_html_for_line_which_includes_newline(line)
                        .unwrap();
                }
                let expected = generator.finalize();
                assert_eq!(
                    classed_html(set, syntax, code).unwrap(),
                    expected,
                    "{lang}, round {round}"
                );
            }
        }
    }

    #[test]
    fn the_memo_keeps_repeated_lines_and_bounded_size_across_generations() {
        let mut cache = LineCache::default();
        let set = syntaxes();
        let syntax = set.find_syntax_by_token("rust").unwrap();
        let state = ParseState::new(syntax);
        let entry = |line: &str| {
            Arc::new(ParsedLine {
                syntax: 1,
                line: line.to_string(),
                before: state.clone(),
                ops: Vec::new(),
                after: state.clone(),
                spans: None,
            })
        };
        let (kept, key) = ("fi\n", 7);
        cache.insert(key, entry(kept));
        for n in 0..3 * LINES_PER_GENERATION {
            // The repeated line is looked up now and then, as a handbook repeats it.
            if n % (LINES_PER_GENERATION / 2) == 0 {
                assert!(
                    cache.find(key, 1, kept, &state).is_some(),
                    "after {n} lines"
                );
            }
            let line = format!("let x{n} = {n};\n");
            cache.insert(1000 + n as u64, entry(&line));
        }
        assert!(
            cache.find(key, 1, kept, &state).is_some(),
            "a repeated line stays"
        );
        assert!(
            cache.find(1000, 1, "let x0 = 0;\n", &state).is_none(),
            "an old one goes"
        );
        let held = cache.young.len + cache.old.len;
        assert!(held <= 2 * LINES_PER_GENERATION, "{held} lines held");
    }

    #[test]
    fn unknown_languages_are_escaped_plain_text() {
        let html = code_block(Some("nosuchlang"), "<b>&</b>\n");
        assert_eq!(
            html,
            "<pre class=\"hl-code\" tabindex=\"0\" data-lang=\"nosuchlang\"><code class=\"language-nosuchlang\">&lt;b&gt;&amp;&lt;/b&gt;\n</code></pre>\n"
        );
    }

    #[test]
    fn code_blocks_become_one_pre_each_and_other_events_pass() {
        let md = "text\n\n```nosuchlang\n<a>\n```\n\n    indented\n";
        let events: Vec<Event<'_>> = CodeBlocks::new(pulldown_cmark::Parser::new(md)).collect();
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

    #[test]
    fn every_theme_colour_is_readable_on_its_background() {
        assert!((contrast(Color::BLACK, Color::WHITE) - 21.0).abs() < 1e-9);
        let grey = Color {
            r: 0x96,
            g: 0x98,
            b: 0x96,
            a: 0xff,
        };
        assert!(contrast(grey, Color::WHITE) < MIN_CONTRAST);
        assert!(contrast(readable(grey, Color::WHITE), Color::WHITE) >= MIN_CONTRAST);
        for name in ["InspiredGitHub", "base16-ocean.dark"] {
            let theme = readable_theme(theme(name).unwrap());
            let bg = theme.settings.background.unwrap();
            for item in &theme.scopes {
                if let Some(fg) = item.style.foreground {
                    let bg = item.style.background.unwrap_or(bg);
                    assert!(contrast(fg, bg) >= MIN_CONTRAST, "{name}: {fg:?} on {bg:?}");
                }
            }
        }
    }

    #[test]
    fn stylesheet_has_a_dark_variant() {
        let css = stylesheet("InspiredGitHub", "base16-ocean.dark").unwrap();
        assert!(css.contains("@media screen and (prefers-color-scheme: dark)"));
        assert!(css.contains("@media not screen and (prefers-color-scheme: dark)"));
        assert!(css.contains(".hl-"));
        assert!(stylesheet("Nope", "base16-ocean.dark").is_err());
    }
}
