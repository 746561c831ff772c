//! The shards and `meta.json`, assembled from every page's entry once the pass is over. Only
//! the shards whose words or postings changed since the previous build are made again; the
//! others are kept as the output has them.

use super::gather::{PageEntry, Tables};
use super::saved::Saved;
use super::{FORMAT_VERSION, Gathered, MAX_SHARDS, SHARD_TARGET_BYTES, key, page_path, shard_of};
use crate::layout::SEARCH_INDEX_DIR;
use crate::output::Sink;
use crate::site::Site;
use rayon::prelude::*;
use std::fmt::Write as _;
use std::io;
// Words hashed with Fx, as everywhere in the index.
use rustc_hash::FxHashMap as HashMap;

/// What the index's last step made: its `build`, the digests of its shards and `meta.json`
/// for the manifest, and the state the next build starts from.
pub struct Finished {
    pub build: String,
    pub files: Vec<(String, u128)>,
    pub saved: Saved,
}

/// Assembles the index from the entries of the pages, by number: those `gathered` made, and
/// the previous build's for the others (the pass reused them). Writes the shards that changed
/// and `meta.json` to `out`, keeps the others.
pub fn finish(site: &Site, gathered: Gathered, out: &dyn Sink) -> io::Result<Finished> {
    let Gathered {
        numbering,
        vocabulary,
        made,
        previous,
    } = gathered;
    let tables = vocabulary.into_tables();
    let mut previous = previous.unwrap_or_default();
    let rels: Vec<String> = numbering
        .pages
        .iter()
        .map(|&id| site.pages[id].output_path())
        .collect();
    let (entries, changed) = lay_out(&tables, rels, made, &mut previous.pages)?;
    let digests = write_shards(&tables, &entries, &changed, &previous.shards, out)?;
    let (build, mut files) = build_id(&entries, &digests);
    let meta = format!(
        "{{\"version\":{FORMAT_VERSION},\"build\":\"{build}\",\"shards\":{},\"pages\":{}}}",
        digests.len(),
        entries.len()
    );
    let rel = format!("{SEARCH_INDEX_DIR}meta.json");
    let digest = xxhash_rust::xxh3::xxh3_128(meta.as_bytes());
    if !out.keep(&rel, digest) {
        out.write(&rel, meta.as_bytes())?;
    }
    files.push((rel, digest));
    let pages = entries
        .into_iter()
        .enumerate()
        .map(|(n, (rel, entry))| (rel, (n as u32, entry)))
        .collect();
    let saved = Saved {
        tables,
        pages,
        shards: digests,
    };
    Ok(Finished {
        build,
        files,
        saved,
    })
}

/// Each page's entry in page order, with its output path (`rels`, by number): the one `made`
/// now, else the previous build's, taken from `previous`. What changed since: the entries of
/// the pages that were added, changed, renumbered, or are gone (those left in `previous`).
fn lay_out(
    tables: &Tables,
    rels: Vec<String>,
    mut made: Vec<Option<PageEntry>>,
    previous: &mut HashMap<String, (u32, PageEntry)>,
) -> io::Result<(Vec<(String, PageEntry)>, Changed)> {
    let mut changed = Changed::new(tables);
    let mut entries = Vec::with_capacity(rels.len());
    for (n, rel) in rels.into_iter().enumerate() {
        let now = made.get_mut(n).and_then(Option::take);
        let n = n as u32;
        let entry = match (now, previous.remove(&rel)) {
            (Some(entry), Some((was, old))) if was == n => {
                changed.between(&old, &entry);
                entry
            }
            (Some(entry), before) => {
                changed.page(&entry);
                if let Some((_, old)) = before {
                    changed.page(&old);
                }
                entry
            }
            (None, Some((was, entry))) => {
                if was != n {
                    changed.page(&entry);
                }
                entry
            }
            (None, None) => {
                let lost = format!("the search index lost the entry of {rel}");
                return Err(io::Error::other(lost));
            }
        };
        entries.push((rel, entry));
    }
    for (_, gone) in previous.values() {
        changed.page(gone);
    }
    Ok((entries, changed))
}

/// Writes the shards that changed (all of them if their number did) and keeps the others;
/// returns the digest of each.
fn write_shards(
    tables: &Tables,
    entries: &[(String, PageEntry)],
    changed: &Changed,
    before: &[u128],
    out: &dyn Sink,
) -> io::Result<Vec<u128>> {
    let used = used_words(tables, entries);
    let count = entries.iter().map(|(_, e)| e.postings.len()).sum();
    let shards = (size_estimate(tables, &used, count) / SHARD_TARGET_BYTES).clamp(1, MAX_SHARDS);
    let dirty = match before.len() == shards {
        true => changed.shards(tables, &used, shards),
        false => vec![true; shards],
    };
    let mut buckets: Vec<Vec<(&str, u32)>> = vec![Vec::new(); shards];
    // Only the postings of the shards written: after an edit, a fraction of them.
    let mut needed = vec![false; tables.stem_list.len()];
    for (word, (text, stem)) in tables.word_list.iter().enumerate() {
        if used[word] {
            let shard = shard_of(key(text), shards);
            buckets[shard].push((text, *stem));
            needed[*stem as usize] |= dirty[shard];
        }
    }
    let postings = postings_of(tables, entries, &needed);
    buckets
        .into_par_iter()
        .enumerate()
        .map(|(n, mut words)| {
            let rel = format!("{SEARCH_INDEX_DIR}s/{n}.json");
            if !dirty[n] && out.keep(&rel, before[n]) {
                return Ok(before[n]);
            }
            words.sort_unstable();
            let bytes = shard_file(&words, &postings);
            out.write(&rel, &bytes)?;
            Ok(xxhash_rust::xxh3::xxh3_128(&bytes))
        })
        .collect()
}

/// The index's `build`: a digest of the names and digests of all its files, pages' and
/// shards'; and the shards' names with their digests, for the manifest.
fn build_id(entries: &[(String, PageEntry)], shards: &[u128]) -> (String, Vec<(String, u128)>) {
    let mut build = xxhash_rust::xxh3::Xxh3::new();
    for (n, (_, entry)) in entries.iter().enumerate() {
        build.update(page_path(n as u32).as_bytes());
        build.update(&entry.file.to_le_bytes());
    }
    let mut files = Vec::with_capacity(shards.len() + 1);
    for (n, digest) in shards.iter().enumerate() {
        let rel = format!("{SEARCH_INDEX_DIR}s/{n}.json");
        build.update(rel.as_bytes());
        build.update(&digest.to_le_bytes());
        files.push((rel, *digest));
    }
    (format!("{:016x}", build.digest()), files)
}

/// The postings of every stem in one list, (page, record, weight) by stem, then page, then
/// record: a 10k handbook has three million postings, and a list per stem cost a third more
/// memory than the postings themselves.
pub(super) struct Postings {
    /// Where each stem's postings start in `all`; one more for the end of the last.
    starts: Vec<u32>,
    all: Vec<(u32, u16, u8)>,
}

impl Postings {
    /// From each stem's postings, by stem number.
    #[cfg(test)]
    pub(super) fn from_lists(lists: &[Vec<(u32, u16, u8)>]) -> Postings {
        let mut starts = vec![0];
        let mut all = Vec::new();
        for list in lists {
            all.extend_from_slice(list);
            starts.push(all.len() as u32);
        }
        Postings { starts, all }
    }

    fn of(&self, stem: u32) -> &[(u32, u16, u8)] {
        let stem = stem as usize;
        &self.all[self.starts[stem] as usize..self.starts[stem + 1] as usize]
    }
}

/// The postings of each stem that is `needed` (by stem number): (page, record, weight), by
/// page then record. Other stems have none.
fn postings_of(tables: &Tables, entries: &[(String, PageEntry)], needed: &[bool]) -> Postings {
    let stems = tables.stem_list.len();
    let mut starts = vec![0u32; stems + 1];
    for (_, entry) in entries {
        for &(stem, _, _) in &entry.postings {
            if needed[stem as usize] {
                starts[stem as usize + 1] += 1;
            }
        }
    }
    for stem in 0..stems {
        starts[stem + 1] += starts[stem];
    }
    let mut next = starts.clone();
    let mut all = vec![(0, 0, 0); starts[stems] as usize];
    for (n, (_, entry)) in entries.iter().enumerate() {
        for &(stem, record, weight) in &entry.postings {
            if !needed[stem as usize] {
                continue;
            }
            let at = &mut next[stem as usize];
            all[*at as usize] = (n as u32, record, weight);
            *at += 1;
        }
    }
    Postings { starts, all }
}

/// Whether each word, by number, is on some page.
fn used_words(tables: &Tables, entries: &[(String, PageEntry)]) -> Vec<bool> {
    let mut used = vec![false; tables.word_list.len()];
    for (_, entry) in entries {
        for &word in &entry.words {
            used[word as usize] = true;
        }
    }
    used
}

/// Roughly how many bytes the shards will take, with `postings` postings in all.
fn size_estimate(tables: &Tables, used: &[bool], postings: usize) -> usize {
    let postings = postings * 7;
    let words: usize = tables
        .word_list
        .iter()
        .zip(used)
        .filter(|(_, used)| **used)
        .map(|((word, _), _)| word.len() + 6)
        .sum();
    postings + words
}

/// The stems whose postings may have changed, and the words that may have come or gone: those
/// of the pages added, removed, changed or moved to another number.
struct Changed {
    stems: Vec<bool>,
    words: Vec<bool>,
}

impl Changed {
    fn new(tables: &Tables) -> Changed {
        Changed {
            stems: vec![false; tables.stem_list.len()],
            words: vec![false; tables.word_list.len()],
        }
    }

    fn page(&mut self, entry: &PageEntry) {
        for &(stem, _, _) in &entry.postings {
            self.stems[stem as usize] = true;
        }
        for &word in &entry.words {
            self.words[word as usize] = true;
        }
    }

    /// What changed between two entries of a page that kept its number: the stems whose
    /// postings of the page differ, and the words it gained or lost.
    fn between(&mut self, old: &PageEntry, new: &PageEntry) {
        let by_stem = |postings: &[(u32, u16, u8)]| {
            let mut groups: Vec<(u32, Vec<(u16, u8)>)> = Vec::new();
            for &(stem, record, weight) in postings {
                match groups.last_mut() {
                    Some((last, list)) if *last == stem => list.push((record, weight)),
                    _ => groups.push((stem, vec![(record, weight)])),
                }
            }
            groups
        };
        let (before, after) = (by_stem(&old.postings), by_stem(&new.postings));
        let stems = |groups: &[(u32, Vec<(u16, u8)>)]| -> std::collections::BTreeMap<u32, usize> {
            groups
                .iter()
                .enumerate()
                .map(|(i, (stem, _))| (*stem, i))
                .collect()
        };
        let (at_before, at_after) = (stems(&before), stems(&after));
        for (stem, &i) in &at_before {
            if at_after
                .get(stem)
                .is_none_or(|&j| after[j].1 != before[i].1)
            {
                self.stems[*stem as usize] = true;
            }
        }
        for stem in at_after.keys().filter(|s| !at_before.contains_key(s)) {
            self.stems[*stem as usize] = true;
        }
        let (old_words, new_words): (
            std::collections::BTreeSet<u32>,
            std::collections::BTreeSet<u32>,
        ) = (
            old.words.iter().copied().collect(),
            new.words.iter().copied().collect(),
        );
        for &word in old_words.symmetric_difference(&new_words) {
            self.words[word as usize] = true;
        }
    }

    /// The shards that must be made again: those of the words that came or went, and those of
    /// any word whose stem's postings changed.
    fn shards(&self, tables: &Tables, used: &[bool], shards: usize) -> Vec<bool> {
        let mut dirty = vec![false; shards];
        for (word, (text, stem)) in tables.word_list.iter().enumerate() {
            if self.words[word] || (used[word] && self.stems[*stem as usize]) {
                dirty[shard_of(key(text), shards)] = true;
            }
        }
        dirty
    }
}

/// `s/<n>.json`: the words of one shard, and the postings of their stems.
pub(super) fn shard_file(words: &[(&str, u32)], postings: &Postings) -> Vec<u8> {
    let mut local: HashMap<u32, usize> = HashMap::default();
    let mut order: Vec<u32> = Vec::new();
    let mut out = String::from("{\"w\":{");
    for (i, (word, stem)) in words.iter().enumerate() {
        let n = *local.entry(*stem).or_insert_with(|| {
            order.push(*stem);
            order.len() - 1
        });
        if i > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::to_string(word).unwrap_or_default());
        let _ = write!(out, ":{n}");
    }
    out.push_str("},\"p\":[");
    for (i, stem) in order.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        let mut previous = 0;
        for (j, &(page, record, weight)) in postings.of(*stem).iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            let _ = write!(out, "{},{record},{weight}", page - previous);
            previous = page;
        }
        out.push(']');
    }
    out.push_str("]}");
    out.into_bytes()
}
