//! Netlify's `_headers` file for a build: how long browsers may keep each file, and the
//! security headers of every response.
//!
//! Netlify applies every rule whose path matches a request and joins the values of a header
//! that several rules set with commas, so `Cache-Control` must come from exactly one rule per
//! path: never from `/*`. Fingerprinted files (`theme.3f2a9c1e.css`) get an exact rule
//! each, `immutable` for a year. Every other file is revalidated on each visit: one `/folder/*`
//! rule for a folder with no fingerprinted file anywhere inside, and exact rules for the files
//! of the folders that have one (`/` for the home page). The format: a path line, then indented
//! `Name: value` lines (<https://docs.netlify.com/routing/headers/>).
//!
//! Pure: no IO here.

use std::collections::BTreeSet;

/// What the site's own pages need, and nothing more: no inline scripts, styles or event
/// handlers (the theme and highlighting use none), images and media from anywhere over https.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; font-src 'self' data:; media-src 'self' https:; frame-src https:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

/// For fingerprinted files: a new version has a new name.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For everything else, HTML included: asked again on every visit (a `304` when unchanged).
pub const REVALIDATE: &str = "public, max-age=0, must-revalidate";

/// Output files Netlify reads and does not serve.
const NOT_SERVED: [&str; 2] = ["_headers", "_redirects"];

/// The `_headers` file of a build. `outputs` are the paths of the output folder as written,
/// `immutable` those of them that are fingerprinted; rule paths get `base_path` in front, as in
/// `_redirects`. `noindex` adds `X-Robots-Tag: noindex` to every response.
pub fn netlify_headers(
    outputs: &BTreeSet<String>,
    immutable: &BTreeSet<String>,
    base_path: &str,
    noindex: bool,
) -> String {
    let mut text = String::from(
        "# HTTP headers for Netlify, made by handbook. (A `_headers` in static/ replaces this file.)\n\n",
    );
    let mut security = vec![
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("X-Frame-Options", "SAMEORIGIN"),
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ];
    if noindex {
        // Not production: a preview must not show up in search results.
        security.push(("X-Robots-Tag", "noindex"));
    }
    rule(&mut text, &format!("{base_path}/*"), &security);
    let rules = cache_rules(outputs, immutable);
    text.push_str("\n# Fingerprinted files: a new version has a new name.\n");
    for (path, _) in rules.iter().filter(|(_, forever)| *forever) {
        rule(
            &mut text,
            &format!("{base_path}{path}"),
            &[("Cache-Control", IMMUTABLE)],
        );
    }
    text.push_str("\n# Everything else, pages included: checked again on every visit.\n");
    for (path, _) in rules.iter().filter(|(_, forever)| !*forever) {
        rule(
            &mut text,
            &format!("{base_path}{path}"),
            &[("Cache-Control", REVALIDATE)],
        );
    }
    text
}

fn rule(text: &mut String, path: &str, headers: &[(&str, &str)]) {
    text.push_str(path);
    text.push('\n');
    for (name, value) in headers {
        text.push_str(&format!("  {name}: {value}\n"));
    }
}

/// The `Cache-Control` rules, by site path (without the base path), each with whether it is
/// for a fingerprinted file: one rule per path of the output, no two rules for one path.
pub fn cache_rules(
    outputs: &BTreeSet<String>,
    immutable: &BTreeSet<String>,
) -> Vec<(String, bool)> {
    // Folders with a fingerprinted file somewhere inside (the root always: no `/*` rule).
    let mut mixed: BTreeSet<&str> = BTreeSet::from([""]);
    for rel in immutable {
        let mut folder = parent(rel);
        while mixed.insert(folder) {
            folder = parent(folder);
        }
    }
    let mut rules: BTreeSet<(String, bool)> = BTreeSet::new();
    for rel in outputs {
        if NOT_SERVED.contains(&rel.as_str()) {
            continue;
        }
        let folder = parent(rel);
        if mixed.contains(folder) {
            rules.insert((format!("/{rel}"), immutable.contains(rel)));
            if let Some(dir) = rel.strip_suffix("index.html")
                && (dir.is_empty() || dir.ends_with('/'))
            {
                rules.insert((format!("/{dir}"), false));
            }
            continue;
        }
        // The outermost folder of `rel` without a fingerprinted file: one rule for all of it.
        let mut top = folder;
        while !mixed.contains(parent(top)) {
            top = parent(top);
        }
        rules.insert((format!("/{top}/*"), false));
    }
    rules.into_iter().collect()
}

/// The folder of an output path (`a/b` for `a/b/c.html`), empty at the root.
fn parent(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(folder, _)| folder)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(paths: &[&str]) -> BTreeSet<String> {
        paths.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn fingerprinted_folders_get_exact_rules_and_the_others_one_splat() {
        let outputs = set(&[
            "index.html",
            "404.html",
            "_headers",
            "_redirects",
            "theme.0123abcd.css",
            "engineering/index.html",
            "engineering/triage/index.html",
            "static/css/site.89abcdef.css",
            "static/css/fonts/a.woff2",
            "static/img/logo.png",
        ]);
        let immutable = set(&["theme.0123abcd.css", "static/css/site.89abcdef.css"]);
        let rules: Vec<String> = cache_rules(&outputs, &immutable)
            .into_iter()
            .map(|(path, forever)| {
                format!("{path} {}", if forever { "forever" } else { "revalidate" })
            })
            .collect();
        assert_eq!(
            rules,
            [
                "/ revalidate",
                "/404.html revalidate",
                "/engineering/* revalidate",
                "/index.html revalidate",
                "/static/css/fonts/* revalidate",
                "/static/css/site.89abcdef.css forever",
                "/static/img/* revalidate",
                "/theme.0123abcd.css forever",
            ]
        );
    }

    #[test]
    fn security_headers_are_on_every_path_and_noindex_only_when_asked() {
        let outputs = set(&["index.html", "theme.0123abcd.css"]);
        let immutable = set(&["theme.0123abcd.css"]);
        let production = netlify_headers(&outputs, &immutable, "/hb", false);
        assert!(production.contains("\n/hb/*\n  X-Content-Type-Options: nosniff\n"));
        assert!(production.contains(&format!(
            "  Content-Security-Policy: {CONTENT_SECURITY_POLICY}\n"
        )));
        assert!(production.contains(&format!(
            "\n/hb/theme.0123abcd.css\n  Cache-Control: {IMMUTABLE}\n"
        )));
        assert!(production.contains(&format!("\n/hb/\n  Cache-Control: {REVALIDATE}\n")));
        assert!(!production.contains("X-Robots-Tag"));
        let preview = netlify_headers(&outputs, &immutable, "", true);
        assert!(preview.contains("  X-Robots-Tag: noindex\n"));
    }
}
