//! Aliases: old URLs of a page redirect to it (`_redirects` for Netlify, a redirect page for
//! every other host), links to them still work, and an alias that would clash is an error.

mod common;

use common::{Fixture, select_attrs};

fn moved_site() -> Fixture {
    Fixture::new()
        .file("content/index.md", "# Home\n\nSee [the old address](/engineering/old/#steps) and [older](/old-handbook/new.html).\n")
        .file(
            "content/engineering/new.md",
            "---\ntitle: New & improved\naliases:\n  - /engineering/old/\n  - old-handbook/new.html\n---\n\n## Steps\n",
        )
        .file(
            "content/engineering/other.md",
            "---\ntitle: Other\nredirect_from: /other-old\n---\n\nText.\n",
        )
}

#[test]
fn aliases_become_netlify_redirects_and_redirect_pages() {
    let site = moved_site().build();
    assert_eq!(
        site.file("_redirects"),
        "# Old URLs of pages (`aliases` in their front matter), made by handbook.\n\
         /engineering/old/ /engineering/new/ 301!\n\
         /old-handbook/new.html /engineering/new/ 301!\n\
         /other-old/ /engineering/other/ 301!\n"
    );
    let page = site.html("engineering/old/index.html");
    assert_eq!(
        select_attrs(&page, "meta[http-equiv=refresh]", "content"),
        ["0; url=/engineering/new/"]
    );
    assert_eq!(
        select_attrs(&page, "link[rel=canonical]", "href"),
        ["https://example.com/engineering/new/"]
    );
    assert_eq!(select_attrs(&page, "a", "href"), ["/engineering/new/"]);
    // The #fragment is kept by redirect.js, which reads where to go from <html>: an external
    // script, which the site's Content-Security-Policy allows.
    assert_eq!(
        select_attrs(&page, "html", "data-redirect-to"),
        ["/engineering/new/"]
    );
    assert_eq!(
        select_attrs(&page, "script", "src"),
        [format!("/{}", site.asset("redirect.js"))]
    );
    assert!(select_attrs(&page, "script:not([src])", "src").is_empty());
    assert!(
        site.file(&site.asset("redirect.js"))
            .contains("to + location.hash")
    );
    assert!(site.exists("old-handbook/new.html"));
    assert!(
        site.exists("other-old/index.html"),
        "redirect_from is accepted too"
    );
    assert!(
        !site.sitemap().iter().any(|u| u.contains("old")),
        "aliases are not in the sitemap: {:?}",
        site.sitemap()
    );
}

#[test]
fn links_to_an_alias_work_go_straight_to_the_page_and_suggest_the_new_url() {
    let site = moved_site().build();
    assert_eq!(
        select_attrs(&site.page("/"), ".prose a", "href"),
        ["/engineering/new/#steps", "/engineering/new/"]
    );
    assert_eq!(
        site.warnings(),
        [
            "content/index.md:3:23: warning: link /engineering/old/#steps is an old address (an alias) of /engineering/new/#steps: it works through a redirect\n  help: link to /engineering/new/#steps directly",
            "content/index.md:3:60: warning: link /old-handbook/new.html is an old address (an alias) of /engineering/new/: it works through a redirect\n  help: link to /engineering/new/ directly",
        ]
    );
    // The anchor is checked on the page the alias leads to.
    let errors = moved_site()
        .file(
            "content/index.md",
            "# Home\n\n[x](/engineering/old/#nope)\n",
        )
        .errors();
    assert!(
        errors.iter().any(|e| e.contains(
            "broken link /engineering/old/#nope: /engineering/new/ has no heading #nope"
        )),
        "{errors:?}"
    );
}

#[test]
fn redirects_carry_the_base_url_path() {
    let site = moved_site().build_with(|o| o.base_url = Some("https://example.com/hb/".into()));
    assert!(
        site.file("_redirects")
            .contains("/hb/engineering/old/ /hb/engineering/new/ 301!\n")
    );
    assert_eq!(
        select_attrs(&site.html("engineering/old/index.html"), "a", "href"),
        ["/hb/engineering/new/"]
    );
}

#[test]
fn aliases_that_clash_are_errors() {
    const HELP: &str = "\n  help: an alias is an old address of this page on this site, like `/engineering/old-name/`";
    let errors = Fixture::new()
        .file("content/index.md", "# Home\n")
        .file(
            "content/a.md",
            "---\ntitle: A\naliases: [/b/, /a/, /x/, /x/]\n---\n",
        )
        .file(
            "content/b.md",
            "---\ntitle: B\nredirect_from: [/x/, https://example.com/y, ../up]\n---\n",
        )
        .file("static/y/index.html", "static")
        .file("content/c.md", "---\ntitle: C\naliases: /y/\n---\n")
        .errors();
    assert_eq!(
        errors,
        [
            format!(
                "content/a.md:3:1: alias `/a/` is this page's own URL: it would redirect to itself{HELP}"
            ),
            format!(
                "content/a.md:3:1: alias `/b/` is the URL of content/b.md: a redirect there would hide that page{HELP}"
            ),
            format!("content/a.md:3:1: alias `/x/` is listed twice{HELP}"),
            format!(
                "content/b.md:3:1: alias `../up` is not allowed: it contains a `.` or `..` segment and would leave the output folder{HELP}"
            ),
            format!(
                "content/b.md:3:1: alias `/x/` is also an alias of content/a.md: one old URL can only lead to one page{HELP}"
            ),
            format!(
                "content/b.md:3:1: alias `https://example.com/y` is not a path of this site{HELP}"
            ),
        ]
    );
    let errors = Fixture::new()
        .file("content/index.md", "# Home\n")
        .file("static/y/index.html", "static")
        .file("content/c.md", "---\ntitle: C\naliases: /y/\n---\n")
        .errors();
    assert_eq!(
        errors,
        [
            "static/y/index.html: would be written to y/index.html, which is also the output of an alias of content/c.md\n  help: rename or move one of them"
        ]
    );
}
