//! What a merge request changes in the handbook, for the reviewer of its deploy preview: pages
//! added, changed (down to the sections), renamed and removed, compared with the base the
//! merge request starts from; and old URLs that now lead nowhere.
//!
//! Git is asked three questions, each one process whatever the size of the handbook: which
//! files differ from the base (`git diff`), which are new and not yet committed
//! (`git ls-files`), and the old text of the files that differ (`git cat-file --batch`).

use crate::diagnostics::Diagnostic;
use crate::git::Repo;
use crate::layout::{CHANGES_PATH, CONTENT_DIR};
use crate::markdown::{self, SectionChange};
use crate::netlify::deploy::Deploy;
use crate::site::{Page, PageId, Site};
use crate::source;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

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

/// A file that differs from the base, as `git diff --name-status` tells.
#[derive(Debug, PartialEq, Eq)]
enum Diff {
    Added(String),
    Modified(String),
    Deleted(String),
    Renamed(String, String),
}

/// Compares the site with `commit` (described as `label`).
pub fn compare(repo: &Repo, site: &Site, label: String, commit: &str) -> Result<Review, String> {
    let content = repo.path_of(&format!("{CONTENT_DIR}/"));
    let diff = repo.run(&[
        "diff",
        "--name-status",
        "-z",
        "-M",
        "--no-ext-diff",
        "--no-color",
        commit,
        "--",
        &content,
    ])?;
    let mut diffs = parse_name_status(&diff);
    let untracked = repo.run(&[
        "ls-files",
        "--others",
        "--exclude-standard",
        "-z",
        "--",
        &content,
    ])?;
    diffs.extend(
        untracked
            .split('\0')
            .filter(|p| !p.is_empty())
            .map(|p| Diff::Added(p.to_string())),
    );
    // Paths relative to `content/`; only pages count.
    let rel = |path: &str| -> Option<String> {
        path.strip_prefix(&content)
            .filter(|r| source::is_markdown(r))
            .map(str::to_string)
    };
    let by_path: HashMap<&str, PageId> = site
        .pages
        .iter_enumerated()
        .filter(|(_, p)| !p.generated)
        .map(|(id, p)| (p.source.rel_path.as_str(), id))
        .collect();
    let old_paths: Vec<String> = diffs
        .iter()
        .filter_map(|d| match d {
            Diff::Modified(p) | Diff::Deleted(p) | Diff::Renamed(p, _) => Some(p.clone()),
            Diff::Added(_) => None,
        })
        .filter(|p| rel(p).is_some())
        .collect();
    let old_texts = read_blobs(repo, commit, &old_paths)?;
    let old_page = |path: &str| -> Option<Page> {
        let text = old_texts.get(path)?;
        let (source, _) =
            source::parse_page(rel(path)?, text, &site.config.front_matter.keys).ok()?;
        Some(crate::site::resolve::new_page(source, &site.config, false))
    };

    let mut review = Review {
        base: Some(label),
        url: changes_href(site),
        ..Review::default()
    };
    for diff in &diffs {
        let (old, new) = match diff {
            Diff::Added(p) => (None, Some(p)),
            Diff::Modified(p) => (Some(p), Some(p)),
            Diff::Deleted(p) => (Some(p), None),
            Diff::Renamed(from, to) => (Some(from), Some(to)),
        };
        let page = new
            .and_then(|p| rel(p))
            .and_then(|r| by_path.get(r.as_str()).copied());
        let before = old.and_then(|p| old_page(p));
        match (page, before) {
            (Some(id), None) => {
                if old.is_some_and(|p| rel(p).is_some()) {
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
    let sort = |pages: &mut Vec<ChangedPage>| pages.sort_by(|a, b| a.path.cmp(&b.path));
    sort(&mut review.added);
    sort(&mut review.changed);
    sort(&mut review.renamed);
    review.removed.sort_by(|a, b| a.path.cmp(&b.path));
    review.count =
        review.added.len() + review.changed.len() + review.renamed.len() + review.removed.len();
    review.missing_redirects = review.redirect_problems().len();
    Ok(review)
}

impl Review {
    fn push_changed(&mut self, site: &Site, id: PageId, before: Option<&Page>, kind: &'static str) {
        let page = &site.pages[id];
        let mut entry = ChangedPage {
            title: page.title.clone(),
            url: page.href.clone(),
            path: page.source.display_path(),
            from: None,
            old_url: None,
            missing_redirect: false,
            sections: Vec::new(),
            removed_sections: Vec::new(),
            details: Vec::new(),
        };
        let mut marks = Vec::new();
        let new_sections = markdown::sections(&page.source.body, &page.title);
        match before {
            None => {
                if kind == "added" {
                    marks = new_sections
                        .iter()
                        .map(|s| (s.anchor.clone(), SectionChange::Added))
                        .collect();
                }
            }
            Some(before) => {
                if kind == "renamed" {
                    entry.from = Some(before.source.display_path());
                }
                if before.url != page.url {
                    entry.missing_redirect = page_at(site, &before.url).is_none();
                    entry.old_url = Some(format!("{}{}", site.config.base_path(), before.url));
                }
                if before.title != page.title {
                    entry
                        .details
                        .push(format!("title: {} → {}", before.title, page.title));
                }
                let front_changed = before.source.front != page.source.front
                    || before.source.extra != page.source.extra;
                if front_changed && before.title == page.title && before.url == page.url {
                    entry.details.push("front matter".into());
                }
                let old_sections = markdown::sections(&before.source.body, &before.title);
                let old: HashMap<&str, u64> = old_sections
                    .iter()
                    .map(|s| (s.anchor.as_str(), s.fingerprint))
                    .collect();
                for section in &new_sections {
                    match old.get(section.anchor.as_str()) {
                        None => marks.push((section.anchor.clone(), SectionChange::Added)),
                        Some(&f) if f != section.fingerprint => {
                            marks.push((section.anchor.clone(), SectionChange::Changed));
                        }
                        Some(_) => {}
                    }
                }
                entry.removed_sections = old_sections
                    .iter()
                    .filter(|s| !new_sections.iter().any(|n| n.anchor == s.anchor))
                    .map(|s| section_title(&s.title))
                    .collect();
            }
        }
        if kind == "changed"
            && marks.is_empty()
            && entry.removed_sections.is_empty()
            && entry.details.is_empty()
            && entry.old_url.is_none()
            && before.is_some()
        {
            // Only spacing changed: nothing a reader would see.
            return;
        }
        entry.sections = new_sections
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
            .collect();
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

/// `git diff --name-status -z` output: status, then one path (two for renames and copies),
/// each ended by NUL.
fn parse_name_status(out: &str) -> Vec<Diff> {
    let mut fields = out.split('\0').filter(|f| !f.is_empty());
    let mut diffs = Vec::new();
    while let Some(status) = fields.next() {
        let Some(path) = fields.next() else { break };
        let path = path.to_string();
        diffs.push(match status.as_bytes()[0] {
            b'A' => Diff::Added(path),
            b'D' => Diff::Deleted(path),
            b'R' => match fields.next() {
                Some(to) => Diff::Renamed(path, to.to_string()),
                None => break,
            },
            // A copy leaves its source in place: the copy is a new page.
            b'C' => match fields.next() {
                Some(to) => Diff::Added(to.to_string()),
                None => break,
            },
            _ => Diff::Modified(path),
        });
    }
    diffs
}

/// The text of each of `paths` at `commit`, read by one `git cat-file --batch`.
fn read_blobs(
    repo: &Repo,
    commit: &str,
    paths: &[String],
) -> Result<BTreeMap<String, String>, String> {
    let mut texts = BTreeMap::new();
    if paths.is_empty() {
        return Ok(texts);
    }
    let mut child = Command::new("git")
        .args(["cat-file", "--batch"])
        .current_dir(&repo.top)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|err| format!("cannot run git: {err}"))?;
    let mut stdin = child.stdin.take().ok_or("git cat-file has no input")?;
    let requests: String = paths.iter().map(|p| format!("{commit}:{p}\n")).collect();
    // Written from another thread: git answers while it reads, and both pipes are bounded.
    let writer = std::thread::spawn(move || stdin.write_all(requests.as_bytes()));
    let mut out = BufReader::new(child.stdout.take().ok_or("git cat-file has no output")?);
    for path in paths {
        let mut header = String::new();
        if out.read_line(&mut header).map_err(|e| e.to_string())? == 0 {
            break;
        }
        // `<id> blob <size>`, or `<name> missing`.
        let mut parts = header.split_whitespace();
        let size = match (parts.next(), parts.next(), parts.next()) {
            (Some(_), Some(_), Some(size)) => size.parse::<usize>().map_err(|e| e.to_string())?,
            _ => continue,
        };
        let mut bytes = vec![0; size + 1];
        out.read_exact(&mut bytes).map_err(|e| e.to_string())?;
        bytes.pop();
        texts.insert(path.clone(), String::from_utf8_lossy(&bytes).into_owned());
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(texts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_name_status() {
        let out = "M\0content/a.md\0R087\0content/old.md\0content/new.md\0D\0content/gone.md\0A\0content/b.md\0C100\0content/a.md\0content/copy.md\0";
        assert_eq!(
            parse_name_status(out),
            [
                Diff::Modified("content/a.md".into()),
                Diff::Renamed("content/old.md".into(), "content/new.md".into()),
                Diff::Deleted("content/gone.md".into()),
                Diff::Added("content/b.md".into()),
                Diff::Added("content/copy.md".into()),
            ]
        );
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
