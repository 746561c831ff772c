//! `branding` of `handbook.yml`: the logo, accent colour, fonts and header links on a built
//! site, the stylesheet they make, and the warnings and errors of its settings.

use crate::support::{Fixture, page, select, select_attrs, select_texts};

fn branded(branding: &str) -> Fixture {
    Fixture::new()
        .file(
            "handbook.yml",
            format!("title: Acme Handbook\nbase_url: https://example.com/handbook/\n{branding}"),
        )
        .file("content/index.md", page("Home", "Welcome."))
        .file("content/a.md", page("A", "## One\n\nText [home](/)."))
        .file(
            "static/images/logo.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        )
        .file(
            "static/images/logo-dark.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        )
        .file("static/fonts/inter.woff2", "not really a font")
}

const FULL: &str = "branding:\n  logo:\n    light: /images/logo.svg\n    dark: /images/logo-dark.svg\n    shows_title: true\n  accent: \"#311772\"\n  fonts:\n    body:\n      family: Inter\n      files:\n        - src: /fonts/inter.woff2\n          weight: \"100 900\"\n  links:\n    - title: Acme\n      url: https://acme.example/\n";

#[test]
fn branding_sets_the_logo_colours_fonts_and_links() {
    let site = branded(FULL).build();
    assert!(site.warnings().is_empty(), "{:?}", site.warnings());
    let a = site.page("/a/");
    let sheets = select_attrs(&a, "link[rel=stylesheet]", "href");
    let branding = sheets
        .iter()
        .find(|h| h.starts_with("/handbook/branding."))
        .unwrap_or_else(|| panic!("no branding.css in {sheets:?}"));
    let css = site.file(branding.trim_start_matches("/handbook/"));
    for expected in [
        "--accent: #311772;",
        "@media (prefers-color-scheme: dark)",
        "src: url(\"/handbook/fonts/inter.woff2\") format(\"woff2\");",
        "font-weight: 100 900;",
        "--font-sans: \"Inter\", system-ui, sans-serif;",
    ] {
        assert!(css.contains(expected), "no {expected:?} in {css}");
    }
    // The logo shows the name: its alt text is the title, and there is no title text.
    assert_eq!(
        select_attrs(&a, ".site-title img", "src"),
        ["/handbook/images/logo.svg"]
    );
    assert_eq!(
        select_attrs(&a, ".site-title img", "alt"),
        ["Acme Handbook"]
    );
    assert_eq!(
        select_attrs(&a, ".site-title source", "srcset"),
        ["/handbook/images/logo-dark.svg"]
    );
    assert!(select(&a, ".site-title__text").is_empty());
    assert_eq!(select_texts(&a, ".header-link--brand"), ["Acme"]);
    assert_eq!(
        select_attrs(&a, ".site-footer__links a", "href"),
        ["https://acme.example/"]
    );
    // The logo and the font are the site's own files.
    assert!(site.exists("images/logo.svg") && site.exists("fonts/inter.woff2"));
}

#[test]
fn without_branding_there_is_no_branding_stylesheet() {
    let site = branded("").build();
    let a = site.page("/a/");
    assert!(
        select_attrs(&a, "link[rel=stylesheet]", "href")
            .iter()
            .all(|h| !h.contains("branding"))
    );
    assert!(
        !site
            .html_files()
            .iter()
            .any(|(p, _)| p.contains("branding"))
    );
    assert_eq!(select_texts(&a, ".site-title__text"), ["Acme Handbook"]);
}

#[test]
fn an_accent_below_wcag_aa_is_a_warning_with_a_colour_that_passes() {
    let site = branded("branding:\n  accent: \"#9b7bff\"\n  accent_dark: \"#2a1a66\"\n").build();
    assert_eq!(
        site.warnings(),
        [
            "handbook.yml:4:1: warning: `branding.accent` #9b7bff has a contrast of 2.76:1 on the light backgrounds, below the 4.5:1 that WCAG AA asks of text: links in that colour are hard to read\n  help: use a darker colour, like `accent: \"#7143ff\"`",
            "handbook.yml:5:1: warning: `branding.accent_dark` #2a1a66 has a contrast of 1.01:1 on the dark backgrounds, below the 4.5:1 that WCAG AA asks of text: links in that colour are hard to read\n  help: use a lighter colour, like `accent_dark: \"#9581df\"`",
        ]
    );
}

#[test]
fn a_logo_or_font_not_in_static_and_a_colour_that_is_none_are_errors() {
    assert_eq!(
        branded("branding:\n  logo:\n    light: /images/nope.svg\n").errors(),
        [
            "handbook.yml:5:1: `branding` light /images/nope.svg: there is no file static/images/nope.svg\n  help: put the file in `static/` and write its site path, like `/images/logo.svg` for `static/images/logo.svg`"
        ]
    );
    assert_eq!(
        branded("branding:\n  accent: purple\n").errors(),
        [
            "handbook.yml:4:1: `branding.accent` is not a colour: `purple`\n  help: write a hex colour in quotes, like `accent: \"#5b2fc9\"`"
        ]
    );
}
