//! What the analysis of a page finds wrong besides its links: ids used twice, images without
//! alt text, tables to fix, and raw HTML that the Content-Security-Policy blocks.

use super::position;
use crate::diagnostics::Diagnostic;
use crate::markdown::{Analysis, Inline};
use crate::site::Page;

/// What the analysis of a page found wrong besides its links: ids used twice, images without
/// alt text, tables to fix, raw HTML the Content-Security-Policy blocks.
pub(super) fn page_warnings(page: &Page, analysis: &Analysis, diags: &mut Vec<Diagnostic>) {
    let at = |offset: usize| position(page, offset);
    for (duplicate, offset) in &analysis.duplicate_ids {
        let (line, col) = at(*offset);
        diags.push(
            Diagnostic::error(
                page.source.display_path(),
                format!("two headings have the id `{duplicate}`: a link to #{duplicate} could only reach the first"),
            )
            .at(line, col)
            .help("give this heading another `{#id}`"),
        );
    }
    for offset in &analysis.images_without_alt {
        let (line, col) = at(*offset);
        diags.push(
            Diagnostic::warning(page.source.display_path(), "image without alt text")
                .at(line, col)
                .help("describe the image for readers who cannot see it: ![what it shows](path), or alt=\"...\""),
        );
    }
    for table in &analysis.tables {
        let (line, col) = at(table.offset);
        let (message, help) = table.warning();
        diags.push(
            Diagnostic::warning(page.source.display_path(), message)
                .at(line, col)
                .help(help),
        );
    }
    for problem in &analysis.shortcodes {
        diags.push(shortcode_problem(page, problem));
    }
    for (offset, inline) in &analysis.inline_code {
        let (line, col) = at(*offset);
        let (what, help) = inline_code_warning(inline);
        diags.push(
            Diagnostic::warning(page.source.display_path(), what)
                .at(line, col)
                .help(help),
        );
    }
}

/// What to say about raw HTML that the site's Content-Security-Policy blocks, and how to fix
/// it.
fn inline_code_warning(inline: &Inline) -> (String, &'static str) {
    const BLOCKS: &str = "the site's Content-Security-Policy (in _headers) blocks";
    match inline {
        Inline::Script => (
            format!("inline <script>: {BLOCKS} scripts written in the page"),
            "put the script in a file of static/ and load it with <script src=\"/name.js\"></script>",
        ),
        Inline::Handler(name) => (
            format!("{name}= attribute: {BLOCKS} event handlers written in the page"),
            "attach the handler from a script file in static/ (addEventListener)",
        ),
        Inline::Style => (
            format!("style= attribute: {BLOCKS} styles written in the page"),
            "give the element a class and style it in a stylesheet of static/",
        ),
    }
}

/// A shortcode call that could not be rendered: at the call, or at its template's line when
/// the template failed (naming the call).
fn shortcode_problem(page: &Page, problem: &crate::markdown::shortcodes::Problem) -> Diagnostic {
    let (line, col) = position(page, problem.offset);
    let failure = &problem.failure;
    match &failure.template {
        Some((path, template_line)) => {
            let called = format!(" (called from {}:{line}:{col})", page.source.display_path());
            let d = Diagnostic::error(path.clone(), format!("{}{called}", failure.message))
                .help(failure.help.clone());
            match *template_line {
                0 => d,
                n => d.at(n, 1),
            }
        }
        None => Diagnostic::error(page.source.display_path(), failure.message.clone())
            .at(line, col)
            .help(failure.help.clone()),
    }
}
