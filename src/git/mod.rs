//! The handbook's git repository, through the `git` command (the one every contributor and
//! Netlify's build image have). Everything here degrades: outside a checkout, without `git`,
//! or with too little history, callers get `None` or an error message, never a failed build.

pub mod codeowners;
pub mod history;

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
