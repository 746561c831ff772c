//! Page URLs: made from the source path or the `permalink`, refused when they could leave the
//! output folder, and indexed with every URL two pages share reported.

use super::Pages;
use super::named::{Named, named_folder};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::site::{Page, PageId};
use crate::source::SourcePage;
use std::collections::HashMap;

/// `engineering/release-process.md` → `/engineering/release-process/`; `x/index.md` → `/x/`.
pub(super) fn path_url(source: &SourcePage) -> String {
    let path = if source.is_index() {
        source.dir().to_string()
    } else {
        match source.dir() {
            "" => source.stem().to_string(),
            dir => format!("{dir}/{}", source.stem()),
        }
    };
    let path: String = path
        .chars()
        .map(|c| if c.is_whitespace() { '-' } else { c })
        .collect();
    if path.is_empty() {
        "/".into()
    } else {
        format!("/{path}/")
    }
}

/// A leading and a trailing `/`, whatever the author wrote.
pub fn normalize_permalink(permalink: &str) -> String {
    let trimmed = permalink.trim().trim_matches('/');
    if trimmed.is_empty() {
        "/".into()
    } else {
        format!("/{trimmed}/")
    }
}

/// Why a URL cannot be written inside the output folder, if it cannot.
pub fn unsafe_url(url: &str) -> Option<&'static str> {
    let lower = url.to_ascii_lowercase();
    if url.contains('\\') {
        return Some("it contains a backslash");
    }
    if url.chars().any(char::is_control) {
        return Some("it contains a control character");
    }
    if lower.contains("%2e")
        || lower.contains("%2f")
        || lower.contains("%5c")
        || lower.contains("%00")
    {
        return Some("it contains an encoded `.`, `/` or `\\`");
    }
    if url.contains(['?', '#']) {
        return Some("it contains `?` or `#`");
    }
    let segments: Vec<&str> = url.trim_matches('/').split('/').collect();
    if url != "/" && segments.iter().any(|s| s.is_empty()) {
        return Some("it contains an empty path segment (`//`)");
    }
    if segments.iter().any(|s| *s == "." || *s == "..") {
        return Some("it contains a `.` or `..` segment and would leave the output folder");
    }
    if segments
        .first()
        .is_some_and(|s| s.len() == 2 && s.ends_with(':'))
    {
        return Some("it looks like a drive path (`C:`)");
    }
    None
}

/// Maps URLs to pages, reporting unsafe URLs and every URL two pages share.
pub(super) fn index_urls(pages: &Pages, diags: &mut Diagnostics) -> HashMap<String, PageId> {
    let mut by_url: HashMap<String, PageId> = HashMap::with_capacity(pages.len());
    for (id, page) in pages.iter_enumerated() {
        let line = page.source.key_line("permalink").unwrap_or(1);
        if let Some(why) = unsafe_url(&page.url) {
            let written = page.source.front.permalink.as_deref().unwrap_or(&page.url);
            diags.push(
                Diagnostic::error(page.source.display_path(), format!("permalink `{}` is not allowed: {why}", written.escape_debug()))
                    .at(line, 1)
                    .help("use a site path made of plain segments, like `permalink: /engineering/release-process/`"),
            );
            continue;
        }
        if let Some(&other) = by_url.get(&page.url) {
            let (first, second) = if pages[other].source.rel_path <= page.source.rel_path {
                (&pages[other], page)
            } else {
                (page, &pages[other])
            };
            let describe = |p: &Page| match (p.generated, p.source.dir()) {
                (true, "") => "the home page (content/ has no index.md)".to_string(),
                (true, dir) => format!("the folder content/{dir}/"),
                (false, _) => p.source.display_path(),
            };
            // Report where the clash was made: at a `permalink`, else at the later file.
            let at = [second, first]
                .into_iter()
                .find(|p| !p.generated && p.source.key_line("permalink").is_some())
                .unwrap_or(if second.generated { first } else { second });
            diags.push(
                Diagnostic::error(
                    at.source.display_path(),
                    format!(
                        "two pages have the URL {}: {} and {}",
                        page.url,
                        describe(first),
                        describe(second)
                    ),
                )
                .at(at.source.key_line("permalink").unwrap_or(1), 1)
                .help(clash_help(first, second)),
            );
            continue;
        }
        by_url.insert(page.url.clone(), id);
    }
    by_url
}

/// How to settle two pages on one URL.
fn clash_help(first: &Page, second: &Page) -> String {
    let beside = |page: &Page, index: &Page| {
        index.source.is_index() && named_folder(page, Named::Beside) == Some(index.source.dir())
    };
    for (page, index) in [(first, second), (second, first)] {
        if beside(page, index) {
            return format!(
                "{} beside the folder content/{}/ is that folder's landing page, and so is {}: keep one of them (move the other's text into it)",
                page.source.display_path(),
                index.source.dir(),
                index.source.display_path()
            );
        }
    }
    "give one of them another `permalink`, or move a folder's page to its `index.md`".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permalinks_get_slashes_on_both_ends() {
        assert_eq!(normalize_permalink("engineering"), "/engineering/");
        assert_eq!(normalize_permalink("/a/b"), "/a/b/");
        assert_eq!(normalize_permalink("/"), "/");
    }

    #[test]
    fn urls_that_escape_the_output_are_refused() {
        for bad in [
            "/../x/",
            "/a/../../b/",
            "/a\\b/",
            "/a\0/",
            "/%2e%2e/x/",
            "/c:/windows/",
            "/a//b/",
        ] {
            assert!(unsafe_url(bad).is_some(), "{bad:?} accepted");
        }
        for good in ["/", "/engineering/", "/a.b/c_d/"] {
            assert_eq!(unsafe_url(good), None, "{good:?} refused");
        }
    }
}
