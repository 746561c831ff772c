//! Heading ids and the table of contents. Pure functions, no IO.
//!
//! Ids are the ones kramdown's GFM parser (Jekyll's default) gives, so that deep links written
//! against an old Jekyll handbook, or against the Markdown on GitHub, keep working. See
//! [`heading_ids`] for the rules.

use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// `## Outages & escalation` → `outages--escalation`. Trimmed: for names that are not headings
/// (page names in suggestions); heading ids use [`kramdown_slug`].
pub fn slugify(text: &str) -> String {
    kramdown_slug(text.trim())
}

/// kramdown's GFM id of a heading's text (`generate_gfm_header_id` of kramdown-parser-gfm, which
/// GitHub's own ids follow too): lower-case; every character that is not a letter, a digit, a
/// combining mark, `_`, `-`, a space or a tab removed (Ruby's `/[^\p{Word}\- \t]/`); every
/// space and tab becomes `-`, with no collapsing and no trimming: `Twitter ` (the text of
/// `Twitter <a name="twitter"></a>`) → `twitter-`.
pub fn kramdown_slug(text: &str) -> String {
    kramdown_slug_chars(text).collect()
}

/// The characters of [`kramdown_slug`], one by one: two texts can be compared as slugs without
/// making either.
pub fn kramdown_slug_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            ' ' | '\t' => Some('-'),
            '-' => Some(c),
            c if is_word(c) => Some(c),
            _ => None,
        })
}

/// Ruby's `\p{Word}`: letters, digits, marks and connector punctuation (`_`).
fn is_word(c: char) -> bool {
    c.is_alphanumeric()
        || unicode_normalization::char::is_combining_mark(c)
        || matches!(
            c,
            '_' | '\u{203F}' | '\u{2040}' | '\u{2054}' | '\u{FE33}' | '\u{FE34}' | '\u{FE4D}'
                ..='\u{FE4F}' | '\u{FF3F}'
        )
}

/// A heading as ids are given out: its explicit `{#id}`, and the text kramdown makes its id of
/// (the heading's text and code, without raw HTML tags and image alt text).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeadingText {
    pub explicit: Option<String>,
    pub text: String,
}

/// The id of every heading of a page, in order, and the indexes of the headings whose explicit
/// id an earlier heading already has (an error: a link could only reach the first).
///
/// kramdown's rules (kramdown-parser-gfm's `generate_gfm_header_id`): a heading without an
/// explicit id gets [`kramdown_slug`] of its text; the first heading with that slug keeps it,
/// the next ones get `-1`, `-2`, ... by a count kept per slug. kramdown does not check the
/// result against other ids, so it can repeat one: `## Setup`, `## Setup`, `## Setup 1` are
/// `setup`, `setup-1`, `setup-1`, and an explicit `{#setup-1}` does not move the count either.
/// Handbook keeps every id kramdown gives except where kramdown would repeat one: an explicit id
/// wins over a generated one, otherwise the earlier heading keeps it; the other heading gets
/// its slug with the first free `-N` that no other heading of the page has from kramdown
/// (`setup-2` in `## Setup`, `## Setup`, `## Notes {#setup-1}`). A heading whose slug is empty
/// (`## !!!`) has no id in kramdown; handbook calls it `section` (then `section-1`, ...), and
/// counts it as kramdown does: the next such heading is kramdown's `-1`.
pub fn heading_ids(headings: &[HeadingText]) -> (Vec<String>, Vec<usize>) {
    let kramdown = kramdown_ids(headings);
    let explicit: HashSet<&str> = headings
        .iter()
        .filter_map(|h| h.explicit.as_deref())
        .collect();
    let taken: HashSet<&str> = kramdown.iter().map(String::as_str).collect();
    let mut used: HashSet<String> = HashSet::with_capacity(headings.len());
    let mut last_suffix: HashMap<String, usize> = HashMap::new();
    let mut ids = Vec::with_capacity(headings.len());
    let mut duplicates = Vec::new();
    for (index, (heading, id)) in headings.iter().zip(&kramdown).enumerate() {
        if heading.explicit.is_some() {
            if !used.insert(id.clone()) {
                duplicates.push(index);
            }
            ids.push(id.clone());
            continue;
        }
        let free = |id: &str| !used.contains(id) && !explicit.contains(id);
        let id = if !id.is_empty() && free(id) {
            id.clone()
        } else {
            let slug = kramdown_slug(&heading.text);
            let base = if slug.is_empty() { "section" } else { &slug };
            let fresh = |id: &str| free(id) && !taken.contains(id);
            if slug.is_empty() && fresh(base) {
                base.to_string()
            } else {
                let suffix = last_suffix.entry(base.to_string()).or_insert(0);
                loop {
                    *suffix += 1;
                    let candidate = format!("{base}-{suffix}");
                    if fresh(&candidate) {
                        break candidate;
                    }
                }
            }
        };
        used.insert(id.clone());
        ids.push(id);
    }
    (ids, duplicates)
}

/// The ids kramdown gives `headings`, repeats and empty ids included.
fn kramdown_ids(headings: &[HeadingText]) -> Vec<String> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    headings
        .iter()
        .map(|heading| match &heading.explicit {
            Some(id) => id.clone(),
            None => {
                let slug = kramdown_slug(&heading.text);
                let count = counts.entry(slug.clone()).or_insert(0);
                let id = if *count == 0 {
                    slug
                } else {
                    format!("{slug}-{count}")
                };
                *count += 1;
                id
            }
        })
        .collect()
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

    fn ids(headings: &[(&str, Option<&str>)]) -> (Vec<String>, Vec<usize>) {
        let headings: Vec<HeadingText> = headings
            .iter()
            .map(|(text, explicit)| HeadingText {
                explicit: explicit.map(str::to_string),
                text: text.to_string(),
            })
            .collect();
        heading_ids(&headings)
    }

    fn generated(texts: &[&str]) -> Vec<String> {
        let headings: Vec<(&str, Option<&str>)> = texts.iter().map(|t| (*t, None)).collect();
        ids(&headings).0
    }

    #[test]
    fn slugs_are_kramdowns_gfm_ids() {
        // Expected values: kramdown-parser-gfm's test/testcases/header_ids.{text,html}, and its
        // generate_gfm_header_id (downcase, delete /[^\p{Word}\- \t]/, tr " \t" "-").
        assert_eq!(kramdown_slug("variable_name"), "variable_name");
        assert_eq!(kramdown_slug("abc def öúß"), "abc-def-öúß");
        assert_eq!(kramdown_slug("192 abc 192"), "192-abc-192");
        assert_eq!(kramdown_slug(";.;;"), "");
        assert_eq!(kramdown_slug("before \tafter tab"), "before--after-tab");
        assert_eq!(kramdown_slug("with code"), "with-code");
        assert_eq!(kramdown_slug("With “smart” quotes"), "with-smart-quotes");
        // The text of `#### Twitter <a name="twitter"></a>`: the space before the tag stays.
        assert_eq!(kramdown_slug("Twitter "), "twitter-");
        assert_eq!(kramdown_slug(" Leading"), "-leading");
        // A decomposed é (e + U+0301) keeps its combining accent, as \p{Word} does.
        assert_eq!(kramdown_slug("Cafe\u{301} Menu"), "cafe\u{301}-menu");
    }

    #[test]
    fn repeats_are_numbered_as_kramdown_numbers_them() {
        // kramdown-parser-gfm test/testcases/header_ids: variable_name, variable_name-1,
        // variable_name-2; `;.;;` has no id, `;;` after it is `-1`.
        assert_eq!(
            generated(&[
                "variable_name",
                ";.;;",
                "variable_name",
                "variable_name",
                ";;"
            ]),
            [
                "variable_name",
                "section",
                "variable_name-1",
                "variable_name-2",
                "-1"
            ]
        );
        assert_eq!(
            generated(&["Setup", "Setup", "Setup"]),
            ["setup", "setup-1", "setup-2"]
        );
    }

    #[test]
    fn where_kramdown_repeats_an_id_the_later_heading_gets_a_free_one() {
        // kramdown: setup, setup-1, setup-1 (its count is per slug: "setup-1" is counted apart).
        assert_eq!(
            generated(&["Setup", "Setup", "Setup 1", "Setup"]),
            ["setup", "setup-1", "setup-1-1", "setup-2"]
        );
        // kramdown: setup-1 (explicit), setup, setup-1, setup-2: the fourth keeps kramdown's
        // setup-2, so the third takes setup-3.
        assert_eq!(
            ids(&[
                ("Notes", Some("setup-1")),
                ("Setup", None),
                ("Setup", None),
                ("Setup", None)
            ]),
            (
                vec![
                    "setup-1".to_string(),
                    "setup".into(),
                    "setup-3".into(),
                    "setup-2".into()
                ],
                vec![]
            )
        );
        // An explicit id wins even when it comes later.
        assert_eq!(
            ids(&[("Setup", None), ("Setup", None), ("Notes", Some("setup-1"))]).0,
            ["setup", "setup-2", "setup-1"]
        );
        // An empty slug takes `section`, unless a heading is called that.
        assert_eq!(generated(&["!!!", "Section"]), ["section-1", "section"]);
    }

    #[test]
    fn a_repeated_explicit_id_is_reported() {
        assert_eq!(
            ids(&[("A", Some("intro")), ("Intro", None), ("B", Some("intro"))]),
            (
                vec!["intro".to_string(), "intro-1".into(), "intro".into()],
                vec![2]
            )
        );
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
