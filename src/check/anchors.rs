//! `#anchors`: whether a page has the one a link names, what to say when it has not, and the
//! repairs of `handbook check --fix` for anchors written in the wrong letter case.

use super::did_you_mean;
use crate::markdown::Analysis;
use crate::site::PageId;
use crate::site::PerPage;
use crate::site::Site;
use crate::site::links::{LinkTable, Outcome, Target};

/// What to say about a link to an anchor that is not there, and how to fix it.
pub(super) type Problem = (String, Option<String>);

/// Says how `handbook check --fix` repairs an anchor in the wrong letter case.
const CASE_HELP: &str = "`handbook check --fix` corrects the letter case of such anchors in every page, changing nothing else";

/// The problem with `#fragment` of `dest`, a link to a page (`page_url`; `None`: the page
/// itself) whose ids are `anchors`; `None` when the anchor is there.
pub(super) fn missing_anchor(
    anchors: &[String],
    what: &str,
    dest: &str,
    fragment: &str,
    page_url: Option<&str>,
) -> Option<Problem> {
    if has_anchor(anchors, fragment) {
        return None;
    }
    let page = page_url.unwrap_or("this page");
    let missing = format!("{what} {dest}: {page} has no heading #{fragment}");
    if let Some(right) = case_fix(anchors, fragment) {
        let fixed = with_fragment(dest, right);
        return Some((
            format!("{missing}; letter case matters in anchors: write {fixed}"),
            Some(CASE_HELP.to_string()),
        ));
    }
    let hint = did_you_mean(
        LinkTable::nearest_anchor(anchors, fragment)
            .map(|a| format!("{}{a}", page_url.unwrap_or(""))),
    );
    Some((format!("{missing}{hint}"), None))
}

/// The one id of `anchors` that `fragment` names in another letter case
/// (`#Birthday-gift-budget` for `birthday-gift-budget`); `None` when no id or several do.
pub fn case_fix<'a>(anchors: &'a [String], fragment: &str) -> Option<&'a str> {
    let lower = fragment.to_lowercase();
    let mut found = anchors
        .iter()
        .filter(|a| a.as_str() != fragment && a.to_lowercase() == lower);
    let first = found.next()?;
    found.all(|other| other == first).then_some(first.as_str())
}

/// `dest` with its `#fragment` replaced by `anchor`.
fn with_fragment(dest: &str, anchor: &str) -> String {
    let path = dest.split_once('#').map_or(dest, |(path, _)| path);
    format!("{path}#{anchor}")
}

/// `#top` and an empty fragment scroll to the top of any page (HTML's rule).
/// A page has a few dozen anchors at most: a scan beats building a set for every page.
fn has_anchor(anchors: &[String], fragment: &str) -> bool {
    fragment.is_empty() || fragment == "top" || anchors.iter().any(|a| a == fragment)
}

/// A link whose `#anchor` names an id of its page in another letter case, as `handbook check
/// --fix` repairs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFix {
    pub page: PageId,
    /// Where the link is in the page's Markdown body ([`crate::markdown::LinkRef::offset`]).
    pub offset: usize,
    /// The link as written.
    pub dest: String,
    /// The id it means.
    pub anchor: String,
}

/// Every link of the site whose anchor is right but for its letter case.
pub fn case_fixes<A: std::borrow::Borrow<Analysis>>(
    site: &Site,
    table: &LinkTable<'_>,
    analyses: &PerPage<A>,
) -> Vec<CaseFix> {
    let mut fixes = Vec::new();
    for ((id, page), analysis) in site.pages.iter_enumerated().zip(analyses) {
        for link in &analysis.borrow().links {
            let (target, fragment) = match table.resolve_target(page, &link.dest) {
                Outcome::SamePage(fragment) => (id, fragment),
                Outcome::Internal(resolved) => match (resolved.target, resolved.fragment) {
                    (Target::Page(target), Some(fragment)) => (target, fragment),
                    _ => continue,
                },
                _ => continue,
            };
            let anchors = &analyses[target].borrow().anchors;
            if has_anchor(anchors, &fragment) {
                continue;
            }
            if let Some(anchor) = case_fix(anchors, &fragment) {
                fixes.push(CaseFix {
                    page: id,
                    offset: link.offset,
                    dest: link.dest.clone(),
                    anchor: anchor.to_string(),
                });
            }
        }
    }
    fixes
}

/// Where in `body` each fix changes the text, and to what: the anchor of the link as written,
/// or of the reference definition it uses (`[x]: /a/#Anchor`), and only when the two differ in
/// letter case alone (not when the anchor is percent-encoded, say). Sorted, without repeats.
pub fn case_edits(body: &str, fixes: &[&CaseFix]) -> Vec<(std::ops::Range<usize>, String)> {
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut definitions = None;
    for fix in fixes {
        let at = if body
            .get(fix.offset..)
            .is_some_and(|t| t.starts_with(&fix.dest))
        {
            Some(fix.offset)
        } else {
            definitions
                .get_or_insert_with(|| reference_definitions(body))
                .iter()
                .find(|(dest, _)| *dest == fix.dest)
                .map(|(_, at)| *at)
        };
        let Some(at) = at else { continue };
        let Some(hash) = fix.dest.find('#') else {
            continue;
        };
        let range = at + hash + 1..at + fix.dest.len();
        let written = &body[range.clone()];
        if written != fix.anchor && written.to_lowercase() == fix.anchor.to_lowercase() {
            edits.push((range, fix.anchor.clone()));
        }
    }
    edits.sort_by_key(|(range, _)| range.start);
    edits.dedup_by_key(|(range, _)| range.start);
    edits
}

/// The destination of every reference definition of `body`, with where it is written.
fn reference_definitions(body: &str) -> Vec<(String, usize)> {
    let parser = pulldown_cmark::Parser::new_ext(body, crate::markdown::parser_options());
    parser
        .reference_definitions()
        .iter()
        .filter_map(|(_, def)| {
            let text = body.get(def.span.clone())?;
            let after_label = text.find("]:").map_or(0, |i| i + 2);
            let found = text[after_label..].find(def.dest.as_ref())?;
            Some((def.dest.to_string(), def.span.start + after_label + found))
        })
        .collect()
}

/// `text` with `edits` (sorted, not overlapping) made.
pub fn apply_edits(text: &str, edits: &[(std::ops::Range<usize>, String)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (range, replacement) in edits {
        out.push_str(&text[copied..range.start]);
        out.push_str(replacement);
        copied = range.end;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(offset: usize, dest: &str, anchor: &str) -> CaseFix {
        CaseFix {
            page: crate::site::ids::Id::from_index(0),
            offset,
            dest: dest.into(),
            anchor: anchor.into(),
        }
    }

    #[test]
    fn a_case_fix_needs_one_id_in_another_case() {
        let anchors = ["setup".to_string(), "Install".into(), "install".into()];
        assert_eq!(case_fix(&anchors, "Setup"), Some("setup"));
        assert_eq!(case_fix(&anchors, "setup"), None, "already right");
        assert_eq!(case_fix(&anchors, "INSTALL"), None, "two ids: which one?");
        assert_eq!(case_fix(&anchors, "setp"), None);
    }

    #[test]
    fn edits_change_only_the_anchor_as_written() {
        let body = "[A](#Setup) [B](#Set%75p) [C][c]\n\n[c]: /x/#SETUP\n";
        let fixes = [
            fix(4, "#Setup", "setup"),
            // Percent-encoded: more than the letter case would change.
            fix(16, "#Set%75p", "setup"),
            // A reference link: the definition changes.
            fix(26, "/x/#SETUP", "setup"),
            // Not where the analysis said: left alone.
            fix(0, "#Other", "other"),
        ];
        let refs: Vec<&CaseFix> = fixes.iter().collect();
        let edits = case_edits(body, &refs);
        assert_eq!(
            apply_edits(body, &edits),
            "[A](#setup) [B](#Set%75p) [C][c]\n\n[c]: /x/#setup\n"
        );
    }
}
