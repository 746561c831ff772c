//! The `git` command for tests: fixed authors and dates, without the user's or the system's
//! settings.

use std::path::Path;
use std::process::Command;

/// Runs `git args...` in `dir`, as `author` at `date` for commits; panics if git fails. The
/// user's and the system's git settings are left out.
pub fn git_as(dir: &Path, author: &str, date: &str, args: &[&str]) -> String {
    let email = format!("{}@example.com", author.replace(' ', ".").to_lowercase());
    let output = Command::new("git")
        .args(["-c", &format!("user.name={author}")])
        .args(["-c", &format!("user.email={email}")])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .expect("run git");
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Runs `git args...` in `dir` as a fixed author at a fixed date.
pub fn git(dir: &Path, args: &[&str]) -> String {
    git_as(dir, "Nobody", "2000-01-01T00:00:00Z", args)
}

/// Stages everything in `dir` and commits it as `author` at `date`.
pub fn commit(dir: &Path, author: &str, date: &str) {
    git(dir, &["add", "--all"]);
    git_as(dir, author, date, &["commit", "-q", "-m", "change"]);
}
