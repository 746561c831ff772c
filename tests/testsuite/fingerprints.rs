//! Fingerprinted assets: a build writes every stylesheet and script as `name.<8 hex>.ext`, whose
//! hash changes with the content and only then, writes no file under the plain name, and
//! rewrites every reference in every HTML file; `handbook serve` keeps the plain names.

use crate::support;
use crate::support::serve::Served;
use crate::support::{BuiltSite, Fixture, select_attrs, snapshot};
use scraper::Html;
use std::collections::BTreeMap;

/// A site with a stylesheet and a script of its own, code to highlight, an alias, and links to
/// its static files from Markdown and raw HTML.
fn site() -> Fixture {
    Fixture::new()
        .file(
            "content/index.md",
            "# Home\n\nSee [the styles](/css/site.css), [code](/code/) and [old](/old/#usage).\n\n<a href=\"/js/app.js\">script</a> <img src=\"/img/logo.svg\" alt=\"Logo\">\n",
        )
        .file(
            "content/code.md",
            "---\ntitle: Code\naliases: [/old/]\n---\n\n## Usage\n\n```rust\nfn main() {}\n```\n",
        )
        .file("static/css/site.css", "body { color: teal; }\n")
        .file("static/js/app.js", "console.log('app');\n")
        .file("static/img/logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n")
        .file(
            "templates/base.html",
            // The theme's base, with the site's own files linked by their plain URLs.
            theme_base().replace(
                "</head>",
                "  <link rel=\"stylesheet\" href=\"{{ site.root }}css/site.css\">\n  <script src=\"{{ site.root }}js/app.js\" defer></script>\n</head>",
            ),
        )
}

fn theme_base() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/base.html")).unwrap()
}

/// The fingerprinted name of each stylesheet and script of the output, by plain path.
fn names(site: &BuiltSite) -> BTreeMap<&'static str, String> {
    [
        "theme.css",
        "theme.js",
        "syntax.css",
        "redirect.js",
        "search.js",
        "css/site.css",
        "js/app.js",
    ]
    .into_iter()
    .map(|plain| (plain, site.asset(plain)))
    .collect()
}

#[test]
fn stylesheets_and_scripts_get_a_hash_of_their_content_in_their_name_and_nothing_else_does() {
    let site = site().build();
    let names = names(&site);
    assert!(names["css/site.css"].starts_with("css/site."), "{names:?}");
    for plain in names.keys() {
        assert!(
            !site.exists(plain),
            "{plain} is written under its plain name too"
        );
    }
    assert!(site.exists("img/logo.svg"), "images keep their names");
    assert!(site.exists("favicon.svg"));
    let home = site.page("/");
    assert_eq!(
        select_attrs(&home, "link[rel=stylesheet]", "href"),
        [
            format!("/{}", names["theme.css"]),
            format!("/{}", names["syntax.css"]),
            format!("/{}", names["css/site.css"]),
        ]
    );
    assert_eq!(
        select_attrs(&home, "script", "src"),
        [
            format!("/{}", names["theme.js"]),
            format!("/{}", names["search.js"]),
            format!("/{}", names["js/app.js"]),
        ]
    );
    assert_eq!(
        select_attrs(&home, "main a[href$='.css'], main a[href$='.js']", "href"),
        [
            format!("/{}", names["css/site.css"]),
            format!("/{}", names["js/app.js"]),
        ],
        "links written in Markdown and in raw HTML are rewritten too"
    );
    assert_eq!(
        select_attrs(&site.html("old/index.html"), "script", "src"),
        [format!("/{}", names["redirect.js"])]
    );
}

#[test]
fn names_change_when_the_content_changes_and_only_then() {
    let fixture = site();
    let first = names(&fixture.build());
    let before = snapshot(&fixture.output());
    let again = fixture.build();
    assert_eq!(names(&again), first);
    support::assert_same_tree(&before, &snapshot(&fixture.output()));

    fixture.write("static/css/site.css", "body { color: navy; }\n");
    let edited = fixture.build();
    let second = names(&edited);
    assert_ne!(second["css/site.css"], first["css/site.css"]);
    for plain in ["theme.css", "theme.js", "syntax.css", "js/app.js"] {
        assert_eq!(second[plain], first[plain], "{plain} did not change");
    }
    assert!(
        !edited.exists(&first["css/site.css"]),
        "the old file is gone"
    );
    for url in ["/", "/code/"] {
        assert!(
            select_attrs(&edited.page(url), "link[rel=stylesheet]", "href")
                .contains(&format!("/{}", second["css/site.css"])),
            "{url} links the new stylesheet"
        );
    }

    fixture.write(
        "handbook.yml",
        format!(
            "{}highlight:\n  light_theme: Solarized (light)\n",
            support::CONFIG
        ),
    );
    let third = names(&fixture.build());
    assert_ne!(third["syntax.css"], second["syntax.css"]);
    assert_eq!(third["theme.css"], second["theme.css"]);
}

/// Every `href` and `src` of every HTML file of the output that points inside the site, as a
/// path of the output folder (without the base path), with the file and attribute it is in.
fn internal_links(site: &BuiltSite, base_path: &str) -> Vec<(String, String)> {
    let mut links = Vec::new();
    for (path, bytes) in snapshot(&site.out) {
        let Some(bytes) = bytes.filter(|_| path.ends_with(".html")) else {
            continue;
        };
        let html = Html::parse_document(&String::from_utf8(bytes).unwrap());
        for attr in ["href", "src"] {
            for value in select_attrs(&html, &format!("[{attr}]"), attr) {
                let value = value
                    .strip_prefix("https://example.com")
                    .unwrap_or(&value)
                    .to_string();
                if !value.starts_with('/') || value.starts_with("//") {
                    assert!(
                        value.contains(':') || value.starts_with('#'),
                        "{path}: {attr}=\"{value}\" is relative"
                    );
                    continue;
                }
                let target = value.split(['#', '?']).next().unwrap();
                let target = target.strip_prefix(base_path).unwrap_or_else(|| {
                    panic!("{path}: {attr}=\"{value}\" lacks the base path {base_path}")
                });
                links.push((format!("{path}: {attr}=\"{value}\""), target.to_string()));
            }
        }
    }
    links
}

#[test]
fn every_href_and_src_inside_the_site_points_at_a_file_of_the_output() {
    for base_url in ["https://example.com/", "https://example.com/handbook/"] {
        let base_path = base_url
            .trim_start_matches("https://example.com")
            .trim_end_matches('/');
        let site = site().build_with(|o| o.base_url = Some(base_url.into()));
        let links = internal_links(&site, base_path);
        assert!(links.len() > 30, "only {} links", links.len());
        let broken: Vec<&String> = links
            .iter()
            .filter(|(_, target)| {
                let file = match target.ends_with('/') {
                    true => format!("{}index.html", &target[1..]),
                    false => target[1..].to_string(),
                };
                !site.out.join(&file).is_file()
            })
            .map(|(place, _)| place)
            .collect();
        assert!(broken.is_empty(), "{base_url}: broken: {broken:#?}");
    }
}

#[test]
fn handbook_serve_keeps_the_plain_names() {
    let fixture = site();
    let server = Served::start(&fixture.root(), &[]);
    let home = Html::parse_document(&server.get("/").body);
    assert_eq!(
        select_attrs(&home, "link[rel=stylesheet]", "href"),
        ["/theme.css", "/syntax.css", "/css/site.css"]
    );
    for path in [
        "/theme.css",
        "/theme.js",
        "/syntax.css",
        "/redirect.js",
        "/css/site.css",
    ] {
        let reply = server.get(path);
        assert_eq!(reply.status, 200, "{path}");
        assert!(
            reply
                .header("cache-control")
                .unwrap_or("")
                .contains("no-cache"),
            "{path}: {:?}",
            reply.header("cache-control")
        );
    }
}

#[test]
fn a_stylesheet_importing_another_file_of_the_site_is_a_warning() {
    let site = Fixture::new()
        .file("content/index.md", "# Home\n")
        .file(
            "static/css/site.css",
            "@import url(\"https://fonts.example.com/a.css\");\n@import \"base.css\";\nbody {}\n",
        )
        .file("static/css/base.css", "p {}\n")
        .build();
    assert_eq!(
        site.warnings(),
        [
            "static/css/site.css:2:1: warning: @import of base.css: the build writes stylesheets only under fingerprinted names (like theme.3f2a9c1e.css), so this import finds nothing\n  help: link each stylesheet from the template (<link rel=\"stylesheet\" href=\"/name.css\">), or put its rules in this file"
        ]
    );
}
