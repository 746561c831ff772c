//! The default theme, compiled into the binary so that a folder with only `content/` is a
//! working site. A site's own `templates/` and `static/` files replace these by name.

/// Templates, by name relative to `templates/`.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("page.html", include_str!("../../templates/page.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("404.html", include_str!("../../templates/404.html")),
    ("changes.html", include_str!("../../templates/changes.html")),
    (
        "recent-changes.html",
        include_str!("../../templates/recent-changes.html"),
    ),
    (
        "partials/sidebar.html",
        include_str!("../../templates/partials/sidebar.html"),
    ),
    (
        "partials/breadcrumbs.html",
        include_str!("../../templates/partials/breadcrumbs.html"),
    ),
    (
        "partials/cards.html",
        include_str!("../../templates/partials/cards.html"),
    ),
    (
        "partials/toc.html",
        include_str!("../../templates/partials/toc.html"),
    ),
    (
        "partials/prev_next.html",
        include_str!("../../templates/partials/prev_next.html"),
    ),
    ("search.html", include_str!("../../templates/search.html")),
    (
        "partials/search_box.html",
        include_str!("../../templates/partials/search_box.html"),
    ),
    (
        "partials/page_meta.html",
        include_str!("../../templates/partials/page_meta.html"),
    ),
    // The built-in shortcodes (docs/shortcodes.md).
    (
        "shortcodes/callout.html",
        include_str!("../../templates/shortcodes/callout.html"),
    ),
    (
        "shortcodes/note.html",
        include_str!("../../templates/shortcodes/note.html"),
    ),
    (
        "shortcodes/tip.html",
        include_str!("../../templates/shortcodes/tip.html"),
    ),
    (
        "shortcodes/important.html",
        include_str!("../../templates/shortcodes/important.html"),
    ),
    (
        "shortcodes/warning.html",
        include_str!("../../templates/shortcodes/warning.html"),
    ),
    (
        "shortcodes/caution.html",
        include_str!("../../templates/shortcodes/caution.html"),
    ),
    (
        "shortcodes/danger.html",
        include_str!("../../templates/shortcodes/danger.html"),
    ),
    (
        "shortcodes/video.html",
        include_str!("../../templates/shortcodes/video.html"),
    ),
    (
        "shortcodes/figure.html",
        include_str!("../../templates/shortcodes/figure.html"),
    ),
    (
        "shortcodes/table.html",
        include_str!("../../templates/shortcodes/table.html"),
    ),
];

/// Static assets, by path relative to `static/` (and to the output root).
pub const ASSETS: &[(&str, &[u8])] = &[
    ("theme.css", include_bytes!("../../static/theme.css")),
    ("theme.js", include_bytes!("../../static/theme.js")),
    ("favicon.svg", include_bytes!("../../static/favicon.svg")),
    ("redirect.js", include_bytes!("../../static/redirect.js")),
    ("search.js", include_bytes!("../../static/search.js")),
    // Mermaid, and what draws a page's diagrams with it (static/diagrams/README.md): written
    // only for a site that has a diagram, loaded only by its pages that have one.
    (
        "diagrams/mermaid.min.js",
        include_bytes!("../../static/diagrams/mermaid.min.js"),
    ),
    (
        "diagrams/diagrams.js",
        include_bytes!("../../static/diagrams/diagrams.js"),
    ),
    // Mermaid's MIT license goes wherever Mermaid goes.
    (
        "diagrams/mermaid.LICENSE.txt",
        include_bytes!("../../static/diagrams/mermaid.LICENSE.txt"),
    ),
];

/// The assets of [`ASSETS`] only a site with a Mermaid diagram needs.
pub const DIAGRAM_ASSETS: &[&str] = &[
    "diagrams/mermaid.min.js",
    "diagrams/diagrams.js",
    "diagrams/mermaid.LICENSE.txt",
];

/// Whether a page's Markdown may have a Mermaid diagram: `mermaid` (any case) right after a
/// code fence (```` ``` ````, `~~~`, with `{.` or spaces between), wherever the fence is: in a
/// list item, a quote. A superset: one inside another code block counts too.
pub fn may_have_diagrams(markdown: &str) -> bool {
    let bytes = markdown.as_bytes();
    // From each fence (rare in text) to what follows it.
    let fences =
        memchr::memmem::find_iter(bytes, b"```").chain(memchr::memmem::find_iter(bytes, b"~~~"));
    fences.into_iter().any(|at| {
        let after = &bytes[at..];
        let fence = after
            .iter()
            .take_while(|b| matches!(b, b'`' | b'~'))
            .count();
        let info = after[fence..]
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'{' | b'.'))
            .count();
        after[fence + info..]
            .get(..7)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"mermaid"))
    })
}

/// Where the theme's assets are served from.
pub const STYLESHEET: &str = "/theme.css";
pub const SCRIPT: &str = "/theme.js";
pub const ICON: &str = "/favicon.svg";
/// The search box of every page and the search page.
pub const SEARCH_SCRIPT: &str = "/search.js";
/// Loaded by the redirect page of each alias.
pub const REDIRECT_SCRIPT: &str = "/redirect.js";
/// Generated from the highlighting themes of `handbook.yml`.
pub const HIGHLIGHT_STYLESHEET: &str = "/syntax.css";
/// Mermaid, and the script that draws a page's diagrams with it.
pub const MERMAID_SCRIPT: &str = "/diagrams/mermaid.min.js";
pub const DIAGRAMS_SCRIPT: &str = "/diagrams/diagrams.js";
/// Generated from `branding` of `handbook.yml`, when it has any.
pub const BRANDING_STYLESHEET: &str = "/branding.css";

/// A file of the built-in theme by its output path: one of [`ASSETS`], or the highlighting
/// stylesheet made from the themes of `handbook.yml` (a problem of `handbook.yml` if one of them
/// is unknown).
pub fn builtin_file(
    name: &str,
    config: &crate::config::Config,
) -> Option<Result<Vec<u8>, crate::diagnostics::Diagnostic>> {
    if let Some((_, bytes)) = ASSETS.iter().find(|(asset, _)| *asset == name) {
        return Some(Ok(bytes.to_vec()));
    }
    if name == &BRANDING_STYLESHEET[1..] && config.branding.is_set() {
        return Some(Ok(config
            .branding
            .stylesheet(config.base_path())
            .into_bytes()));
    }
    (name == &HIGHLIGHT_STYLESHEET[1..]).then(|| {
        let highlight = &config.highlight;
        crate::markdown::highlight::stylesheet(&highlight.light_theme, &highlight.dark_theme)
            .map(String::into_bytes)
            .map_err(|message| {
                crate::diagnostics::Diagnostic::error(crate::layout::CONFIG_FILE, message)
            })
    })
}

#[cfg(test)]
mod tests {
    use super::may_have_diagrams;

    #[test]
    fn a_mermaid_fence_is_found_however_it_is_written() {
        for text in [
            "```mermaid\ngraph TD\n```\n",
            "```MerMaid\n",
            "1. ```mermaid\n",
            "> ~~~ mermaid\n",
            "``` {.mermaid}\n",
        ] {
            assert!(may_have_diagrams(text), "{text}");
        }
        for text in ["We draw with Mermaid.", "```rust\nlet mermaid = 1;\n```"] {
            assert!(!may_have_diagrams(text), "{text}");
        }
    }
}
