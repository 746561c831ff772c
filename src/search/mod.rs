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

use crate::layout::SEARCH_INDEX_DIR;
use crate::markdown::{Analysis, SearchRecord};
use crate::site::{PageId, PerPage, Site};
use rayon::prelude::*;
use rust_stemmers::{Algorithm, Stemmer};
use serde::Serialize;
use std::borrow::{Borrow, Cow};
// Words hashed with Fx, not SipHash: the index hashes every word of every page several times, and
// a handbook's own words need no defence against chosen collisions.
use rustc_hash::FxHashMap as HashMap;
use std::fmt::Write as _;
use std::sync::Mutex;
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

/// The index files made from every page's analysis (in page order), held in memory, as
/// `handbook serve` serves them.
pub fn index_files<A: Borrow<Analysis> + Sync>(site: &Site, analyses: &PerPage<A>) -> IndexFiles {
    let mut files = Vec::new();
    let build = write_index(site, analyses, &mut |batch| {
        files.extend(batch);
        Ok(())
    })
    .unwrap_or_default();
    IndexFiles { build, files }
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

/// Makes the index from every page's analysis and hands its files to `write` in batches: the
/// pages' files, then the shards, then `meta.json`. Returns the index's `build`. `handbook
/// build` does the same inside its pass over the pages ([`Numbering`], [`Gathered`], [`finish`]).
pub fn write_index<A: Borrow<Analysis> + Sync>(
    site: &Site,
    analyses: &PerPage<A>,
    write: &mut dyn FnMut(Vec<(String, Vec<u8>)>) -> std::io::Result<()>,
) -> std::io::Result<String> {
    let numbering = Numbering::new(site);
    let pool = GatherPool::default();
    let files: Vec<(String, Vec<u8>)> = numbering
        .pages
        .par_iter()
        .enumerate()
        .map_init(
            || pool.lease(),
            |gathered, (n, &id)| gathered.page(site, id, n as u32, analyses[id].borrow()),
        )
        .collect();
    write(files)?;
    finish(&numbering, pool.into_gathered(), write)
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
}

/// What indexing some of the pages gathered: the words met, each with the number of its stem,
/// the postings of each stem, and a digest of each page's file. One per worker of a parallel
/// pass; [`finish`] merges them into the shards.
pub struct Gathered {
    stemmer: Stemmer,
    /// Word → its stem's number: a handbook repeats its words, each is stemmed once.
    words: HashMap<String, u32>,
    /// Stem → its number.
    stems: HashMap<String, u32>,
    /// By stem number: (page, record, weight), in the order the pages came.
    postings: Vec<Vec<(u32, u16, u8)>>,
    /// (page, digest of its `p/<n>.json`).
    files: Vec<(u32, u128)>,
    /// One page's (stem, record, occurrence) of every word, reused from page to page.
    seen: Vec<(u32, u32, Occurrence)>,
}

impl Gathered {
    fn new() -> Gathered {
        Gathered {
            stemmer: Stemmer::create(Algorithm::English),
            words: HashMap::default(),
            stems: HashMap::default(),
            postings: Vec::new(),
            files: Vec::new(),
            seen: Vec::new(),
        }
    }

    /// Indexes page `id` as number `n`, and returns its file: its path and bytes.
    pub fn page(
        &mut self,
        site: &Site,
        id: PageId,
        n: u32,
        analysis: &Analysis,
    ) -> (String, Vec<u8>) {
        let records = records_of(site, id, analysis);
        let file = page_file(site, id, &records);
        self.files.push((n, xxhash_rust::xxh3::xxh3_128(&file)));
        let mut seen = std::mem::take(&mut self.seen);
        seen.clear();
        let title = Occurrence {
            title: true,
            ..Occurrence::default()
        };
        let heading = Occurrence {
            heading: true,
            ..Occurrence::default()
        };
        let once = Occurrence {
            count: 1,
            ..Occurrence::default()
        };
        self.note(&site.pages[id].title, 0, title, &mut seen);
        for (r, record) in records.iter().enumerate() {
            self.note(&record.heading, r as u32, heading, &mut seen);
            self.note(&record.text, r as u32, once, &mut seen);
        }
        // One posting per stem and record: occurrences of all the stem's words merged.
        seen.sort_unstable_by_key(|&(stem, record, _)| (stem, record));
        let mut at = 0;
        while at < seen.len() {
            let (stem, record, mut occurrence) = seen[at];
            at += 1;
            while let Some(&(_, _, more)) = seen.get(at).filter(|s| (s.0, s.1) == (stem, record)) {
                occurrence.merge(more);
                at += 1;
            }
            if let Ok(record) = u16::try_from(record) {
                self.postings[stem as usize].push((n, record, occurrence.weight()));
            }
        }
        self.seen = seen;
        (page_path(n), file)
    }

    /// Notes each word of `text` as occurring `what`-wise in `record`.
    fn note(
        &mut self,
        text: &str,
        record: u32,
        what: Occurrence,
        seen: &mut Vec<(u32, u32, Occurrence)>,
    ) {
        let folded = fold(text);
        for word in words(&folded) {
            seen.push((self.stem_of(word), record, what));
        }
    }

    /// The number of `word`'s stem.
    fn stem_of(&mut self, word: &str) -> u32 {
        if let Some(&stem) = self.words.get(word) {
            return stem;
        }
        let stem = self.stemmer.stem(word);
        let number = self.number(&stem);
        self.words.insert(word.to_string(), number);
        number
    }

    /// The number of `stem`, given it now if it has none.
    fn number(&mut self, stem: &str) -> u32 {
        if let Some(&number) = self.stems.get(stem) {
            return number;
        }
        let number = self.postings.len() as u32;
        self.postings.push(Vec::new());
        self.stems.insert(stem.to_string(), number);
        number
    }

    /// `self` and `other` as one; the postings are put in order by [`finish`].
    fn merge(self, other: Gathered) -> Gathered {
        let (mut big, small) = match self.words.len() >= other.words.len() {
            true => (self, other),
            false => (other, self),
        };
        let mut renumbered = vec![0; small.postings.len()];
        for (stem, number) in &small.stems {
            renumbered[*number as usize] = big.number(stem);
        }
        for (number, list) in small.postings.into_iter().enumerate() {
            big.postings[renumbered[number] as usize].extend(list);
        }
        for (word, number) in small.words {
            big.words.entry(word).or_insert(renumbered[number as usize]);
        }
        big.files.extend(small.files);
        big
    }
}

/// The [`Gathered`] of the workers of a parallel pass: each worker leases one, which comes back
/// to the pool when its part of the pass is done, for the next part to go on with.
#[derive(Default)]
pub struct GatherPool(Mutex<Vec<Gathered>>);

impl GatherPool {
    /// A [`Gathered`] for one worker, back in the pool when dropped.
    pub fn lease(&self) -> Lease<'_> {
        let gathered = self.0.lock().ok().and_then(|mut pool| pool.pop());
        Lease {
            gathered: Some(gathered.unwrap_or_else(Gathered::new)),
            pool: self,
        }
    }

    /// Everything the workers gathered, as one.
    pub fn into_gathered(self) -> Gathered {
        let all = self.0.into_inner().unwrap_or_default();
        all.into_iter()
            .reduce(Gathered::merge)
            .unwrap_or_else(Gathered::new)
    }
}

/// One worker's [`Gathered`], leased from a [`GatherPool`].
pub struct Lease<'a> {
    gathered: Option<Gathered>,
    pool: &'a GatherPool,
}

impl std::ops::Deref for Lease<'_> {
    type Target = Gathered;
    fn deref(&self) -> &Gathered {
        self.gathered.as_ref().expect("leased until dropped")
    }
}

impl std::ops::DerefMut for Lease<'_> {
    fn deref_mut(&mut self) -> &mut Gathered {
        self.gathered.as_mut().expect("leased until dropped")
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let (Some(gathered), Ok(mut pool)) = (self.gathered.take(), self.pool.0.lock()) {
            pool.push(gathered);
        }
    }
}

/// The path of page `n`'s file.
fn page_path(n: u32) -> String {
    format!("{SEARCH_INDEX_DIR}p/{n}.json")
}

/// Makes the shards of everything `gathered` and `meta.json`, hands them to `write`, and returns
/// the index's `build`: a digest of all its files, pages' files included.
pub fn finish(
    numbering: &Numbering,
    gathered: Gathered,
    write: &mut dyn FnMut(Vec<(String, Vec<u8>)>) -> std::io::Result<()>,
) -> std::io::Result<String> {
    let mut build = xxhash_rust::xxh3::Xxh3::new();
    let mut files = gathered.files.clone();
    files.sort_unstable();
    for (n, digest) in files {
        build.update(page_path(n).as_bytes());
        build.update(&digest.to_le_bytes());
    }
    let index = Postings::from(gathered);
    let (shards, shard_files) = shard_files(&index);
    drop(index);
    for (name, bytes) in &shard_files {
        build.update(name.as_bytes());
        build.update(bytes);
    }
    write(shard_files)?;
    let build = format!("{:016x}", build.digest());
    let meta = format!(
        "{{\"version\":{FORMAT_VERSION},\"build\":\"{build}\",\"shards\":{shards},\"pages\":{}}}",
        numbering.pages.len()
    );
    write(vec![(
        format!("{SEARCH_INDEX_DIR}meta.json"),
        meta.into_bytes(),
    )])?;
    Ok(build)
}

/// The number of shards `index` needs, and their `s/<n>.json` files.
fn shard_files(index: &Postings) -> (usize, Vec<(String, Vec<u8>)>) {
    let shards = (index.size_estimate() / SHARD_TARGET_BYTES).clamp(1, MAX_SHARDS);
    let mut buckets: Vec<Vec<(&str, u32)>> = vec![Vec::new(); shards];
    for (word, &stem) in &index.words {
        buckets[shard_of(key(word), shards)].push((word, stem));
    }
    let files = buckets
        .into_par_iter()
        .enumerate()
        .map(|(n, mut words)| {
            words.sort_unstable();
            (
                format!("{SEARCH_INDEX_DIR}s/{n}.json"),
                shard_file(&words, &index.postings),
            )
        })
        .collect();
    (shards, files)
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
    let chain = site.ancestry(page.node);
    let trail: Vec<&str> = chain
        .iter()
        .skip(1)
        .take(chain.len().saturating_sub(2))
        .map(|&node| site.nodes[node].title.as_str())
        .collect();
    let file = PageFile {
        t: &page.title,
        u: &page.href,
        s: trail.join(" › "),
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

/// The whole site's words and postings, stems numbered.
struct Postings {
    /// Word → stem number.
    words: HashMap<String, u32>,
    /// By stem number: (page, record, weight), by page then record.
    postings: Vec<Vec<(u32, u16, u8)>>,
}

impl From<Gathered> for Postings {
    /// The postings in order by page then record (they came in the pass's order).
    fn from(gathered: Gathered) -> Postings {
        let mut postings = gathered.postings;
        postings
            .par_iter_mut()
            .for_each(|list: &mut Vec<(u32, u16, u8)>| {
                list.sort_unstable_by_key(|&(page, record, _)| (page, record));
            });
        Postings {
            words: gathered.words,
            postings,
        }
    }
}

impl Postings {
    /// Roughly how many bytes the shards will take.
    fn size_estimate(&self) -> usize {
        let postings: usize = self.postings.iter().map(|p| p.len() * 7).sum();
        let words: usize = self.words.keys().map(|w| w.len() + 6).sum();
        postings + words
    }
}

/// `s/<n>.json`: the words of one shard, and the postings of their stems.
fn shard_file(words: &[(&str, u32)], postings: &[Vec<(u32, u16, u8)>]) -> Vec<u8> {
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
        for (j, &(page, record, weight)) in postings[*stem as usize].iter().enumerate() {
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
        let postings = vec![vec![(0, 1, 5), (3, 0, 8), (3, 2, 1)], vec![(7, 0, 1)]];
        let shard = shard_file(&[("run", 0), ("running", 0), ("rust", 1)], &postings);
        assert_eq!(
            String::from_utf8(shard).unwrap(),
            r#"{"w":{"run":0,"running":0,"rust":1},"p":[[0,1,5,3,0,8,0,2,1],[7,0,1]]}"#
        );
    }
}
