//! How a page is named after a folder (beside it, inside it, or titled like it), which makes
//! it the folder's landing page, and the label comparisons that decide it.

use crate::markdown::headings::kramdown_slug_chars;
use crate::site::Page;

/// How a page can be named after a folder, in the order they make it the folder's landing page.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Named {
    /// `a/tech-stack.md` beside `a/tech-stack/`.
    Beside,
    /// `a/tech-stack/tech-stack.md`.
    Inside,
    /// A page of `a/tech-stack/` titled "Tech stack".
    Titled,
}

/// The folder `page` is named after in that `way`, if any.
pub(super) fn named_folder(page: &Page, way: Named) -> Option<&str> {
    let source = &page.source;
    if source.is_index() {
        return None;
    }
    let dir = source.dir();
    let inside = match way {
        Named::Beside => return source.rel_path.rsplit_once('.').map(|(path, _)| path),
        Named::Inside => folder_name(dir) == source.stem(),
        Named::Titled => same_label(&page.title, folder_name(dir)),
    };
    (inside && !dir.is_empty()).then_some(dir)
}

/// Two labels a reader takes for the same: equal but for case, or as slugs (`Dev standards`,
/// `dev-standards`).
pub(super) fn same_label(a: &str, b: &str) -> bool {
    // As `slugify` would make them, compared without making them: this runs for every page.
    let (a, b) = (a.trim(), b.trim());
    !a.is_empty()
        && (a.eq_ignore_ascii_case(b) || kramdown_slug_chars(a).eq(kramdown_slug_chars(b)))
}

/// The last segment of a folder path (`dev-standards` for `engineering/dev-standards`).
pub(super) fn folder_name(dir: &str) -> &str {
    dir.rsplit('/').next().unwrap_or(dir)
}
