//! Netlify's `_headers`: fingerprinted files are cached for a year, everything else is
//! revalidated, and no path gets `Cache-Control` from two rules (Netlify would join their
//! values); every response has the security headers and a Content-Security-Policy the site's
//! own pages satisfy; previews are not indexed.

use crate::support::static_server::{HeaderRule, headers_for, parse_headers};
use crate::support::{BuiltSite, Fixture, select, select_attrs, snapshot};
use handbook::netlify::deploy::Deploy;
use handbook::netlify::headers::{CONTENT_SECURITY_POLICY, IMMUTABLE, REVALIDATE};
use scraper::Html;

/// Folders with and without fingerprinted files, nested, and files beside pages.
fn site() -> Fixture {
    Fixture::new()
        .file(
            "content/index.md",
            "# Home\n\n| left | centre | right |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n",
        )
        .file(
            "content/engineering/index.md",
            "# Engineering\n\n![Chart](chart.png)\n",
        )
        .file("content/engineering/chart.png", b"\x89PNG\r\n\x1a\n")
        .file(
            "content/engineering/code.md",
            "---\ntitle: Code\naliases: [/old/, /older.html]\n---\n\n```rust\nfn main() {}\n```\n",
        )
        .file("static/assets/css/site.css", "body {}\n")
        .file("static/assets/css/fonts/a.woff2", "font")
        .file(
            "static/assets/img/logo.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
        )
        .file("static/downloads/guide.pdf", "%PDF")
}

fn context(name: &str) -> Deploy {
    Deploy::from_vars(|var| (var == "CONTEXT").then(|| name.to_string()))
}

fn rules(site: &BuiltSite) -> Vec<HeaderRule> {
    parse_headers(&site.file("_headers"))
}

/// Every URL path the built site answers: each file, and each folder with an `index.html`.
/// (Not the files Netlify reads itself, nor handbook's dot files.)
fn served_paths(site: &BuiltSite) -> Vec<String> {
    let mut paths = Vec::new();
    for (rel, bytes) in snapshot(&site.out) {
        if bytes.is_none() || rel.starts_with('.') || rel == "_headers" || rel == "_redirects" {
            continue;
        }
        paths.push(format!("/{rel}"));
        if let Some(folder) = rel.strip_suffix("index.html") {
            paths.push(format!("/{folder}"));
        }
    }
    paths
}

fn is_fingerprinted(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap();
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3
        && matches!(parts[parts.len() - 1], "css" | "js")
        && parts[parts.len() - 2].len() == 8
        && parts[parts.len() - 2]
            .bytes()
            .all(|b| b.is_ascii_hexdigit())
}

#[test]
fn every_path_gets_cache_control_from_exactly_one_rule() {
    let site = site().build();
    let rules = rules(&site);
    let paths = served_paths(&site);
    assert!(paths.len() > 15, "{paths:?}");
    for path in &paths {
        let setting: Vec<&str> = rules
            .iter()
            .filter(|rule| rule.matches(path))
            .filter(|rule| rule.headers.iter().any(|(n, _)| n == "Cache-Control"))
            .map(|rule| rule.path.as_str())
            .collect();
        assert_eq!(setting.len(), 1, "{path}: Cache-Control from {setting:?}");
        let headers = headers_for(&rules, path);
        let cache = headers.iter().find(|(n, _)| n == "Cache-Control").unwrap();
        let expected = if is_fingerprinted(path) {
            IMMUTABLE
        } else {
            REVALIDATE
        };
        assert_eq!(cache.1, expected, "{path}");
    }
    assert!(paths.iter().filter(|p| is_fingerprinted(p)).count() >= 5);
}

#[test]
fn folders_without_fingerprinted_files_get_one_rule_and_the_others_one_per_file() {
    let site = site().build();
    let paths: Vec<String> = rules(&site)
        .into_iter()
        .filter(|rule| rule.headers.iter().any(|(n, _)| n == "Cache-Control"))
        .map(|rule| rule.path)
        .filter(|path| !is_fingerprinted(path))
        .collect();
    assert_eq!(
        paths,
        [
            "/",
            "/404.html",
            "/_search/*",
            "/assets/css/fonts/*",
            "/assets/img/*",
            "/downloads/*",
            "/engineering/*",
            "/favicon.svg",
            "/index.html",
            "/old/*",
            "/older.html",
            "/robots.txt",
            "/search/*",
            "/sitemap.xml",
        ]
    );
}

#[test]
fn every_path_gets_the_security_headers() {
    let site = site().build_with(|o| o.deploy = context("production"));
    let rules = rules(&site);
    assert_eq!(rules[0].path, "/*");
    assert_eq!(
        rules[0].headers,
        [
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "strict-origin-when-cross-origin"),
            ("X-Frame-Options", "SAMEORIGIN"),
            ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ]
        .map(|(n, v)| (n.to_string(), v.to_string()))
    );
    assert!(CONTENT_SECURITY_POLICY.contains("script-src 'self';"));
    assert!(CONTENT_SECURITY_POLICY.contains("style-src 'self';"));
    assert!(
        !site.file("_headers").contains("X-Robots-Tag"),
        "production is indexed"
    );
    assert!(select(&site.page("/"), "meta[name=robots]").is_empty());
}

#[test]
fn a_deploy_preview_is_not_indexed() {
    let fixture = site();
    fixture
        .handbook(&["build"])
        .arg("--output-dir")
        .arg(fixture.output())
        .env("CONTEXT", "deploy-preview")
        .env(
            "DEPLOY_PRIME_URL",
            "https://deploy-preview-7--handbook.netlify.app",
        )
        .run()
        .success();
    let site = BuiltSite::at(fixture.output());
    let rules = rules(&site);
    assert_eq!(
        rules[0].headers.last(),
        Some(&("X-Robots-Tag".to_string(), "noindex".to_string()))
    );
    for page in [site.page("/"), site.html("404.html")] {
        assert_eq!(
            select_attrs(&page, "meta[name=robots]", "content"),
            ["noindex"]
        );
    }
    let local = fixture.build();
    assert!(!local.file("_headers").contains("X-Robots-Tag"));
}

#[test]
fn a_headers_file_in_static_replaces_the_generated_one() {
    let site = site()
        .file("static/_headers", "/*\n  X-Mine: yes\n")
        .build();
    assert_eq!(site.file("_headers"), "/*\n  X-Mine: yes\n");
}

#[test]
fn the_sites_own_html_has_no_inline_script_style_or_handler() {
    let site = site().build();
    let mut checked = 0;
    for (path, bytes) in snapshot(&site.out) {
        let Some(bytes) = bytes.filter(|_| path.ends_with(".html")) else {
            continue;
        };
        let html = Html::parse_document(&String::from_utf8(bytes).unwrap());
        assert!(
            select(&html, "[style], style").is_empty(),
            "{path}: a style"
        );
        assert!(
            select(&html, "script:not([src])").is_empty(),
            "{path}: an inline script"
        );
        for element in select(&html, "*") {
            for (name, _) in element.value().attrs() {
                assert!(!name.starts_with("on"), "{path}: a {name}= handler");
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 7, "pages, alias pages, 404 and the search page");
    assert_eq!(
        select_attrs(&site.page("/"), "th, td", "align"),
        ["left", "center", "right", "left", "center", "right"],
        "table alignment as attributes, not styles"
    );
}

#[test]
fn raw_html_the_content_security_policy_blocks_is_a_warning() {
    let site = Fixture::new()
        .file(
            "content/index.md",
            "# Home\n\n<script>track()</script>\n\n<p style=\"color: red\">Red <button onclick=\"go()\">Go</button></p>\n\n<script src=\"/ok.js\"></script>\n",
        )
        .file("static/ok.js", "")
        .build();
    assert_eq!(
        site.warnings(),
        [
            "content/index.md:3:1: warning: inline <script>: the site's Content-Security-Policy (in _headers) blocks scripts written in the page\n  help: put the script in a file of static/ and load it with <script src=\"/name.js\"></script>",
            "content/index.md:5:11: warning: style= attribute: the site's Content-Security-Policy (in _headers) blocks styles written in the page\n  help: give the element a class and style it in a stylesheet of static/",
            "content/index.md:5:44: warning: onclick= attribute: the site's Content-Security-Policy (in _headers) blocks event handlers written in the page\n  help: attach the handler from a script file in static/ (addEventListener)",
        ]
    );
}
