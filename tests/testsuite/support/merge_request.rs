//! A merge request in a real git repository, for the tests of previews.

use super::Fixture;
use super::git::git;

pub fn page(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\n---\n\n{body}")
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
    let base = git(&root, &["rev-parse", "HEAD"]).trim().to_string();
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
    let head = git(&root, &["rev-parse", "HEAD"]).trim().to_string();
    MergeRequest {
        fixture,
        base,
        head,
    }
}
