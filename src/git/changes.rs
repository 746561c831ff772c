//! The recent changes of the handbook's pages, for the "Recent changes" page and its Atom feed:
//! the latest merges and commits of the branch that touched `content/`, newest first, each
//! with the pages it added, changed, renamed or removed.
//!
//! One `git log` process with `--first-parent`: a merge request merged with a merge commit is
//! one change (the merge, compared with the branch before it, so with every page the merge
//! request touched), and a commit made on the branch itself (or a squash merge) is one too.
//! `-n` bounds it: git stops walking the history after [`LIMIT`] changes, however many commits
//! the repository has.

use crate::git::{MARKER, Repo};
use crate::layout::CONTENT_DIR;
use crate::source;
use serde::Serialize;
use std::collections::HashSet;

/// How many changes git is asked for.
pub const LIMIT: usize = 50;

/// How many pages of one change are kept; the others are counted. An import of a whole
/// handbook in one commit touches every page.
pub const FILES_KEPT: usize = 100;

/// The latest changes, newest first.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Changes {
    pub entries: Vec<Change>,
    /// The clone's history is cut (a shallow clone) before [`LIMIT`] changes were found:
    /// older ones are not known.
    pub cut: bool,
}

/// One merge or commit of the branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The commit's full id.
    pub commit: String,
    /// When it landed on the branch (the committer date, RFC 3339, in its own time zone).
    pub date: String,
    pub author: String,
    /// The merge request's title for a merge commit GitHub or GitLab made, else the commit's
    /// subject.
    pub title: String,
    /// The merge request's number (`12` of GitHub's `#12`, GitLab's `!12`), when the message
    /// names it.
    pub request: Option<u64>,
    pub merge: bool,
    /// Its pages, by path relative to `content/`, in the order git lists them: the first
    /// [`FILES_KEPT`].
    pub files: Vec<FileChange>,
    /// How many more pages it touched.
    pub more: usize,
}

/// What a change did to one page's file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileChange {
    /// `added`, `changed`, `renamed` or `removed`.
    pub kind: &'static str,
    /// Relative to `content/`: where the page is after the change.
    pub path: String,
    /// A renamed page's path before.
    pub from: Option<String>,
}

/// The recent changes of `content/` of the handbook in `repo`; `None` when git cannot tell.
pub fn load(repo: &Repo) -> Option<Changes> {
    let content = format!("{}{CONTENT_DIR}/", repo.prefix);
    // Read before the log, as in `history.rs`.
    let boundaries = repo.shallow_boundaries();
    let format = format!("--format={MARKER}%H%x09%cI%x09%aN%x09%P%x09%B");
    let limit = format!("--max-count={LIMIT}");
    let log = repo
        .run(&[
            "--literal-pathspecs",
            "log",
            "-z",
            &format,
            "--first-parent",
            "--diff-merges=first-parent",
            "--name-status",
            "--find-renames",
            "--no-show-signature",
            &limit,
            "--",
            &content,
        ])
        .ok()?;
    Some(parse_log(&log, &content, &boundaries))
}

/// Reads the log `load` asks for: each commit `<MARKER>id\tdate\tauthor\tparents\tmessage\0`,
/// then its files as `\n` and `status\0path\0` (`R<score>\0old\0new\0` for a rename). Changes
/// at a shallow boundary (which git shows as adding every file) are left out, and mark the
/// list as cut.
pub fn parse_log(log: &str, content: &str, boundaries: &HashSet<String>) -> Changes {
    let mut changes = Changes::default();
    let mut current: Option<Change> = None;
    let mut tokens = log.split('\0');
    let rel = |path: &str| {
        path.strip_prefix(content)
            .filter(|r| source::is_markdown(r))
            .map(str::to_string)
    };
    let finish = |change: Option<Change>, changes: &mut Changes| {
        if let Some(change) = change {
            if boundaries.contains(&change.commit) {
                changes.cut = true;
            } else if !change.files.is_empty() {
                changes.entries.push(change);
            }
        }
    };
    while let Some(token) = tokens.next() {
        let token = token.strip_prefix('\n').unwrap_or(token);
        if let Some(header) = token.strip_prefix(MARKER) {
            finish(current.take(), &mut changes);
            current = parse_header(header);
            continue;
        }
        let Some(change) = current.as_mut() else {
            continue;
        };
        let status = token.as_bytes().first().copied();
        let file = match status {
            Some(b'R' | b'C') => {
                let (Some(old), Some(new)) = (tokens.next(), tokens.next()) else {
                    break;
                };
                match (rel(old), rel(new), status) {
                    (Some(from), Some(path), Some(b'R')) => Some(FileChange {
                        kind: "renamed",
                        path,
                        from: Some(from),
                    }),
                    (_, Some(path), _) => Some(FileChange {
                        kind: "added",
                        path,
                        from: None,
                    }),
                    (Some(from), None, Some(b'R')) => Some(FileChange {
                        kind: "removed",
                        path: from,
                        from: None,
                    }),
                    _ => None,
                }
            }
            Some(b'A' | b'M' | b'D' | b'T') => {
                let Some(path) = tokens.next() else { break };
                rel(path).map(|path| FileChange {
                    kind: match status {
                        Some(b'A') => "added",
                        Some(b'D') => "removed",
                        _ => "changed",
                    },
                    path,
                    from: None,
                })
            }
            _ => None,
        };
        if let Some(file) = file {
            if change.files.len() < FILES_KEPT {
                change.files.push(file);
            } else {
                change.more += 1;
            }
        }
    }
    finish(current, &mut changes);
    changes
}

/// `id\tdate\tauthor\tparents\tmessage` → the change, without its files.
fn parse_header(header: &str) -> Option<Change> {
    let mut fields = header.splitn(5, '\t');
    let commit = fields.next()?.to_string();
    let date = fields.next()?.to_string();
    let author = fields.next()?.trim().to_string();
    let merge = fields.next()?.split_whitespace().count() > 1;
    let message = fields.next().unwrap_or("");
    let (title, request) = title_of(message, merge);
    (date.len() >= 20).then_some(Change {
        commit,
        date,
        author,
        title,
        request,
        merge,
        files: Vec::new(),
        more: 0,
    })
}

/// The title a reader knows a change by, and the merge request's number if the message names
/// it. GitHub's merge commits say `Merge pull request #12 from user/branch` and then the pull
/// request's title; GitLab's say `Merge branch 'x' into 'main'`, then the title, and end with
/// `See merge request group/project!12`; squash merges end their subject with `(#12)`.
fn title_of(message: &str, merge: bool) -> (String, Option<u64>) {
    let mut lines = message.lines().map(str::trim);
    let subject = lines.next().unwrap_or("").to_string();
    let rest: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
    let number = |text: &str| -> Option<u64> {
        let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    };
    let github = subject
        .strip_prefix("Merge pull request #")
        .and_then(number);
    let gitlab = rest
        .iter()
        .rev()
        .find_map(|l| l.strip_prefix("See merge request "))
        .and_then(|r| r.rsplit_once('!'))
        .and_then(|(_, n)| number(n));
    let squash = subject
        .strip_suffix(')')
        .and_then(|s| s.rsplit_once("(#"))
        .and_then(|(_, n)| n.parse().ok());
    let made_by_forge = merge
        && (subject.starts_with("Merge pull request ") || subject.starts_with("Merge branch "));
    let title = match rest.first() {
        Some(first) if made_by_forge && !first.starts_with("See merge request ") => {
            first.to_string()
        }
        _ => subject,
    };
    (title, github.or(gitlab).or(squash))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file of a commit: its status and paths.
    type File<'a> = (&'a str, &'a [&'a str]);

    /// A log as `load` reads it: each commit `(id, parents, message, files)`.
    fn log(commits: &[(&str, &str, &str, &[File<'_>])]) -> String {
        let mut out = String::new();
        for (id, parents, message, files) in commits {
            out.push_str(&format!(
                "{MARKER}{id}\t2026-11-20T09:00:00+01:00\tAnn Lee\t{parents}\t{message}\n\0"
            ));
            if !files.is_empty() {
                out.push('\n');
            }
            for (status, paths) in *files {
                out.push_str(status);
                out.push('\0');
                for path in *paths {
                    out.push_str(path);
                    out.push('\0');
                }
            }
        }
        out
    }

    #[test]
    fn reads_merges_commits_and_what_they_did_to_pages() {
        let text = log(&[
            (
                "m1",
                "p1 p2",
                "Merge pull request #12 from ann/triage\n\nRewrite the triage page",
                &[
                    ("M", &["content/triage.md"]),
                    ("R087", &["content/old name.md", "content/new name.md"]),
                    ("A", &["content/images/x.png"]),
                ],
            ),
            (
                "c2",
                "p0",
                "Fix a typo (#9)",
                &[("D", &["content/gone.md"]), ("A", &["content/new.md"])],
            ),
            ("c1", "px", "Only the logo", &[("M", &["content/logo.svg"])]),
        ]);
        let changes = parse_log(&text, "content/", &HashSet::new());
        assert!(!changes.cut);
        assert_eq!(
            changes.entries.len(),
            2,
            "a change without pages is left out"
        );
        let merge = &changes.entries[0];
        assert!(merge.merge);
        assert_eq!(merge.title, "Rewrite the triage page");
        assert_eq!(merge.request, Some(12));
        assert_eq!(merge.author, "Ann Lee");
        assert_eq!(merge.date, "2026-11-20T09:00:00+01:00");
        assert_eq!(
            merge.files,
            [
                FileChange {
                    kind: "changed",
                    path: "triage.md".into(),
                    from: None
                },
                FileChange {
                    kind: "renamed",
                    path: "new name.md".into(),
                    from: Some("old name.md".into())
                },
            ]
        );
        let commit = &changes.entries[1];
        assert!(!commit.merge);
        assert_eq!(commit.title, "Fix a typo (#9)");
        assert_eq!(commit.request, Some(9));
        assert_eq!(commit.files[0].kind, "removed");
        assert_eq!(commit.files[1].kind, "added");
    }

    #[test]
    fn keeps_the_first_pages_of_a_huge_change_and_counts_the_rest() {
        let paths: Vec<String> = (0..FILES_KEPT + 7)
            .map(|n| format!("content/p{n}.md"))
            .collect();
        let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
        let files: Vec<File<'_>> = refs
            .iter()
            .map(|p| ("A", std::slice::from_ref(p)))
            .collect();
        let text = log(&[("c1", "", "Import the handbook", &files)]);
        let changes = parse_log(&text, "content/", &HashSet::new());
        assert_eq!(changes.entries[0].files.len(), FILES_KEPT);
        assert_eq!(changes.entries[0].more, 7);
    }

    #[test]
    fn reads_gitlab_merge_commits() {
        let (title, request) = title_of(
            "Merge branch 'ann-triage' into 'main'\n\nRewrite the triage page\n\nSee merge request acme/handbook!345\n",
            true,
        );
        assert_eq!(title, "Rewrite the triage page");
        assert_eq!(request, Some(345));
        // A merge made on the command line keeps its subject.
        assert_eq!(
            title_of("Merge branch 'x'\n", true),
            ("Merge branch 'x'".to_string(), None)
        );
        assert_eq!(title_of("", false), (String::new(), None));
    }

    #[test]
    fn leaves_out_shallow_boundaries_and_garbage() {
        let text = log(&[
            ("c2", "c1", "Newer", &[("M", &["content/a.md"])]),
            ("c1", "", "Cut here", &[("A", &["content/a.md"])]),
        ]);
        let changes = parse_log(&text, "content/", &HashSet::from(["c1".to_string()]));
        assert!(changes.cut);
        assert_eq!(changes.entries.len(), 1);
        assert_eq!(changes.entries[0].title, "Newer");
        let garbage = format!("{MARKER}bad\0\nM\0content/a.md\0R100\0content/b.md");
        assert!(
            parse_log(&garbage, "content/", &HashSet::new())
                .entries
                .is_empty()
        );
        assert!(
            parse_log("", "content/", &HashSet::new())
                .entries
                .is_empty()
        );
    }
}
