//! `handbook check --fix`: repairs in the Markdown of `content/` what can be repaired without
//! asking: mojibake, and the letter case of `#anchors` that name an id of their page in another
//! case. Each file is rewritten atomically, keeping everything else byte for byte.

use super::CaseFix;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::layout::CONTENT_DIR;
use crate::markdown::Analysis;
use crate::site::PerPage;
use crate::site::Site;
use crate::site::links::LinkTable;
use crate::source::{self, mojibake, walk};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Repaired files (as shown in messages) with how many repairs each, and the files that could
/// not be repaired.
pub type Fixed = (Vec<(String, usize)>, Vec<Diagnostic>);

/// Repairs mojibake in every page of `content/`, in place. Files are listed as a build lists
/// them, so a link to a file outside the handbook is never followed; the problems of the
/// listing (that link, a named pipe) are left to the check that follows, which reports them.
pub fn mojibake(root: &Path) -> Fixed {
    let files = source::list_files(root, CONTENT_DIR, &mut Diagnostics::default());
    let mut problems = Diagnostics::default();
    let mut repaired = Vec::new();
    for (rel, path) in files {
        if !rel.ends_with(".md") {
            continue;
        }
        let shown = format!("{CONTENT_DIR}/{rel}");
        match mojibake::repair_resolved(&path) {
            Ok(0) => {}
            Ok(count) => repaired.push((shown, count)),
            Err(err) => problems.push(Diagnostic::error(
                shown,
                format!("cannot repair mojibake: {err}"),
            )),
        }
    }
    (repaired, problems.into_sorted())
}

/// Corrects the letter case of every link's `#anchor` that names an id of its page in another
/// case (`#Our-Values` for `#our-values`), in the Markdown of each page of `site` (whose
/// outputs are `outputs`, and whose Markdown's analyses are `analyses`), changing nothing else.
pub fn anchor_case(
    root: &Path,
    site: &Site,
    analyses: &PerPage<Analysis>,
    outputs: &std::collections::BTreeSet<String>,
) -> Fixed {
    let table = LinkTable::new(site, outputs);
    let fixes = super::case_fixes(site, &table, analyses);
    // Where each file really is: a page that is a link inside the handbook is fixed in the
    // file it links to, and stays a link.
    let real: HashMap<String, PathBuf> =
        source::list_files(root, CONTENT_DIR, &mut Diagnostics::default())
            .into_iter()
            .collect();
    let mut fixed = Vec::new();
    let mut problems = Vec::new();
    for (id, page) in site.pages.iter_enumerated() {
        let mine: Vec<&CaseFix> = fixes.iter().filter(|f| f.page == id).collect();
        if mine.is_empty() || page.generated {
            continue;
        }
        let shown = page.source.display_path();
        let Some(path) = real.get(&page.source.rel_path) else {
            continue;
        };
        match fix_page_anchors(path, &page.source.body, &mine) {
            Ok(0) => {}
            Ok(count) => fixed.push((shown, count)),
            Err(err) => problems.push(Diagnostic::error(
                shown,
                format!("cannot correct the letter case of its anchors: {err}"),
            )),
        }
    }
    (fixed, problems)
}

/// Makes `fixes` in the file at `path`, whose Markdown after the front matter was `body`;
/// rewrites it atomically, keeping its permissions, byte order mark and line endings.
fn fix_page_anchors(path: &Path, body: &str, fixes: &[&CaseFix]) -> std::io::Result<usize> {
    let changed = || std::io::Error::other("the file changed while it was being fixed");
    let text = String::from_utf8(walk::read(path)?).map_err(|_| changed())?;
    let (bom, text) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text.as_str()),
    };
    if !text.ends_with(body) {
        return Err(changed());
    }
    let body_start = text.len() - body.len();
    let edits = super::case_edits(body, fixes);
    if edits.is_empty() {
        return Ok(0);
    }
    let repaired = super::apply_edits(&text[body_start..], &edits);
    let whole = format!("{bom}{}{repaired}", &text[..body_start]);
    mojibake::write_atomically(path, whole.as_bytes())?;
    Ok(edits.len())
}
