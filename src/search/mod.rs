//! The search index: made at build time from the text of every page, split so that a query
//! loads only the little it needs, and read by the theme's `search.js`.
//!
//! Every file is JSON, under [`INDEX_DIR`]:
//!
//! - `meta.json`: `{"version", "build", "shards", "pages"}`. `build` names this version of the
//!   index: the script asks for the other files with `?v=<build>`.
//! - `s/<n>.json`, one per shard, `n` from 0 to `shards - 1`: the words whose key (their first
//!   three characters, or the whole word of two) hashes to `n` (FNV-1a over the key's UTF-8,
//!   modulo `shards`), as `{"w": {word: stem}, "p": [postings of each stem]}`. Words sharing an
//!   English stem share postings. Postings are flat triples `[page delta, section, weight]`,
//!   by page then section; the weight is 8 for the page title (on section 0), 4 for the
//!   section's heading, plus the word's occurrences in the section's text (at most 3).
//! - `p/<page>.json`, one per page: `{"t": title, "u": URL, "s": trail, "r": [[anchor, heading,
//!   text], ...]}`, the records the postings' sections point at.
//!
//! Words are folded (decomposed, accents dropped, lowercased) and split on anything that is not
//! a letter or a digit; words of one character are left out. `search.js` does the same to the
//! query.

mod assemble;
mod gather;
mod saved;

pub use assemble::{Finished, finish};
pub use gather::{Indexer, PageEntry, Vocabulary};
pub use saved::Saved;

use crate::layout::SEARCH_INDEX_DIR;
use crate::markdown::{Analysis, SearchRecord};
use crate::site::{PageId, PerPage, Site};
use rayon::prelude::*;
use serde::Serialize;
use std::borrow::{Borrow, Cow};
// Words hashed with Fx, not SipHash: the index hashes every word of every page several times, and
// a handbook's own words need no defence against chosen collisions.
use rustc_hash::FxHashMap as HashMap;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Changes when the files' shape does.
const FORMAT_VERSION: u32 = 1;
/// About how many bytes of postings one shard should hold: a query loads one shard per word.
const SHARD_TARGET_BYTES: usize = 16 * 1024;
const MAX_SHARDS: usize = 8192;
/// Weights of a word in a record (see the module's documentation).
const IN_TITLE: u8 = 8;
const IN_HEADING: u8 = 4;
const MAX_COUNT: u8 = 3;
/// Longer section texts are cut: the excerpts of a result list do not need more.
const MAX_RECORD_CHARS: usize = 20_000;

/// `text` decomposed, without accents and lowercased: `Café` → `cafe`.
pub fn fold(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        if text.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(text.to_ascii_lowercase())
        } else {
            Cow::Borrowed(text)
        }
    } else {
        let bare: String = text.nfd().filter(|c| !is_combining_mark(*c)).collect();
        Cow::Owned(bare.to_lowercase())
    }
}

/// The words of folded text: runs of letters and digits, of two characters or more.
pub fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().nth(1).is_some())
}

/// What a word is filed under: its first three characters, or all of it.
pub fn key(word: &str) -> &str {
    match word.char_indices().nth(3) {
        Some((end, _)) => &word[..end],
        None => word,
    }
}

/// Which of `shards` shards holds the words of `key`: FNV-1a, as `search.js` computes it.
pub fn shard_of(key: &str, shards: usize) -> usize {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in key.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash as usize % shards.max(1)
}

/// Whether page `id` is searchable: not a draft, not `search: false`.
pub fn is_indexed(site: &Site, id: PageId) -> bool {
    let front = &site.pages[id].source.front;
    front.draft != Some(true) && front.search != Some(false)
}

/// The files of one version of the index.
pub struct IndexFiles {
    /// The `build` of its `meta.json`: names this version.
    pub build: String,
    /// By path relative to the site root.
    pub files: Vec<(String, Vec<u8>)>,
}

/// The index files made from every page's analysis (in page order), held in memory.
pub fn index_files<A: Borrow<Analysis> + Sync>(site: &Site, analyses: &PerPage<A>) -> IndexFiles {
    let memory = crate::output::Memory::default();
    let build = write_index(site, analyses, &memory).unwrap_or_default();
    let mut files = memory.files.into_inner().unwrap_or_default();
    files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    IndexFiles { build, files }
}

/// Makes the index from every page's analysis (in page order), at once, and writes its files
/// to `out` as they are made. Returns the index's `build`.
pub fn write_index<A: Borrow<Analysis> + Sync>(
    site: &Site,
    analyses: &PerPage<A>,
    out: &dyn crate::output::Sink,
) -> std::io::Result<String> {
    let analysis_of = |id: PageId| Cow::Borrowed(analyses[id].borrow());
    update_index(site, &analysis_of, &|_| 0, None, out).map(|(build, _)| build)
}

/// Makes the index from the pages' analyses (`analysis_of`, asked only for the pages indexed
/// anew) and writes its files to `out` as they are made, as `handbook serve` does after each
/// change. With `previous` (what the last index left), a page whose inputs did not change (its
/// `analysis_key` and [`page_key`]) keeps its entry, and keeps its file and the shards nothing
/// changed in when `out` has them ([`crate::output::Sink::keep`]): only what changed is made.
/// Returns the index's `build` and what the next one starts from.
pub fn update_index<'a>(
    site: &Site,
    analysis_of: &(dyn Fn(PageId) -> Cow<'a, Analysis> + Sync),
    analysis_key: &(dyn Fn(PageId) -> u64 + Sync),
    previous: Option<Saved>,
    out: &dyn crate::output::Sink,
) -> std::io::Result<(String, Saved)> {
    let mut gathered = Gathered::resume(site, previous);
    gathered.made = gathered
        .numbering
        .pages
        .par_iter()
        .enumerate()
        .map_init(
            || gathered.vocabulary.indexer(),
            |indexer, (n, &id)| {
                let key = page_key(site, id, analysis_key(id));
                let path = page_path(n as u32);
                let kept = gathered.previous_entry(&site.pages[id].output_path(), key);
                if kept.is_some_and(|entry| out.keep(&path, entry.file)) {
                    return Ok(None);
                }
                let (entry, file) = index_page(site, id, &analysis_of(id), key, indexer);
                if !out.keep(&path, entry.file) {
                    out.write(&path, &file)?;
                }
                Ok(Some(entry))
            },
        )
        .collect::<std::io::Result<_>>()?;
    finish(site, gathered, out).map(|finished| (finished.build, finished.saved))
}

/// The folders of the index's files (`_search`, `_search/p`, `_search/s`), known before the
/// files are made.
pub fn index_folders(site: &Site) -> Vec<String> {
    let root = SEARCH_INDEX_DIR.trim_end_matches('/');
    let mut folders = vec![root.to_string(), format!("{root}/s")];
    if site.order.iter().any(|&id| is_indexed(site, id)) {
        folders.push(format!("{root}/p"));
    }
    folders
}

/// What a pass over the pages gathers for the index: the entry of every searchable page, made
/// now or the previous build's, by page number.
pub struct Gathered {
    pub numbering: Numbering,
    /// Seeded with the previous build's words, so that its entries can be reused as they are.
    pub vocabulary: Vocabulary,
    /// By page number: the entries made by this pass; the others are `previous`'s.
    pub made: Vec<Option<PageEntry>>,
    pub previous: Option<Saved>,
}

impl Gathered {
    /// Ready for a pass over `site`'s pages, with what the previous build saved ([`Saved`];
    /// empty or unreadable: none).
    pub fn start(site: &Site, saved: &[u8]) -> Gathered {
        Gathered::resume(site, Saved::read(saved))
    }

    /// Ready for a pass over `site`'s pages, from what the previous index left, if anything.
    pub fn resume(site: &Site, mut previous: Option<Saved>) -> Gathered {
        let tables = previous
            .as_mut()
            .map(|saved| std::mem::take(&mut saved.tables))
            .unwrap_or_default();
        let numbering = Numbering::new(site);
        Gathered {
            made: Vec::new(),
            numbering,
            vocabulary: Vocabulary::with(tables),
            previous,
        }
    }

    /// The previous build's entry of the page written to `rel`, if made from what `key` names.
    pub fn previous_entry(&self, rel: &str, key: u64) -> Option<&PageEntry> {
        let (_, entry) = self.previous.as_ref()?.pages.get(rel)?;
        (entry.key == key).then_some(entry)
    }
}

/// Each searchable page's number in the index: its place among them in navigation order, which
/// breaks ties between results.
pub struct Numbering {
    /// The searchable pages, in navigation order.
    pages: Vec<PageId>,
    numbers: HashMap<PageId, u32>,
}

impl Numbering {
    pub fn new(site: &Site) -> Numbering {
        let pages: Vec<PageId> = site
            .order
            .iter()
            .copied()
            .filter(|&id| is_indexed(site, id))
            .collect();
        let numbers = pages
            .iter()
            .enumerate()
            .map(|(n, &id)| (id, n as u32))
            .collect();
        Numbering { pages, numbers }
    }

    /// Page `id`'s number, if it is searchable.
    pub fn of(&self, id: PageId) -> Option<u32> {
        self.numbers.get(&id).copied()
    }

    /// How many pages are searchable.
    pub fn len(&self) -> usize {
        self.pages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }
}

/// What page `id`'s entry and file are made from, beside its analysis (which `analysis_key`
/// names): its description, its address and its trail.
pub fn page_key(site: &Site, id: PageId, analysis_key: u64) -> u64 {
    let page = &site.pages[id];
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(&analysis_key.to_le_bytes());
    hasher.update(
        page.source
            .front
            .description
            .as_deref()
            .unwrap_or("")
            .as_bytes(),
    );
    hasher.update(&[0]);
    hasher.update(page.href.as_bytes());
    hasher.update(&[0]);
    hasher.update(trail(site, id).as_bytes());
    hasher.digest()
}

/// Page `id`'s entry, made from `analysis` and what `key` names, and its file `p/<n>.json`.
pub fn index_page(
    site: &Site,
    id: PageId,
    analysis: &Analysis,
    key: u64,
    indexer: &mut Indexer<'_>,
) -> (PageEntry, Vec<u8>) {
    let records = records_of(site, id, analysis);
    let file = page_file(site, id, &records);
    let digest = xxhash_rust::xxh3::xxh3_128(&file);
    let entry = indexer.entry(&site.pages[id].title, &records, key, digest);
    (entry, file)
}

/// The path of page `n`'s file.
pub fn page_path(n: u32) -> String {
    format!("{SEARCH_INDEX_DIR}p/{n}.json")
}

/// The titles of the folders above page `id`, as a result shows them.
fn trail(site: &Site, id: PageId) -> String {
    let chain = site.ancestry(site.pages[id].node);
    let trail: Vec<&str> = chain
        .iter()
        .skip(1)
        .take(chain.len().saturating_sub(2))
        .map(|&node| site.nodes[node].title.as_str())
        .collect();
    trail.join(" › ")
}

/// The page's records: its sections, with its description in front of the introduction.
fn records_of<'a>(site: &Site, id: PageId, analysis: &'a Analysis) -> Cow<'a, [SearchRecord]> {
    let description = site.pages[id].source.front.description.as_deref();
    let description = description.map(str::trim).filter(|d| !d.is_empty());
    match (description, analysis.search.first()) {
        (Some(d), Some(intro)) if !intro.text.contains(d) => {
            let mut records = analysis.search.clone();
            records[0].text = format!("{d} {}", intro.text).trim_end().to_string();
            Cow::Owned(records)
        }
        (Some(d), None) => Cow::Owned(vec![SearchRecord {
            text: d.to_string(),
            ..SearchRecord::default()
        }]),
        (_, Some(_)) => Cow::Borrowed(&analysis.search),
        (None, None) => Cow::Owned(vec![SearchRecord::default()]),
    }
}

/// `p/<n>.json`: what a result shows.
fn page_file(site: &Site, id: PageId, records: &[SearchRecord]) -> Vec<u8> {
    #[derive(Serialize)]
    struct PageFile<'a> {
        t: &'a str,
        u: &'a str,
        s: String,
        r: Vec<(&'a str, &'a str, &'a str)>,
    }
    let page = &site.pages[id];
    let file = PageFile {
        t: &page.title,
        u: &page.href,
        s: trail(site, id),
        r: records
            .iter()
            .map(|r| {
                let text = match r.text.char_indices().nth(MAX_RECORD_CHARS) {
                    Some((end, _)) => &r.text[..end],
                    None => r.text.as_str(),
                };
                (r.anchor.as_str(), r.heading.as_str(), text)
            })
            .collect(),
    };
    serde_json::to_vec(&file).unwrap_or_default()
}

/// How a word occurs in one record.
#[derive(Debug, Clone, Copy, Default)]
struct Occurrence {
    title: bool,
    heading: bool,
    count: u8,
}

impl Occurrence {
    fn weight(self) -> u8 {
        IN_TITLE * u8::from(self.title) + IN_HEADING * u8::from(self.heading) + self.count
    }

    fn merge(&mut self, other: Occurrence) {
        self.title |= other.title;
        self.heading |= other.heading;
        self.count = (self.count + other.count).min(MAX_COUNT);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_drops_accents_and_case() {
        assert_eq!(fold("Café Ünïcode ÅSA"), "cafe unicode asa");
        assert_eq!(fold("plain ascii"), "plain ascii");
        assert!(matches!(fold("plain"), Cow::Borrowed(_)));
        assert_eq!(fold("ŒUVRE straße"), "œuvre straße");
    }

    #[test]
    fn words_are_runs_of_letters_and_digits_of_two_characters_or_more() {
        let folded = fold("A revert-tool, v2 and 42: x I/O (k8s) déjà-vu 東京");
        let all: Vec<&str> = words(&folded).collect();
        assert_eq!(
            all,
            [
                "revert", "tool", "v2", "and", "42", "k8s", "deja", "vu", "東京"
            ]
        );
    }

    #[test]
    fn keys_are_three_characters_and_shards_follow_fnv_1a() {
        assert_eq!(key("rollback"), "rol");
        assert_eq!(key("go"), "go");
        assert_eq!(key("東京都庁"), "東京都");
        // FNV-1a 32-bit test vectors.
        assert_eq!(shard_of("", usize::MAX), 0x811c_9dc5);
        assert_eq!(shard_of("a", usize::MAX), 0xe40c_292c);
        assert_eq!(shard_of("foobar", usize::MAX), 0xbf9c_f968);
        assert_eq!(shard_of("foobar", 10), 0xbf9c_f968 % 10);
        assert_eq!(shard_of("x", 0), 0, "no shards is one shard");
    }

    #[test]
    fn weights_add_title_heading_and_capped_counts() {
        let mut o = Occurrence::default();
        for _ in 0..5 {
            o.merge(Occurrence {
                count: 1,
                ..Occurrence::default()
            });
        }
        assert_eq!(o.weight(), 3);
        o.merge(Occurrence {
            heading: true,
            ..Occurrence::default()
        });
        assert_eq!(o.weight(), 7);
        o.merge(Occurrence {
            title: true,
            ..Occurrence::default()
        });
        assert_eq!(o.weight(), 15);
    }

    #[test]
    fn a_shard_lists_words_and_the_postings_of_their_stems_once() {
        let postings = assemble::Postings::from_lists(&[
            vec![(0, 1, 5), (3, 0, 8), (3, 2, 1)],
            vec![(7, 0, 1)],
        ]);
        let shard = assemble::shard_file(&[("run", 0), ("running", 0), ("rust", 1)], &postings);
        assert_eq!(
            String::from_utf8(shard).unwrap(),
            r#"{"w":{"run":0,"running":0,"rust":1},"p":[[0,1,5,3,0,8,0,2,1],[7,0,1]]}"#
        );
    }
}
