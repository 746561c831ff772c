//! Reading built pages: CSS selectors over parsed HTML (scraper), and the navigation, table of
//! contents and links of a page as plain lines to compare.
//!
//! ```ignore
//! let page = site.page("/guide/");
//! assert_eq!(select_texts(&page, "h1"), ["Guide"]);
//! assert_eq!(sidebar(&page), ["Guide /guide/", "  Alpha /guide/alpha/"]);
//! ```

use scraper::{ElementRef, Html, Selector};

fn selector(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|err| panic!("bad selector {css:?}: {err}"))
}

/// The elements matching `css`.
pub fn select<'a>(html: &'a Html, css: &str) -> Vec<ElementRef<'a>> {
    html.select(&selector(css)).collect()
}

/// The text of each element matching `css`, whitespace collapsed.
pub fn select_texts(html: &Html, css: &str) -> Vec<String> {
    select(html, css).into_iter().map(text).collect()
}

/// The value of `attr` of each element matching `css` that has it.
pub fn select_attrs(html: &Html, css: &str, attr: &str) -> Vec<String> {
    select(html, css)
        .into_iter()
        .filter_map(|e| e.attr(attr).map(str::to_string))
        .collect()
}

/// The one element matching `css`.
pub fn select_one<'a>(html: &'a Html, css: &str) -> ElementRef<'a> {
    let found = select(html, css);
    assert_eq!(
        found.len(),
        1,
        "expected one {css:?}, found {}",
        found.len()
    );
    found[0]
}

/// The text of an element, whitespace collapsed.
pub fn text(element: ElementRef<'_>) -> String {
    element
        .text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The left navigation, one line per entry: `Title /url/` (or `Title` for a heading without a
/// link), indented two spaces per level.
pub fn sidebar(html: &Html) -> Vec<String> {
    let nav = select_one(html, "nav[aria-label=Handbook]");
    let list = nav
        .select(&selector("ul, ol"))
        .next()
        .expect("a list in the sidebar");
    outline(list)
}

/// The "On this page" table of contents, like [`sidebar`]; `None` when the page has none.
pub fn toc(html: &Html) -> Option<Vec<String>> {
    let toc = select(html, "aside, nav")
        .into_iter()
        .find(|e| text(*e).starts_with("On this page"))?;
    let list = toc.select(&selector("ul, ol")).next()?;
    Some(outline(list))
}

/// A nested list as indented `text href` lines.
pub fn outline(list: ElementRef<'_>) -> Vec<String> {
    let mut lines = Vec::new();
    outline_into(list, 0, &mut lines);
    lines
}

fn outline_into(list: ElementRef<'_>, depth: usize, lines: &mut Vec<String>) {
    for item in list.child_elements().filter(|e| e.value().name() == "li") {
        let label = item
            .child_elements()
            .find(|e| !matches!(e.value().name(), "ul" | "ol"));
        let line = match label {
            Some(label) => match label.attr("href") {
                Some(href) => format!("{} {href}", text(label)),
                None => text(label),
            },
            None => text(item),
        };
        lines.push(format!("{}{line}", "  ".repeat(depth)));
        for sub in item
            .child_elements()
            .filter(|e| matches!(e.value().name(), "ul" | "ol"))
        {
            outline_into(sub, depth + 1, lines);
        }
    }
}

/// The `href` of the link with `rel` (`prev`, `next`) on a page, if there is one.
pub fn rel_link(html: &Html, rel: &str) -> Option<String> {
    let links = select_attrs(html, &format!("a[rel={rel}]"), "href");
    assert!(links.len() <= 1, "more than one rel={rel} link: {links:?}");
    links.into_iter().next()
}

/// `[("a", "b")]` as owned strings, to compare with what [`crate::support::BuiltSite::hrefs_by_page`]
/// returns.
pub fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}
