//! What the last build learned about each page (its analysis: links, headings), saved in the
//! output's home so that the next build does not parse an unchanged page again. A header, then
//! one record a page: its length (4 bytes) and the record in bincode, a compact binary form
//! (the JSON lines this was before took three times as long to write and to read).

use crate::markdown::Analysis;
use crate::site::{PageId, PerPage, Site};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};

/// Changes whenever the records do.
const HEADER: &[u8] = b"handbook facts 2\n";

/// One record of the facts file: a page's analysis, and the key of the inputs it came from.
#[derive(Serialize, Deserialize)]
struct Facts<'a> {
    rel: Cow<'a, str>,
    key: u64,
    analysis: Cow<'a, Analysis>,
}

/// The analyses of the previous build, by output path, each with the key of its inputs.
pub type Known = HashMap<String, (u64, Analysis)>;

/// The facts of `pages` (each with the key of its inputs), in order.
pub fn write(
    out: &mut dyn Write,
    site: &Site,
    analyses: &PerPage<Analysis>,
    pages: &[(PageId, u64)],
) -> io::Result<()> {
    out.write_all(HEADER)?;
    let mut record = Vec::new();
    for &(id, key) in pages {
        let facts = Facts {
            rel: site.pages[id].output_path().into(),
            key,
            analysis: Cow::Borrowed(&analyses[id]),
        };
        record.clear();
        bincode::serialize_into(&mut record, &facts).map_err(io::Error::other)?;
        let len = u32::try_from(record.len()).map_err(io::Error::other)?;
        out.write_all(&len.to_le_bytes())?;
        out.write_all(&record)?;
    }
    Ok(())
}

/// The analyses the previous build saved. Nothing if the file is not of this version; a record
/// that cannot be read is skipped (the page is then analysed again), and one cut short ends it.
pub fn read(bytes: &[u8]) -> Known {
    let Some(mut rest) = bytes.strip_prefix(HEADER) else {
        return Known::new();
    };
    let mut records = Vec::new();
    while let Some((len, tail)) = rest.split_first_chunk::<4>() {
        let Some((record, tail)) = tail.split_at_checked(u32::from_le_bytes(*len) as usize) else {
            break;
        };
        records.push(record);
        rest = tail;
    }
    records
        .into_par_iter()
        .filter_map(|record| bincode::deserialize::<Facts<'_>>(record).ok())
        .map(|f| (f.rel.into_owned(), (f.key, f.analysis.into_owned())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_cut_short_or_damaged_give_what_is_whole() {
        let analysis = Analysis {
            anchors: vec!["a".into(), "é".into()],
            duplicate_ids: vec![("x".into(), 3)],
            images_without_alt: vec![7],
            ..Analysis::default()
        };
        let mut bytes = HEADER.to_vec();
        for (rel, key) in [("a/index.html", 1u64), ("b/index.html", 2)] {
            let facts = Facts {
                rel: rel.into(),
                key,
                analysis: Cow::Borrowed(&analysis),
            };
            let record = bincode::serialize(&facts).unwrap();
            bytes.extend_from_slice(&(record.len() as u32).to_le_bytes());
            bytes.extend_from_slice(&record);
        }
        let known = read(&bytes);
        assert_eq!(known.len(), 2);
        assert_eq!(known["b/index.html"], (2, analysis.clone()));
        for end in 0..bytes.len() {
            for (rel, found) in read(&bytes[..end]) {
                assert_eq!(known[&rel], found, "cut at {end}");
            }
        }
        assert!(
            read(b"{\"rel\":\"a/index.html\"}\n").is_empty(),
            "the JSON of before"
        );
    }
}
