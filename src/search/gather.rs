//! Each page's part of the index, made by the workers of the build's pass over the pages: the
//! words of its title and records, numbered once for the whole index ([`Vocabulary`]), and
//! their postings by stem ([`PageEntry`]).

use super::{Occurrence, fold, words};
use crate::markdown::SearchRecord;
use rust_stemmers::{Algorithm, Stemmer};
// Words hashed with Fx, not SipHash: the index hashes every word of every page, and a
// handbook's own words need no defence against chosen collisions.
use rustc_hash::FxHashMap as HashMap;
use std::sync::Mutex;

/// One page's part of the index: what the next build may reuse if the page did not change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageEntry {
    /// What the entry was made from ([`super::page_key`]).
    pub key: u64,
    /// The digest of the page's `p/<n>.json`.
    pub file: u128,
    /// The page's distinct words, by number, in order.
    pub(super) words: Vec<u32>,
    /// (stem, record, weight), by stem then record: one per stem and record, the occurrences
    /// of all the stem's words merged.
    pub(super) postings: Vec<(u32, u16, u8)>,
}

/// The words and stems of the index, numbered: each word is stemmed once for the whole index.
/// Shared by the workers of a pass, each of which remembers the words it met ([`Indexer`]).
/// Seeded with those of the previous build ([`super::Saved`]), whose entries keep their
/// numbers.
#[derive(Default)]
pub struct Vocabulary {
    pub(super) tables: Mutex<Tables>,
    /// The workers' memories between two parts of a pass.
    idle: Mutex<Vec<Memory>>,
}

/// Words and stems with their numbers.
#[derive(Default)]
pub(super) struct Tables {
    pub(super) words: HashMap<Box<str>, u32>,
    /// By word number: the word and its stem's number.
    pub(super) word_list: Vec<(Box<str>, u32)>,
    pub(super) stems: HashMap<Box<str>, u32>,
    /// By stem number.
    pub(super) stem_list: Vec<Box<str>>,
}

impl Tables {
    /// The numbers of `word` and its stem, `stem` giving the stem when the word is new.
    pub(super) fn insert(&mut self, word: &str, stem: impl FnOnce() -> String) -> (u32, u32) {
        if let Some(&number) = self.words.get(word) {
            return (number, self.word_list[number as usize].1);
        }
        let stem = stem();
        let stem_number = match self.stems.get(stem.as_str()) {
            Some(&number) => number,
            None => {
                let number = self.stem_list.len() as u32;
                self.stems.insert(stem.clone().into(), number);
                self.stem_list.push(stem.into());
                number
            }
        };
        let number = self.word_list.len() as u32;
        self.words.insert(word.into(), number);
        self.word_list.push((word.into(), stem_number));
        (number, stem_number)
    }
}

impl Vocabulary {
    pub(super) fn with(tables: Tables) -> Vocabulary {
        Vocabulary {
            tables: Mutex::new(tables),
            idle: Mutex::default(),
        }
    }

    /// An indexer for one worker, with the memory of a worker that finished its part.
    pub fn indexer(&self) -> Indexer<'_> {
        let memory = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        Indexer {
            vocabulary: self,
            memory: Some(memory.unwrap_or_else(Memory::new)),
        }
    }

    /// The numbers of `word` and its stem.
    fn numbers(&self, word: &str, stemmer: &Stemmer) -> (u32, u32) {
        let found = self.tables.lock().ok().and_then(|tables| {
            let &number = tables.words.get(word)?;
            Some((number, tables.word_list[number as usize].1))
        });
        if let Some(numbers) = found {
            return numbers;
        }
        // Stemmed outside the lock; another worker may have added the word meanwhile.
        let stem = stemmer.stem(word).into_owned();
        match self.tables.lock() {
            Ok(mut tables) => tables.insert(word, || stem),
            Err(poisoned) => poisoned.into_inner().insert(word, || stem),
        }
    }

    pub(super) fn into_tables(self) -> Tables {
        self.tables
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// What one worker remembers from page to page.
struct Memory {
    stemmer: Stemmer,
    /// Word → the numbers of the word and its stem.
    known: HashMap<String, (u32, u32)>,
    /// The page's (stem, record, occurrence) of every word.
    seen: Vec<(u32, u32, Occurrence)>,
    /// The page's words, by number.
    words: Vec<u32>,
}

impl Memory {
    fn new() -> Memory {
        Memory {
            stemmer: Stemmer::create(Algorithm::English),
            known: HashMap::default(),
            seen: Vec::new(),
            words: Vec::new(),
        }
    }
}

/// One worker's way into the [`Vocabulary`]; its memory goes back to the vocabulary when
/// dropped, for the next part of the pass.
pub struct Indexer<'v> {
    vocabulary: &'v Vocabulary,
    memory: Option<Memory>,
}

impl Drop for Indexer<'_> {
    fn drop(&mut self) {
        if let (Some(memory), Ok(mut idle)) = (self.memory.take(), self.vocabulary.idle.lock()) {
            idle.push(memory);
        }
    }
}

impl Indexer<'_> {
    /// The entry of a page titled `title` with `records`, made from what `key` names, whose file
    /// has digest `file`.
    pub fn entry(
        &mut self,
        title: &str,
        records: &[SearchRecord],
        key: u64,
        file: u128,
    ) -> PageEntry {
        let vocabulary = self.vocabulary;
        let memory = self.memory.as_mut().expect("held until dropped");
        memory.seen.clear();
        memory.words.clear();
        let title_kind = Occurrence {
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
        memory.note(vocabulary, title, 0, title_kind);
        for (r, record) in records.iter().enumerate() {
            memory.note(vocabulary, &record.heading, r as u32, heading);
            memory.note(vocabulary, &record.text, r as u32, once);
        }
        memory.words.sort_unstable();
        memory.words.dedup();
        memory
            .seen
            .sort_unstable_by_key(|&(stem, record, _)| (stem, record));
        let mut postings = Vec::new();
        let seen = &memory.seen;
        let mut at = 0;
        while at < seen.len() {
            let (stem, record, mut occurrence) = seen[at];
            at += 1;
            while let Some(&(_, _, more)) = seen.get(at).filter(|s| (s.0, s.1) == (stem, record)) {
                occurrence.merge(more);
                at += 1;
            }
            // Records beyond the 65,536th of a page are not searchable.
            if let Ok(record) = u16::try_from(record) {
                postings.push((stem, record, occurrence.weight()));
            }
        }
        PageEntry {
            key,
            file,
            words: memory.words.clone(),
            postings,
        }
    }
}

impl Memory {
    /// Notes each word of `text` as occurring `what`-wise in `record`.
    fn note(&mut self, vocabulary: &Vocabulary, text: &str, record: u32, what: Occurrence) {
        let folded = fold(text);
        for word in words(&folded) {
            let (number, stem) = match self.known.get(word) {
                Some(&numbers) => numbers,
                None => {
                    let numbers = vocabulary.numbers(word, &self.stemmer);
                    self.known.insert(word.to_string(), numbers);
                    numbers
                }
            };
            self.words.push(number);
            self.seen.push((stem, record, what));
        }
    }
}
