//! Internal links: every form an author writes resolves to the page or file they meant and is
//! written site-absolute (with the path of `base_url`); a link or anchor that goes nowhere is
//! reported at its place in the Markdown, with the nearest thing that exists.

use crate::support;
use crate::support::{Fixture, select, select_attrs};

/// `href`s and `src`s of the page's own content, in document order.
fn content_links(site: &support::BuiltSite, url: &str) -> Vec<String> {
    let html = site.page(url);
    select(&html, ".prose a, .prose img")
        .into_iter()
        .filter_map(|e| e.value().attr("href").or(e.value().attr("src")))
        .map(String::from)
        .collect()
}

#[test]
fn every_link_form_reaches_the_page_or_file_it_names() {
    let site = Fixture::copy("links").build();
    assert_eq!(site.warnings(), Vec::<String>::new());
    assert_eq!(
        content_links(&site, "/engineering/"),
        [
            "#priorities",
            "/company/values/",                    // /company/values
            "/company/values/",                    // /company/values/
            "/company/values/#together-we-thrive", // with an anchor
            "/company/values/",                    // ../company/values
            "/company/values/#team",               // ../company/values.md#team
            "/product/#weekly-kickoff",            // ../product/index.md#weekly-kickoff
            "/product/roadmap/",                   // ../product/roadmap
            "#priorities",                         // same page
            "/files/guide.pdf",                    // static file
            "/company/values/",                    // the old handbook's /company/values.html
            "/releases/",                          // ./release.md, a page with a permalink
            "/product/",                           // ../product/
            "#custom-anchor",                      // an id in raw HTML
            "https://example.org/x",               // outside: as written
            "mailto:team@example.com",
            "/company/tech-stack/#amazon-web-services", // percent-encoded path
            "/product/img/chart.png",                   // colocated image
            "/company/tech-stack/#netlify",             // raw HTML <a href>
            "/product/img/chart.png",                   // raw HTML <img src>
        ]
    );
}

#[test]
fn relative_links_read_from_the_markdown_files_folder_even_under_a_permalink() {
    let site = Fixture::copy("links").build();
    assert_eq!(
        content_links(&site, "/releases/"),
        ["/company/values/", "/product/roadmap/#goals"]
    );
}

#[test]
fn relative_links_that_lead_nowhere_from_the_file_are_read_from_the_pages_url_as_a_browser_does() {
    // As in 18F's handbook (Eleventy): `tools/slack.md` is the page /tools/slack/, and its
    // links, and those of the pages of `tools/slack/`, are written for those URLs.
    let site = Fixture::new()
        .file("content/index.md", "[Tools](tools/)")
        .file("content/tools/index.md", "[Slack](slack/) [Guide](slack/guide/)")
        .file(
            "content/tools/slack.md",
            "---\ntitle: Slack\n---\n[Records](records/) [Guide](guide/#setup) [Values](../values/)\n",
        )
        .file("content/tools/slack/records.md", "# Records\n[Back](../records/)\n")
        .file("content/tools/slack/guide.md", "# Guide\n\n## Setup\n\n[Records](../records/)\n")
        .file("content/tools/values.md", "# Values\n")
        .build();
    assert_eq!(site.warnings(), Vec::<String>::new());
    assert_eq!(
        content_links(&site, "/tools/slack/"),
        [
            "/tools/slack/records/",
            "/tools/slack/guide/#setup",
            // Beside the file first, as on GitHub: content/values.md does not exist, so the
            // page's URL decides (/tools/values/).
            "/tools/values/"
        ]
    );
    assert_eq!(
        content_links(&site, "/tools/slack/guide/"),
        ["#setup", "/tools/slack/records/"] // the heading's own anchor, then the link
    );
    let broken = Fixture::new()
        .file("content/index.md", "[Nowhere](nowhere/)")
        .file(
            "handbook.yml",
            "title: T\nbase_url: https://example.com/\nlinks: warn\n",
        )
        .build();
    assert_eq!(broken.warnings().len(), 1);
}

#[test]
fn a_base_url_path_prefixes_every_internal_url_of_the_output() {
    let site = Fixture::copy("links")
        .build_with(|o| o.base_url = Some("https://example.com/handbook/".into()));
    let engineering = content_links(&site, "/engineering/");
    assert_eq!(engineering[1], "/handbook/company/values/");
    assert_eq!(engineering[9], "/handbook/files/guide.pdf");
    assert_eq!(engineering[18], "/handbook/company/tech-stack/#netlify");
    // Navigation, breadcrumbs, assets, the home link: nothing internal without the prefix.
    for url in site.page_urls() {
        let html = site.page(&url);
        for attr in ["href", "src"] {
            for value in select_attrs(&html, &format!("[{attr}]"), attr) {
                if value.starts_with('/') {
                    assert!(
                        value.starts_with("/handbook/"),
                        "{url}: {attr}=\"{value}\" lacks the base path"
                    );
                }
            }
        }
    }
    let html = site.html("404.html");
    assert_eq!(select_attrs(&html, ".button", "href"), ["/handbook/"]);
    assert_eq!(
        select_attrs(&html, "link[rel=stylesheet]", "href"),
        [
            format!("/handbook/{}", site.asset("theme.css")),
            format!("/handbook/{}", site.asset("syntax.css"))
        ]
    );
    // The output folder itself has no `handbook/` level: the host serves it at that path.
    assert!(site.exists("company/values/index.html"));
}

/// A site whose engineering page has one broken link of each kind.
fn broken_site(policy: &str) -> Fixture {
    let fixture = Fixture::copy("links");
    fixture.write(
        "handbook.yml",
        format!("title: Links\nbase_url: https://example.com/\n{policy}"),
    );
    fixture.write(
        "content/engineering/broken.md",
        "---\ntitle: Broken\n---\n\
         ## Priorities\n\
         \n\
         See [tech stack](/company/tech-stak/#netlify) and [values](/company/values#nope).\n\
         Back to [priorities](#prioritie), the [road map](../product/roadmp).\n\
         A [typo](ttps://example.com/x), [semver](semver.org), [www](www.example.com/docs).\n\
         <a href=\"/nope/\">raw</a> and ![](missing.png) and [up](../../outside.md).\n",
    );
    fixture
}

const BROKEN: [&str; 10] = [
    "content/engineering/broken.md:6:18: broken link /company/tech-stak/#netlify: no page at /company/tech-stak/ (did you mean /company/tech-stack/?)",
    "content/engineering/broken.md:6:60: broken link /company/values#nope: /company/values/ has no heading #nope",
    "content/engineering/broken.md:7:22: broken link #prioritie: this page has no heading #prioritie (did you mean #priorities?)",
    "content/engineering/broken.md:7:50: broken link ../product/roadmp: no page or file at content/product/roadmp (did you mean /product/roadmap/?)",
    "content/engineering/broken.md:8:10: broken link ttps://example.com/x: `ttps:` is not a web address scheme; did you mean https://example.com/x?",
    "content/engineering/broken.md:8:42: broken link semver.org: it looks like a web address; write https://semver.org to link outside the handbook",
    "content/engineering/broken.md:8:61: broken link www.example.com/docs: it looks like a web address; write https://www.example.com/docs to link outside the handbook",
    "content/engineering/broken.md:9:10: broken link /nope/: no page at /nope/",
    "content/engineering/broken.md:9:34: broken image missing.png: no page or file at content/engineering/missing.png",
    "content/engineering/broken.md:9:56: broken link ../../outside.md: `../../outside.md` goes above the content folder",
];

const NO_ALT: &str = "content/engineering/broken.md:9:30: warning: image without alt text\n  help: describe the image for readers who cannot see it: ![what it shows](path), or alt=\"...\"";

#[test]
fn broken_links_and_anchors_fail_the_build_with_their_place_and_a_suggestion() {
    let mut expected: Vec<String> = BROKEN.map(String::from).into();
    expected.insert(8, NO_ALT.into());
    assert_eq!(broken_site("").errors(), expected);
}

#[test]
fn links_warn_turns_broken_links_into_warnings() {
    let site = broken_site("links: warn\n").build();
    let mut expected: Vec<String> = BROKEN
        .iter()
        .map(|e| e.replacen(": broken", ": warning: broken", 1))
        .collect();
    expected.insert(8, NO_ALT.into());
    assert_eq!(site.warnings(), expected);
}

#[test]
fn two_headings_with_one_explicit_id_are_an_error() {
    let errors = Fixture::new()
        .file(
            "content/index.md",
            "# Home\n\n## Setup {#setup}\n\n## Install {#setup}\n",
        )
        .errors();
    assert_eq!(
        errors,
        [
            "content/index.md:5:1: two headings have the id `setup`: a link to #setup could only reach the first\n  help: give this heading another `{#id}`"
        ]
    );
}

#[test]
fn images_without_alt_text_are_warnings() {
    let site = Fixture::new()
        .file(
            "content/index.md",
            "# Home\n\n![](a.png)\n\n<img src=\"a.png\">\n",
        )
        .file("content/a.png", "png")
        .build();
    let warnings = site.warnings();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings[0].starts_with("content/index.md:3:1: warning: image without alt text"));
    assert!(warnings[1].starts_with("content/index.md:5:1: warning: image without alt text"));
}

#[test]
fn moving_a_page_rewrites_the_links_to_it_on_the_next_build() {
    let fixture = Fixture::copy("links");
    let site = fixture.build();
    assert_eq!(content_links(&site, "/engineering/")[11], "/releases/");
    fixture.write(
        "content/engineering/release.md",
        "---\ntitle: Release\npermalink: /shipping/\n---\n\nText.\n",
    );
    let site = fixture.build();
    assert_eq!(
        content_links(&site, "/engineering/")[11],
        "/shipping/",
        "the unchanged page that links to the moved one is rendered again"
    );
}

#[test]
fn links_written_in_templates_are_checked_at_their_place_in_the_template() {
    let errors = Fixture::copy("links")
        .file(
            "templates/page.html",
            "{% extends \"base.html\" %}\n{% block content %}\n<a href=\"/compnay/values/\">Values</a> <a href=\"{{ site.root }}\">ok</a> <img src=\"/files/guide.pdf\" alt=\"\">\n{% endblock content %}\n",
        )
        .errors();
    assert_eq!(
        errors,
        [
            "templates/page.html:3:10: broken link /compnay/values/: no page at /compnay/values/ (did you mean /company/values/?)\n  help: a link in a template is on every page it renders; templates can link to the home page with {{ site.root }}"
        ]
    );
}

#[test]
fn pages_no_navigation_and_no_page_reaches_are_warnings() {
    // A theme whose sidebar lists only the sections.
    let site = Fixture::copy("links")
        .file(
            "templates/partials/sidebar.html",
            "<ul>{% for item in nav %}<li><a href=\"{{ item.url }}\">{{ item.title }}</a></li>{% endfor %}</ul>\n",
        )
        .file("content/company/history.md", "---\ntitle: History\n---\nNobody links here.\n")
        .build();
    assert_eq!(
        site.warnings(),
        [
            "content/company/history.md: warning: no navigation and no other page links to /company/history/\n  help: link to it from a page or put it where the sidebar shows it"
        ],
        "every other page is a section in the sidebar or linked from a page"
    );
}

#[test]
fn anchors_of_repeated_headings_are_numbered_and_checked() {
    let fixture = Fixture::new()
        .file("content/index.md", "# Home\n\n[second](guide.md#setup-1) [third](/guide/#setup-2) [fourth](/guide/#setup-3)\n")
        .file("content/guide.md", "---\ntitle: Guide\n---\n## Setup\n## Setup\n## Setup\n");
    assert_eq!(
        fixture.errors(),
        [
            "content/index.md:3:62: broken link /guide/#setup-3: /guide/ has no heading #setup-3 (did you mean /guide/#setup-1?)"
        ]
    );
    fixture.write(
        "content/index.md",
        "# Home\n\n[second](guide.md#setup-1) [third](/guide/#setup-2)\n",
    );
    let site = fixture.build();
    assert_eq!(
        content_links(&site, "/"),
        ["/guide/#setup-1", "/guide/#setup-2"]
    );
}
