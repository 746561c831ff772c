//! The handbook's git repository, through the `git` command (the one every contributor and
//! Netlify's build image have). Everything here degrades: outside a checkout, without `git`,
//! or with too little history, callers get `None` or an error message, never a failed build.

pub mod changes;
pub mod codeowners;
pub mod history;

use crate::diagnostics::Diagnostic;
use changes::Changes;
use codeowners::CodeOwners;
use history::History;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A git work tree that holds the handbook.
#[derive(Debug, Clone)]
pub struct Repo {
    /// The work tree's top folder.
    pub top: PathBuf,
    /// Where the handbook's folder is inside the repository: `""` at its top, else
    /// `docs/handbook/` (with a trailing `/`). Paths git prints start with it.
    pub prefix: String,
}

impl Repo {
    /// The repository `root` is in; `None` outside a git work tree or without `git`.
    pub fn open(root: &Path) -> Option<Repo> {
        let out = run_in(root, &["rev-parse", "--show-toplevel", "--show-prefix"]).ok()?;
        let mut lines = out.lines();
        let top = PathBuf::from(lines.next()?);
        let prefix = lines.next().unwrap_or("").to_string();
        Some(Repo { top, prefix })
    }

    /// Runs `git args...` at the top of the work tree; its standard output, or what it said
    /// went wrong.
    pub fn run(&self, args: &[&str]) -> Result<String, String> {
        run_in(&self.top, args)
    }

    /// A clone made with `--depth`: some history is missing.
    pub fn is_shallow(&self) -> bool {
        self.run(&["rev-parse", "--is-shallow-repository"])
            .is_ok_and(|out| out.trim() == "true")
    }

    /// The commits where a shallow clone's history is cut (listed in `.git/shallow`): git shows
    /// each of them as if it added every file it has. Empty for a full clone.
    pub fn shallow_boundaries(&self) -> HashSet<String> {
        let Ok(out) = self.run(&["rev-parse", "--git-path", "shallow"]) else {
            return HashSet::new();
        };
        // Relative to the folder git ran in, or absolute (in a linked work tree).
        let path = self.top.join(out.trim());
        std::fs::read_to_string(path)
            .map(|text| {
                text.lines()
                    .map(str::trim)
                    .filter(|id| !id.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The full id of a commit, branch or tag, if the repository has it.
    pub fn commit_of(&self, rev: &str) -> Option<String> {
        let spec = format!("{rev}^{{commit}}");
        self.run(&["rev-parse", "--verify", "--quiet", &spec])
            .ok()
            .map(|out| out.trim().to_string())
            .filter(|id| !id.is_empty())
    }

    /// The handbook path `rel` (relative to the handbook's folder) as git names it.
    pub fn path_of(&self, rel: &str) -> String {
        format!("{}{rel}", self.prefix)
    }
}

/// What git tells of the handbook, read once by `build`, `check` and `serve`: when each page
/// last changed, the recent changes, and who owns each file. Empty outside a git checkout.
#[derive(Debug, Default)]
pub struct Record {
    pub history: History,
    /// `None` outside a checkout or when git cannot tell.
    pub changes: Option<Changes>,
    /// `None` without a `CODEOWNERS` file.
    pub owners: Option<Owners>,
}

impl Record {
    /// Reads all of it for the handbook at `root`: the two `git log`s run at the same time.
    pub fn load(root: &Path) -> Record {
        let Some(repo) = Repo::open(root) else {
            return Record::default();
        };
        std::thread::scope(|scope| {
            let changes = scope.spawn(|| changes::load(&repo));
            let history = history::load(&repo);
            let owners = Owners::find(&repo);
            Record {
                history,
                // A panic while reading the log costs the list, not the build.
                changes: changes.join().ok().flatten(),
                owners,
            }
        })
    }
}

/// The repository's `CODEOWNERS`, with the handbook's place in the repository.
#[derive(Debug)]
pub struct Owners {
    /// The file, from the top of the repository: `.github/CODEOWNERS`.
    pub file: String,
    pub rules: CodeOwners,
    /// Lines that could not be read.
    pub problems: Vec<codeowners::Problem>,
    /// Where the handbook's folder is in the repository (see [`Repo::prefix`]).
    prefix: String,
}

/// Where GitHub and GitLab look for `CODEOWNERS`, from the top of the repository, in the
/// order handbook does: the first one there is the one used.
pub const CODEOWNERS_FILES: [&str; 4] = [
    ".github/CODEOWNERS",
    "CODEOWNERS",
    "docs/CODEOWNERS",
    ".gitlab/CODEOWNERS",
];

impl Owners {
    /// The first `CODEOWNERS` of [`CODEOWNERS_FILES`] in `repo`'s work tree: read as a file
    /// of the repository itself (never through a symbolic link, never a pipe).
    pub fn find(repo: &Repo) -> Option<Owners> {
        CODEOWNERS_FILES.iter().find_map(|name| {
            let path = crate::source::walk::own_file(&repo.top, name).ok()??;
            let text = crate::source::walk::read_to_string(&path).ok()?;
            Some(Owners::new(name.to_string(), &text, repo.prefix.clone()))
        })
    }

    /// `text` read as the `CODEOWNERS` file `file`, for a handbook at `prefix` in the repository.
    pub fn new(file: String, text: &str, prefix: String) -> Owners {
        let (rules, problems) = CodeOwners::parse(text);
        Owners {
            file,
            rules,
            problems,
            prefix,
        }
    }

    /// Where the handbook's folder is in the repository: `docs/handbook/`, or empty.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The owners of `rel`, a path relative to the handbook's folder (`content/a.md`).
    pub fn of(&self, rel: &str) -> Vec<&str> {
        self.rules.owners_of(&format!("{}{rel}", self.prefix))
    }

    /// The lines of the file that could not be read, as warnings.
    pub fn warnings(&self) -> Vec<Diagnostic> {
        self.problems
            .iter()
            .map(|p| {
                Diagnostic::warning(self.file.clone(), p.message.clone())
                    .at(p.line, 1)
                    .help("this line gives no one anything; GitHub and GitLab skip it too")
            })
            .collect()
    }
}

/// Starts each commit's header in the logs handbook reads (`history.rs`, `changes.rs`), so that
/// headers and file names cannot be mistaken for each other (every file name git prints starts
/// with the handbook's path).
const MARKER: char = '\u{1e}';

fn run_in(dir: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        // Never wait for a password or an editor: a build has no one to answer.
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(Stdio::null())
        .output()
        .map_err(|err| format!("cannot run git: {err}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        let said = String::from_utf8_lossy(&output.stderr);
        let said = said.trim();
        Err(if said.is_empty() {
            format!("`git {}` failed ({})", args.join(" "), output.status)
        } else {
            said.lines().last().unwrap_or(said).to_string()
        })
    }
}
