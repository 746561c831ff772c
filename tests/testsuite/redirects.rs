//! Aliases: old URLs of a page redirect to it (`_redirects` for Netlify, a redirect page for
//! every other host), links to them still work, and an alias that would clash is an error.

use crate::support;
use crate::support::{Fixture, select_attrs};

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
                "content/a.md:3:1: alias `/b/` is the URL of content/b.md: a redirect there would hide that page{HELP}"
            ),
            format!("content/a.md:3:1: alias `/x/` is listed twice{HELP}"),
            "content/a.md:3:1: warning: alias `/a/` is this page's own URL: it is left out\n  help: remove it from the list: a page needs no redirect from its own address".to_string(),
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

#[test]
fn an_alias_that_is_the_page_own_url_is_left_out_with_a_warning() {
    let site = Fixture::new()
        .file("content/index.md", "# Home\n\n[t](/tools/figma/)\n")
        .file(
            "content/tools/figma.md",
            "---\ntitle: Figma\nredirect_from:\n  - /figma/\n  - /tools/figma/\n---\n",
        )
        .build();
    assert_eq!(
        site.warnings(),
        [
            "content/tools/figma.md:3:1: warning: alias `/tools/figma/` is this page's own URL: it is left out\n  help: remove it from the list: a page needs no redirect from its own address"
        ]
    );
    assert_eq!(
        site.file("_redirects").lines().skip(1).collect::<Vec<_>>(),
        ["/figma/ /tools/figma/ 301!"]
    );
    assert!(select_attrs(&site.page("/tools/figma/"), "html", "data-redirect-to").is_empty());
}

/// 18F's `about-us/tts-consulting/about/handbook.md` with `redirect_from: /about-us/tts-consulting/`,
/// a folder without `index.md`.
fn folder_taken_site() -> Fixture {
    Fixture::new()
        .file("content/index.md", "# Home\n\n[c](/consulting/)\n")
        .file(
            "content/consulting/about/handbook.md",
            "---\ntitle: Consulting handbook\nredirect_from: /consulting/\n---\n",
        )
        .file(
            "content/consulting/about/mission.md",
            "---\ntitle: Mission\n---\n",
        )
}

#[test]
fn an_alias_may_take_the_address_of_a_generated_folder_page() {
    let site = folder_taken_site().build();
    assert_eq!(
        site.file("_redirects").lines().skip(1).collect::<Vec<_>>(),
        ["/consulting/ /consulting/about/handbook/ 301!"]
    );
    let folder = site.html("consulting/index.html");
    assert_eq!(
        select_attrs(&folder, "html", "data-redirect-to"),
        ["/consulting/about/handbook/"]
    );
    // The sidebar and the breadcrumbs link the folder where its address leads; the current
    // page is the deepest link.
    let page = site.page("/consulting/about/handbook/");
    assert_eq!(
        support::sidebar(&page),
        [
            "Consulting /consulting/about/handbook/",
            "  About /consulting/about/",
            "    Consulting handbook /consulting/about/handbook/",
            "    Mission /consulting/about/mission/",
        ]
    );
    assert_eq!(
        support::select_texts(&page, "nav[aria-label=Handbook] [aria-current=page]"),
        ["Consulting handbook"]
    );
    assert_eq!(
        select_attrs(&page, "nav[aria-label=Breadcrumbs] a", "href"),
        ["/", "/consulting/about/handbook/", "/consulting/about/"]
    );
    assert_eq!(
        select_attrs(&site.page("/"), ".prose a", "href"),
        ["/consulting/about/handbook/"]
    );
    assert!(
        !site
            .sitemap()
            .contains(&"https://example.com/consulting/".to_string())
    );
    assert!(site.warnings().is_empty(), "{:?}", site.warnings());
}

#[test]
fn an_alias_of_a_real_page_url_stays_an_error() {
    let errors = folder_taken_site()
        .file(
            "content/consulting/index.md",
            "---\ntitle: Consulting\n---\n",
        )
        .errors();
    assert_eq!(
        errors,
        [
            "content/consulting/about/handbook.md:3:1: alias `/consulting/` is the URL of content/consulting/index.md: a redirect there would hide that page\n  help: an alias is an old address of this page on this site, like `/engineering/old-name/`"
        ]
    );
}

fn redirect_to_site() -> Fixture {
    Fixture::new()
        .file("content/index.md", "# Home\n\n[old](/team/billing/) [ext](team/chart.md)\n")
        .file(
            "content/team/billing.md",
            "---\ntitle: Billing policy\nredirect_to: /team/tock/#billing\nredirect_from:\n  - /billing-policy/\n---\n\nOld text with a [broken](/nowhere/) link.\n",
        )
        .file("content/team/tock.md", "---\ntitle: Tock\n---\n\n## Billing\n")
        .file(
            "content/team/chart.md",
            "---\ntitle: Org chart\nredirect_to: https://docs.example.org/chart#slide=2\n---\n",
        )
}

#[test]
fn redirect_to_makes_a_page_a_redirect_and_its_aliases_follow() {
    let site = redirect_to_site().build();
    assert_eq!(
        site.file("_redirects").lines().skip(1).collect::<Vec<_>>(),
        [
            "/billing-policy/ /team/tock/#billing 301!",
            "/team/billing/ /team/tock/#billing 301!",
            "/team/chart/ https://docs.example.org/chart#slide=2 301!",
        ]
    );
    for file in ["team/billing/index.html", "billing-policy/index.html"] {
        let page = site.html(file);
        assert_eq!(
            select_attrs(&page, "html", "data-redirect-to"),
            ["/team/tock/#billing"]
        );
        assert_eq!(
            select_attrs(&page, "meta[http-equiv=refresh]", "content"),
            ["0; url=/team/tock/#billing"]
        );
        assert_eq!(
            select_attrs(&page, "link[rel=canonical]", "href"),
            ["https://example.com/team/tock/"]
        );
        assert_eq!(
            select_attrs(&page, "script", "src"),
            [format!("/{}", site.asset("redirect.js"))]
        );
    }
    let chart = site.html("team/chart/index.html");
    assert_eq!(
        select_attrs(&chart, "html", "data-redirect-to"),
        ["https://docs.example.org/chart#slide=2"]
    );
    assert_eq!(support::select_texts(&chart, "a"), ["Org chart"]);
    // Not a page: not in the sidebar, the sitemap or the search index.
    assert_eq!(
        support::sidebar(&site.page("/team/tock/")),
        ["Team /team/", "  Tock /team/tock/"]
    );
    assert_eq!(
        site.sitemap(),
        [
            "https://example.com/",
            "https://example.com/team/",
            "https://example.com/team/tock/"
        ]
    );
    let search = site.file("_search/meta.json");
    assert!(search.contains("\"pages\":3"), "{search}");
    // Links to it go where it leads; its own Markdown is not checked.
    assert_eq!(
        select_attrs(&site.page("/"), ".prose a", "href"),
        [
            "/team/tock/#billing",
            "https://docs.example.org/chart#slide=2"
        ]
    );
    assert_eq!(
        site.warnings(),
        [
            "content/index.md:3:7: warning: link /team/billing/ is an old address (an alias) of /team/tock/#billing: it works through a redirect\n  help: link to /team/tock/#billing directly",
            "content/index.md:3:29: warning: link team/chart.md is an old address (an alias) of https://docs.example.org/chart#slide=2: it works through a redirect\n  help: link to https://docs.example.org/chart#slide=2 directly",
        ]
    );
}

#[test]
fn redirect_to_is_checked_like_a_link_and_must_be_a_site_path_or_http_address() {
    const HELP: &str = "\n  help: write where the page moved: a path of this site, like `redirect_to: /engineering/releases/`, or an address starting with https://";
    let errors = redirect_to_site()
        .file(
            "content/b.md",
            "---\ntitle: B\nredirect_to: team/tock\n---\n",
        )
        .file(
            "content/c.md",
            "---\ntitle: C\nredirect_to: ftp://example.org/x\n---\n",
        )
        .file("content/d.md", "---\ntitle: D\nredirect_to: /d/\n---\n")
        .errors();
    assert_eq!(
        errors,
        [
            format!(
                "content/b.md:3:1: `redirect_to: team/tock` is not a path from the site's root (it must start with `/`){HELP}"
            ),
            format!(
                "content/c.md:3:1: `redirect_to: ftp://example.org/x` is neither a path of this site nor an http(s) address{HELP}"
            ),
            format!(
                "content/d.md:3:1: `redirect_to: /d/` is this page's own URL: it would redirect to itself{HELP}"
            ),
        ]
    );
    // Checked with the links, once the site's pages and files are known.
    let errors = redirect_to_site()
        .file(
            "content/a.md",
            "---\ntitle: A\nredirect_to: /team/tok/\n---\n",
        )
        .file(
            "content/e.md",
            "---\ntitle: E\nredirect_to: /team/tock/#biling\n---\n",
        )
        .file(
            "content/f.md",
            "---\ntitle: F\nredirect_to: /team/tock/#Billing\n---\n",
        )
        .errors();
    let errors: Vec<&String> = errors.iter().filter(|e| !e.contains("warning:")).collect();
    assert_eq!(
        errors,
        [
            "content/a.md:3:1: broken redirect_to /team/tok/: no page at /team/tok/ (did you mean /team/tock/?)",
            "content/e.md:3:1: broken redirect_to /team/tock/#biling: /team/tock/ has no heading #biling (did you mean /team/tock/#billing?)",
            "content/f.md:3:1: broken redirect_to /team/tock/#Billing: /team/tock/ has no heading #Billing; letter case matters in anchors: write /team/tock/#billing",
        ]
    );
}

#[test]
fn html_aliases_keep_the_old_jekyll_addresses_of_every_page() {
    let site = Fixture::new()
        .file(
            "handbook.yml",
            "title: Fixture\nbase_url: https://example.com/\nhtml_aliases: true\n",
        )
        .file("content/index.md", "# Home\n\n[v](/company/values.html)\n")
        .file("content/company/index.md", "---\ntitle: Company\n---\n")
        .file("content/company/values.md", "---\ntitle: Values\n---\n")
        .file(
            "content/company/perks.md",
            "---\ntitle: Perks\naliases: /company/perks.html\n---\n",
        )
        .file("content/company/history.md", "---\ntitle: History\n---\n")
        .file("content/company/history.html", "<p>the real old file</p>")
        .file(
            "content/company/moved.md",
            "---\ntitle: Moved\npermalink: /moved/\n---\n",
        )
        .build();
    assert_eq!(
        site.file("_redirects").lines().skip(1).collect::<Vec<_>>(),
        [
            "/company/perks.html /company/perks/ 301!",
            "/company/values.html /company/values/ 301!",
        ]
    );
    assert_eq!(
        select_attrs(
            &site.html("company/values.html"),
            "html",
            "data-redirect-to"
        ),
        ["/company/values/"]
    );
    assert_eq!(
        site.file("company/history.html"),
        "<p>the real old file</p>"
    );
    assert!(!site.exists("moved.html") && !site.exists("company/moved.html"));
    assert!(
        !site.exists("company.html"),
        "a folder's index.md had no .html address"
    );
    assert_eq!(
        select_attrs(&site.page("/"), ".prose a", "href"),
        ["/company/values/"]
    );
    assert!(site.warnings().is_empty(), "{:?}", site.warnings());
}
