//! The three questions to git: which files differ from the base (`git diff`), which are new
//! and not yet committed (`git ls-files`), and the old text of those that differ
//! (`git cat-file --batch`).

use crate::git::Repo;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

/// A file that differs from the base, as `git diff --name-status` tells.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Diff {
    Added(String),
    Modified(String),
    Deleted(String),
    Renamed(String, String),
}

impl Diff {
    /// The file's path in the base, if it was there.
    pub(super) fn old_path(&self) -> Option<&str> {
        match self {
            Diff::Modified(p) | Diff::Deleted(p) | Diff::Renamed(p, _) => Some(p),
            Diff::Added(_) => None,
        }
    }

    /// The file's path before and after, `None` where it is absent.
    pub(super) fn old_and_new(&self) -> (Option<&String>, Option<&String>) {
        match self {
            Diff::Added(p) => (None, Some(p)),
            Diff::Modified(p) => (Some(p), Some(p)),
            Diff::Deleted(p) => (Some(p), None),
            Diff::Renamed(from, to) => (Some(from), Some(to)),
        }
    }
}

/// The files of `content` (git's path of `content/`) that differ from `commit`, committed
/// or not: `git diff` misses the new files git does not track yet.
pub(super) fn changed_files(repo: &Repo, commit: &str, content: &str) -> Result<Vec<Diff>, String> {
    let diff = repo.run(&[
        "diff",
        "--name-status",
        "-z",
        "-M",
        "--no-ext-diff",
        "--no-color",
        commit,
        "--",
        content,
    ])?;
    let mut diffs = parse_name_status(&diff);
    let untracked = repo.run(&[
        "ls-files",
        "--others",
        "--exclude-standard",
        "-z",
        "--",
        content,
    ])?;
    diffs.extend(
        untracked
            .split('\0')
            .filter(|p| !p.is_empty())
            .map(|p| Diff::Added(p.to_string())),
    );
    Ok(diffs)
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
pub(super) fn read_blobs(
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
}
