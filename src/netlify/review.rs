//! What a merge request changes in the handbook, for the reviewer of its deploy preview: pages
//! added, changed (down to the sections), renamed and removed, compared with the base the
//! merge request starts from; and old URLs that now lead nowhere.
//!
//! Git is asked three questions, each one process whatever the size of the handbook: which
//! files differ from the base (`git diff`), which are new and not yet committed
//! (`git ls-files`), and the old text of the files that differ (`git cat-file --batch`). The
//! questions are in `review/diff.rs`.

mod diff;

use crate::diagnostics::Diagnostic;
use crate::git::Repo;
use crate::layout::{CHANGES_PATH, CONTENT_DIR};
use crate::markdown::{self, Outline, Section, SectionChange};
use crate::netlify::deploy::Deploy;
use crate::site::{Page, PageId, Site};
use crate::source;
use diff::{Diff, changed_files, read_blobs};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The changes of the site compared with a base commit, ready for templates (`review`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Review {
    /// What the pages are compared with, as a reviewer reads it ("`main` (merge base
    /// 1a2b3c4)"); `None` when it cannot be told.
    pub base: Option<String>,
    /// Why the changes cannot be told, or what was done to tell them.
    pub note: Option<String>,
    /// The URL of the changes page.
    pub url: String,
    /// Pages added, changed, renamed and removed.
    pub count: usize,
    pub added: Vec<ChangedPage>,
    pub changed: Vec<ChangedPage>,
    pub renamed: Vec<ChangedPage>,
    pub removed: Vec<RemovedPage>,
    /// Old URLs that no page or alias answers any more.
    pub missing_redirects: usize,
    /// The change of each page of the site, for the sidebar and the page itself.
    #[serde(skip)]
    pub by_page: HashMap<PageId, PageMark>,
}

/// A page of the preview that differs from the base.
#[derive(Debug, Clone, Serialize)]
pub struct ChangedPage {
    pub title: String,
    pub url: String,
    /// Its file, relative to the handbook's folder (`content/engineering/triage.md`).
    pub path: String,
    /// A renamed page's old file.
    pub from: Option<String>,
    /// Its old URL, when it had another one.
    pub old_url: Option<String>,
    /// The old URL leads nowhere now: no page has it and no page lists it in `aliases`.
    pub missing_redirect: bool,
    /// Sections added or changed, each with a link to its anchor in the page.
    pub sections: Vec<SectionView>,
    /// Headings of sections that are gone.
    pub removed_sections: Vec<String>,
    /// What changed besides the text: "title: A → B", "front matter".
    pub details: Vec<String>,
    /// Heading ids of the base that the page no longer has: links to them (from other pages,
    /// chat, bookmarks) no longer reach their heading.
    pub lost_anchors: Vec<LostAnchor>,
}

/// A heading id of the base version of a page that its new version no longer has.
#[derive(Debug, Clone, Serialize)]
pub struct LostAnchor {
    /// The old id: `deploying`.
    pub id: String,
    /// The old heading's text.
    pub heading: String,
    /// The id of the heading that took its place, when one did (a reworded heading).
    pub now: Option<String>,
    /// The new heading's text, when there is one.
    pub now_heading: Option<String>,
    /// Where to fix it: the line of the new heading in the page's file, else of its first line.
    pub line: usize,
    /// The fix that keeps the old id: the new heading as it should be written
    /// (`## Deploying to production {#deploying}`), when a heading took its place.
    pub keep: Option<String>,
    /// The other fix, as front matter: `anchor_aliases: {deploying: deploying-to-production}`.
    pub alias: Option<String>,
    /// The exact fix, in a sentence.
    pub fix: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionView {
    /// The heading; "Introduction" for the text before the first heading.
    pub title: String,
    pub url: String,
    pub change: SectionChange,
}

/// A page of the base that the preview no longer has.
#[derive(Debug, Clone, Serialize)]
pub struct RemovedPage {
    pub title: String,
    pub path: String,
    pub old_url: String,
    /// Where the old URL leads now (a page that took it or lists it in `aliases`).
    pub now: Option<String>,
    pub missing_redirect: bool,
}

/// How one page of the site differs from the base.
#[derive(Debug, Clone, Default)]
pub struct PageMark {
    /// `added`, `changed` or `renamed`.
    pub change: &'static str,
    /// Its sections to mark, by anchor (`""` for the introduction).
    pub sections: Vec<(String, SectionChange)>,
}

/// What to compare the site with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// A commit, branch or tag given on the command line (`--base`).
    Rev(String),
    /// A merge request's deploy preview or a branch deploy on Netlify: the merge base with
    /// the handbook's branch (`repository.branch`), else the commit of the previous build.
    Netlify,
}

impl Base {
    /// What the build compares with: `--base` if given, else Netlify's previews and branch
    /// deploys; nothing in production or for a local build.
    pub fn choose(explicit: Option<&str>, deploy: &Deploy) -> Option<Base> {
        match explicit {
            Some(rev) => Some(Base::Rev(rev.to_string())),
            None if deploy.is_preview() => Some(Base::Netlify),
            None => None,
        }
    }
}

impl Review {
    /// A review that cannot tell what changed, saying why.
    pub fn unknown(site: &Site, why: String) -> Review {
        Review {
            note: Some(why),
            url: changes_href(site),
            ..Review::default()
        }
    }

    /// Heading ids the base had and the pages no longer have, as warnings of `handbook check
    /// --base` and of a preview's build.
    pub fn anchor_problems(&self) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        for page in self.changed.iter().chain(&self.renamed) {
            let old_url = page.old_url.as_deref().unwrap_or(&page.url);
            for lost in &page.lost_anchors {
                let what = match &lost.now {
                    Some(now) => format!(
                        "the heading \"{}\" has a new id, #{now} (it was #{}): links to {old_url}#{} no longer reach it",
                        lost.now_heading.as_deref().unwrap_or(""),
                        lost.id,
                        lost.id
                    ),
                    None => format!(
                        "the heading \"{}\" (#{}) is gone: links to {old_url}#{} no longer reach it",
                        lost.heading, lost.id, lost.id
                    ),
                };
                problems.push(
                    Diagnostic::warning(page.path.clone(), what)
                        .at(lost.line, 1)
                        .help(lost.fix.clone()),
                );
            }
        }
        problems
    }

    /// Pages whose old URL leads nowhere, as problems of `handbook check --base`.
    pub fn redirect_problems(&self) -> Vec<Diagnostic> {
        let help = |old: &str| {
            format!(
                "links to {old} from outside the handbook (bookmarks, chat, other sites) break: add `aliases: [\"{old}\"]` to the front matter of the page that replaces it"
            )
        };
        let mut problems = Vec::new();
        for page in self.renamed.iter().chain(&self.changed) {
            if let (true, Some(old)) = (page.missing_redirect, &page.old_url) {
                problems.push(
                    Diagnostic::error(
                        page.path.clone(),
                        format!(
                            "this page moved from {old} to {} without a redirect",
                            page.url
                        ),
                    )
                    .at(1, 1)
                    .help(format!(
                        "add `aliases: [\"{old}\"]` to its front matter, so that links to its old address keep working"
                    )),
                );
            }
        }
        for page in self.removed.iter().filter(|p| p.missing_redirect) {
            problems.push(
                Diagnostic::error(
                    format!("{} (removed)", page.path),
                    format!(
                        "this page was removed, and its URL {} now leads nowhere",
                        page.old_url
                    ),
                )
                .help(help(&page.old_url)),
            );
        }
        problems
    }
}

/// The URL of the changes page.
pub fn changes_href(site: &Site) -> String {
    format!("{}/{CHANGES_PATH}", site.config.base_path())
}

/// Finds the commit to compare with. Fetches the base branch when the clone does not have it
/// (Netlify clones only what it builds). `Err` says why there is none.
pub fn find_base(
    repo: &Repo,
    base: &Base,
    site: &Site,
    deploy: &Deploy,
) -> Result<(String, String), String> {
    match base {
        Base::Rev(rev) => {
            let commit = repo.commit_of(rev).ok_or_else(|| {
                format!("there is no commit, branch or tag `{rev}` in this repository")
            })?;
            Ok((format!("`{rev}` ({})", short(&commit)), commit))
        }
        Base::Netlify => {
            let branch = &site.config.repository.branch;
            let mut fetch_problem = None;
            let merge_base = |target: &str| {
                repo.run(&["merge-base", "HEAD", target])
                    .ok()
                    .map(|out| out.trim().to_string())
                    .filter(|c| !c.is_empty())
            };
            let local = [format!("refs/remotes/origin/{branch}"), branch.clone()];
            let mut found = local
                .iter()
                .filter(|r| repo.commit_of(r).is_some())
                .find_map(|r| merge_base(r));
            if found.is_none() {
                // Not there, or too little history to find where the branches meet.
                match fetch_branch(repo, branch) {
                    Ok(()) => found = merge_base(&format!("refs/remotes/origin/{branch}")),
                    Err(err) => fetch_problem = Some(err),
                }
            }
            if let Some(commit) = found {
                return Ok((
                    format!("`{branch}` (merge base {})", short(&commit)),
                    commit,
                ));
            }
            if let Some(commit) = deploy
                .cached_commit
                .as_deref()
                .and_then(|c| repo.commit_of(c))
            {
                return Ok((
                    format!("the previous build of this deploy ({})", short(&commit)),
                    commit,
                ));
            }
            Err(match fetch_problem {
                Some(err) => format!(
                    "cannot tell what changed: the branch `{branch}` (repository.branch in handbook.yml) could not be fetched ({err}), and there is no previous build to compare with"
                ),
                None => format!(
                    "cannot tell what changed: this commit and the branch `{branch}` (repository.branch in handbook.yml) have no commit in common, and there is no previous build to compare with"
                ),
            })
        }
    }
}

fn fetch_branch(repo: &Repo, branch: &str) -> Result<(), String> {
    let refspec = format!("+refs/heads/{branch}:refs/remotes/origin/{branch}");
    let mut args = vec!["fetch", "--quiet", "--no-tags"];
    if repo.is_shallow() {
        args.push("--unshallow");
    }
    args.extend(["origin", &refspec]);
    repo.run(&args).map(|_| ())
}

fn short(commit: &str) -> &str {
    &commit[..commit.len().min(7)]
}

/// Compares the site with `commit` (described as `label`).
pub fn compare(repo: &Repo, site: &Site, label: String, commit: &str) -> Result<Review, String> {
    let content = repo.path_of(&format!("{CONTENT_DIR}/"));
    let diffs = changed_files(repo, commit, &content)?;
    let old_paths: Vec<String> = diffs
        .iter()
        .filter_map(Diff::old_path)
        .filter(|p| page_rel(&content, p).is_some())
        .map(str::to_string)
        .collect();
    let comparison = Comparison {
        site,
        by_path: site.pages_by_file(),
        old_texts: read_blobs(repo, commit, &old_paths)?,
        content,
    };
    let mut review = Review {
        base: Some(label),
        url: changes_href(site),
        ..Review::default()
    };
    for diff in &diffs {
        comparison.record(&mut review, diff);
    }
    review.finish();
    Ok(review)
}

/// `path` relative to `content` (git's path of `content/`), if it is a page there.
fn page_rel(content: &str, path: &str) -> Option<String> {
    path.strip_prefix(content)
        .filter(|r| source::is_markdown(r))
        .map(str::to_string)
}

/// What each file that differs is matched against: the site's pages and the base's texts.
struct Comparison<'a> {
    site: &'a Site,
    /// Git's path of `content/`, which the diffs' paths start with.
    content: String,
    by_path: HashMap<&'a str, PageId>,
    /// The base's text of the pages that differ, by git path.
    old_texts: BTreeMap<String, String>,
}

impl Comparison<'_> {
    /// `path` relative to `content/`, if it is a page.
    fn rel(&self, path: &str) -> Option<String> {
        page_rel(&self.content, path)
    }

    /// The page the base had at `path`, as the site would have built it; `None` if unreadable.
    fn old_page(&self, path: &str) -> Option<Page> {
        let text = self.old_texts.get(path)?;
        let config = &self.site.config;
        let (source, _) =
            source::parse_page(self.rel(path)?, text, &config.front_matter.keys).ok()?;
        Some(crate::site::resolve::new_page(source, config, false))
    }

    /// Adds `diff` to `review` as a page added, changed, renamed or removed.
    fn record(&self, review: &mut Review, diff: &Diff) {
        let site = self.site;
        let (old, new) = diff.old_and_new();
        let page = new
            .and_then(|p| self.rel(p))
            .and_then(|r| self.by_path.get(r.as_str()).copied());
        let before = old.and_then(|p| self.old_page(p));
        match (page, before) {
            (Some(id), None) => {
                if old.is_some_and(|p| self.rel(p).is_some()) {
                    // Its old version could not be read: say it changed, without details.
                    review.push_changed(site, id, None, "changed");
                } else {
                    review.push_changed(site, id, None, "added");
                }
            }
            (Some(id), Some(before)) => {
                let kind = if old == new { "changed" } else { "renamed" };
                review.push_changed(site, id, Some(&before), kind);
            }
            (None, Some(before)) => review.push_removed(site, &before),
            (None, None) => {}
        }
    }
}

impl Review {
    /// Sorts each list by path and counts the pages and the missing redirects.
    fn finish(&mut self) {
        let sort = |pages: &mut Vec<ChangedPage>| pages.sort_by(|a, b| a.path.cmp(&b.path));
        sort(&mut self.added);
        sort(&mut self.changed);
        sort(&mut self.renamed);
        self.removed.sort_by(|a, b| a.path.cmp(&b.path));
        self.count =
            self.added.len() + self.changed.len() + self.renamed.len() + self.removed.len();
        self.missing_redirects = self.redirect_problems().len();
    }

    /// Adds page `id` as `kind` (`added`, `changed` or `renamed`), compared with `before`,
    /// unless only its spacing changed.
    fn push_changed(&mut self, site: &Site, id: PageId, before: Option<&Page>, kind: &'static str) {
        let page = &site.pages[id];
        let mut entry = ChangedPage::new(page);
        let outline = Outline::of(&page.source.body, &page.title);
        let new_sections = outline.sections(&page.source.body);
        let marks = match before {
            None if kind == "added" => new_sections
                .iter()
                .map(|s| (s.anchor.clone(), SectionChange::Added))
                .collect(),
            None => Vec::new(),
            Some(before) => entry.compare_with(site, (page, &outline), before, kind, &new_sections),
        };
        if kind == "changed" && before.is_some() && marks.is_empty() && entry.looks_unchanged() {
            // Only spacing changed: nothing a reader would see.
            return;
        }
        entry.sections = section_views(page, &new_sections, &marks);
        self.by_page.insert(
            id,
            PageMark {
                change: kind,
                sections: marks,
            },
        );
        match kind {
            "added" => self.added.push(entry),
            "renamed" => self.renamed.push(entry),
            _ => self.changed.push(entry),
        }
    }

    fn push_removed(&mut self, site: &Site, before: &Page) {
        let now = page_at(site, &before.url).map(|id| site.pages[id].href.clone());
        self.removed.push(RemovedPage {
            title: before.title.clone(),
            path: before.source.display_path(),
            old_url: format!("{}{}", site.config.base_path(), before.url),
            missing_redirect: now.is_none(),
            now,
        });
    }
}

impl ChangedPage {
    /// `page`, with nothing yet said about how it changed.
    fn new(page: &Page) -> ChangedPage {
        ChangedPage {
            title: page.title.clone(),
            url: page.href.clone(),
            path: page.source.display_path(),
            from: None,
            old_url: None,
            missing_redirect: false,
            sections: Vec::new(),
            removed_sections: Vec::new(),
            details: Vec::new(),
            lost_anchors: Vec::new(),
        }
    }

    /// Fills in how `page` differs from `before` (its old file and URL, title, front matter,
    /// removed sections) and returns its sections to mark.
    fn compare_with(
        &mut self,
        site: &Site,
        (page, outline): (&Page, &Outline),
        before: &Page,
        kind: &str,
        new_sections: &[Section],
    ) -> Vec<(String, SectionChange)> {
        if kind == "renamed" {
            self.from = Some(before.source.display_path());
        }
        if before.url != page.url {
            self.missing_redirect = page_at(site, &before.url).is_none();
            self.old_url = Some(format!("{}{}", site.config.base_path(), before.url));
        }
        if before.title != page.title {
            self.details
                .push(format!("title: {} → {}", before.title, page.title));
        }
        let front_changed =
            before.source.front != page.source.front || before.source.extra != page.source.extra;
        if front_changed && before.title == page.title && before.url == page.url {
            self.details.push("front matter".into());
        }
        let old_outline = Outline::of(&before.source.body, &before.title);
        self.lost_anchors = lost_anchors((before, &old_outline), (page, outline));
        let old_sections = old_outline.sections(&before.source.body);
        self.removed_sections = old_sections
            .iter()
            .filter(|s| !new_sections.iter().any(|n| n.anchor == s.anchor))
            .map(|s| section_title(&s.title))
            .collect();
        section_marks(&old_sections, new_sections)
    }

    /// Nothing besides the sections tells a change: no removed section, detail, old URL or
    /// lost anchor.
    fn looks_unchanged(&self) -> bool {
        self.removed_sections.is_empty()
            && self.details.is_empty()
            && self.old_url.is_none()
            && self.lost_anchors.is_empty()
    }
}

/// The heading ids of `before` that `page` no longer has (as a heading's id, a `{#id}`, or an
/// `anchor_aliases:` key), each with the heading that took its place: the new heading at the
/// same place among the headings, when its id is new too (a reworded heading).
fn lost_anchors(
    (before, old): (&Page, &Outline),
    (page, new): (&Page, &Outline),
) -> Vec<LostAnchor> {
    let (old, new) = (&old.headings, &new.headings);
    let aliases = &page.source.front.anchor_aliases;
    let kept = |id: &str| new.iter().any(|h| h.anchor == id) || aliases.contains_key(id);
    let was = |id: &str| old.iter().any(|h| h.anchor == id);
    let line_of = |offset: usize| {
        let body = page.source.body.as_bytes();
        let (line, _) = crate::diagnostics::position_after(&body[..offset.min(body.len())]);
        page.source.body_line + line - 1
    };
    old.iter()
        .enumerate()
        .filter(|(_, h)| !h.anchor.is_empty() && !kept(&h.anchor))
        .map(|(i, h)| {
            // A reworded heading: in the same place, with a new id, and with the same text
            // under it or a word of its title kept.
            let successor = new.get(i).filter(|n| {
                !was(&n.anchor)
                    && n.level == h.level
                    && (section_text(&before.source.body, old, i)
                        == section_text(&page.source.body, new, i)
                        || share_a_word(&h.title, &n.title))
            });
            let id = &h.anchor;
            let keep = successor.map(|n| with_id(&page.source.body, n, id));
            let alias = successor.map(|n| format!("anchor_aliases: {{{id}: {}}}", n.anchor));
            let fix = match (&keep, &alias) {
                (Some(keep), Some(alias)) => format!(
                    "keep the old id by writing the heading as `{keep}`, or add `{alias}` to the front matter"
                ),
                _ => format!(
                    "if its text is now under another heading, add `anchor_aliases: {{{id}: <that heading's id>}}` to the front matter, or end that heading with `{{#{id}}}`"
                ),
            };
            LostAnchor {
                keep,
                alias,
                id: id.clone(),
                heading: h.title.clone(),
                now: successor.map(|n| n.anchor.clone()),
                now_heading: successor.map(|n| n.title.clone()),
                line: successor.map_or(page.source.body_line.max(1), |n| line_of(n.offset)),
                fix,
            }
        })
        .collect()
}

/// Heading `heading` of `body` as written, with `{#id}` at its end instead of any it had:
/// `## Deploying to *production* {#deploying}`. A heading underlined with `===` or `---` gets
/// it on its text's line.
fn with_id(body: &str, heading: &markdown::Heading, id: &str) -> String {
    let line = body
        .get(heading.offset..)
        .and_then(|rest| rest.lines().next())
        .unwrap_or("")
        .trim_end();
    let line = match line.rfind(" {") {
        Some(at) if line.ends_with('}') => line[..at].trim_end(),
        _ => line,
    };
    // `## Title ##`: the closing hashes go; the id comes after the text.
    let text = match line.trim_end_matches('#') {
        stripped if stripped.ends_with(' ') && stripped.trim_start().starts_with('#') => {
            stripped.trim_end()
        }
        _ => line,
    };
    if text.is_empty() {
        return format!(
            "{} {} {{#{id}}}",
            "#".repeat(usize::from(heading.level)),
            heading.title
        );
    }
    format!("{text} {{#{id}}}")
}

/// The text under heading `i` of `headings` (of `body`), up to the next heading, without the
/// heading's own line and surrounding blank space.
fn section_text<'a>(body: &'a str, headings: &[markdown::Heading], i: usize) -> &'a str {
    let start = headings[i].offset;
    let end = headings.get(i + 1).map_or(body.len(), |h| h.offset);
    let text = body.get(start..end.max(start)).unwrap_or("");
    text.split_once('\n').map_or("", |(_, rest)| rest).trim()
}

/// Whether two headings share a word of three letters or more, whatever its case.
fn share_a_word(a: &str, b: &str) -> bool {
    let words = |t: &str| -> Vec<String> {
        t.split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 3)
            .map(str::to_lowercase)
            .collect()
    };
    let b = words(b);
    words(a).iter().any(|w| b.contains(w))
}

/// The sections of `new` that are not in `old` or whose text differs, by anchor.
fn section_marks(old: &[Section], new: &[Section]) -> Vec<(String, SectionChange)> {
    let old: HashMap<&str, u64> = old
        .iter()
        .map(|s| (s.anchor.as_str(), s.fingerprint))
        .collect();
    let mut marks = Vec::new();
    for section in new {
        match old.get(section.anchor.as_str()) {
            None => marks.push((section.anchor.clone(), SectionChange::Added)),
            Some(&f) if f != section.fingerprint => {
                marks.push((section.anchor.clone(), SectionChange::Changed));
            }
            Some(_) => {}
        }
    }
    marks
}

/// The marked sections of `page`, in page order, each with a link to its anchor.
fn section_views(
    page: &Page,
    sections: &[Section],
    marks: &[(String, SectionChange)],
) -> Vec<SectionView> {
    sections
        .iter()
        .filter_map(|s| {
            let (_, change) = marks.iter().find(|(a, _)| *a == s.anchor)?;
            Some(SectionView {
                title: section_title(&s.title),
                url: if s.anchor.is_empty() {
                    page.href.clone()
                } else {
                    format!("{}#{}", page.href, s.anchor)
                },
                change: *change,
            })
        })
        .collect()
}

fn section_title(title: &str) -> String {
    if title.is_empty() {
        "Introduction".into()
    } else {
        title.to_string()
    }
}

/// The page `url` leads to: the page at that URL, else the page that lists it in `aliases`.
fn page_at(site: &Site, url: &str) -> Option<PageId> {
    site.by_url
        .get(url)
        .or_else(|| site.by_alias.get(url))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_heading_as_written_with_the_old_id() {
        let keep = |body: &str| {
            let outline = Outline::of(body, "Title");
            with_id(body, &outline.headings[0], "old")
        };
        assert_eq!(keep("## Use `git` *now*\n"), "## Use `git` *now* {#old}");
        assert_eq!(keep("### Closed ###\n"), "### Closed {#old}");
        assert_eq!(keep("## Had one {#new .wide}\n"), "## Had one {#old}");
        assert_eq!(keep("Underlined\n----------\n"), "Underlined {#old}");
        assert_eq!(keep("## C# tips\n"), "## C# tips {#old}");
    }

    #[test]
    fn the_base_follows_the_context() {
        let deploy = |context: &str| Deploy {
            context: context.into(),
            ..Deploy::default()
        };
        assert_eq!(
            Base::choose(Some("main"), &deploy("production")),
            Some(Base::Rev("main".into()))
        );
        assert_eq!(
            Base::choose(None, &deploy("deploy-preview")),
            Some(Base::Netlify)
        );
        assert_eq!(
            Base::choose(None, &deploy("branch-deploy")),
            Some(Base::Netlify)
        );
        assert_eq!(Base::choose(None, &deploy("production")), None);
        assert_eq!(Base::choose(None, &deploy("")), None);
    }
}
