//! A merge request in a real git repository, for the tests of previews.

use super::Fixture;
use std::path::Path;
use std::process::Command;

pub fn page(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\n---\n\n{body}")
}

/// Runs `git` in `dir` with a fixed identity and dates, and no user or system configuration.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Ada Reviewer")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada Reviewer")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com")
        .env("GIT_AUTHOR_DATE", "2026-11-02T10:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-11-02T10:00:00Z")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// The handbook of a merge request: `main` has pages `guide/changed` (sections Alpha, Beta,
/// Gamma), `guide/kept`, `guide/removed` and `guide/old-name`; `feature` changes Beta, adds Delta
/// and removes Gamma, only re-spaces `kept`, adds `guide/new`, removes `removed` without an
/// alias, and renames `old-name` to `new-name` with an alias.
pub struct MergeRequest {
    /// The site, checked out on `feature`.
    pub fixture: Fixture,
    /// The commit of `main` the branch starts from.
    pub base: String,
    /// The commit of `feature`.
    pub head: String,
}

/// Section Alpha, the same on both branches: long enough that Beta is below the fold.
const LONG: &str = "Same.\n\nSame.\n\nSame.\n\nSame.\n\nSame.\n\nSame.\n\nSame.\n\nSame.\n\nSame.\n\nSame.\n\nSame.\n\nSame.\n\nSame.\n\nSame.\n\nSame.\n\nSame.\n\nSame.\n\nSame.\n\nSame.\n\nSame.\n\nSame.\n\nSame.\n\nSame.\n\nSame.\n\nSame.\n\nSame.\n\nSame.\n\nSame.\n\nSame.\n\nSame.\n";

pub fn merge_request() -> MergeRequest {
    let fixture = Fixture::new()
        .file("content/index.md", page("Home", "Welcome.\n"))
        .file("content/guide/index.md", page("Guide", "The guide.\n"))
        .file(
            "content/guide/changed.md",
            page(
                "Changed",
                &format!("Intro.\n\n## Alpha\n\n{LONG}\n## Beta\n\nOld text.\n\n## Gamma\n\nGoing away.\n"),
            ),
        )
        .file("content/guide/kept.md", page("Kept", "Nothing new.\n"))
        .file("content/guide/removed.md", page("Removed", "Bye.\n"))
        .file(
            "content/guide/old-name.md",
            page("Renamed", "Same text under a new name.\n"),
        );
    let root = fixture.root();
    git(&root, &["init", "-q", "-b", "main"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "The handbook"]);
    let base = git(&root, &["rev-parse", "HEAD"]);
    git(&root, &["checkout", "-q", "-b", "feature"]);
    fixture.write(
        "content/guide/changed.md",
        page(
            "Changed",
            &format!(
                "Intro.\n\n## Alpha\n\n{LONG}\n## Beta\n\nNew text.\n\n## Delta\n\nA new section.\n"
            ),
        ),
    );
    // Trailing spaces and blank lines: nothing a reader sees.
    fixture.write(
        "content/guide/kept.md",
        page("Kept", "Nothing new.   \n\n\n"),
    );
    fixture.write(
        "content/guide/new.md",
        page("New page", "Fresh.\n\n## Details\n\nMore.\n"),
    );
    fixture.remove("content/guide/removed.md");
    git(
        &root,
        &[
            "mv",
            "content/guide/old-name.md",
            "content/guide/new-name.md",
        ],
    );
    fixture.write(
        "content/guide/new-name.md",
        "---\ntitle: Renamed\naliases: [/guide/old-name/]\n---\n\nSame text under a new name.\n",
    );
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "The merge request"]);
    let head = git(&root, &["rev-parse", "HEAD"]);
    MergeRequest {
        fixture,
        base,
        head,
    }
}
