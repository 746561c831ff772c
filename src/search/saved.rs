//! The index as a build leaves it, saved in the output's home so that the next build reuses
//! the entries of the pages that did not change and the shards they did not touch
//! ([`super::finish`]). A compact binary file: the numbered words and stems, each page's entry,
//! and the digest of each shard. Anything unreadable is ignored: the index is then made anew.

use super::gather::{PageEntry, Tables};
// Words hashed with Fx, as everywhere in the index.
use rustc_hash::FxHashMap as HashMap;
use std::io::{self, Write};

/// Changes whenever what is saved, or how entries are made, does.
const HEADER: &[u8] = b"handbook search state 1\n";

/// The previous build's index.
#[derive(Default)]
pub struct Saved {
    pub(super) tables: Tables,
    /// By the page's output path: its number then, and its entry.
    pub(super) pages: HashMap<String, (u32, PageEntry)>,
    /// The digest of each shard, by number.
    pub(super) shards: Vec<u128>,
}

impl Saved {
    /// The state saved in `bytes`, or `None` if there is none or it cannot be read.
    pub fn read(bytes: &[u8]) -> Option<Saved> {
        let mut r = Reader(bytes.strip_prefix(HEADER)?);
        let mut tables = Tables::default();
        for number in 0..r.u32()? {
            let stem: Box<str> = r.str()?.into();
            tables.stems.insert(stem.clone(), number);
            tables.stem_list.push(stem);
        }
        let stems = tables.stem_list.len() as u32;
        for number in 0..r.u32()? {
            let word: Box<str> = r.str()?.into();
            let stem = r.u32().filter(|&s| s < stems)?;
            tables.words.insert(word.clone(), number);
            tables.word_list.push((word, stem));
        }
        let words = tables.word_list.len() as u32;
        let shards = (0..r.u32()?).map(|_| r.u128()).collect::<Option<_>>()?;
        let mut pages = HashMap::default();
        for _ in 0..r.u32()? {
            let rel = r.str()?.to_string();
            let (n, key, file) = (r.u32()?, r.u64()?, r.u128()?);
            // Each list read in one piece: a 10k handbook saves three million postings.
            let count = r.u32()? as usize;
            let entry_words: Vec<u32> = r
                .take(count.checked_mul(4)?)?
                .chunks_exact(4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            let count = r.u32()? as usize;
            let postings: Vec<(u32, u16, u8)> = r
                .take(count.checked_mul(7)?)?
                .chunks_exact(7)
                .map(|b| {
                    let stem = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                    (stem, u16::from_le_bytes([b[4], b[5]]), b[6])
                })
                .collect();
            let in_range = entry_words.iter().all(|&w| w < words)
                && postings.iter().all(|&(stem, _, _)| stem < stems);
            if !in_range {
                return None;
            }
            let entry = PageEntry {
                key,
                file,
                words: entry_words,
                postings,
            };
            pages.insert(rel, (n, entry));
        }
        r.0.is_empty().then_some(Saved {
            tables,
            pages,
            shards,
        })
    }

    /// Writes the state, with only the words and stems its entries use.
    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut ordered: Vec<(&String, &(u32, PageEntry))> = self.pages.iter().collect();
        ordered.sort_unstable_by_key(|(_, (n, _))| *n);
        let Renumbered {
            words,
            stems,
            word_numbers,
            stem_numbers,
        } = self.renumbered(&ordered);
        out.write_all(HEADER)?;
        put_u32(out, stems.len())?;
        for &stem in &stems {
            put_str(out, &self.tables.stem_list[stem as usize])?;
        }
        put_u32(out, words.len())?;
        for &word in &words {
            let (text, stem) = &self.tables.word_list[word as usize];
            put_str(out, text)?;
            out.write_all(&stem_numbers[*stem as usize].to_le_bytes())?;
        }
        put_u32(out, self.shards.len())?;
        for digest in &self.shards {
            out.write_all(&digest.to_le_bytes())?;
        }
        put_u32(out, ordered.len())?;
        // A page at a time through one buffer: millions of tiny writes cost more than the bytes.
        let mut page = Vec::new();
        for (rel, (n, entry)) in ordered {
            page.clear();
            put_str(&mut page, rel)?;
            page.extend_from_slice(&n.to_le_bytes());
            page.extend_from_slice(&entry.key.to_le_bytes());
            page.extend_from_slice(&entry.file.to_le_bytes());
            put_u32(&mut page, entry.words.len())?;
            for &word in &entry.words {
                page.extend_from_slice(&word_numbers[word as usize].to_le_bytes());
            }
            put_u32(&mut page, entry.postings.len())?;
            for &(stem, record, weight) in &entry.postings {
                page.extend_from_slice(&stem_numbers[stem as usize].to_le_bytes());
                page.extend_from_slice(&record.to_le_bytes());
                page.push(weight);
            }
            out.write_all(&page)?;
        }
        Ok(())
    }

    /// Words and stems renumbered in the order the entries (`ordered`) first use them, so that
    /// those of pages gone are dropped.
    fn renumbered(&self, ordered: &[(&String, &(u32, PageEntry))]) -> Renumbered {
        let mut word_numbers = vec![u32::MAX; self.tables.word_list.len()];
        let mut stem_numbers = vec![u32::MAX; self.tables.stem_list.len()];
        let (mut words, mut stems) = (Vec::new(), Vec::new());
        for (_, (_, entry)) in ordered {
            for &word in &entry.words {
                let (_, stem) = self.tables.word_list[word as usize];
                for (numbers, list, item) in [
                    (&mut stem_numbers, &mut stems, stem),
                    (&mut word_numbers, &mut words, word),
                ] {
                    if numbers[item as usize] == u32::MAX {
                        numbers[item as usize] = list.len() as u32;
                        list.push(item);
                    }
                }
            }
            for &(stem, _, _) in &entry.postings {
                if stem_numbers[stem as usize] == u32::MAX {
                    stem_numbers[stem as usize] = stems.len() as u32;
                    stems.push(stem);
                }
            }
        }
        Renumbered {
            words,
            stems,
            word_numbers,
            stem_numbers,
        }
    }
}

/// The words and stems a saved state keeps (their numbers now), and the new number of each,
/// by its number now (`u32::MAX`: dropped).
struct Renumbered {
    words: Vec<u32>,
    stems: Vec<u32>,
    word_numbers: Vec<u32>,
    stem_numbers: Vec<u32>,
}

fn put_u32(out: &mut dyn Write, n: usize) -> io::Result<()> {
    let n = u32::try_from(n).map_err(|_| io::Error::other("too many to save"))?;
    out.write_all(&n.to_le_bytes())
}

fn put_str(out: &mut dyn Write, text: &str) -> io::Result<()> {
    put_u32(out, text.len())?;
    out.write_all(text.as_bytes())
}

/// Reads what [`Saved::write`] wrote; `None` at the first thing that does not fit.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn u128(&mut self) -> Option<u128> {
        Some(u128::from_le_bytes(self.take(16)?.try_into().ok()?))
    }
    fn str(&mut self) -> Option<&'a str> {
        let len = self.u32()? as usize;
        std::str::from_utf8(self.take(len)?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Saved {
        let mut tables = Tables::default();
        let (run, stem) = tables.insert("running", || "run".into());
        let (runs, _) = tables.insert("runs", || "run".into());
        let (unused, _) = tables.insert("gone", || "gone".into());
        let (rust, rust_stem) = tables.insert("rust", || "rust".into());
        assert_eq!((run, runs, unused, rust), (0, 1, 2, 3));
        let entry = |key, words: Vec<u32>, postings| PageEntry {
            key,
            file: u128::from(key) << 64,
            words,
            postings,
        };
        let pages = HashMap::from_iter([
            (
                "b/index.html".to_string(),
                (
                    1,
                    entry(7, vec![run, rust], vec![(stem, 0, 9), (rust_stem, 2, 1)]),
                ),
            ),
            (
                "a/index.html".to_string(),
                (0, entry(5, vec![runs], vec![(stem, 1, 4)])),
            ),
        ]);
        Saved {
            tables,
            pages,
            shards: vec![1, u128::MAX],
        }
    }

    #[test]
    fn what_is_written_reads_back_without_the_words_no_page_uses() {
        let saved = sample();
        let mut bytes = Vec::new();
        saved.write(&mut bytes).unwrap();
        let read = Saved::read(&bytes).expect("readable");
        assert_eq!(read.shards, saved.shards);
        let words: Vec<(&str, &str)> = read
            .tables
            .word_list
            .iter()
            .map(|(w, s)| (&**w, &*read.tables.stem_list[*s as usize]))
            .collect();
        assert_eq!(
            words,
            [("runs", "run"), ("running", "run"), ("rust", "rust")]
        );
        // Entries name the same words and stems as before, under their new numbers.
        for (rel, (n, entry)) in &saved.pages {
            let (read_n, read_entry) = &read.pages[rel];
            assert_eq!(
                (n, entry.key, entry.file),
                (read_n, read_entry.key, read_entry.file)
            );
            let names = |tables: &Tables, e: &PageEntry| -> Vec<String> {
                let mut all: Vec<String> = e
                    .words
                    .iter()
                    .map(|&w| tables.word_list[w as usize].0.to_string())
                    .collect();
                all.extend(
                    e.postings
                        .iter()
                        .map(|&(s, r, w)| format!("{}:{r}:{w}", tables.stem_list[s as usize])),
                );
                all
            };
            let (mut before, mut after) =
                (names(&saved.tables, entry), names(&read.tables, read_entry));
            before.sort();
            after.sort();
            assert_eq!(before, after, "{rel}");
        }
    }

    #[test]
    fn anything_unreadable_is_no_state() {
        let mut bytes = Vec::new();
        sample().write(&mut bytes).unwrap();
        assert!(
            Saved::read(&bytes[..bytes.len() - 1]).is_none(),
            "cut short"
        );
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Saved::read(&longer).is_none(), "trailing bytes");
        assert!(Saved::read(b"").is_none());
        assert!(
            Saved::read(b"handbook search state 0\n").is_none(),
            "another version"
        );
        // A stem number beyond the stems.
        let mut wrong = bytes.clone();
        let at = HEADER.len() + 4 + (4 + 3) + (4 + 4) + 4 + (4 + 4);
        wrong[at..at + 4].copy_from_slice(&99u32.to_le_bytes());
        assert!(Saved::read(&wrong).is_none(), "a stem out of range");
    }
}
