//! What a successful build produces: pages, navigation, headings, code, copied files, sitemap.
//! Every test builds a small site of `tests/fixtures/` (or one written inline) and reads the
//! output back as parsed HTML.

use crate::support;
use handbook::BuildOptions;

use crate::support::{
    BuiltSite, Fixture, copy_dir, rel_link, select, select_attrs, select_one, select_texts,
    sidebar, snapshot, toc, top_level,
};

fn lines(expected: &[&str]) -> Vec<String> {
    expected.iter().map(|s| s.to_string()).collect()
}

/// Follows the `rel=next` links from `start`: the pages after it in navigation order.
/// (The home page shows no previous and next links: the walk starts at its first section.)
fn walk_next(site: &BuiltSite, start: &str) -> Vec<String> {
    let mut urls = vec![start.to_string()];
    while let Some(next) = rel_link(&site.page(urls.last().unwrap()), "next") {
        assert!(!urls.contains(&next), "next links loop back to {next}");
        urls.push(next);
    }
    urls
}

/// Navigation order of the `navigation` fixture.
const NAVIGATION_ORDER: [&str; 16] = [
    "/",
    "/guide/",
    "/guide/negative/",
    "/guide/zeta/",
    "/guide/alpha/",
    "/guide/beta/",
    "/guide/ten/",
    "/guide/a-first/",
    "/guide/apple/",
    "/guide/b-second/",
    "/guide/banana/",
    "/policies/",
    "/policies/travel/",
    "/about/",
    "/about/team/",
    "/faq/",
];

// ---------------------------------------------------------------------------------------------
// Navigation order

#[test]
fn sidebar_orders_by_weight_then_source_path_with_unweighted_pages_last() {
    let site = Fixture::copy("navigation").build();
    assert_eq!(
        sidebar(&site.page("/guide/")),
        lines(&[
            "Guide /guide/",
            "  Negative /guide/negative/",
            "  Zeta /guide/zeta/",
            "  alpha /guide/alpha/",
            "  Beta /guide/beta/",
            "  Ten /guide/ten/",
            "  Same /guide/a-first/",
            "  Apple /guide/apple/",
            "  Same /guide/b-second/",
            "  banana /guide/banana/",
            "Policies /policies/",
            "About /about/",
            "FAQ /faq/",
        ])
    );
}

#[test]
fn sidebar_expands_only_the_section_of_the_current_page() {
    let site = Fixture::copy("navigation").build();
    assert_eq!(
        sidebar(&site.page("/policies/travel/")),
        lines(&[
            "Guide /guide/",
            "Policies /policies/",
            "  Travel /policies/travel/",
            "About /about/",
            "FAQ /faq/",
        ])
    );
    assert_eq!(
        sidebar(&site.page("/")),
        lines(&[
            "Guide /guide/",
            "Policies /policies/",
            "About /about/",
            "FAQ /faq/"
        ])
    );
}

#[test]
fn next_links_follow_the_navigation_order_through_every_page() {
    let site = Fixture::copy("navigation").build();
    assert_eq!(walk_next(&site, "/guide/"), NAVIGATION_ORDER[1..]);
    assert_eq!(
        site.page_urls().len(),
        NAVIGATION_ORDER.len(),
        "a page is not linked"
    );
}

#[test]
fn prev_links_are_the_next_links_reversed() {
    let site = Fixture::copy("navigation").build();
    assert_eq!(rel_link(&site.page("/faq/"), "next"), None);
    for pair in NAVIGATION_ORDER.windows(2) {
        assert_eq!(
            rel_link(&site.page(pair[1]), "prev").as_deref(),
            Some(pair[0]),
            "prev of {}",
            pair[1]
        );
    }
}

#[test]
fn prev_and_next_links_show_the_neighbours_titles() {
    let site = Fixture::copy("navigation").build();
    let page = site.page("/guide/alpha/");
    let prev = select_one(&page, "a[rel=prev]");
    let next = select_one(&page, "a[rel=next]");
    assert!(
        support::text(prev).contains("Zeta"),
        "{}",
        support::text(prev)
    );
    assert!(
        support::text(next).contains("Beta"),
        "{}",
        support::text(next)
    );
}

#[test]
fn sitemap_lists_pages_in_navigation_order() {
    let site = Fixture::copy("navigation").build();
    let expected: Vec<String> = NAVIGATION_ORDER
        .iter()
        .map(|url| format!("https://example.com{url}"))
        .collect();
    assert_eq!(site.sitemap(), expected);
}

#[test]
fn summary_counts_pages_and_sections() {
    let site = Fixture::copy("navigation").build();
    assert_eq!(site.summary.pages, 16);
    assert_eq!(site.summary.sections, 3, "guide, policies and about");
    assert_eq!(site.summary.output_dir, site.out);
    assert!(site.warnings().is_empty(), "{:?}", site.warnings());
}

#[test]
fn sidebar_marks_the_current_page_with_aria_current() {
    let site = Fixture::copy("navigation").build();
    for url in ["/guide/zeta/", "/guide/", "/faq/"] {
        assert_eq!(
            select_attrs(
                &site.page(url),
                "nav[aria-label=Handbook] a[aria-current=page]",
                "href"
            ),
            [url],
            "on {url}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Folders and their landing pages (navigation)

/// `tech-stack.md` beside `tech-stack/`, as Jekyll and Eleventy lay out a page with sub-pages.
fn beside_site() -> Fixture {
    Fixture::new()
        .file("handbook.yml", "title: Fixture\nbase_url: https://example.com/\nrepository:\n  url: https://github.com/o/h\n")
        .file("content/index.md", "# Home\n\n[a](tech-stack.md) [b](tech-stack/) [c](/tech-stack)\n")
        .file("content/about.md", "---\ntitle: About\nweight: 2\n---\n\n[up](tech-stack)\n")
        .file("content/tech-stack.md", "---\ntitle: Our tech stack\nweight: 1\n---\n\nWhat we use.\n")
        .file("content/tech-stack/zapier.md", "---\ntitle: Zapier\n---\n\n[back](../tech-stack)\n")
        .file("content/tech-stack/hubspot/index.md", "---\ntitle: HubSpot\n---\n\nCRM.\n")
}

#[test]
fn nav_a_page_beside_a_folder_of_its_name_is_the_folder_landing_page() {
    let site = beside_site().build();
    assert_eq!(
        sidebar(&site.page("/tech-stack/zapier/")),
        lines(&[
            "Our tech stack /tech-stack/",
            "  HubSpot /tech-stack/hubspot/",
            "  Zapier /tech-stack/zapier/",
            "About /about/",
        ]),
        "its weight orders the folder, its title names it"
    );
    let crumbs = |url: &str| select_texts(&site.page(url), "nav[aria-label=Breadcrumbs] li");
    assert_eq!(
        crumbs("/tech-stack/hubspot/"),
        ["Home", "Our tech stack", "HubSpot"]
    );
    let landing = site.page("/tech-stack/");
    assert_eq!(select_texts(&landing, ".prose p"), ["What we use."]);
    assert_eq!(
        select_attrs(&landing, "a.edit-link", "href"),
        ["https://github.com/o/h/edit/main/content/tech-stack.md"]
    );
    assert_eq!(
        select_attrs(&site.page("/"), ".prose a", "href"),
        ["/tech-stack/", "/tech-stack/", "/tech-stack/"]
    );
    assert_eq!(
        select_attrs(&site.page("/tech-stack/zapier/"), ".prose a", "href"),
        ["/tech-stack/"]
    );
    assert!(site.warnings().is_empty(), "{:?}", site.warnings());
}

#[test]
fn nav_a_page_and_an_index_md_of_one_folder_are_an_error_naming_both() {
    let errors = beside_site()
        .file("content/tech-stack/index.md", "---\ntitle: Stack\n---\n")
        .errors();
    assert_eq!(
        errors,
        [
            "content/tech-stack/index.md:1:1: two pages have the URL /tech-stack/: content/tech-stack.md and content/tech-stack/index.md\n  help: content/tech-stack.md beside the folder content/tech-stack/ is that folder's landing page, and so is content/tech-stack/index.md: keep one of them (move the other's text into it)"
        ]
    );
}

#[test]
fn nav_a_page_named_or_titled_like_its_folder_without_index_md_is_its_landing_page() {
    let site = Fixture::new()
        .file(
            "content/index.md",
            "# Home\n\n[x](/updating/) [y](/career/)\n",
        )
        .file(
            "content/updating/updating.md",
            "---\ntitle: Updating the Handbook\n---\n",
        )
        .file("content/updating/editing.md", "---\ntitle: Editing\n---\n")
        .file("content/career/overview.md", "---\ntitle: Career\n---\n")
        .build();
    assert_eq!(
        sidebar(&site.page("/updating/editing/")),
        lines(&[
            "Career /career/overview/",
            "Updating the Handbook /updating/updating/",
            "  Editing /updating/editing/",
        ])
    );
    assert_eq!(
        select_texts(
            &site.page("/updating/updating/"),
            "nav[aria-label=Breadcrumbs] li"
        ),
        ["Home", "Updating the Handbook"]
    );
    // The folder's address leads to it; links to the folder go straight there.
    assert_eq!(
        select_attrs(
            &site.html("updating/index.html"),
            "html",
            "data-redirect-to"
        ),
        ["/updating/updating/"]
    );
    assert!(
        site.file("_redirects")
            .contains("/updating/ /updating/updating/ 301!\n")
    );
    assert_eq!(
        select_attrs(&site.page("/"), ".prose a", "href"),
        ["/updating/updating/", "/career/overview/"]
    );
    assert!(
        !site
            .sitemap()
            .contains(&"https://example.com/updating/".to_string())
    );
    assert!(site.warnings().is_empty(), "{:?}", site.warnings());
}

/// A folder whose pages, landing page included, all name their folder as `subcategory`, and a
/// page named like the group: "DEV STANDARDS › Dev Standards › DEV STANDARDS" before.
fn repeated_labels_site() -> Fixture {
    let page =
        |title: &str, sub: &str| format!("---\ntitle: {title}\nsubcategory: {sub}\n---\n\nText.\n");
    Fixture::new()
        .file("content/index.md", "# Home\n")
        .file("content/eng/index.md", "---\ntitle: Engineering\n---\n")
        .file(
            "content/eng/dev-standards/index.md",
            page("Dev Standards", "Dev Standards"),
        )
        .file(
            "content/eng/dev-standards/linting.md",
            page("Linting", "Dev Standards"),
        )
        .file("content/eng/style.md", page("Style guide", "Dev Standards"))
        .file(
            "content/eng/team-practices/index.md",
            page("Team Practices", "Team Practices"),
        )
        .file(
            "content/eng/team-practices/team-practices.md",
            page("Team Practices", "Team Practices"),
        )
        .file(
            "content/eng/team-practices/retros.md",
            page("Retros", "Team Practices"),
        )
}

#[test]
fn nav_a_subcategory_named_like_a_folder_shows_its_heading_once() {
    let site = repeated_labels_site().build();
    assert_eq!(
        sidebar(&site.page("/eng/dev-standards/linting/")),
        lines(&[
            "Engineering /eng/",
            "  Dev Standards /eng/dev-standards/",
            "    Linting /eng/dev-standards/linting/",
            "    Style guide /eng/style/",
            "  Team Practices /eng/team-practices/",
        ])
    );
}

#[test]
fn nav_breadcrumbs_never_repeat_a_label() {
    let site = repeated_labels_site().build();
    let crumbs = |url: &str| select_texts(&site.page(url), "nav[aria-label=Breadcrumbs] li");
    assert_eq!(
        crumbs("/eng/team-practices/team-practices/"),
        ["Home", "Engineering", "Team Practices"]
    );
    assert_eq!(
        select_attrs(
            &site.page("/eng/team-practices/team-practices/"),
            "nav[aria-label=Breadcrumbs] [aria-current=page]",
            "aria-current"
        ),
        ["page"]
    );
    assert_eq!(
        crumbs("/eng/team-practices/retros/"),
        ["Home", "Engineering", "Team Practices", "Retros"]
    );
    assert_eq!(
        crumbs("/eng/dev-standards/"),
        ["Home", "Engineering", "Dev Standards"]
    );
    assert_eq!(
        crumbs("/eng/style/"),
        ["Home", "Engineering", "Dev Standards", "Style guide"]
    );
}

// ---------------------------------------------------------------------------------------------
// Subcategories

#[test]
fn subcategory_pages_are_grouped_under_a_heading_linking_to_the_page_named_like_it() {
    let site = Fixture::copy("subcategories").build();
    assert_eq!(
        sidebar(&site.page("/team/first-week/")),
        lines(&[
            "Team /team/",
            "  Onboarding /team/onboarding/",
            "    Laptop setup /team/laptop/",
            "    First week /team/first-week/",
            "  Travel & expenses",
            "    Receipts /team/receipts/",
            "    Booking travel /team/booking/",
            "  Using the handbook /team/handbook-usage/",
            "  On-call /team/on-call-guide/",
        ])
    );
}

#[test]
fn a_subcategory_without_a_page_named_like_it_is_a_heading_without_link_always_expanded() {
    let site = Fixture::copy("subcategories").build();
    assert_eq!(
        sidebar(&site.page("/team/booking/")),
        lines(&[
            "Team /team/",
            "  Onboarding /team/onboarding/",
            "  Travel & expenses",
            "    Receipts /team/receipts/",
            "    Booking travel /team/booking/",
            "  Using the handbook /team/handbook-usage/",
            "  On-call /team/on-call-guide/",
        ])
    );
}

#[test]
fn a_page_titled_like_its_subcategory_becomes_the_group_link_and_is_not_repeated_inside() {
    let site = Fixture::copy("subcategories").build();
    assert_eq!(
        sidebar(&site.page("/team/pager/")),
        lines(&[
            "Team /team/",
            "  Onboarding /team/onboarding/",
            "  Travel & expenses",
            "    Receipts /team/receipts/",
            "    Booking travel /team/booking/",
            "  Using the handbook /team/handbook-usage/",
            "  On-call /team/on-call-guide/",
            "    Pager rotation /team/pager/",
        ])
    );
}

#[test]
fn next_links_visit_a_group_page_before_its_members() {
    let site = Fixture::copy("subcategories").build();
    assert_eq!(rel_link(&site.page("/team/"), "prev").as_deref(), Some("/"));
    assert_eq!(
        walk_next(&site, "/team/"),
        lines(&[
            "/team/",
            "/team/onboarding/",
            "/team/laptop/",
            "/team/first-week/",
            "/team/receipts/",
            "/team/booking/",
            "/team/handbook-usage/",
            "/team/on-call-guide/",
            "/team/pager/",
        ])
    );
}

#[test]
fn breadcrumbs_of_a_group_member_pass_through_the_group() {
    let site = Fixture::copy("subcategories").build();
    let crumbs = |url: &str| select_texts(&site.page(url), "nav[aria-label=Breadcrumbs] li");
    assert_eq!(
        crumbs("/team/laptop/"),
        ["Fixture", "Team", "Onboarding", "Laptop setup"]
    );
    assert_eq!(
        crumbs("/team/receipts/"),
        ["Fixture", "Team", "Travel & expenses", "Receipts"]
    );
    // The group without a page is a crumb without a link.
    assert_eq!(
        select_attrs(
            &site.page("/team/receipts/"),
            "nav[aria-label=Breadcrumbs] a",
            "href"
        ),
        ["/", "/team/"]
    );
}

// ---------------------------------------------------------------------------------------------
// URLs

#[test]
fn urls_come_from_the_path_folders_become_sections_and_permalinks_override() {
    let site = Fixture::copy("urls").build();
    assert_eq!(
        site.page_urls(),
        [
            "/",
            "/a/b/c/",
            "/custom-place/",
            "/engineering/",
            "/engineering/release-process/",
            "/foo/",
            "/ops/",
            "/ops/runbooks/",
            "/ops/runbooks/db/",
            "/ops/runbooks/db/restore/",
            "/people/",
            "/people/hiring/",
            "/people/on-call/",
        ]
    );
}

#[test]
fn a_page_is_written_to_its_url_folder_as_index_html() {
    let site = Fixture::copy("urls").build();
    assert!(site.exists("engineering/release-process/index.html"));
    assert!(!site.exists("engineering/release-process.html"));
    assert_eq!(
        select_texts(&site.page("/engineering/release-process/"), "main h1"),
        ["Release process"]
    );
}

#[test]
fn a_permalink_with_or_without_slashes_is_the_url_and_the_path_url_is_not_built() {
    let site = Fixture::copy("urls").build();
    assert_eq!(select_texts(&site.page("/foo/"), "main h1"), ["Bare"]);
    assert_eq!(
        select_texts(&site.page("/custom-place/"), "main h1"),
        ["Custom"]
    );
    assert_eq!(select_texts(&site.page("/a/b/c/"), "main h1"), ["Deep"]);
    assert!(!site.exists("engineering/bare/index.html"));
    assert!(!site.exists("engineering/custom/index.html"));
    assert!(!site.exists("a/index.html"));
    assert_eq!(
        select_attrs(&site.page("/foo/"), "link[rel=canonical]", "href"),
        ["https://example.com/foo/"]
    );
}

#[test]
fn a_permalink_moves_the_url_but_not_the_place_in_the_navigation() {
    let site = Fixture::copy("urls").build();
    assert_eq!(
        sidebar(&site.page("/foo/")),
        lines(&[
            "Engineering /engineering/",
            "  Bare /foo/",
            "  Custom /custom-place/",
            "  Deep /a/b/c/",
            "  Release process /engineering/release-process/",
            "Ops /ops/",
            "People /people/",
        ])
    );
}

#[test]
fn index_md_and_underscore_index_md_are_landing_pages_of_nested_sections() {
    let site = Fixture::copy("urls").build();
    assert_eq!(select_texts(&site.page("/ops/"), "main h1"), ["Ops"]);
    assert_eq!(
        sidebar(&site.page("/ops/runbooks/db/restore/")),
        lines(&[
            "Engineering /engineering/",
            "Ops /ops/",
            "  Runbooks /ops/runbooks/",
            "    Db /ops/runbooks/db/",
            "      Restore /ops/runbooks/db/restore/",
            "People /people/",
        ])
    );
    assert_eq!(
        select_texts(
            &site.page("/ops/runbooks/db/restore/"),
            "nav[aria-label=Breadcrumbs] li"
        ),
        ["Fixture", "Ops", "Runbooks", "Db", "Restore"]
    );
}

#[test]
fn a_folder_without_index_md_gets_a_landing_page_listing_its_pages() {
    let site = Fixture::copy("urls").build();
    let people = site.page("/people/");
    assert_eq!(select_texts(&people, "main h1"), ["People"]);
    assert_eq!(
        select_attrs(&people, "main a[href^='/people/']:not([rel])", "href"),
        ["/people/hiring/", "/people/on-call/"]
    );
    let text = support::text(select_one(&people, "main"));
    assert!(text.contains("How we hire."), "description missing: {text}");
}

#[test]
fn spaces_in_file_names_become_dashes_in_urls() {
    let site = Fixture::copy("urls").build();
    assert_eq!(
        select_texts(&site.page("/people/on-call/"), "main h1"),
        ["On call"]
    );
}

// ---------------------------------------------------------------------------------------------
// Headings and the table of contents

#[test]
fn headings_get_github_style_ids_numbered_when_repeated_and_custom_ids_are_kept() {
    let site = Fixture::copy("headings").build();
    let page = site.page("/ids/");
    assert_eq!(
        select_attrs(&page, "main :is(h2, h3, h4)", "id"),
        [
            "outages--escalation",
            "setup",
            "setup-1",
            "setup-2",
            "custom-id",
            "use-cargo-now",
            "deep-heading",
            "other"
        ]
    );
}

#[test]
fn every_heading_has_an_anchor_link_to_itself() {
    let site = Fixture::copy("headings").build();
    let page = site.page("/ids/");
    let headings = select(&page, "main :is(h2, h3, h4)[id]");
    assert_eq!(headings.len(), 8);
    for heading in headings {
        let id = heading.attr("id").unwrap();
        let anchors: Vec<&str> = heading
            .select(&scraper::Selector::parse("a.anchor").unwrap())
            .filter_map(|a| a.attr("href"))
            .collect();
        assert_eq!(anchors, [format!("#{id}")], "anchor of heading {id}");
    }
}

#[test]
fn generated_ids_skip_an_id_a_later_heading_asks_for() {
    let site = Fixture::new()
        .file("content/index.md", "")
        .file(
            "content/a.md",
            "## Setup\n\n## Setup\n\n## Notes {#setup-1}\n",
        )
        .build();
    assert_eq!(
        select_attrs(&site.page("/a/"), "main h2", "id"),
        ["setup", "setup-2", "setup-1"]
    );
}

/// The `kramdown` fixture: pages as a handbook moved from Jekyll has them.
#[test]
fn kramdown_headings_get_kramdowns_ids_and_the_hidden_title_stays_an_anchor() {
    let site = Fixture::copy("kramdown").build();
    let page = site.page("/social/");
    // Expected ids: kramdown-parser-gfm's generate_gfm_header_id on each heading's text
    // elements (update_raw_text: raw HTML and image alt text left out), with its count per id
    // starting at the `# Social media` that handbook does not show. kramdown itself gives
    // `## Setup 1` the id setup-1 a second time; handbook gives it the next free one.
    assert_eq!(
        select_attrs(&page, "main :is(h2, h4)", "id"),
        [
            "setup",          // "Setup"
            "twitter-",       // "Twitter " (before <a name="twitter"></a>)
            "twitter--1",     // "Twitter " again: "twitter-" + "-1"
            "setup-1",        // "Setup" again
            "social-media-1", // "Social media" after the hidden title heading
            "setup-1-1",      // "Setup 1": kramdown's setup-1 is taken
            "-brand-kit",     // " Brand kit": the image's alt text is not text
        ]
    );
    assert_eq!(select_texts(&page, "main h1"), ["Social media"]);
    assert_eq!(select(&page, "main span#social-media").len(), 1);
    assert_eq!(
        select_attrs(&page, "main h4 a[name]", "name"),
        ["twitter", "twitter-again"]
    );
}

#[test]
fn kramdown_headings_links_to_their_ids_and_anchors_pass_the_check() {
    let site = Fixture::copy("kramdown").build();
    let warnings = site.warnings();
    assert!(!warnings.iter().any(|w| w.contains("link")), "{warnings:?}");
}

#[test]
fn kramdown_tables_with_a_short_delimiter_row_render_and_warn_where_it_is() {
    let site = Fixture::copy("kramdown").build();
    assert_eq!(
        site.warnings(),
        [
            "content/equipment.md:8:1: warning: the header row of this table has 3 cells and its delimiter row 2: shown as a table of 3 columns, but GitHub shows it as plain text\n  help: write one delimiter cell per header cell: | --- | --- | --- |"
        ]
    );
    let page = site.page("/equipment/");
    assert_eq!(
        select_texts(&page, "main table th"),
        ["Item", "Size", "Notes"]
    );
    assert_eq!(
        select_texts(&page, "main table td"),
        ["Laptop", "15″", "“new”", "Monitor", "27″", ""]
    );
}

#[test]
fn kramdown_inch_marks_after_a_digit_are_not_opening_quotes() {
    let site = Fixture::copy("kramdown").build();
    assert_eq!(
        select_texts(&site.page("/equipment/"), "main p")[0],
        "Everyone gets a 15″ laptop and a 27″ monitor; say “the 2024 model” if you want it."
    );
}

#[test]
fn heading_ids_never_repeat_an_id_of_the_theme() {
    let site = Fixture::new()
        .file("content/index.md", "")
        .file(
            "content/a.md",
            "## Handbook main\n\n## Handbook sidebar\n\n## Handbook toc title\n\n## Handbook section index title\n",
        )
        .build();
    let ids = select_attrs(&site.page("/a/"), "[id]", "id");
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(ids.len(), unique.len(), "repeated ids: {ids:?}");
}

#[test]
fn toc_lists_h2_and_h3_by_default_nested_with_plain_text_titles() {
    let site = Fixture::copy("headings").build();
    assert_eq!(
        toc(&site.page("/ids/")),
        Some(lines(&[
            "Outages & escalation #outages--escalation",
            "Setup #setup",
            "Setup #setup-1",
            "Setup #setup-2",
            "Custom #custom-id",
            "  Use cargo now #use-cargo-now",
            "Other #other",
        ]))
    );
}

#[test]
fn sidebar_depth_1_lists_only_h2_in_the_toc() {
    let site = Fixture::copy("headings").build();
    assert_eq!(
        toc(&site.page("/shallow/")),
        Some(lines(&["One #one", "Two #two"]))
    );
}

#[test]
fn sidebar_depth_3_also_lists_h4() {
    let site = Fixture::copy("headings").build();
    assert_eq!(
        toc(&site.page("/deeper/")),
        Some(lines(&["One #one", "  Two #two", "    Three #three"]))
    );
}

#[test]
fn toc_false_leaves_the_toc_out_but_keeps_heading_ids() {
    let site = Fixture::copy("headings").build();
    let page = site.page("/no-toc/");
    assert_eq!(toc(&page), None);
    assert_eq!(
        select_attrs(&page, "main :is(h2, h3)", "id"),
        ["one", "two"]
    );
}

#[test]
fn toc_depth_of_handbook_yml_is_the_default_of_every_page() {
    let fixture = Fixture::copy("headings");
    fixture.write("handbook.yml", format!("{}toc_depth: 1\n", support::CONFIG));
    let site = fixture.build();
    assert_eq!(
        toc(&site.page("/ids/")),
        Some(lines(&[
            "Outages & escalation #outages--escalation",
            "Setup #setup",
            "Setup #setup-1",
            "Setup #setup-2",
            "Custom #custom-id",
            "Other #other",
        ]))
    );
    // A page's own sidebarDepth still wins.
    assert_eq!(
        toc(&site.page("/deeper/")),
        Some(lines(&["One #one", "  Two #two", "    Three #three"]))
    );
}

#[test]
fn a_page_without_h2_has_no_toc() {
    let site = Fixture::copy("headings").build();
    assert_eq!(toc(&site.page("/office-hours/")), None);
}

// ---------------------------------------------------------------------------------------------
// Titles

#[test]
fn the_first_heading_is_the_title_of_a_page_without_front_matter_and_is_shown_once() {
    let site = Fixture::copy("headings").build();
    let page = site.page("/from-heading/");
    assert_eq!(select_texts(&page, "h1"), ["Coffee Rules"]);
    assert_eq!(select_texts(&page, "title"), ["Coffee Rules · Fixture"]);
    assert_eq!(
        toc(&page),
        Some(lines(&["Cleaning up #cleaning-up"])),
        "the rest of the page is kept"
    );
    assert!(support::text(select_one(&page, "main")).contains("Brew it strong."));
}

#[test]
fn the_file_name_is_the_title_of_a_page_without_title_or_heading() {
    let site = Fixture::copy("headings").build();
    let page = site.page("/office-hours/");
    assert_eq!(select_texts(&page, "h1"), ["Office hours"]);
    assert_eq!(select_texts(&page, "title"), ["Office hours · Fixture"]);
}

#[test]
fn a_first_heading_that_differs_from_the_front_matter_title_stays_in_the_page() {
    let site = Fixture::copy("headings").build();
    assert_eq!(
        select_texts(&site.page("/other-heading/"), "h1"),
        ["Real title", "A different heading#"]
    );
}

#[test]
fn a_first_heading_repeating_the_front_matter_title_is_shown_once() {
    let site = Fixture::new()
        .file("content/index.md", "")
        .file(
            "content/a.md",
            "---\ntitle: Coffee\n---\n# Coffee\n\nBody.\n",
        )
        .build();
    assert_eq!(select_texts(&site.page("/a/"), "h1"), ["Coffee"]);
}

#[test]
fn a_first_heading_repeating_a_title_with_an_apostrophe_is_shown_once() {
    let site = Fixture::new()
        .file("content/index.md", "")
        .file(
            "content/a.md",
            "---\ntitle: Don't panic\n---\n# Don't panic\n\nBody.\n",
        )
        .build();
    assert_eq!(select(&site.page("/a/"), "h1").len(), 1);
}

#[test]
fn the_home_page_without_a_title_is_named_after_the_site() {
    let site = Fixture::copy("urls").build();
    assert_eq!(select_texts(&site.page("/"), "title"), ["Fixture"]);
}

// ---------------------------------------------------------------------------------------------
// Code

const LANGUAGES: [&str; 10] = [
    "bash", "yaml", "toml", "json", "python", "sql", "rust", "md", "html", "js",
];

#[test]
fn code_blocks_are_highlighted_with_classes_that_syntax_css_colours_in_every_common_language() {
    let site = Fixture::copy("code").build();
    let page = site.page("/code/");
    let css = site.file(&site.asset("syntax.css"));
    for lang in LANGUAGES {
        let block = select_one(&page, &format!("pre.hl-code[data-lang={lang}]"));
        let spans: Vec<_> = block
            .select(&scraper::Selector::parse("span").unwrap())
            .collect();
        assert!(
            spans.len() > 1,
            "{lang} is not highlighted: {}",
            block.html()
        );
        for span in spans {
            let classes = span.value().attr("class").unwrap_or_default();
            assert!(!classes.is_empty(), "{lang}: a span without class");
            for class in classes.split(' ') {
                assert!(
                    css.contains(&format!(".hl-code .{class} {{")),
                    "{lang}: syntax.css has no rule for `{class}`"
                );
            }
        }
    }
}

#[test]
fn highlighting_keeps_the_code_text_exactly() {
    let site = Fixture::copy("code").build();
    let page = site.page("/code/");
    assert_eq!(
        select_one(&page, "pre[data-lang=rust]")
            .text()
            .collect::<String>(),
        "fn main() { let x: u8 = 1; println!(\"{x}\"); }\n"
    );
    assert_eq!(
        select_one(&page, "pre[data-lang=html]")
            .text()
            .collect::<String>(),
        "<div class=\"x\">text</div>\n"
    );
}

#[test]
fn code_in_an_unknown_language_is_escaped_plain_text() {
    let site = Fixture::copy("code").build();
    let page = site.page("/code/");
    let block = select_one(&page, "pre.hl-code[data-lang=nosuchlang]");
    assert_eq!(
        block.inner_html(),
        "<code class=\"language-nosuchlang\">&lt;b&gt;&amp;&lt;/b&gt; \"quoted\"\n</code>"
    );
    let indented = select(&page, "pre.hl-code:not([data-lang])");
    assert_eq!(indented.len(), 1);
    assert_eq!(
        indented[0].inner_html(),
        "<code>indented &lt;code&gt;\n</code>"
    );
}

#[test]
fn syntax_css_is_generated_with_a_dark_variant_and_linked_from_pages() {
    let site = Fixture::copy("code").build();
    let syntax = site.asset("syntax.css");
    let css = site.file(&syntax);
    assert!(css.contains("(prefers-color-scheme: dark)"), "{css}");
    assert!(css.contains(".hl-"), "no hl- classes in syntax.css");
    // InspiredGitHub (light) and base16-ocean.dark backgrounds.
    assert!(css.contains("background-color: #ffffff;"), "no light theme");
    assert!(css.contains("background-color: #2b303b;"), "no dark theme");
    assert_eq!(
        select_attrs(
            &site.page("/code/"),
            &format!("link[rel=stylesheet][href='/{syntax}']"),
            "href"
        )
        .len(),
        1
    );
}

// ---------------------------------------------------------------------------------------------
// Copied files

#[test]
fn static_files_are_copied_to_the_output_root() {
    let site = Fixture::copy("assets").build();
    assert_eq!(
        site.file("logo.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n"
    );
    assert_eq!(
        site.file(&site.asset("css/extra.css")),
        "body { color: red; }\n",
        "under its fingerprinted name"
    );
}

#[test]
fn a_static_file_replaces_the_built_in_theme_file_of_the_same_name() {
    let site = Fixture::copy("assets").build();
    assert_eq!(
        site.file(&site.asset("theme.js")),
        "// the site replaces the built-in theme script\n"
    );
    assert!(
        !site.file(&site.asset("theme.css")).is_empty(),
        "the built-in stylesheet is still there"
    );
}

#[test]
fn files_beside_pages_in_content_are_copied_next_to_the_page() {
    let site = Fixture::copy("assets").build();
    assert_eq!(
        site.bytes("engineering/diagram.png"),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"
    );
    assert_eq!(site.file("engineering/data/table.csv"), "a,b\n1,2\n");
    assert_eq!(
        select_attrs(&site.page("/engineering/"), "main img", "src"),
        ["/engineering/diagram.png"],
        "relative links are written site-absolute"
    );
}

#[test]
fn dot_files_and_editor_backups_are_not_copied() {
    let site = Fixture::copy("assets").build();
    assert!(!site.exists("engineering/.hidden"));
    assert!(!site.exists("engineering/notes.md~"));
}

// ---------------------------------------------------------------------------------------------
// 404, sitemap, robots.txt, drafts, base URL

#[test]
fn a_404_page_is_written_with_the_site_navigation() {
    let site = Fixture::copy("navigation").build();
    let page = site.html("404.html");
    assert_eq!(
        sidebar(&page),
        lines(&[
            "Guide /guide/",
            "Policies /policies/",
            "About /about/",
            "FAQ /faq/"
        ])
    );
    assert!(
        select_texts(&page, "title")[0].contains("Fixture"),
        "{:?}",
        select_texts(&page, "title")
    );
    assert_eq!(select(&page, "link[rel=canonical]").len(), 0);
}

#[test]
fn sitemap_lists_absolute_urls_of_built_pages_only() {
    let site = Fixture::copy("drafts").build();
    assert_eq!(
        site.sitemap(),
        [
            "https://example.com/",
            "https://example.com/a/",
            "https://example.com/z/"
        ]
    );
    assert!(
        site.file("sitemap.xml")
            .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">")
    );
}

#[test]
fn robots_txt_names_the_sitemap() {
    let site = Fixture::copy("drafts").build();
    assert_eq!(
        site.file("robots.txt"),
        "User-agent: *\nAllow: /\n\nSitemap: https://example.com/sitemap.xml\n"
    );
}

#[test]
fn drafts_are_left_out_of_pages_navigation_and_sitemap() {
    let site = Fixture::copy("drafts").build();
    assert_eq!(site.page_urls(), ["/", "/a/", "/z/"]);
    assert_eq!(sidebar(&site.page("/a/")), ["A /a/", "Z /z/"]);
    assert_eq!(rel_link(&site.page("/a/"), "next").as_deref(), Some("/z/"));
    assert_eq!(site.summary.sections, 0, "a folder of drafts is no section");
}

#[test]
fn drafts_are_built_with_the_drafts_option() {
    let site = Fixture::copy("drafts").build_with(|o| o.drafts = true);
    assert_eq!(
        site.page_urls(),
        ["/", "/a/", "/secret/", "/wip/", "/wip/plan/", "/z/"]
    );
    assert_eq!(
        site.sitemap(),
        [
            "https://example.com/",
            "https://example.com/a/",
            "https://example.com/secret/",
            "https://example.com/z/",
            "https://example.com/wip/",
            "https://example.com/wip/plan/",
        ]
    );
    assert_eq!(
        rel_link(&site.page("/a/"), "next").as_deref(),
        Some("/secret/")
    );
}

#[test]
fn the_base_url_option_replaces_base_url_in_sitemap_canonical_links_and_robots_txt() {
    let site = Fixture::copy("drafts")
        .build_with(|o| o.base_url = Some("https://preview--handbook.example.org/".into()));
    assert_eq!(
        site.sitemap(),
        [
            "https://preview--handbook.example.org/",
            "https://preview--handbook.example.org/a/",
            "https://preview--handbook.example.org/z/"
        ]
    );
    assert_eq!(
        select_attrs(&site.page("/a/"), "link[rel=canonical]", "href"),
        ["https://preview--handbook.example.org/a/"]
    );
    assert!(
        site.file("robots.txt")
            .ends_with("Sitemap: https://preview--handbook.example.org/sitemap.xml\n")
    );
}

#[test]
fn canonical_links_use_base_url_of_handbook_yml() {
    let site = Fixture::copy("drafts").build();
    assert_eq!(
        select_attrs(&site.page("/a/"), "link[rel=canonical]", "href"),
        ["https://example.com/a/"]
    );
    assert_eq!(
        select_attrs(&site.page("/"), "link[rel=canonical]", "href"),
        ["https://example.com/"]
    );
}

// ---------------------------------------------------------------------------------------------
// Front matter and templates

#[test]
fn a_front_matter_key_that_looks_like_a_typo_warns_and_every_key_reaches_page_extra() {
    let site = Fixture::copy("extra").build();
    assert_eq!(
        site.warnings(),
        [
            "content/a.md:3:1: warning: unknown front matter key `wieght`\n  help: did you mean `weight`? If `wieght` is one of your own keys, declare it in handbook.yml as `front_matter: {keys: [wieght]}`; templates read its value as `page.extra.wieght`",
        ]
    );
    let page = site.page("/a/");
    assert_eq!(select_texts(&page, "#wieght"), ["3"]);
    assert_eq!(select_texts(&page, "#author"), ["Ann"]);
}

#[test]
fn a_front_matter_key_the_site_declares_is_never_warned_about() {
    let site = Fixture::copy("extra")
        .file(
            "handbook.yml",
            "title: Fixture\nbase_url: https://example.com/\nfront_matter:\n  keys: [wieght, author]\n",
        )
        .build();
    assert_eq!(site.warnings(), Vec::<String>::new());
    assert_eq!(select_texts(&site.page("/a/"), "#wieght"), ["3"]);
}

#[test]
fn a_layout_picks_the_template_of_that_name() {
    let site = Fixture::copy("layouts").build();
    let wide = site.page("/wide/");
    assert_eq!(select_texts(&wide, "#wide"), ["Wide page in wide"]);
    assert_eq!(select_texts(&wide, "#wide-body"), ["Wide body."]);
    let plain = site.page("/plain/");
    assert!(select(&plain, "#wide").is_empty());
    assert_eq!(select_texts(&plain, "main h1"), ["Plain page"]);
}

#[test]
fn jekyll_layout_names_render_as_pages_unless_the_site_has_those_templates() {
    let site = Fixture::copy("layouts")
        .file(
            "content/index.md",
            "---\nlayout: home\ntitle: Home\n---\nWelcome.\n",
        )
        .file(
            "content/a.md",
            "---\nlayout: default\ntitle: A\n---\nA body.\n",
        )
        .file(
            "content/b.md",
            "---\nlayout: post\ntitle: B\n---\nB body.\n",
        )
        .build();
    assert_eq!(site.warnings(), Vec::<String>::new());
    assert_eq!(select_texts(&site.page("/a/"), "main h1"), ["A"]);
    assert_eq!(select_texts(&site.page("/b/"), "main h1"), ["B"]);
    assert!(select(&site.page("/a/"), "#wide").is_empty());
    // A template of that name wins.
    let site = Fixture::copy("layouts")
        .file(
            "content/a.md",
            "---\nlayout: default\ntitle: A\n---\nA body.\n",
        )
        .file(
            "templates/default.html",
            "<p id=\"own\">{{ page.title }}</p>",
        )
        .build();
    assert_eq!(select_texts(&site.page("/a/"), "#own"), ["A"]);
}

#[test]
fn a_site_template_replaces_the_built_in_one() {
    let site = Fixture::new()
        .file("content/index.md", "")
        .file("content/a.md", "---\ntitle: A\ndescription: About A\n---\nBody\n")
        .file(
            "templates/page.html",
            "<p id=\"custom\">{{ page.title }}|{{ page.url }}|{{ page.permalink }}|{{ page.source_path }}|{{ page.description }}</p>",
        )
        .build();
    assert_eq!(
        select_texts(&site.page("/a/"), "#custom"),
        ["A|/a/|https://example.com/a/|content/a.md|About A"]
    );
    assert!(
        select(&site.page("/a/"), "nav").is_empty(),
        "base.html is not used"
    );
}

// ---------------------------------------------------------------------------------------------
// The whole site

#[test]
fn building_twice_gives_byte_identical_output() {
    for name in [
        "navigation",
        "subcategories",
        "urls",
        "headings",
        "code",
        "assets",
        "extra",
    ] {
        let fixture = Fixture::copy(name);
        let other = fixture.tmp().join("public-again");
        fixture.build();
        fixture.build_with(|o| o.output_dir = Some(other.clone()));
        let first = snapshot(&fixture.output());
        assert!(first.len() > 5, "{name}: {:?}", first.keys());
        assert_eq!(
            first.keys().collect::<Vec<_>>(),
            snapshot(&other).keys().collect::<Vec<_>>(),
            "{name}"
        );
        support::assert_same_tree(&first, &snapshot(&other));
    }
}

/// Builds `fixture` into its output folder (twice: the staging folder alternates with it) and
/// into a fresh folder, with the same options; both must be byte-identical.
fn assert_rebuild_is_fresh(fixture: &Fixture, step: &str, options: impl Fn(&mut BuildOptions)) {
    let fresh = fixture.tmp().join(format!("fresh-{step}"));
    fixture.build_with(|o| {
        o.output_dir = Some(fresh.clone());
        options(o);
    });
    for _ in 0..2 {
        fixture.build_with(&options);
        let (rebuilt, expected) = (snapshot(&fixture.output()), snapshot(&fresh));
        if rebuilt != expected {
            eprintln!("after step `{step}`:");
            support::assert_same_tree(&expected, &rebuilt);
        }
    }
}

#[test]
fn rebuilding_after_each_kind_of_change_equals_a_fresh_build() {
    let fixture = Fixture::copy("navigation");
    fixture.build();
    assert_rebuild_is_fresh(&fixture, "nothing", |_| {});

    fixture.write(
        "content/guide/zeta.md",
        "---\ntitle: Omega\nweight: 1\n---\n",
    );
    assert_rebuild_is_fresh(&fixture, "a title", |_| {});

    fixture.write(
        "content/guide/ten.md",
        "---\ntitle: Ten\nweight: -10\n---\n",
    );
    assert_rebuild_is_fresh(&fixture, "a weight", |_| {});

    fixture.write(
        "content/policies/index.md",
        "---\ntitle: Rules\nweight: 2\ndescription: What we agreed on.\n---\n",
    );
    assert_rebuild_is_fresh(&fixture, "a section title and description", |_| {});

    fixture.write(
        "content/guide/alpha.md",
        "---\ntitle: alpha\nweight: 2\n---\nNew body.\n",
    );
    assert_rebuild_is_fresh(&fixture, "a body", |_| {});

    fixture.remove("content/faq.md");
    fixture.write("content/about/history.md", "# History\n");
    assert_rebuild_is_fresh(&fixture, "a page removed and one added", |_| {});

    // The sidebars saved for the next build, damaged: those not read are rendered again.
    let saved = fixture.tmp().join(".public.handbook/sidebars");
    let mut bytes = std::fs::read(&saved).unwrap();
    assert!(bytes.len() > 100, "the sidebars are saved");
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&saved, bytes).unwrap();
    fixture.write(
        "content/guide/alpha.md",
        "---\ntitle: Alpha\nweight: 2\n---\n",
    );
    assert_rebuild_is_fresh(&fixture, "damaged saved sidebars", |_| {});

    fixture.write("content/about/wip.md", "---\ndraft: true\n---\n");
    assert_rebuild_is_fresh(&fixture, "drafts", |o| o.drafts = true);
    assert_rebuild_is_fresh(&fixture, "no drafts", |_| {});

    assert_rebuild_is_fresh(&fixture, "base url", |o| {
        o.base_url = Some("https://preview.example.org/".into())
    });

    fixture.write(
        "handbook.yml",
        "title: Renamed\nbase_url: https://example.com/\n",
    );
    assert_rebuild_is_fresh(&fixture, "site title", |_| {});

    fixture.write("static/logo.svg", "<svg/>");
    fixture.write("content/guide/photo.jpg", "jpeg");
    assert_rebuild_is_fresh(&fixture, "files added", |_| {});
    fixture.write("static/logo.svg", "<svg></svg>");
    fixture.write("content/guide/photo.jpg", "png!");
    assert_rebuild_is_fresh(&fixture, "files changed with the same length", |_| {});
    fixture.remove("static/logo.svg");
    fixture.remove("content/guide/photo.jpg");
    assert_rebuild_is_fresh(&fixture, "files removed", |_| {});

    fixture.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}<p id=\"own\">{{ page.title }}</p>{% endblock content %}",
    );
    assert_rebuild_is_fresh(&fixture, "a template added", |_| {});
    fixture.write(
        "templates/partials/sidebar.html",
        "{% for item in nav %}<a href=\"{{ item.url }}\">{{ item.title }}</a>{% endfor %}",
    );
    assert_rebuild_is_fresh(&fixture, "a partial added", |_| {});
    fixture.remove("templates/page.html");
    fixture.remove("templates/partials/sidebar.html");
    assert_rebuild_is_fresh(&fixture, "templates removed", |_| {});
}

#[test]
fn a_file_that_becomes_a_folder_between_builds_still_builds() {
    let fixture = Fixture::new()
        .file("content/index.md", "")
        .file("content/guide.md", "A page at /guide/.\n")
        .file("static/notes", "a file");
    fixture.build();
    fixture.build();
    fixture.remove("static/notes");
    fixture.write("static/notes/a.txt", "now a folder");
    fixture.remove("content/guide.md");
    fixture.write("static/guide", "now a file");
    assert_rebuild_is_fresh(&fixture, "file and folder swapped", |_| {});
}

#[test]
fn a_rebuild_after_an_edit_changes_only_that_page_in_place() {
    use std::os::unix::fs::MetadataExt;
    let inode = |path: &std::path::Path| std::fs::metadata(path).unwrap().ino();
    let fixture = Fixture::copy("navigation");
    fixture.build();
    let out = fixture.output();
    let (folder, other) = (inode(&out), inode(&out.join("guide/zeta/index.html")));
    fixture.write(
        "content/guide/alpha.md",
        "---\ntitle: alpha\nweight: 2\n---\nNew body.\n",
    );
    fixture.build();
    assert!(
        std::fs::read_to_string(out.join("guide/alpha/index.html"))
            .unwrap()
            .contains("New body.")
    );
    assert_eq!(
        inode(&out),
        folder,
        "the output folder was changed in place"
    );
    assert_eq!(inode(&out.join("guide/zeta/index.html")), other);
    let home = fixture.tmp().join(".public.handbook");
    assert!(!home.join("applying").exists());
}

#[test]
fn the_real_handbook_builds_without_errors_or_warnings() {
    let out = tempfile::tempdir().unwrap();
    let options = handbook::BuildOptions {
        root: env!("CARGO_MANIFEST_DIR").into(),
        output_dir: Some(out.path().join("public")),
        ..Default::default()
    };
    let summary = handbook::build(&options).unwrap_or_else(|err| panic!("{err}"));
    let warnings: Vec<String> = summary.warnings.iter().map(ToString::to_string).collect();
    assert!(warnings.is_empty(), "warnings:\n{}", warnings.join("\n"));
    let site = BuiltSite {
        out: out.path().join("public"),
        summary,
        _tmp: None,
    };
    let pages = site.page_urls();
    assert_eq!(site.summary.pages, pages.len());
    assert!(pages.contains(&"/engineering/release-process/".to_string()));
    assert_eq!(site.sitemap().len(), pages.len());
    assert_eq!(
        select_attrs(&site.page("/"), "link[rel=canonical]", "href"),
        ["https://handbook.meltano.com/"]
    );
}

// ---------------------------------------------------------------------------------------------
// The output folder and the one folder beside it

/// Asserts that `public/` holds nothing of handbook's own and that the one folder beside it
/// holds no page.
fn assert_only_the_site_is_published(fixture: &Fixture) {
    assert_eq!(
        top_level(fixture.tmp()),
        [".public.handbook/", "public/", "site/"]
    );
    let published: Vec<String> = snapshot(&fixture.output())
        .into_keys()
        .filter(|k| k.rsplit('/').any(|name| name.starts_with(".handbook")))
        .collect();
    assert!(published.is_empty(), "published: {published:?}");
    let home = snapshot(&fixture.tmp().join(".public.handbook"));
    let files: Vec<&String> = home
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|_| k))
        .collect();
    assert_eq!(
        files,
        [
            "facts", "files", "lock", "manifest", "output", "search", "sidebars"
        ],
        "no page, no copy of the site: the staging folder keeps only the site's folders"
    );
}

#[test]
fn the_output_holds_only_the_site_and_one_hidden_folder_beside_it() {
    let fixture = Fixture::copy("navigation");
    fixture.build();
    assert_only_the_site_is_published(&fixture);
    fixture.build();
    assert_only_the_site_is_published(&fixture);
    fixture.write("content/guide/alpha.md", "# Alpha\n\nChanged.\n");
    fixture.build();
    assert_only_the_site_is_published(&fixture);
}

#[test]
fn an_unchanged_page_is_not_written_again_and_a_changed_one_is_a_new_file() {
    use std::os::unix::fs::MetadataExt;
    let fixture = Fixture::copy("navigation");
    fixture.build();
    let out = fixture.output();
    let stamp = |rel: &str| {
        let meta = std::fs::metadata(out.join(rel)).unwrap();
        (meta.ino(), meta.modified().unwrap())
    };
    let (kept, changed) = ("guide/beta/index.html", "guide/alpha/index.html");
    let before = (stamp(kept), stamp(changed));
    fixture.build();
    assert_eq!((stamp(kept), stamp(changed)), before, "nothing changed");
    fixture.write(
        "content/guide/alpha.md",
        "---\ntitle: alpha\nweight: 2\n---\nA new body.\n",
    );
    fixture.build();
    assert_eq!(stamp(kept), before.0, "the unchanged page is the same file");
    assert_ne!(
        stamp(changed).0,
        before.1.0,
        "the changed page is a new file"
    );
}

#[test]
fn an_output_folder_of_the_old_layout_is_upgraded_by_the_binary() {
    let fixture = Fixture::copy("navigation");
    let fresh = fixture.tmp().join("fresh");
    fixture.build_with(|o| o.output_dir = Some(fresh.clone()));
    // What an earlier handbook left: its records in the output folder, a second copy of the
    // site beside it, and a lock file.
    let out = fixture.output();
    copy_dir(&fresh, &out);
    copy_dir(&fresh, &fixture.tmp().join(".public.staging"));
    for folder in [out.clone(), fixture.tmp().join(".public.staging")] {
        std::fs::write(folder.join(".handbook-output"), "generated\n").unwrap();
        std::fs::write(folder.join(".handbook-manifest"), "handbook manifest 1\n").unwrap();
        std::fs::write(folder.join(".handbook-facts"), "").unwrap();
    }
    std::fs::write(fixture.tmp().join(".public.lock"), "").unwrap();
    std::fs::remove_dir_all(fixture.tmp().join(".fresh.handbook")).unwrap();
    std::fs::remove_dir_all(&fresh).unwrap();
    fixture
        .handbook(&["build"])
        .arg("--output-dir")
        .arg(&out)
        .run()
        .success();
    assert_only_the_site_is_published(&fixture);
    fixture.build_with(|o| o.output_dir = Some(fresh.clone()));
    support::assert_same_tree(&snapshot(&fresh), &snapshot(&out));
}
