//! What the last build learned about each page (its analysis: links, headings, search text), saved
//! in the output's home so that the next build does not parse an unchanged page again. One JSON
//! line a page.

use crate::markdown::Analysis;
use crate::site::{PageId, PerPage, Site};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};

/// One line of the facts file: a page's analysis, and the key of the inputs it came from.
#[derive(Serialize, Deserialize)]
struct Facts<'a> {
    rel: Cow<'a, str>,
    key: u64,
    analysis: Cow<'a, Analysis>,
}

/// The analyses of the previous build, by output path, each with the key of its inputs.
pub type Known = HashMap<String, (u64, Analysis)>;

/// The facts of `pages` (each with the key of its inputs), one line each, in order.
pub fn write(
    out: &mut dyn Write,
    site: &Site,
    analyses: &PerPage<Analysis>,
    pages: &[(PageId, u64)],
) -> io::Result<()> {
    for &(id, key) in pages {
        let facts = Facts {
            rel: site.pages[id].output_path().into(),
            key,
            analysis: Cow::Borrowed(&analyses[id]),
        };
        serde_json::to_writer(&mut *out, &facts)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// The analyses the previous build saved. Unreadable lines are skipped: the page is then
/// analysed again.
pub fn read(text: &str) -> Known {
    text.par_lines()
        .filter_map(|line| serde_json::from_str::<Facts<'_>>(line).ok())
        .map(|f| (f.rel.into_owned(), (f.key, f.analysis.into_owned())))
        .collect()
}
