//! Which template renders a page: its `layout`, checked against the site's templates, with
//! the layout names of Jekyll sites accepted as they are.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::site::Page;
use std::collections::BTreeSet;

/// Layout names Jekyll sites give ordinary pages (`default` is Jekyll's own default): a site
/// without a template of that name renders such a page with `page` (the home page with
/// `index`), so that a handbook moved from Jekyll builds as it is.
pub const JEKYLL_LAYOUTS: &[&str] = &["default", "post", "home"];

/// The template file a page of `layout` at `url` is rendered with, among the site's `layouts`.
pub fn layout_template(layout: &str, url: &str, layouts: &BTreeSet<String>) -> String {
    if layouts.contains(layout) || !JEKYLL_LAYOUTS.contains(&layout) {
        format!("{layout}.html")
    } else if url == "/" {
        "index.html".into()
    } else {
        "page.html".into()
    }
}

/// Every page of `pages` whose `layout` names no template is an error.
pub fn check_layouts<'a>(
    pages: impl IntoIterator<Item = &'a Page>,
    layouts: &BTreeSet<String>,
    diags: &mut Diagnostics,
) {
    for page in pages {
        if !layouts.contains(&page.layout) && !JEKYLL_LAYOUTS.contains(&page.layout.as_str()) {
            let line = page.source.key_line("layout").unwrap_or(1);
            let known: Vec<&str> = layouts.iter().map(String::as_str).collect();
            diags.push(
                Diagnostic::error(
                    page.source.display_path(),
                    format!("unknown layout `{}`", page.layout),
                )
                .at(line, 1)
                .help(format!(
                    "available layouts: {} (a layout `x` is the template `templates/x.html`)",
                    known.join(", ")
                )),
            );
        }
    }
}
