//! `announcement:` in handbook.yml: a bar at the top of every page, the 404 page included.

use crate::support::{Fixture, select, select_attrs, select_texts};

fn site_with(base_url: &str, announcement: &str) -> Fixture {
    Fixture::new()
        .file(
            "handbook.yml",
            format!("title: F\nbase_url: {base_url}\nannouncement:\n{announcement}"),
        )
        .file("content/index.md", "# Home\n")
        .file("content/community/index.md", "# Community\n")
}

#[test]
fn the_bar_is_on_every_page_and_on_the_404_page() {
    let fixture = site_with(
        "https://example.com/",
        "  text: We moved to the new handbook!\n",
    );
    let site = fixture.build();
    for html in [
        site.page("/"),
        site.page("/community/"),
        site.html("404.html"),
    ] {
        assert_eq!(
            select_texts(&html, "[role=region][aria-label=Announcement]"),
            ["We moved to the new handbook!"]
        );
        // Without a link, only text; the close button waits for the theme's script.
        assert!(select(&html, ".announcement a").is_empty());
        assert_eq!(select(&html, ".announcement button[hidden]").len(), 1);
    }
    // The bar comes first, right after the skip link.
    let home = site.page("/");
    let body = select(&home, "body")[0];
    let first: Vec<String> = body
        .child_elements()
        .take(2)
        .map(|e| e.value().attr("class").unwrap_or("").to_string())
        .collect();
    assert_eq!(first, ["skip-link", "announcement"]);
}

#[test]
fn a_new_text_is_a_new_announcement_for_readers_who_closed_the_old_one() {
    let id = |text: &str| {
        let fixture = site_with("https://example.com/", &format!("  text: {text}\n"));
        select_attrs(
            &fixture.build().page("/"),
            ".announcement",
            "data-announcement",
        )
    };
    assert_eq!(id("One"), id("One"));
    assert_ne!(id("One"), id("Two"));
}

#[test]
fn site_paths_get_the_path_of_base_url_and_web_addresses_stay() {
    let fixture = site_with(
        "https://example.com/handbook/",
        "  text: Join us\n  link: /community/\n",
    );
    let site = fixture.build();
    assert_eq!(
        select_attrs(&site.page("/"), ".announcement a", "href"),
        ["/handbook/community/"]
    );
    assert_eq!(
        select_attrs(&site.html("404.html"), ".announcement a", "href"),
        ["/handbook/community/"]
    );
    let fixture = site_with(
        "https://example.com/handbook/",
        "  text: News\n  link: https://blog.example.com/new-handbook\n",
    );
    assert_eq!(
        select_attrs(&fixture.build().page("/"), ".announcement a", "href"),
        ["https://blog.example.com/new-handbook"]
    );
}

#[test]
fn enabled_false_turns_the_bar_off() {
    let fixture = site_with(
        "https://example.com/",
        "  text: Old news\n  enabled: false\n",
    );
    let site = fixture.build();
    assert!(select(&site.page("/"), ".announcement").is_empty());
    assert!(select(&site.html("404.html"), ".announcement").is_empty());
    let fixture = Fixture::new().file("content/index.md", "# Home\n");
    assert!(select(&fixture.build().page("/"), ".announcement").is_empty());
}

#[test]
fn mistakes_in_the_announcement_are_errors_at_their_line() {
    let errors = |announcement: &str| site_with("https://example.com/", announcement).errors();
    assert_eq!(
        errors("  text: Hi\n  lnk: /community/\n"),
        ["handbook.yml:5:3: unknown setting `announcement.lnk`\n  help: did you mean `link`?"]
    );
    assert_eq!(
        errors("  link: /community/\n"),
        [
            "handbook.yml:4:3: missing setting `text` in `announcement`\n  help: add a line like `text: We moved to the new handbook!`"
        ]
    );
    assert_eq!(
        errors("  text: Hi\n  enabled: maybe\n"),
        ["handbook.yml:5:12: `announcement.enabled` must be true or false, found string \"maybe\""]
    );
    assert_eq!(
        errors("  text: Hi\n  link: community/\n"),
        [
            "handbook.yml:5:1: the announcement's link must be a path of the site or an http(s) address, found `community/`\n  help: write it like `link: /community/` (the path of base_url is added) or `link: https://example.com/news`"
        ]
    );
    assert_eq!(
        errors("  text: Hi\n  link: /comunity/\n"),
        [
            "handbook.yml:5:1: broken announcement link /comunity/: no page at /comunity/ (did you mean /community/?)\n  help: the link is a path of the site, without the path of base_url (`/community/`)"
        ]
    );
}
