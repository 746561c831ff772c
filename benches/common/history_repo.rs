//! A git repository with a long history around a generated handbook, for `benches/history.rs`
//! (which includes this file with `#[path]`, with `common/generator.rs` and `common/measure.rs`).
//!
//! Made with one `git fast-import` stream, not with thousands of `git commit`s: a first commit
//! with every file of the generated site, then changes over about three years by [`AUTHORS`]
//! people until the history has [`COMMITS`] commits in all. Each change touches 1 to 5 pages of
//! `content/` (one more line appended to each, so that its content changes), about half of
//! them in the folder of the first. About one change in ten goes through a merge request: 1 to
//! 3 commits on a branch, merged into `main` with a merge commit. A few hundred commits move a
//! page to another folder, and a later commit moves it back, so that the checked-out tree is
//! the generated site's files with lines appended, and builds without a warning. The objects
//! are then packed again (`git repack -adf`), as for a clone.
//!
//! Next to the repository is a plain copy of its work tree, without `.git`: the same files,
//! with no history. Both are made once and kept under `target/bench-sites/` with a marker
//! file; they are made again when the generated site's marker or this file changes.
//!
//! No random crate: a small xorshift generator with a fixed seed, so every run makes the same
//! history (the same commits, the same ids).

use super::generator::MARKER_FILE;
use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Commits in the history, the first one, the merge requests' and their merges included.
pub const COMMITS: usize = 20_000;
/// People who write the commits.
pub const AUTHORS: usize = 150;
/// The marker of a made repository, in the folder that holds it and its plain copy.
const HISTORY_MARKER: &str = ".history-version";
/// This file, so that any edit to it makes the repository again.
const SOURCE: &str = include_str!("history_repo.rs");
/// 2023-12-04 00:00 UTC: three years before the benches' figures.
const START: u64 = 1_701_648_000;
const THREE_YEARS: u64 = 3 * 365 * 24 * 3600;

/// The repository and its plain copy.
pub struct HistoryRepo {
    /// The git work tree: `<base>/<site>-history/repo`.
    pub repo: PathBuf,
    /// The same files without `.git`: `<base>/<site>-history/plain`.
    pub plain: PathBuf,
}

/// xorshift64*: enough for picking pages and people.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// 0..n
    fn below(&mut self, n: usize) -> usize {
        ((self.next() >> 11) % n as u64) as usize
    }

    /// lo..=hi
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
}

const FIRST_NAMES: [&str; 15] = [
    "Ada", "Ben", "Chloe", "Dev", "Elif", "Femi", "Greta", "Hiro", "Ines", "Jonas", "Kofi", "Lena",
    "Mateo", "Nadia", "Omar",
];
const LAST_NAMES: [&str; 10] = [
    "Andersen", "Brooks", "Castillo", "Dubois", "Eriksen", "Fischer", "Gupta", "Haddad", "Ivanova",
    "Jansen",
];
/// Each author's time zone: git shows a commit's date in its author's.
const ZONES: [&str; 8] = [
    "+0000", "+0100", "+0200", "-0500", "-0800", "+0530", "+0900", "-0300",
];
const CHANGES: [&str; 8] = [
    "clarified who to ask",
    "updated the steps after the last review",
    "added a note on exceptions",
    "fixed a broken example",
    "linked the new dashboard",
    "removed an outdated tool",
    "reworded the overview",
    "added the on-call contact",
];

struct Author {
    name: String,
    email: String,
    zone: &'static str,
}

fn authors() -> Vec<Author> {
    (0..AUTHORS)
        .map(|i| {
            let (first, last) = (FIRST_NAMES[i % 15], LAST_NAMES[i / 15 % 10]);
            Author {
                name: format!("{first} {last}"),
                email: format!("{}.{}@example.com", first, last).to_lowercase(),
                zone: ZONES[(i * 5 + i / 15) % ZONES.len()],
            }
        })
        .collect()
}

/// FNV-1a, for the marker.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The repository of the generated site at `source`, made under `base` unless it is there and
/// up to date. An outdated one is moved into `trash` (which the bench deletes at its end).
pub fn ensure_history_repo(source: &Path, base: &Path, trash: &Path) -> HistoryRepo {
    let name = format!("{}-history", source.file_name().unwrap().to_string_lossy());
    let dir = base.join(&name);
    let found = HistoryRepo {
        repo: dir.join("repo"),
        plain: dir.join("plain"),
    };
    let source_marker = fs::read_to_string(source.join(MARKER_FILE)).unwrap_or_default();
    let marker = format!(
        "{source_marker}history commits={COMMITS} authors={AUTHORS} source={:016x}\n",
        fnv(SOURCE.as_bytes())
    );
    if fs::read_to_string(dir.join(HISTORY_MARKER)).ok().as_deref() == Some(marker.as_str()) {
        println!("repository {}: up to date", found.repo.display());
        return found;
    }
    let started = Instant::now();
    let tmp = base.join(format!("{name}.tmp"));
    let _ = fs::remove_dir_all(&tmp);
    let repo = tmp.join("repo");
    fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "--quiet", "--initial-branch=main"]);
    let (commits, merges, renames) = fast_import(source, &repo);
    let imported = started.elapsed();
    git(&repo, &["update-ref", "-d", "refs/heads/mr"]);
    // fast-import's pack is three times the size of the one a clone gets (it makes deltas
    // only against the blob before), so the objects are packed again with git's default
    // window and depth, as a server packs them for a clone. No commit-graph: a clone has none.
    git(&repo, &["repack", "-a", "-d", "-f", "-q"]);
    let repacked = started.elapsed();
    git(&repo, &["reset", "--quiet", "--hard", "main"]);
    let counted: usize = git(&repo, &["rev-list", "--count", "HEAD"])
        .trim()
        .parse()
        .unwrap();
    assert_eq!(counted, COMMITS, "commits in the made history");
    assert_eq!(
        git(&repo, &["status", "--porcelain"]),
        "",
        "the work tree differs from HEAD"
    );
    let checked_out = started.elapsed();
    copy_work_tree(&repo, &tmp.join("plain"));
    fs::write(tmp.join(HISTORY_MARKER), &marker).unwrap();
    if dir.exists() {
        fs::rename(&dir, trash.join(format!("old-{name}")))
            .expect("move the outdated repository away");
    }
    fs::rename(&tmp, &dir).expect("move the made repository into place");
    println!(
        "repository {}: made in {:.1} s (fast-import {:.1} s, repack {:.1} s, checkout {:.1} s, plain copy {:.1} s): \
         {commits} commits ({merges} merges, {renames} moves of a page and back), {} in .git",
        found.repo.display(),
        started.elapsed().as_secs_f64(),
        imported.as_secs_f64(),
        (repacked - imported).as_secs_f64(),
        (checked_out - repacked).as_secs_f64(),
        (started.elapsed() - checked_out).as_secs_f64(),
        mb(git_dir_bytes(&found.repo)),
    );
    found
}

/// The bytes under `repo/.git`.
pub fn git_dir_bytes(repo: &Path) -> u64 {
    super::measure::folder_bytes(&repo.join(".git"), "").0
}

/// `123.4 MB`.
pub fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// Runs `git args...` in `dir`; its stdout. Panics when git fails.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run git: {e}"));
    assert!(
        out.status.success(),
        "git {args:?} in {} failed: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The files of `root` (relative paths with `/`, sorted), the marker left out.
fn files_of(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for entry in fs::read_dir(root.join(&rel)).unwrap().flatten() {
            let path = rel.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            } else if path != Path::new(MARKER_FILE) {
                files.push(path.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    files.sort();
    files
}

/// Copies the work tree at `from` into `to`, without `.git`.
fn copy_work_tree(from: &Path, to: &Path) {
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        fs::create_dir_all(to.join(&rel)).unwrap();
        for entry in fs::read_dir(from.join(&rel)).unwrap().flatten() {
            let path = rel.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                if path != Path::new(".git") {
                    stack.push(path);
                }
            } else {
                fs::copy(entry.path(), to.join(&path)).unwrap();
            }
        }
    }
}

/// One change to the tree, as fast-import takes it, kept to be replayed by a merge commit.
enum Op {
    /// The blob of mark `.0` at path `.1`.
    Modify(usize, String),
    Rename(String, String),
}

/// Writes the history into `git fast-import` in `repo`: (commits, merges, moves).
fn fast_import(source: &Path, repo: &Path) -> (usize, usize, usize) {
    let files = files_of(source);
    for f in &files {
        assert!(
            !f.contains([' ', '"', '\n', '\t']),
            "a path fast-import would need quoted: {f}"
        );
    }
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet", "--done"])
        .current_dir(repo)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run git fast-import: {e}"));
    let mut imp = Import {
        out: BufWriter::with_capacity(1 << 20, child.stdin.take().unwrap()),
        mark: 0,
        when: START,
    };
    let people = authors();
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);

    // The first commit: every file.
    let mut contents: Vec<Vec<u8>> = Vec::with_capacity(files.len());
    let mut ops = Vec::with_capacity(files.len());
    for f in &files {
        let bytes = fs::read(source.join(f)).unwrap();
        ops.push(Op::Modify(imp.blob(&bytes), f.clone()));
        contents.push(bytes);
    }
    let first = &people[0];
    let mut main = imp.commit(
        "main",
        first,
        first,
        "Import the handbook",
        None,
        None,
        &ops,
    );
    let mut commits = 1;

    // The pages that changes touch: every Markdown file of `content/`, by folder.
    let pages: Vec<usize> = (0..files.len())
        .filter(|&i| files[i].starts_with("content/") && files[i].ends_with(".md"))
        .collect();
    let mut by_folder: HashMap<&str, Vec<usize>> = HashMap::new();
    for &i in &pages {
        by_folder.entry(folder(&files[i])).or_default().push(i);
    }
    let folders: Vec<&str> = {
        let mut f: Vec<&str> = by_folder.keys().copied().collect();
        f.sort();
        f
    };
    // Where each file is now (a moved page is elsewhere until it is moved back), and the
    // moves back still to make: (the commit they are due at, the file).
    let mut at: Vec<String> = files.clone();
    let mut taken: HashSet<String> = files.iter().cloned().collect();
    let mut moved_back: Vec<(usize, usize)> = Vec::new();
    let (mut merges, mut renames, mut change) = (0, 0, 0);

    // One commit's changes: pages with a line appended, maybe a page moved, moves back due.
    let mut changes =
        |rng: &mut XorShift, commits: usize, imp: &mut Import, who: &Author, last: bool| {
            change += 1;
            let mut ops = Vec::new();
            let mut due: Vec<usize> = Vec::new();
            moved_back.retain(|&(when, i)| {
                let now = last || when <= commits;
                if now {
                    due.push(i);
                }
                !now
            });
            for i in due {
                let back = files[i].clone();
                ops.push(Op::Rename(
                    std::mem::replace(&mut at[i], back.clone()),
                    back,
                ));
            }
            let home = folders[rng.below(folders.len())];
            let n = rng.range(1, 5);
            let mut touched = Vec::new();
            for _ in 0..n {
                let list = if touched.is_empty() || rng.below(2) == 0 {
                    &by_folder[home]
                } else {
                    &by_folder[folders[rng.below(folders.len())]]
                };
                let i = list[rng.below(list.len())];
                if !touched.contains(&i) {
                    touched.push(i);
                }
            }
            // About 1.5% of commits move a page (not a folder's index) to another folder.
            if !last && rng.below(1000) < 15 {
                let i = touched[0];
                let file = file_name(&files[i]);
                let to = format!("{}/{file}", folders[rng.below(folders.len())]);
                if file != "index.md" && at[i] == files[i] && !taken.contains(&to) {
                    taken.insert(to.clone());
                    ops.push(Op::Rename(std::mem::replace(&mut at[i], to.clone()), to));
                    moved_back.push((commits + rng.range(10, 1500), i));
                    renames += 1;
                }
            }
            for &i in &touched {
                let what = CHANGES[rng.below(CHANGES.len())];
                let line = format!("\nChange {change} by {}: {what}.\n", who.name);
                contents[i].extend_from_slice(line.as_bytes());
                ops.push(Op::Modify(imp.blob(&contents[i]), at[i].clone()));
            }
            let shown = file_name(&at[touched[0]])
                .trim_end_matches(".md")
                .to_string();
            let message = match touched.len() {
                1 => format!("{}: update {shown}", folder(&at[touched[0]])),
                k => format!(
                    "{}: update {shown} and {} more",
                    folder(&at[touched[0]]),
                    k - 1
                ),
            };
            (ops, message)
        };

    while commits < COMMITS - 1 {
        let left = COMMITS - 1 - commits;
        // Half of the changes by a core of 30 people, the rest by anyone.
        let among = if rng.below(2) == 0 { 30 } else { AUTHORS };
        let who = &people[rng.below(among)];
        if rng.below(10) == 0 && left >= 3 {
            // A merge request: 1 to 3 commits on a branch from main, then a merge commit that
            // replays them onto main (fast-import takes a merge's tree from its first parent).
            let n = rng.range(1, 3.min(left - 1));
            let mut tip = main;
            let mut all = Vec::new();
            for _ in 0..n {
                imp.tick(&mut rng);
                let (ops, message) = changes(&mut rng, commits, &mut imp, who, false);
                tip = imp.commit("mr", who, who, &message, Some(tip), None, &ops);
                all.extend(ops);
                commits += 1;
            }
            imp.tick(&mut rng);
            let merger = &people[rng.below(10)];
            let message =
                format!("Merge branch 'mr-{merges}' into 'main'\n\nSee merge request !{merges}");
            main = imp.commit(
                "main",
                merger,
                merger,
                &message,
                Some(main),
                Some(tip),
                &all,
            );
            commits += 1;
            merges += 1;
        } else {
            imp.tick(&mut rng);
            let (ops, message) = changes(&mut rng, commits, &mut imp, who, false);
            main = imp.commit("main", who, who, &message, Some(main), None, &ops);
            commits += 1;
        }
    }
    // The last commit moves back every page still away.
    let who = &people[0];
    imp.tick(&mut rng);
    let (ops, message) = changes(&mut rng, commits, &mut imp, who, true);
    assert!(at == files, "a page is still moved away");
    imp.commit("main", who, who, &message, Some(main), None, &ops);
    commits += 1;
    writeln!(imp.out, "done").unwrap();
    drop(imp);
    let status = child.wait().unwrap();
    assert!(status.success(), "git fast-import failed: {status}");
    (commits, merges, renames)
}

/// `content/a/b` of `content/a/b/page-1.md`.
fn folder(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

fn file_name(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, name)| name)
}

/// The fast-import stream being written.
struct Import {
    out: BufWriter<std::process::ChildStdin>,
    mark: usize,
    /// The time of the latest commit, in seconds since the epoch.
    when: u64,
}

impl Import {
    /// Moves time on by 0 to twice the average gap between commits (three years in all).
    fn tick(&mut self, rng: &mut XorShift) {
        let gap = THREE_YEARS / COMMITS as u64;
        self.when += rng.below(2 * gap as usize + 1) as u64;
    }

    fn blob(&mut self, bytes: &[u8]) -> usize {
        self.mark += 1;
        write!(
            self.out,
            "blob\nmark :{}\ndata {}\n",
            self.mark,
            bytes.len()
        )
        .unwrap();
        self.out.write_all(bytes).unwrap();
        self.out.write_all(b"\n").unwrap();
        self.mark
    }

    #[allow(clippy::too_many_arguments)]
    fn commit(
        &mut self,
        branch: &str,
        author: &Author,
        committer: &Author,
        message: &str,
        from: Option<usize>,
        merge: Option<usize>,
        ops: &[Op],
    ) -> usize {
        self.mark += 1;
        let w = &mut self.out;
        let when = self.when;
        writeln!(w, "commit refs/heads/{branch}\nmark :{}", self.mark).unwrap();
        writeln!(
            w,
            "author {} <{}> {when} {}",
            author.name, author.email, author.zone
        )
        .unwrap();
        writeln!(
            w,
            "committer {} <{}> {when} {}",
            committer.name, committer.email, committer.zone
        )
        .unwrap();
        write!(w, "data {}\n{message}\n", message.len()).unwrap();
        if let Some(from) = from {
            writeln!(w, "from :{from}").unwrap();
        }
        if let Some(merge) = merge {
            writeln!(w, "merge :{merge}").unwrap();
        }
        for op in ops {
            match op {
                Op::Modify(blob, path) => writeln!(w, "M 100644 :{blob} {path}").unwrap(),
                Op::Rename(from, to) => writeln!(w, "R {from} {to}").unwrap(),
            }
        }
        writeln!(w).unwrap();
        self.mark
    }
}
