//! "Did you mean": the page URL nearest to a broken link, without comparing the link with every
//! URL of the site.
//!
//! A URL qualifies as a suggestion for a broken link when, both lower-cased,
//!
//! - it is within [`threshold`] edits of the link (optimal string alignment distance: insert,
//!   delete, replace a character, or swap two neighbours), and
//! - it is in the same folder as the link (`/company/tech-stak/` → `/company/tech-stack/`), or
//!   its last segment is at most one edit from the link's (`/compnay/values/` →
//!   `/company/values/`, `/old/place/guide/` → `/new/place/guide/`).
//!
//! The nearest qualifying URL wins; of two as near, the first in byte order. [`Nearest`] finds
//! exactly that URL, looking only at the URLs of the link's folder and at those whose last
//! segment is one deletion away from the link's (an index of deletions, as in SymSpell), and
//! compares a pair with a distance that gives up as soon as it exceeds the best found so far.
//! [`exhaustive`] is the same rule applied to every URL: the reference the tests compare with.

use std::collections::HashMap;

/// At most this many distances are computed for one link (after the length filter): a folder
/// of 50,000 pages must not make one broken link cost a second.
const MAX_COMPARED: usize = 4096;

/// The most edits a suggestion may be away from the link: 2, or a quarter of the candidate's
/// length (in bytes), and fewer edits than the candidate has bytes.
pub fn threshold(candidate: &str) -> usize {
    2.max(candidate.len() / 4)
        .min(candidate.len().saturating_sub(1))
}

/// The candidates, indexed by folder and by the deletions of their last segment.
pub struct Nearest<'a> {
    urls: Vec<Candidate<'a>>,
    by_parent: HashMap<Vec<char>, Vec<u32>>,
    by_deletion: HashMap<u64, Vec<u32>>,
}

struct Candidate<'a> {
    url: &'a str,
    lower: Vec<char>,
    /// [`char_counts`] of `lower`.
    counts: Counts,
    /// Where its last segment starts in `lower`, and where it ends (before a trailing `/`).
    last: (usize, usize),
}

impl<'a> Nearest<'a> {
    pub fn new(urls: impl IntoIterator<Item = &'a str>) -> Nearest<'a> {
        let mut index = Nearest {
            urls: Vec::new(),
            by_parent: HashMap::new(),
            by_deletion: HashMap::new(),
        };
        for (id, url) in (0u32..).zip(urls) {
            let lower: Vec<char> = url.to_lowercase().chars().collect();
            let last = last_segment(&lower);
            let parent = lower[..last.0].to_vec();
            index.by_parent.entry(parent).or_default().push(id);
            let mut hashes = deletion_hashes(&lower[last.0..last.1]);
            hashes.sort_unstable();
            hashes.dedup();
            for hash in hashes {
                index.by_deletion.entry(hash).or_default().push(id);
            }
            let counts = char_counts(&lower);
            index.urls.push(Candidate {
                url,
                lower,
                counts,
                last,
            });
        }
        index
    }

    /// The nearest qualifying URL to `link` (a site path like `/a/b/`), if any.
    pub fn find(&self, link: &str) -> Option<&'a str> {
        let query: Vec<char> = link.to_lowercase().chars().collect();
        let last = last_segment(&query);
        let mut ids: Vec<u32> = self
            .by_parent
            .get(&query[..last.0])
            .cloned()
            .unwrap_or_default();
        for hash in deletion_hashes(&query[last.0..last.1]) {
            if let Some(found) = self.by_deletion.get(&hash) {
                ids.extend(found);
            }
        }
        ids.sort_unstable();
        ids.dedup();
        // Nearest first by a bound that costs nothing, so that the best is found early and
        // the rest are skipped: no distance is below it.
        let counts = char_counts(&query);
        let mut order: Vec<(usize, u32)> = ids
            .into_iter()
            .filter_map(|id| {
                let c = self.urls.get(id as usize)?;
                let bound = lower_bound(&query, &counts, c);
                (bound <= threshold(c.url)).then_some((bound, id))
            })
            .collect();
        order.sort_unstable();
        let mut best: Option<(usize, &'a str)> = None;
        for (compared, (lower, id)) in order.into_iter().enumerate() {
            if best.is_some_and(|(d, _)| lower > d) || compared >= MAX_COMPARED {
                break;
            }
            let Some(c) = self.urls.get(id as usize) else {
                continue;
            };
            let bound = best.map_or(threshold(c.url), |(d, _)| d.min(threshold(c.url)));
            let Some(d) = distance_within(&query, &c.lower, bound) else {
                continue;
            };
            let better = best.is_none_or(|(bd, bu)| (d, c.url) < (bd, bu));
            if better && qualifies(&query, last, c) {
                best = Some((d, c.url));
            }
        }
        best.map(|(_, url)| url)
    }
}

/// How many characters `text` has of each of 32 kinds (a character's code modulo 32).
type Counts = [u8; 32];

fn char_counts(text: &[char]) -> Counts {
    let mut counts = [0u8; 32];
    for &c in text {
        let kind = (u32::from(c) % 32) as usize;
        counts[kind] = counts[kind].saturating_add(1);
    }
    counts
}

/// No edit distance of `query` and `c` is smaller: an insertion or a deletion changes the
/// length by one and one count by one; a replacement changes two counts by one; a swap
/// changes nothing. (Kinds shared by several characters, or counts stopped at 255, only make
/// the bound lower.)
fn lower_bound(query: &[char], counts: &Counts, c: &Candidate<'_>) -> usize {
    let apart: usize = counts
        .iter()
        .zip(&c.counts)
        .map(|(a, b)| usize::from(a.abs_diff(*b)))
        .sum();
    query.len().abs_diff(c.lower.len()).max(apart.div_ceil(2))
}

/// Same folder, or last segments at most one edit apart.
fn qualifies(query: &[char], last: (usize, usize), c: &Candidate<'_>) -> bool {
    query[..last.0] == c.lower[..c.last.0]
        || distance_within(&query[last.0..last.1], &c.lower[c.last.0..c.last.1], 1).is_some()
}

/// The rule of this module applied to every candidate, one by one.
#[cfg(test)]
pub fn exhaustive<'a>(link: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let query: Vec<char> = link.to_lowercase().chars().collect();
    let last = last_segment(&query);
    candidates
        .iter()
        .filter_map(|&url| {
            let lower: Vec<char> = url.to_lowercase().chars().collect();
            let c = Candidate {
                url,
                last: last_segment(&lower),
                counts: char_counts(&lower),
                lower,
            };
            let d = distance_within(&query, &c.lower, usize::MAX)?;
            (d <= threshold(url) && qualifies(&query, last, &c)).then_some((d, url))
        })
        .min()
        .map(|(_, url)| url)
}

/// Start and end of the last segment of a URL path: `guide` in `/a/guide/` or `/a/guide`;
/// empty at the root.
fn last_segment(url: &[char]) -> (usize, usize) {
    let end = if url.last() == Some(&'/') {
        url.len() - 1
    } else {
        url.len()
    };
    let start = url[..end]
        .iter()
        .rposition(|&c| c == '/')
        .map_or(0, |i| i + 1);
    (start, end)
}

/// Hashes of `segment` and of each string made by deleting one of its characters: two
/// segments one edit apart (insert, delete, replace, swap) share at least one.
fn deletion_hashes(segment: &[char]) -> Vec<u64> {
    let hash = |skip: usize| {
        segment
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, (_, &c)| {
                (h ^ u64::from(c)).wrapping_mul(0x0100_0000_01b3)
            })
    };
    std::iter::once(usize::MAX)
        .chain(0..segment.len())
        .map(hash)
        .collect()
}

/// The optimal string alignment distance of `a` and `b` if it is at most `bound`; gives up as
/// soon as a whole row of the table exceeds it.
pub fn distance_within(a: &[char], b: &[char], bound: usize) -> Option<usize> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);
    if a.len().abs_diff(b.len()) > bound {
        return None;
    }
    if a.is_empty() || b.is_empty() {
        return Some(a.len().max(b.len()));
    }
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        let mut row_min = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            current[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > bound {
            return None;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    let d = previous[b.len()];
    (d <= bound).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn the_distance_is_strsims_osa_distance_within_the_bound() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "acb",
            "cab",
            "ca",
            "kitten",
            "sitting",
            "/a/b/",
            "/b/a/",
            "page-12",
            "pgae-12",
            "page12",
            "Überblick",
            "überblick",
            "xabcx",
            "xbacx",
        ];
        for a in words {
            for b in words {
                let want = strsim::osa_distance(a, b);
                for bound in 0..6 {
                    let got = distance_within(&chars(a), &chars(b), bound);
                    assert_eq!(got, (want <= bound).then_some(want), "{a:?} {b:?} {bound}");
                }
            }
        }
    }

    #[test]
    fn finds_siblings_and_moved_pages() {
        let urls = [
            "/",
            "/company/",
            "/company/tech-stack/",
            "/company/values/",
            "/community/",
            "/product/roadmap/",
            "/new/place/guide/",
        ];
        let index = Nearest::new(urls);
        for (link, want) in [
            ("/company/tech-stak/", Some("/company/tech-stack/")),
            ("/compnay/values/", Some("/company/values/")),
            ("/comunity/", Some("/community/")),
            ("/product/roadmp/", Some("/product/roadmap/")),
            ("/old/place/guide/", Some("/new/place/guide/")),
            ("/Company/Values/", Some("/company/values/")),
            ("/nope/", None),
            ("/x/y/z/", None),
        ] {
            assert_eq!(index.find(link), want, "{link}");
            assert_eq!(exhaustive(link, &urls), want, "{link}");
        }
    }

    /// A small LCG: the same cases on every run, no random crate.
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((self.0 >> 33) % n as u64) as usize
        }
    }

    /// `url` with `edits` random edits anywhere, `/` included.
    fn typo(r: &mut Lcg, url: &str, edits: usize) -> String {
        let alphabet: Vec<char> = "abcdeopst-/1A".chars().collect();
        let mut chars: Vec<char> = url.chars().collect();
        for _ in 0..edits {
            let at = r.below(chars.len().max(1));
            let letter = alphabet[r.below(alphabet.len())];
            match r.below(4) {
                0 => chars.insert(at, letter),
                1 if !chars.is_empty() => {
                    chars.remove(at);
                }
                2 if at + 1 < chars.len() => chars.swap(at, at + 1),
                _ if !chars.is_empty() => chars[at] = letter,
                _ => chars.push(letter),
            }
        }
        chars.into_iter().collect()
    }

    #[test]
    fn the_index_finds_what_the_exhaustive_search_finds() {
        let mut r = Lcg(7);
        let words = [
            "guide", "values", "team", "setup", "page-1", "page-12", "page-21", "pages", "tools",
            "a", "ab", "docs", "Über", "faq", "on-call", "oncall", "release", "releases",
        ];
        let (mut asked, mut suggested) = (0, 0);
        for round in 0..30 {
            let mut urls: Vec<String> = vec!["/".into()];
            for _ in 0..(20 + round * 5) {
                let depth = 1 + r.below(3);
                let mut url = String::from("/");
                for _ in 0..depth {
                    url.push_str(words[r.below(words.len())]);
                    url.push('/');
                }
                urls.push(url);
            }
            urls.sort();
            urls.dedup();
            let refs: Vec<&str> = urls.iter().map(String::as_str).collect();
            let index = Nearest::new(refs.iter().copied());
            for _ in 0..120 {
                let base = refs[r.below(refs.len())];
                let edits = r.below(4);
                let link = typo(&mut r, base, edits);
                let found = index.find(&link);
                assert_eq!(found, exhaustive(&link, &refs), "{link} among {refs:?}");
                asked += 1;
                suggested += usize::from(found.is_some());
            }
        }
        // Not a vacuous comparison: most typos have a suggestion, some do not.
        assert!(
            suggested * 2 > asked && suggested < asked,
            "{suggested} of {asked}"
        );
    }
}
