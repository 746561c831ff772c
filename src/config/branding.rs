//! `branding:` of `handbook.yml`: the company's logo, accent colour, fonts and links in the
//! header, and the stylesheet they make (`branding.css`). Every colour the theme draws from the
//! accent is checked against WCAG AA (4.5:1 for text) in light and dark mode: a chosen colour
//! that falls short is a warning with one that passes; a dark-mode accent not given is made
//! from the light one, lightened until it passes.

use crate::diagnostics::Diagnostic;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// `branding:`, every part optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Branding {
    /// The logo shown before the title in the header.
    #[serde(default)]
    pub logo: Option<Logo>,
    /// The accent colour in light mode (`#5b2fc9`): links, buttons, the current page.
    #[serde(default)]
    pub accent: Option<String>,
    /// The accent colour in dark mode; made from `accent` when not given.
    #[serde(default)]
    pub accent_dark: Option<String>,
    #[serde(default)]
    pub fonts: Fonts,
    /// Links in the header, before the repository's.
    #[serde(default)]
    pub links: Vec<HeaderLink>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Logo {
    /// A file of `static/`, by its site path (`/images/logo.svg`).
    pub light: String,
    /// The logo for dark mode; the light one when not given.
    #[serde(default)]
    pub dark: Option<String>,
    /// Whether the logo already shows the handbook's name: then the title text is only for
    /// screen readers.
    #[serde(default)]
    pub shows_title: bool,
}

/// Fonts for the text, the headings and code; each falls back to the theme's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fonts {
    #[serde(default)]
    pub body: Option<Font>,
    #[serde(default)]
    pub headings: Option<Font>,
    #[serde(default)]
    pub code: Option<Font>,
}

/// A font family shipped with the site: its files in `static/`, never from a CDN.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Font {
    pub family: String,
    pub files: Vec<FontFile>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FontFile {
    /// A file of `static/` (`/fonts/inter.woff2`): `.woff2`, `.woff`, `.ttf` or `.otf`.
    pub src: String,
    /// `400`, or a range for a variable font, `100 900`.
    #[serde(default = "default_weight")]
    pub weight: String,
    /// `normal` or `italic`.
    #[serde(default = "default_style")]
    pub style: String,
}

fn default_weight() -> String {
    "400".into()
}

fn default_style() -> String {
    "normal".into()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderLink {
    pub title: String,
    pub url: String,
}

/// The backgrounds of the theme in light and dark mode (page, subtle, muted, code), and what
/// it writes on the accent.
const LIGHT_BG: Rgb = Rgb(0xff, 0xff, 0xff);
const LIGHT_BACKGROUNDS: [Rgb; 4] = [
    LIGHT_BG,
    Rgb(0xf6, 0xf7, 0xf9),
    Rgb(0xee, 0xf0, 0xf3),
    Rgb(0xf1, 0xf3, 0xf5),
];
const DARK_BG: Rgb = Rgb(0x11, 0x13, 0x18);
const DARK_BACKGROUNDS: [Rgb; 4] = [
    DARK_BG,
    Rgb(0x17, 0x1a, 0x20),
    Rgb(0x20, 0x24, 0x2c),
    Rgb(0x23, 0x28, 0x31),
];
const DARK_ON_ACCENT: Rgb = Rgb(0x0b, 0x10, 0x20);
/// WCAG AA for text.
const AA: f64 = 4.5;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rgb` or `#rrggbb`.
    pub fn parse(text: &str) -> Option<Rgb> {
        let hex = text.trim().strip_prefix('#')?;
        let digits: Vec<u8> = hex
            .chars()
            .map(|c| c.to_digit(16).map(|d| d as u8))
            .collect::<Option<_>>()?;
        match digits[..] {
            [r, g, b] => Some(Rgb(r * 17, g * 17, b * 17)),
            [r1, r2, g1, g2, b1, b2] => Some(Rgb(r1 * 16 + r2, g1 * 16 + g2, b1 * 16 + b2)),
            _ => None,
        }
    }

    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// WCAG relative luminance.
    fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(self.0) + 0.7152 * channel(self.1) + 0.0722 * channel(self.2)
    }

    /// Hue (0 to 1), saturation and lightness.
    fn hsl(self) -> (f64, f64, f64) {
        let [r, g, b] = [self.0, self.1, self.2].map(|c| f64::from(c) / 255.0);
        let (max, min) = (r.max(g).max(b), r.min(g).min(b));
        let l = (max + min) / 2.0;
        if max == min {
            return (0.0, 0.0, l);
        }
        let d = max - min;
        let s = if l > 0.5 {
            d / (2.0 - max - min)
        } else {
            d / (max + min)
        };
        let h = if max == r {
            (g - b) / d + if g < b { 6.0 } else { 0.0 }
        } else if max == g {
            (b - r) / d + 2.0
        } else {
            (r - g) / d + 4.0
        };
        (h / 6.0, s, l)
    }

    fn from_hsl(h: f64, s: f64, l: f64) -> Rgb {
        let channel = |t: f64| {
            let q = if l < 0.5 {
                l * (1.0 + s)
            } else {
                l + s - l * s
            };
            let p = 2.0 * l - q;
            let t = t.rem_euclid(1.0);
            let v = if t < 1.0 / 6.0 {
                p + (q - p) * 6.0 * t
            } else if t < 0.5 {
                q
            } else if t < 2.0 / 3.0 {
                p + (q - p) * (2.0 / 3.0 - t) * 6.0
            } else {
                p
            };
            (v * 255.0).round().clamp(0.0, 255.0) as u8
        };
        Rgb(channel(h + 1.0 / 3.0), channel(h), channel(h - 1.0 / 3.0))
    }

    /// `self` mixed with `other`, `amount` (0 to 1) of the way.
    fn mix(self, other: Rgb, amount: f64) -> Rgb {
        let m =
            |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * amount).round() as u8;
        Rgb(m(self.0, other.0), m(self.1, other.1), m(self.2, other.2))
    }
}

/// The WCAG contrast ratio of two colours.
pub fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// The soft shade of an accent in a mode: the background of the current page's entry in the
/// sidebar, on which the accent is written.
fn soft(accent: Rgb, dark: bool) -> Rgb {
    match dark {
        false => LIGHT_BG.mix(accent, 0.08),
        true => DARK_BG.mix(accent, 0.15),
    }
}

/// The lowest contrast of `accent` as text on the backgrounds of a mode, its soft shade
/// included.
fn worst_contrast(accent: Rgb, dark: bool) -> f64 {
    let backgrounds = if dark {
        DARK_BACKGROUNDS
    } else {
        LIGHT_BACKGROUNDS
    };
    backgrounds
        .into_iter()
        .chain([soft(accent, dark)])
        .map(|bg| contrast(accent, bg))
        .fold(f64::INFINITY, f64::min)
}

/// `color` made lighter (in dark mode) or darker in steps of HSL lightness, keeping its hue
/// and saturation, until it passes AA on every background of its mode: the nearest colour of
/// its hue that does.
fn nearest_passing(color: Rgb, dark: bool) -> Rgb {
    let (h, s, l) = color.hsl();
    (0..=100)
        .map(|step| {
            let dl = f64::from(step) / 100.0;
            let l = if dark {
                (l + dl).min(1.0)
            } else {
                (l - dl).max(0.0)
            };
            Rgb::from_hsl(h, s, l)
        })
        .find(|c| worst_contrast(*c, dark) >= AA)
        .unwrap_or(if dark {
            Rgb(0xff, 0xff, 0xff)
        } else {
            Rgb(0, 0, 0)
        })
}

/// The accent colours of both modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accents {
    pub light: Rgb,
    pub dark: Rgb,
}

impl Branding {
    /// The accent colours, the dark one made from the light one when not given; `None`
    /// without `accent`.
    pub fn accents(&self) -> Option<Accents> {
        let light = Rgb::parse(self.accent.as_deref()?)?;
        let dark = match self.accent_dark.as_deref().and_then(Rgb::parse) {
            Some(dark) => dark,
            None => nearest_passing(light, true),
        };
        Some(Accents { light, dark })
    }

    /// Problems of the settings (a colour that is no colour, a file that is not in `static/`,
    /// a font of another format) as errors at their line of `handbook.yml`, and the colours
    /// that miss WCAG AA as warnings.
    pub fn check(&self, root: &Path, text: &str) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
        let (mut errors, mut warnings) = (Vec::new(), Vec::new());
        let at = |key: &str, d: Diagnostic| match super::line_of_key_anywhere(text, key) {
            Some(line) => d.at(line, 1),
            None => d,
        };
        for (key, value) in [("accent", &self.accent), ("accent_dark", &self.accent_dark)] {
            if let Some(value) = value
                && Rgb::parse(value).is_none()
            {
                errors.push(at(
                    key,
                    Diagnostic::error(
                        super::CONFIG_FILE,
                        format!("`branding.{key}` is not a colour: `{value}`"),
                    )
                    .help(format!(
                        "write a hex colour in quotes, like `{key}: \"#5b2fc9\"`"
                    )),
                ));
            }
        }
        for (key, path) in self.files() {
            if let Some(problem) = static_file_problem(root, path) {
                errors.push(at(
                    key,
                    Diagnostic::error(super::CONFIG_FILE, format!("`branding` {key} {path}: {problem}"))
                        .help("put the file in `static/` and write its site path, like `/images/logo.svg` for `static/images/logo.svg`"),
                ));
            }
        }
        for font in [&self.fonts.body, &self.fonts.headings, &self.fonts.code]
            .into_iter()
            .flatten()
        {
            for file in &font.files {
                let format = font_format(&file.src);
                if format.is_none() {
                    errors.push(at(
                        "src",
                        Diagnostic::error(
                            super::CONFIG_FILE,
                            format!("`branding` font file {} is not a web font", file.src),
                        )
                        .help("use a .woff2 file (or .woff, .ttf, .otf)"),
                    ));
                }
            }
        }
        if errors.is_empty() {
            warnings.extend(self.contrast_warnings(text));
        }
        (errors, warnings)
    }

    /// The files the settings name, each with the key that names it.
    fn files(&self) -> Vec<(&'static str, &str)> {
        let mut files = Vec::new();
        if let Some(logo) = &self.logo {
            files.push(("light", logo.light.as_str()));
            files.extend(logo.dark.as_deref().map(|d| ("dark", d)));
        }
        for font in [&self.fonts.body, &self.fonts.headings, &self.fonts.code]
            .into_iter()
            .flatten()
        {
            files.extend(font.files.iter().map(|f| ("src", f.src.as_str())));
        }
        files
    }

    /// Warnings for accent colours below WCAG AA, with the nearest colour that passes.
    fn contrast_warnings(&self, text: &str) -> Vec<Diagnostic> {
        let Some(accents) = self.accents() else {
            return Vec::new();
        };
        let mut warnings = Vec::new();
        let checks = [
            ("accent", "light", accents.light, false),
            ("accent_dark", "dark", accents.dark, true),
        ];
        for (key, mode, color, dark) in checks {
            let worst = worst_contrast(color, dark);
            if worst >= AA {
                continue;
            }
            let better = nearest_passing(color, dark);
            let mut d = Diagnostic::warning(
                super::CONFIG_FILE,
                format!(
                    "`branding.{key}` {} has a contrast of {worst:.2}:1 on the {mode} backgrounds, below the 4.5:1 that WCAG AA asks of text: links in that colour are hard to read",
                    color.hex()
                ),
            )
            .help(format!("use a {} colour, like `{key}: \"{}\"`", if dark { "lighter" } else { "darker" }, better.hex()));
            if let Some(line) = super::line_of_key_anywhere(text, key) {
                d = d.at(line, 1);
            }
            warnings.push(d);
        }
        warnings
    }

    /// `branding.css`: the fonts, and the accent colours of both modes with what the theme
    /// draws from them. `base_path` is the path of `base_url` (`/handbook`), for the fonts.
    pub fn stylesheet(&self, base_path: &str) -> String {
        let mut css = String::from("/* Made by handbook from `branding` in handbook.yml. */\n");
        let mut vars = Vec::new();
        for (font, var, fallback) in [
            (&self.fonts.body, "--font-sans", "system-ui, sans-serif"),
            (&self.fonts.headings, "--font-headings", "var(--font-sans)"),
            (&self.fonts.code, "--font-mono", "ui-monospace, monospace"),
        ] {
            let Some(font) = font else { continue };
            let family = font.family.replace(['"', '\\', ';', '{', '}'], "");
            for file in &font.files {
                let format = font_format(&file.src).unwrap_or("woff2");
                css.push_str(&format!(
                    "@font-face {{\n  font-family: \"{family}\";\n  src: url(\"{base_path}{}\") format(\"{format}\");\n  font-weight: {};\n  font-style: {};\n  font-display: swap;\n}}\n",
                    file.src.replace(['"', '\\'], ""),
                    css_word(&file.weight),
                    css_word(&file.style),
                ));
            }
            vars.push(format!("  {var}: \"{family}\", {fallback};"));
        }
        if let Some(Accents { light, dark }) = self.accents() {
            let on_light =
                if contrast(Rgb(0xff, 0xff, 0xff), light) >= contrast(Rgb(0, 0, 0), light) {
                    "#ffffff"
                } else {
                    "#0b0d10"
                };
            vars.extend([
                format!("  --accent: {};", light.hex()),
                format!("  --accent-hover: {};", light.mix(Rgb(0, 0, 0), 0.2).hex()),
                format!("  --accent-soft: {};", soft(light, false).hex()),
                format!(
                    "  --accent-soft-border: {};",
                    LIGHT_BG.mix(light, 0.3).hex()
                ),
                format!("  --on-accent: {on_light};"),
                format!("  --focus: {};", light.hex()),
            ]);
            css.push_str(&format!(":root {{\n{}\n}}\n", vars.join("\n")));
            let on_dark = DARK_ON_ACCENT.hex();
            css.push_str(&format!(
                "@media (prefers-color-scheme: dark) {{\n  :root {{\n    --accent: {};\n    --accent-hover: {};\n    --accent-soft: {};\n    --accent-soft-border: {};\n    --on-accent: {on_dark};\n    --focus: {};\n  }}\n}}\n",
                dark.hex(),
                dark.mix(Rgb(0xff, 0xff, 0xff), 0.25).hex(),
                soft(dark, true).hex(),
                DARK_BG.mix(dark, 0.4).hex(),
                dark.hex(),
            ));
        } else if !vars.is_empty() {
            css.push_str(&format!(":root {{\n{}\n}}\n", vars.join("\n")));
        }
        css
    }

    /// Whether there is anything to brand: then pages link `branding.css`.
    pub fn is_set(&self) -> bool {
        *self != Branding::default()
    }
}

/// A CSS keyword or number list without anything that could end the declaration.
fn css_word(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ' ' || *c == '.')
        .collect()
}

/// The CSS `format()` of a font file, by its extension.
fn font_format(src: &str) -> Option<&'static str> {
    let ext = src.rsplit('.').next()?.to_ascii_lowercase();
    match ext.as_str() {
        "woff2" => Some("woff2"),
        "woff" => Some("woff"),
        "ttf" => Some("truetype"),
        "otf" => Some("opentype"),
        _ => None,
    }
}

/// Why the site path `path` is not a file of `root/static`, if it is not.
fn static_file_problem(root: &Path, path: &str) -> Option<String> {
    let Some(rel) = path.strip_prefix('/') else {
        return Some("is not a site path: it must start with `/`".into());
    };
    if rel.split('/').any(|part| part == ".." || part.is_empty()) {
        return Some("is not a plain path of the site".into());
    }
    let file = root.join(crate::layout::STATIC_DIR).join(rel);
    (!file.is_file()).then(|| {
        format!(
            "there is no file {}",
            file.strip_prefix(root).unwrap_or(&file).display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hsl_goes_both_ways() {
        for hex in [
            "#311772", "#2251c9", "#ffffff", "#000000", "#9a6700", "#1a7f37",
        ] {
            let c = Rgb::parse(hex).unwrap();
            let (h, s, l) = c.hsl();
            assert_eq!(Rgb::from_hsl(h, s, l), c, "{hex}");
        }
    }

    #[test]
    fn contrast_is_wcags() {
        let white = Rgb(255, 255, 255);
        let black = Rgb(0, 0, 0);
        assert!((contrast(white, black) - 21.0).abs() < 0.01);
        // The theme's own blue on white.
        let blue = Rgb::parse("#2251c9").unwrap();
        assert!(
            (contrast(blue, white) - 6.80).abs() < 0.01,
            "{}",
            contrast(blue, white)
        );
        assert_eq!(Rgb::parse("#abc"), Some(Rgb(0xaa, 0xbb, 0xcc)));
        assert_eq!(Rgb::parse("purple"), None);
    }

    #[test]
    fn a_dark_accent_is_made_to_pass_and_a_light_one_that_fails_is_warned_with_one_that_passes() {
        let branding = Branding {
            accent: Some("#9b7bff".into()),
            ..Branding::default()
        };
        let accents = branding.accents().unwrap();
        assert!(worst_contrast(accents.dark, true) >= AA);
        let warnings = branding.contrast_warnings("branding:\n  accent: \"#9b7bff\"\n");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        let text = warnings[0].to_string();
        assert!(
            text.starts_with(
                "handbook.yml:2:1: warning: `branding.accent` #9b7bff has a contrast of "
            ),
            "{text}"
        );
        let suggested = text.rsplit('"').nth(1).unwrap();
        let suggested = Rgb::parse(suggested).unwrap();
        assert!(worst_contrast(suggested, false) >= AA);
        // A passing accent: no warning.
        let purple = Branding {
            accent: Some("#311772".into()),
            ..Branding::default()
        };
        assert!(purple.contrast_warnings("").is_empty());
    }

    #[test]
    fn the_stylesheet_sets_fonts_and_both_modes() {
        let branding = Branding {
            accent: Some("#311772".into()),
            fonts: Fonts {
                body: Some(Font {
                    family: "Inter".into(),
                    files: vec![FontFile {
                        src: "/fonts/inter.woff2".into(),
                        weight: "100 900".into(),
                        style: "normal".into(),
                    }],
                }),
                ..Fonts::default()
            },
            ..Branding::default()
        };
        let css = branding.stylesheet("/handbook");
        assert!(
            css.contains("src: url(\"/handbook/fonts/inter.woff2\") format(\"woff2\");"),
            "{css}"
        );
        assert!(css.contains("font-weight: 100 900;"), "{css}");
        assert!(
            css.contains("--font-sans: \"Inter\", system-ui, sans-serif;"),
            "{css}"
        );
        assert!(css.contains("--accent: #311772;"), "{css}");
        assert!(css.contains("@media (prefers-color-scheme: dark)"), "{css}");
    }
}
