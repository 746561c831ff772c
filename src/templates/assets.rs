//! Fingerprinted asset names: a build writes `theme.css` as `theme.3f2a9c1e.css` (eight hex
//! digits of the xxh3 hash of its content, in the same folder), so that browsers and CDNs may
//! keep it for a year: another version has another name. This applies to the stylesheets and
//! scripts of `handbook build` and `handbook check` (those of `static/`, of the built-in theme,
//! and the generated `syntax.css`); `handbook serve` keeps plain names.
//!
//! References are rewritten in two places: templates get the fingerprinted URLs of the theme's
//! files (`assets.stylesheet`, ...), and [`Fingerprints::rewrite_html`] rewrites every
//! `href="…"` and `src="…"` of a finished HTML file that is exactly an asset's plain URL
//! (`/x.css`, with the path of `base_url` in front, or absolute with `base_url`). Nothing else
//! is rewritten: not references inside CSS or JavaScript (`@import`, `url()`, `import`; an
//! `@import` of a file of the site is a warning, [`local_imports`]), single-quoted or unquoted
//! attributes, URLs with a `?query` or `#fragment`, nor relative URLs.
//!
//! Pure: no IO here.

use crate::diagnostics::Diagnostic;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use xxhash_rust::xxh3::{Xxh3, xxh3_64};

/// The extensions of the files that get a fingerprinted name.
const EXTENSIONS: [&str; 2] = ["css", "js"];

/// The fingerprinted names of one build's stylesheets and scripts, and the URLs they replace.
#[derive(Debug, Default, Clone)]
pub struct Fingerprints {
    /// Plain output path → fingerprinted output path (`css/a.css` → `css/a.0123abcd.css`).
    names: BTreeMap<String, String>,
    /// Plain URL → fingerprinted URL, in each form a page may write.
    urls: HashMap<String, String>,
    base_url: String,
    base_path: String,
}

/// Whether the file at output path `rel` gets a fingerprinted name: stylesheets and scripts.
pub fn applies_to(rel: &str) -> bool {
    extension(rel).is_some_and(|ext| EXTENSIONS.iter().any(|e| ext.eq_ignore_ascii_case(e)))
}

/// The extension of the file name of `rel`, if it has one (`.css` alone has none).
fn extension(rel: &str) -> Option<&str> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty()).then_some(ext)
}

/// `rel` with eight hex digits of the hash of `bytes` before its extension:
/// `css/theme.css` → `css/theme.3f2a9c1e.css`.
pub fn fingerprinted_name(rel: &str, bytes: &[u8]) -> String {
    let hash = format!("{:016x}", xxh3_64(bytes));
    match extension(rel) {
        Some(ext) => {
            let stem = &rel[..rel.len() - ext.len() - 1];
            format!("{stem}.{}.{ext}", &hash[..8])
        }
        None => format!("{rel}.{}", &hash[..8]),
    }
}

impl Fingerprints {
    /// No asset yet, for a site at `base_url` (no trailing `/`), whose path is `base_path`
    /// (`/handbook`, or empty).
    pub fn new(base_url: &str, base_path: &str) -> Fingerprints {
        Fingerprints {
            base_url: base_url.trim_end_matches('/').to_string(),
            base_path: base_path.to_string(),
            ..Fingerprints::default()
        }
    }

    /// Gives the file at output path `rel`, holding `bytes`, its fingerprinted name, and returns
    /// that name.
    pub fn insert(&mut self, rel: &str, bytes: &[u8]) -> String {
        let name = fingerprinted_name(rel, bytes);
        for prefix in [String::new(), self.base_path.clone(), self.base_url.clone()] {
            self.urls
                .insert(format!("{prefix}/{rel}"), format!("{prefix}/{name}"));
        }
        self.names.insert(rel.to_string(), name.clone());
        name
    }

    /// The fingerprinted output path of the file at plain output path `rel`, if it has one.
    pub fn get(&self, rel: &str) -> Option<&str> {
        self.names.get(rel).map(String::as_str)
    }

    /// The URL a page uses for the site path `path` (`/theme.css`): with the base path, and
    /// fingerprinted if the file is.
    pub fn url(&self, path: &str) -> String {
        let plain = format!("{}{path}", self.base_path);
        self.urls.get(&plain).cloned().unwrap_or(plain)
    }

    /// The output's paths as written: each plain path replaced by its fingerprinted one.
    pub fn output_paths(&self, plain: &BTreeSet<String>) -> BTreeSet<String> {
        plain
            .iter()
            .map(|rel| self.get(rel).unwrap_or(rel).to_string())
            .collect()
    }

    /// Changes whenever any fingerprinted name does: for the fingerprints of pages.
    pub fn digest(&self) -> u64 {
        let mut hasher = Xxh3::new();
        for name in self.names.values() {
            hasher.update(name.as_bytes());
            hasher.update(&[0]);
        }
        hasher.digest()
    }

    /// `html` with every `href="…"` and `src="…"` that is an asset's plain URL replaced by its
    /// fingerprinted URL. Cheap: one search per extension over the HTML (`.css"`, `.js"`), and
    /// a look-up for each hit.
    pub fn rewrite_html(&self, html: String) -> String {
        if self.urls.is_empty() {
            return html;
        }
        let bytes = html.as_bytes();
        let mut edits: Vec<(usize, usize, &str)> = Vec::new();
        for ext in EXTENSIONS {
            let needle = format!(".{ext}\"");
            for hit in memchr::memmem::find_iter(bytes, needle.as_bytes()) {
                let end = hit + needle.len() - 1;
                let Some(open) = memchr::memrchr(b'"', &bytes[..hit]) else {
                    continue;
                };
                if !is_link_attribute(&html[..open]) {
                    continue;
                }
                if let Some(to) = self.urls.get(&html[open + 1..end]) {
                    edits.push((open + 1, end, to));
                }
            }
        }
        if edits.is_empty() {
            return html;
        }
        edits.sort_unstable_by_key(|&(start, _, _)| start);
        let mut out = String::with_capacity(html.len() + edits.len() * 9);
        let mut at = 0;
        for (start, end, to) in edits {
            out.push_str(&html[at..start]);
            out.push_str(to);
            at = end;
        }
        out.push_str(&html[at..]);
        out
    }
}

/// Warnings for the `@import`s of stylesheet `shown` (its path as shown in messages) that name
/// a file of the site: that file is written only under its fingerprinted name, so the import
/// would find nothing.
pub fn local_imports(shown: &str, bytes: &[u8]) -> Vec<Diagnostic> {
    if !shown.ends_with(".css") {
        return Vec::new();
    }
    let css = String::from_utf8_lossy(bytes);
    let mut found = Vec::new();
    for (at, _) in css.match_indices("@import") {
        let rest = css[at + "@import".len()..].trim_start();
        let rest = rest.strip_prefix("url(").unwrap_or(rest).trim_start();
        let target: String = rest
            .trim_start_matches(['"', '\''])
            .chars()
            .take_while(|c| !matches!(c, '"' | '\'' | ')' | ';') && !c.is_whitespace())
            .collect();
        let lower = target.to_ascii_lowercase();
        if ["http:", "https:", "//", "data:"]
            .iter()
            .any(|p| lower.starts_with(p))
        {
            continue;
        }
        let line = css[..at].matches('\n').count() + 1;
        let col = at - css[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
        found.push(
            Diagnostic::warning(shown, format!("@import of {target}: the build writes stylesheets only under fingerprinted names (like theme.3f2a9c1e.css), so this import finds nothing"))
                .at(line, col)
                .help("link each stylesheet from the template (<link rel=\"stylesheet\" href=\"/name.css\">), or put its rules in this file"),
        );
    }
    found
}

/// Whether `before` ends with ` href=` or ` src=` (any whitespace before the name).
fn is_link_attribute(before: &str) -> bool {
    ["href=", "src="].iter().any(|attr| {
        before
            .strip_suffix(attr)
            .and_then(|rest| rest.bytes().last())
            .is_some_and(|b| b.is_ascii_whitespace())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_get_eight_hex_digits_of_the_content_before_the_extension() {
        let a = fingerprinted_name("css/theme.css", b"body{}");
        assert!(a.starts_with("css/theme.") && a.ends_with(".css"), "{a}");
        let hash = &a["css/theme.".len()..a.len() - ".css".len()];
        assert_eq!(hash.len(), 8);
        assert!(
            hash.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_uppercase())
        );
        assert_eq!(a, fingerprinted_name("css/theme.css", b"body{}"));
        assert_ne!(a, fingerprinted_name("css/theme.css", b"body{ }"));
        assert!(fingerprinted_name("a.min.js", b"").starts_with("a.min."));
    }

    #[test]
    fn only_stylesheets_and_scripts_are_fingerprinted() {
        for yes in ["theme.css", "a/b.js", "X.CSS"] {
            assert!(applies_to(yes), "{yes}");
        }
        for no in [
            "logo.svg",
            "font.woff2",
            "data.json",
            "css",
            ".css",
            "a/.js",
            "x.mjs",
        ] {
            assert!(!applies_to(no), "{no}");
        }
    }

    #[test]
    fn rewrites_exact_href_and_src_values_in_every_form() {
        let mut prints = Fingerprints::new("https://example.com/hb", "/hb");
        let css = prints.insert("theme.css", b"x");
        let js = prints.insert("js/app.js", b"y");
        let html = concat!(
            r#"<link rel="stylesheet" href="/hb/theme.css">"#,
            "<link\n  href=\"https://example.com/hb/theme.css\">",
            r#"<script src="/js/app.js" defer></script>"#,
            r#"<a href="/hb/theme.css#x">keep</a><a data-href="/hb/theme.css">keep</a>"#,
            r#"<p>"/hb/theme.css"</p><a href='/hb/theme.css'>keep</a><a href="/hb/other.css">"#,
        );
        assert_eq!(
            prints.rewrite_html(html.to_string()),
            format!(
                concat!(
                    r#"<link rel="stylesheet" href="/hb/{css}">"#,
                    "<link\n  href=\"https://example.com/hb/{css}\">",
                    r#"<script src="/{js}" defer></script>"#,
                    r#"<a href="/hb/theme.css#x">keep</a><a data-href="/hb/theme.css">keep</a>"#,
                    r#"<p>"/hb/theme.css"</p><a href='/hb/theme.css'>keep</a><a href="/hb/other.css">"#,
                ),
                css = css,
                js = js
            )
        );
        assert_eq!(prints.url("/theme.css"), format!("/hb/{css}"));
        assert_eq!(prints.url("/favicon.svg"), "/hb/favicon.svg");
    }

    #[test]
    fn only_imports_of_the_sites_own_files_are_warned_about() {
        let css = "@import url(\"https://fonts.example.com/a.css\");\n@import '//cdn.example.com/b.css';\n  @import \"base.css\" screen;\n@import url(/css/more.css);\n";
        let found: Vec<String> = local_imports("static/site.css", css.as_bytes())
            .iter()
            .map(|d| d.to_string().lines().next().unwrap_or("").to_string())
            .collect();
        assert_eq!(
            found,
            [
                "static/site.css:3:3: warning: @import of base.css: the build writes stylesheets only under fingerprinted names (like theme.3f2a9c1e.css), so this import finds nothing",
                "static/site.css:4:1: warning: @import of /css/more.css: the build writes stylesheets only under fingerprinted names (like theme.3f2a9c1e.css), so this import finds nothing",
            ]
        );
        assert!(local_imports("static/app.js", b"@import \"x.css\"").is_empty());
    }

    #[test]
    fn without_assets_nothing_changes() {
        let prints = Fingerprints::new("https://example.com", "");
        let html = r#"<link href="/theme.css">"#.to_string();
        assert_eq!(prints.rewrite_html(html.clone()), html);
        assert_eq!(prints.url("/theme.css"), "/theme.css");
    }
}
