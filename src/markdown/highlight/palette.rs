//! The two themes of a site's code, light and dark: the classes that name their styles, the
//! HTML of one parsed line in those classes, and `syntax.css`, which colours them. Every colour
//! is raised to WCAG AA contrast against its background.

use rustc_hash::FxHashMap;
use std::fmt::Write as _;
use std::ops::Range;
use std::sync::{Mutex, OnceLock};
use syntect::highlighting::{Color, FontStyle, Highlighter, Style, Theme, ThemeSet};
use syntect::parsing::{Scope, ScopeStack, ScopeStackOp};

/// The two themes of a site's code blocks, and the classes that stand for their styles.
#[derive(Debug)]
pub struct Palette {
    light: Scheme,
    dark: Scheme,
    /// The styles of each scope stack met so far: resolving one matches every rule of a theme.
    styles: Mutex<FxHashMap<Vec<Scope>, [Style; 2]>>,
}

/// One theme: its highlighter, and its colours numbered in the order its rules give them.
#[derive(Debug)]
struct Scheme {
    /// Starts each class of this theme: `l` for light, `d` for dark.
    prefix: char,
    theme: &'static Theme,
    highlighter: Highlighter<'static>,
    plain: Style,
    foregrounds: Vec<Color>,
    backgrounds: Vec<Color>,
}

impl Scheme {
    fn new(prefix: char, theme: &Theme) -> Self {
        let theme: &'static Theme = Box::leak(Box::new(readable_theme(theme)));
        let highlighter = Highlighter::new(theme);
        let plain = highlighter.get_default();
        let mut foregrounds = Vec::new();
        let mut backgrounds = Vec::new();
        for item in &theme.scopes {
            let style = item.style;
            for (colour, list, default) in [
                (style.foreground, &mut foregrounds, plain.foreground),
                (style.background, &mut backgrounds, plain.background),
            ] {
                if let Some(colour) = colour
                    && colour != default
                    && !list.contains(&colour)
                {
                    list.push(colour);
                }
            }
        }
        Scheme {
            prefix,
            theme,
            highlighter,
            plain,
            foregrounds,
            backgrounds,
        }
    }

    /// Adds the classes of `style` to `class`, each after a space: none for the theme's plain
    /// text.
    fn push_classes(&self, class: &mut String, style: Style) {
        let p = self.prefix;
        if let Some(n) = self.foregrounds.iter().position(|&c| c == style.foreground) {
            let _ = write!(class, " {p}{n}");
        }
        if let Some(n) = self.backgrounds.iter().position(|&c| c == style.background) {
            let _ = write!(class, " {p}k{n}");
        }
        for (flag, name) in [
            (FontStyle::BOLD, 'b'),
            (FontStyle::ITALIC, 'i'),
            (FontStyle::UNDERLINE, 'u'),
        ] {
            if style.font_style.contains(flag) {
                let _ = write!(class, " {p}{name}");
            }
        }
    }

    /// Whether white space in `style` looks any different from white space in plain text.
    fn shows_space(&self, style: Style) -> bool {
        style.background != self.plain.background || style.font_style.contains(FontStyle::UNDERLINE)
    }

    /// Whether white space shown with this theme's classes in `class` looks any different from
    /// white space in plain text.
    fn classes_show_space(&self, class: &str) -> bool {
        let p = self.prefix;
        class.split(' ').any(|c| {
            c.strip_prefix(p)
                .is_some_and(|c| c == "u" || c.starts_with('k'))
        })
    }

    /// The rules of this theme's classes, each inside `.hl-code`.
    fn css(&self) -> String {
        let p = self.prefix;
        let mut css = format!(
            "/* theme \"{}\" */\n.hl-code {{ color: {}; background-color: {}; }}\n",
            self.theme.name.as_deref().unwrap_or(""),
            hex(self.plain.foreground),
            hex(self.plain.background)
        );
        for (n, &c) in self.foregrounds.iter().enumerate() {
            let _ = writeln!(css, ".hl-code .{p}{n} {{ color: {}; }}", hex(c));
        }
        for (n, &c) in self.backgrounds.iter().enumerate() {
            let _ = writeln!(css, ".hl-code .{p}k{n} {{ background-color: {}; }}", hex(c));
        }
        let _ = writeln!(css, ".hl-code .{p}b {{ font-weight: bold; }}");
        let _ = writeln!(css, ".hl-code .{p}i {{ font-style: italic; }}");
        let _ = writeln!(css, ".hl-code .{p}u {{ text-decoration: underline; }}");
        css
    }
}

/// `#rrggbb`, or `#rrggbbaa` for a colour that is not opaque.
fn hex(c: Color) -> String {
    if c.a == 0xff {
        format!("#{:02x}{:02x}{:02x}", c.r, c.g, c.b)
    } else {
        format!("#{:02x}{:02x}{:02x}{:02x}", c.r, c.g, c.b, c.a)
    }
}

/// The palette of a light and a dark theme, made once per pair for the whole program.
pub fn palette(light: &str, dark: &str) -> Result<&'static Palette, String> {
    type Made = Vec<(String, String, &'static Palette)>;
    static MADE: Mutex<Made> = Mutex::new(Vec::new());
    let mut made = MADE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((.., palette)) = made.iter().find(|(l, d, _)| l == light && d == dark) {
        return Ok(palette);
    }
    let palette: &'static Palette = Box::leak(Box::new(Palette {
        light: Scheme::new('l', theme(light)?),
        dark: Scheme::new('d', theme(dark)?),
        styles: Mutex::default(),
    }));
    made.push((light.to_string(), dark.to_string(), palette));
    Ok(palette)
}

impl Palette {
    /// The HTML of one line, from its parse: a flat span for each run of text that looks the
    /// same in both themes, white space joining the run around it when it looks plain, the
    /// line's end outside any span. `scopes` is the scope stack before the line, and after.
    pub(super) fn line_html(
        &self,
        line: &str,
        ops: &[(usize, ScopeStackOp)],
        scopes: &mut ScopeStack,
    ) -> Option<String> {
        let body = line.trim_end_matches(['\n', '\r']).len();
        let mut run = Run {
            html: String::with_capacity(line.len() * 3),
            open: String::new(),
            class: String::new(),
            space: 0..0,
        };
        let mut styles = self.styles.lock().unwrap_or_else(|p| p.into_inner());
        if styles.len() > MAX_STACKS {
            styles.clear();
        }
        let mut start = 0;
        let ends = ops.iter().map(|(at, _)| Some(*at)).chain([None]);
        for (n, end) in ends.enumerate() {
            let end = end.unwrap_or(line.len());
            let text = &line[start.min(body)..end.min(body)];
            if !text.is_empty() {
                let stack = scopes.as_slice();
                let pair = match styles.get(stack) {
                    Some(&pair) => pair,
                    None => *styles
                        .entry(stack.to_vec())
                        .or_insert(self.styles_for(stack)),
                };
                run.push(self, line, start..end.min(body), pair);
            }
            if let Some((_, op)) = ops.get(n) {
                scopes.apply(op).ok()?;
            }
            start = end;
        }
        Some(run.finish(line, body))
    }

    /// The style of text under `stack` in the light theme and in the dark one.
    fn styles_for(&self, stack: &[Scope]) -> [Style; 2] {
        [
            self.light.highlighter.style_for_stack(stack),
            self.dark.highlighter.style_for_stack(stack),
        ]
    }
}

/// Styles resolved by scope stack kept at most: handbooks use a few hundred.
const MAX_STACKS: usize = 50_000;

/// A line's HTML as it is written: the classes of the span open, and white space held back.
struct Run {
    html: String,
    open: String,
    class: String,
    /// Where in the line the white space held back is.
    space: Range<usize>,
}

impl Run {
    /// Adds `line[range]`, in the styles `light` and `dark`.
    fn push(
        &mut self,
        palette: &Palette,
        line: &str,
        range: Range<usize>,
        [light, dark]: [Style; 2],
    ) {
        let text = &line[range.clone()];
        let plain_space = text.bytes().all(|b| b == b' ' || b == b'\t')
            && !palette.light.shows_space(light)
            && !palette.dark.shows_space(dark);
        if plain_space {
            // Held back: inside the run if the next text is in it, else between spans.
            if self.space.is_empty() {
                self.space = range;
            } else {
                self.space.end = range.end;
            }
            return;
        }
        self.class.clear();
        palette.light.push_classes(&mut self.class, light);
        palette.dark.push_classes(&mut self.class, dark);
        // White space held back must not take on a background or an underline it does not have.
        let run_shows_space = !self.space.is_empty()
            && (palette.light.classes_show_space(&self.open)
                || palette.dark.classes_show_space(&self.open));
        if self.class != self.open || run_shows_space {
            if !self.open.is_empty() {
                self.html.push_str("</span>");
            }
            self.html.push_str(&line[self.space.clone()]);
            if !self.class.is_empty() {
                self.html.push_str("<span class=\"");
                self.html.push_str(&self.class[1..]);
                self.html.push_str("\">");
            }
            std::mem::swap(&mut self.open, &mut self.class);
        } else {
            self.html.push_str(&line[self.space.clone()]);
        }
        self.space = 0..0;
        escape_text(&mut self.html, text);
    }

    /// The line's HTML, ending with `line[body..]`, its line break.
    fn finish(mut self, line: &str, body: usize) -> String {
        if !self.open.is_empty() {
            self.html.push_str("</span>");
        }
        self.html.push_str(&line[self.space.clone()]);
        self.html.push_str(&line[body..]);
        self.html
    }
}

/// Escapes text for HTML element content: quotes need no escaping there.
fn escape_text(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(at) = rest.find(['&', '<', '>']) {
        out.push_str(&rest[..at]);
        out.push_str(match rest.as_bytes()[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            _ => "&gt;",
        });
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
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
    let palette = palette(light, dark)?;
    // Each theme only in its own media query: a class that only the light theme colours must not
    // keep its light colour on the dark background. Print is always light.
    let mut css = String::from("/* Generated by handbook: code highlighting, light and dark. */\n");
    css.push_str("@media not screen and (prefers-color-scheme: dark) {\n");
    css.push_str(&palette.light.css());
    css.push_str("}\n@media screen and (prefers-color-scheme: dark) {\n");
    css.push_str(&palette.dark.css());
    css.push_str("}\n");
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

#[cfg(test)]
mod tests {
    use super::super::{code_block, styled_html, syntaxes};
    use super::*;
    use syntect::parsing::SyntaxReference;
    use syntect::util::LinesWithEndings;

    const SAMPLES: [(&str, &str); 7] = [
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
            "cat <<EOF\nfi\nEOF\nif true; then\n  echo \"$x\" # note\nfi\n",
        ),
        ("yaml", "a: |\n  text\n  more\nb: [1, 2]\n"),
        ("md", "# Title\n```bash\necho hi\n```\n  *a*  _b_\n"),
        (
            "html",
            "<script>\nvar x = '<b>';\n</script>\n<p>hi &amp; bye</p>\n",
        ),
        ("diff", "--- a\n+++ b\n-  old line\n+  new line\n   same\n"),
    ];

    /// Each character of a code block's HTML with the light and dark style its classes give.
    fn shown_styles(palette: &Palette, html: &str) -> Vec<(char, [Style; 2])> {
        let decode = |scheme: &Scheme, classes: &[&str]| {
            let mut style = scheme.plain;
            for class in classes {
                let Some(c) = class.strip_prefix(scheme.prefix) else {
                    continue;
                };
                match c {
                    "b" => style.font_style |= FontStyle::BOLD,
                    "i" => style.font_style |= FontStyle::ITALIC,
                    "u" => style.font_style |= FontStyle::UNDERLINE,
                    c => match c.strip_prefix('k') {
                        Some(n) => {
                            style.background = scheme.backgrounds[n.parse::<usize>().unwrap()]
                        }
                        None => style.foreground = scheme.foregrounds[c.parse::<usize>().unwrap()],
                    },
                }
            }
            style
        };
        let mut shown = Vec::new();
        let mut classes: Vec<&str> = Vec::new();
        let mut rest = html;
        while let Some(c) = rest.chars().next() {
            if let Some(tail) = rest.strip_prefix("<span class=\"") {
                assert!(classes.is_empty(), "nested span in {html}");
                let end = tail.find("\">").unwrap();
                classes = tail[..end].split(' ').collect();
                rest = &tail[end + 2..];
            } else if let Some(tail) = rest.strip_prefix("</span>") {
                classes.clear();
                rest = tail;
            } else {
                let (c, len) = [("&amp;", '&'), ("&lt;", '<'), ("&gt;", '>')]
                    .into_iter()
                    .find(|(entity, _)| rest.starts_with(entity))
                    .map_or((c, c.len_utf8()), |(entity, c)| (c, entity.len()));
                assert!(c != '<' || len > 1, "unescaped < in {html}");
                if c == '\n' {
                    assert!(classes.is_empty(), "a span across lines in {html}");
                }
                shown.push((
                    c,
                    [
                        decode(&palette.light, &classes),
                        decode(&palette.dark, &classes),
                    ],
                ));
                rest = &rest[len..];
            }
        }
        shown
    }

    /// Each character of `code` with the style syntect's own highlighter gives it in each theme.
    fn syntect_styles(
        palette: &Palette,
        syntax: &SyntaxReference,
        code: &str,
    ) -> Vec<(char, [Style; 2])> {
        let styles_in = |scheme: &Scheme| {
            let mut lines = syntect::easy::HighlightLines::new(syntax, scheme.theme);
            let mut styles = Vec::new();
            for line in LinesWithEndings::from(code) {
                for (style, text) in lines.highlight_line(line, syntaxes()).unwrap() {
                    styles.extend(text.chars().map(|c| (c, style)));
                }
            }
            styles
        };
        let light = styles_in(&palette.light);
        let dark = styles_in(&palette.dark);
        light
            .into_iter()
            .zip(dark)
            .map(|((c, l), (_, d))| (c, [l, d]))
            .collect()
    }

    #[test]
    fn every_character_shows_in_the_style_syntect_gives_it_in_both_themes() {
        let palette = crate::markdown::testing::default_palette();
        let set = syntaxes();
        // The second round is answered by the memo.
        for round in 0..2 {
            for (lang, code) in SAMPLES {
                let syntax = set.find_syntax_by_token(lang).unwrap();
                let html = styled_html(palette, syntax, code).unwrap();
                let shown = shown_styles(palette, &html);
                let expected = syntect_styles(palette, syntax, code);
                assert_eq!(shown.len(), expected.len(), "{lang}: {html}");
                for (at, ((c, [light, dark]), (want_c, [want_light, want_dark]))) in
                    shown.into_iter().zip(expected).enumerate()
                {
                    assert_eq!(c, want_c, "{lang}, character {at}: {html}");
                    let same = |a: Style, b: Style| {
                        if c == '\n' {
                            // A line break shows nothing: the line's end is outside any span.
                            true
                        } else if c.is_whitespace() {
                            // Only what white space shows: its background and underline.
                            a.background == b.background
                                && a.font_style.contains(FontStyle::UNDERLINE)
                                    == b.font_style.contains(FontStyle::UNDERLINE)
                        } else {
                            a == b
                        }
                    };
                    assert!(
                        same(light, want_light) && same(dark, want_dark),
                        "{lang}, round {round}, {c:?} at {at}: {light:?} / {dark:?}, syntect gives {want_light:?} / {want_dark:?}\n{html}"
                    );
                }
            }
        }
    }

    #[test]
    fn runs_that_look_the_same_share_one_span_and_white_space_joins_them() {
        let palette = crate::markdown::testing::default_palette();
        let syntax = syntaxes().find_syntax_by_token("sql").unwrap();
        let html = styled_html(
            palette,
            syntax,
            "SELECT a FROM t ORDER BY a DESC LIMIT 3;\n",
        )
        .unwrap();
        assert!(html.contains(">DESC LIMIT</span>"), "{html}");
        assert_eq!(
            html.matches("<span").count(),
            html.matches("</span>").count()
        );
        assert!(html.ends_with(";\n"), "{html}");
    }

    #[test]
    fn plain_white_space_never_takes_the_background_of_the_run_around_it() {
        let palette = crate::markdown::testing::default_palette();
        let plain = [palette.light.plain, palette.dark.plain];
        let mut marked = plain;
        marked[0].background = palette.light.backgrounds[1];
        let mut bold = plain;
        bold[0].font_style = FontStyle::BOLD;
        let line = "a b c d\n";
        let mut run = Run {
            html: String::new(),
            open: String::new(),
            class: String::new(),
            space: 0..0,
        };
        for (range, style) in [(0..1, marked), (1..2, plain), (2..3, marked), (3..4, plain)] {
            run.push(palette, line, range, style);
        }
        for (range, style) in [(4..5, bold), (5..6, plain), (6..7, bold)] {
            run.push(palette, line, range, style);
        }
        assert_eq!(
            run.finish(line, 7),
            "<span class=\"lk1\">a</span> <span class=\"lk1\">b</span> <span class=\"lb\">c d</span>\n"
        );
    }

    #[test]
    fn every_class_in_the_html_has_a_rule_in_the_stylesheet() {
        let themes = crate::config::Highlight::default();
        let css = stylesheet(&themes.light_theme, &themes.dark_theme).unwrap();
        let palette = crate::markdown::testing::default_palette();
        for (lang, code) in SAMPLES {
            let html = code_block(Some(palette), Some(lang), code);
            for span in html.split("<span class=\"").skip(1) {
                for class in span[..span.find('"').unwrap()].split(' ') {
                    assert!(
                        css.contains(&format!(".hl-code .{class} {{")),
                        "{lang}: {class}"
                    );
                }
            }
        }
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
