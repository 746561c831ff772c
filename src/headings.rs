//! Heading ids and the table of contents. Pure functions, no IO.
//!
//! Ids follow GitHub's and kramdown's GFM rules so that deep links written against the old
//! handbook keep working: lower-case, punctuation removed, every space becomes `-` (no
//! collapsing), and repeats get `-1`, `-2`, ...

use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// `## Outages & escalation` → `outages--escalation`.
pub fn slugify(text: &str) -> String {
    text.trim()
        .chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

/// Hands out ids that are unique within one page.
#[derive(Debug, Default)]
pub struct IdSet {
    used: HashSet<String>,
    /// The last suffix handed out for each slug, so that many repeats stay linear.
    last_suffix: HashMap<String, usize>,
}

impl IdSet {
    /// Reserves an explicit id (`{#custom-id}`). Returns false if it was already taken.
    pub fn reserve(&mut self, id: &str) -> bool {
        self.used.insert(id.to_string())
    }

    /// The slug of `text`, with `-1`, `-2`, ... appended while it is taken.
    pub fn unique(&mut self, text: &str) -> String {
        let mut base = slugify(text);
        if base.is_empty() {
            base = "section".into();
        }
        if self.used.insert(base.clone()) {
            return base;
        }
        let suffix = self.last_suffix.entry(base.clone()).or_insert(0);
        loop {
            *suffix += 1;
            let candidate = format!("{base}-{suffix}");
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

/// One entry of the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TocItem {
    pub level: u8,
    pub id: String,
    pub title: String,
    pub children: Vec<TocItem>,
}

/// Nests flat `(level, id, title)` headings: each heading goes under the nearest preceding one of
/// a smaller level. A page that skips a level (`##` then `####`) still nests sensibly.
pub fn nest(flat: Vec<(u8, String, String)>) -> Vec<TocItem> {
    let mut roots: Vec<TocItem> = Vec::new();
    for (level, id, title) in flat {
        let item = TocItem {
            level,
            id,
            title,
            children: Vec::new(),
        };
        insert(&mut roots, item);
    }
    roots
}

fn insert(siblings: &mut Vec<TocItem>, item: TocItem) {
    match siblings.last_mut() {
        Some(last) if last.level < item.level => insert(&mut last.children, item),
        _ => siblings.push(item),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_match_github() {
        assert_eq!(slugify("Outages & escalation"), "outages--escalation");
        assert_eq!(
            slugify("Domain names, DNS, and hosting"),
            "domain-names-dns-and-hosting"
        );
        assert_eq!(slugify("Demo Day: Setup"), "demo-day-setup");
        assert_eq!(slugify("\"AND not OR\" Mentality"), "and-not-or-mentality");
        assert_eq!(slugify("What’s new in 1.2?"), "whats-new-in-12");
        assert_eq!(slugify("snake_case and-dash"), "snake_case-and-dash");
        assert_eq!(slugify("Ünïcödé Straße"), "ünïcödé-straße");
    }

    #[test]
    fn repeats_get_numbered_suffixes() {
        let mut ids = IdSet::default();
        assert_eq!(ids.unique("Setup"), "setup");
        assert_eq!(ids.unique("Setup"), "setup-1");
        assert_eq!(ids.unique("Setup"), "setup-2");
        assert_eq!(ids.unique("!!!"), "section");
    }

    #[test]
    fn explicit_ids_are_not_reused() {
        let mut ids = IdSet::default();
        assert!(ids.reserve("intro"));
        assert_eq!(ids.unique("Intro"), "intro-1");
        assert!(!ids.reserve("intro"));
    }

    #[test]
    fn nests_headings_by_level() {
        let toc = nest(vec![
            (2, "a".into(), "A".into()),
            (3, "b".into(), "B".into()),
            (2, "c".into(), "C".into()),
            (4, "d".into(), "D".into()),
        ]);
        assert_eq!(toc.len(), 2);
        assert_eq!(toc[0].children[0].id, "b");
        assert_eq!(toc[1].children[0].id, "d");
    }
}
