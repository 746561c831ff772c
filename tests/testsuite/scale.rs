//! A handbook grows in proportion to its pages, whatever the size of its folders: a folder of
//! thousands of pages shows its list in the sidebar a part at a time, so every page's sidebar
//! stays the same size (sizes here, never times), and every page can still be reached from the
//! sidebars, without JavaScript.

use crate::support::{Fixture, page, select, select_attrs, sidebar};
use scraper::Html;
use std::collections::BTreeSet;

/// The most entries one sidebar list shows (`handbook::site::MAX_LIST_ENTRIES`).
const PART: usize = handbook::site::MAX_LIST_ENTRIES;

/// A handbook with one folder, `big/`, of `n` pages, and a small one beside it.
fn folder_of(n: usize) -> Fixture {
    let mut fixture = Fixture::new()
        .file("content/index.md", page("Home", "Welcome."))
        .file("content/big/index.md", page("Big", "A big folder."))
        .file("content/small/index.md", page("Small", "A small folder."))
        .file("content/small/one.md", page("One", "One page."));
    for i in 0..n {
        fixture = fixture.file(
            &format!("content/big/page-{i:05}.md"),
            page(
                &format!("Page {i}"),
                &format!("The text of page {i}, a line or two long, as a short handbook page has."),
            ),
        );
    }
    fixture
}

/// The bytes of every page of `big/` (its landing page excepted), by URL.
fn page_sizes(n: usize) -> Vec<(String, usize)> {
    let built = folder_of(n).build();
    built
        .html_files()
        .into_iter()
        .filter(|(path, _)| path.starts_with("big/page-"))
        .map(|(path, html)| (path, html.len()))
        .collect()
}

#[test]
fn a_folder_ten_times_bigger_makes_pages_no_bigger() {
    let small = page_sizes(300);
    let big = page_sizes(3000);
    assert_eq!((small.len(), big.len()), (300, 3000));
    let mean = |sizes: &[(String, usize)]| {
        sizes.iter().map(|(_, n)| n).sum::<usize>() as f64 / sizes.len() as f64
    };
    let (small_mean, big_mean) = (mean(&small), mean(&big));
    // Without parts, each page of the big folder would carry ten times the sidebar.
    assert!(
        big_mean < small_mean * 1.1,
        "a page of a 3,000-page folder is {big_mean:.0} bytes on average, of a 300-page one \
         {small_mean:.0}: the output grows faster than the pages"
    );
    // Each page: at most about twice its own content, plus the theme and a bounded sidebar.
    let (largest, bytes) = big.iter().max_by_key(|(_, n)| *n).unwrap();
    assert!(*bytes < 32 * 1024, "{largest} is {bytes} bytes");
}

#[test]
fn a_long_list_shows_the_part_that_holds_the_page_and_links_to_the_others() {
    let n = 2 * PART + PART / 2;
    let built = folder_of(n).build();
    let mut reached = BTreeSet::new();
    for i in 0..n {
        let url = format!("/big/page-{i:05}/");
        let html = built.page(&url);
        let current = select_attrs(
            &html,
            "nav[aria-label=Handbook] a[aria-current=page]",
            "href",
        );
        assert_eq!(
            current,
            std::slice::from_ref(&url),
            "{url} is marked in its sidebar"
        );
        let pages = sidebar_pages(&html);
        assert!(pages.len() <= PART, "{url}: {} pages listed", pages.len());
        let part = i / PART;
        let first = part * PART;
        assert_eq!(
            pages.first().unwrap(),
            &format!("/big/page-{first:05}/"),
            "{url} shows its part"
        );
        reached.extend(pages);
        // The links to the parts before and after lead to their first page.
        let more = select_attrs(&html, "nav[aria-label=Handbook] .nav-item--more a", "href");
        let mut expected = Vec::new();
        if part > 0 {
            expected.push(format!("/big/page-{:05}/", first - PART));
        }
        if first + PART < n {
            expected.push(format!("/big/page-{:05}/", first + PART));
        }
        assert_eq!(more, expected, "{url}");
    }
    assert_eq!(reached.len(), n, "every page is listed in some sidebar");

    let html = built.page("/big/page-00150/");
    let lines = sidebar(&html);
    assert!(
        lines.contains(&"  ← Entries 1–100 of 250 /big/page-00000/".to_string())
            && lines.contains(&"  Entries 201–250 of 250 → /big/page-00200/".to_string()),
        "{lines:#?}"
    );
    // The folder's landing page shows the first part; other lists are whole.
    let landing = built.page("/big/");
    assert_eq!(sidebar_pages(&landing).len(), PART);
    assert!(sidebar(&landing).iter().any(|l| l.contains("/small/")));
}

#[test]
fn a_folder_at_the_limit_is_listed_whole() {
    let built = folder_of(PART).build();
    let html = built.page("/big/page-00042/");
    assert_eq!(sidebar_pages(&html).len(), PART);
    assert!(select(&html, ".nav-item--more").is_empty());
}

/// The page links of `big/` in the sidebar, in order.
fn sidebar_pages(html: &Html) -> Vec<String> {
    select_attrs(html, "nav[aria-label=Handbook] .nav-item--page > a", "href")
        .into_iter()
        .filter(|href| href.starts_with("/big/page-"))
        .collect()
}
