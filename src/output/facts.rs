//! What the last build learned about each page (its analysis: links, headings, search text), saved
//! in the output's home so that the next build does not parse an unchanged page again. One JSON
//! line a page.

use crate::markdown::Analysis;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;

/// One line of the facts file: a page's analysis, and the key of the inputs it came from.
#[derive(Serialize, Deserialize)]
struct Facts<'a> {
    rel: Cow<'a, str>,
    key: u64,
    analysis: Cow<'a, Analysis>,
}

/// The analyses of the previous build, by output path, each with the key of its inputs.
pub type Known = HashMap<String, (u64, Analysis)>;

/// The line of page `rel`, whose analysis came from inputs with `key`.
pub fn line(rel: &str, key: u64, analysis: &Analysis) -> String {
    let facts = Facts {
        rel: rel.into(),
        key,
        analysis: Cow::Borrowed(analysis),
    };
    let mut line = serde_json::to_string(&facts).unwrap_or_default();
    line.push('\n');
    line
}

/// The analyses the previous build saved. Unreadable lines are skipped: the page is then
/// analysed again.
pub fn read(text: &str) -> Known {
    text.par_lines()
        .filter_map(|line| serde_json::from_str::<Facts<'_>>(line).ok())
        .map(|f| (f.rel.into_owned(), (f.key, f.analysis.into_owned())))
        .collect()
}
