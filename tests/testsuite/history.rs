//! "Last updated <date> by <author>" from the git history: real repositories made with the `git`
//! command in a temporary folder, with fixed authors and dates, built with `handbook::build`.

use crate::support;
use crate::support::git::{commit, git};
use crate::support::{Fixture, select, select_attrs, select_texts};

/// "Last updated" of a page, as a reader sees it, with the `<time datetime>`; `None` if the
/// page has none.
fn updated(site: &support::BuiltSite, url: &str) -> Option<(String, String)> {
    let html = site.page(url);
    let texts = select_texts(&html, ".last-updated");
    assert!(texts.len() <= 1, "{texts:?}");
    let datetime = select_attrs(&html, ".last-updated time", "datetime");
    texts
        .into_iter()
        .next()
        .map(|text| (text, datetime.join(" ")))
}

fn said(text: &str, date: &str) -> Option<(String, String)> {
    Some((text.to_string(), date.to_string()))
}

/// A handbook at the top of its repository: three commits by three people.
fn three_commits() -> Fixture {
    let fixture = Fixture::new()
        .file("content/index.md", "# Home\n")
        .file("content/team/index.md", "# Team\n")
        .file("content/team/hiring.md", "# Hiring\n");
    let root = fixture.root();
    git(&root, &["init", "-q"]);
    commit(&root, "Ann Archer", "2026-01-05T10:00:00+01:00");
    fixture.write(
        "content/team/hiring.md",
        "# Hiring\n\nNow with a process.\n",
    );
    commit(&root, "Bob Baker", "2026-03-14T23:30:00-05:00");
    fixture.write("content/index.md", "# Home\n\nWelcome.\n");
    fixture.write("content/team/onboarding.md", "# Onboarding\n");
    commit(&root, "Jane Doe", "2026-11-20T08:00:00Z");
    fixture
}

#[test]
fn each_page_shows_its_own_latest_change_and_its_author() {
    let fixture = three_commits();
    let site = fixture.build();
    assert_eq!(site.warnings(), Vec::<String>::new());
    assert_eq!(
        updated(&site, "/"),
        said("Last updated 20 November 2026 by Jane Doe", "2026-11-20")
    );
    assert_eq!(
        updated(&site, "/team/"),
        said("Last updated 5 January 2026 by Ann Archer", "2026-01-05")
    );
    // Changed again after it was added: the later commit, on the author's own calendar day.
    assert_eq!(
        updated(&site, "/team/hiring/"),
        said("Last updated 14 March 2026 by Bob Baker", "2026-03-14")
    );
    assert_eq!(
        updated(&site, "/team/onboarding/"),
        said("Last updated 20 November 2026 by Jane Doe", "2026-11-20")
    );
}

#[test]
fn handbook_check_reads_the_history_too() {
    let fixture = three_commits();
    let loaded = handbook::load(&fixture.options()).unwrap();
    let mut paths: Vec<&String> = loaded.extras.git.history.keys().collect();
    paths.sort();
    // Keyed by the path under `content/`; `handbook.yml` is not a page.
    assert_eq!(
        paths,
        [
            "index.md",
            "team/hiring.md",
            "team/index.md",
            "team/onboarding.md"
        ]
    );
    let summary = handbook::check(&fixture.options(), Default::default()).unwrap();
    assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
}

#[test]
fn new_files_not_yet_committed_have_no_date() {
    let fixture = three_commits();
    fixture.write("content/team/draft-policy.md", "# Draft policy\n");
    // Edited but not committed: still the date of its latest commit.
    fixture.write("content/team/index.md", "# Team\n\nEdited.\n");
    let site = fixture.build();
    assert_eq!(updated(&site, "/team/draft-policy/"), None);
    assert_eq!(
        updated(&site, "/team/"),
        said("Last updated 5 January 2026 by Ann Archer", "2026-01-05")
    );
    assert_eq!(site.warnings(), Vec::<String>::new());
}

#[test]
fn generated_landing_pages_have_no_date_and_no_edit_link() {
    let fixture = three_commits()
        .file(
            "handbook.yml",
            "title: F\nbase_url: https://example.com/\nrepository:\n  url: https://github.com/o/r\n",
        )
        .file("content/legal/terms.md", "# Terms\n");
    commit(&fixture.root(), "Ann Archer", "2026-06-01T00:00:00Z");
    let site = fixture.build();
    // `legal/` has no index.md: handbook makes its landing page.
    assert_eq!(updated(&site, "/legal/"), None);
    assert!(select(&site.page("/legal/"), ".edit-link").is_empty());
    assert_eq!(
        updated(&site, "/legal/terms/"),
        said("Last updated 1 June 2026 by Ann Archer", "2026-06-01")
    );
}

#[test]
fn a_handbook_in_a_subfolder_of_its_repository_is_dated_by_its_own_files() {
    // The repository is the fixture's temporary folder; the handbook is its `site/`.
    let fixture = Fixture::new()
        .file("content/index.md", "# Home\n")
        .file("content/a.md", "# A\n");
    let top = fixture.tmp();
    git(top, &["init", "-q"]);
    commit(top, "Ann Archer", "2026-02-02T12:00:00Z");
    // A file of the same name outside the handbook changes later: not the handbook's page.
    std::fs::create_dir_all(top.join("other/content")).unwrap();
    std::fs::write(top.join("other/content/a.md"), "x").unwrap();
    fixture.write("content/index.md", "# Home\n\nNews.\n");
    commit(top, "Bob Baker", "2026-04-04T12:00:00Z");
    let site = fixture.build();
    assert_eq!(
        updated(&site, "/a/"),
        said("Last updated 2 February 2026 by Ann Archer", "2026-02-02")
    );
    assert_eq!(
        updated(&site, "/"),
        said("Last updated 4 April 2026 by Bob Baker", "2026-04-04")
    );
}

#[test]
fn outside_a_git_checkout_there_is_no_date_and_no_warning() {
    let fixture = Fixture::new()
        .file("content/index.md", "# Home\n")
        .file("content/a.md", "# A\n");
    let site = fixture.build();
    assert_eq!(updated(&site, "/"), None);
    assert_eq!(updated(&site, "/a/"), None);
    assert_eq!(site.warnings(), Vec::<String>::new());
}

#[test]
fn without_the_git_command_there_is_no_date_and_no_warning() {
    let fixture = three_commits();
    let empty = tempfile::tempdir().unwrap();
    fixture
        .handbook(&["build"])
        .arg("--output-dir")
        .arg(fixture.output())
        // Nothing to find `git` in.
        .env("PATH", empty.path())
        .run()
        .success()
        .stderr_is("");
    let html = std::fs::read_to_string(fixture.output().join("index.html")).unwrap();
    assert!(!html.contains("Last updated"));
}

#[test]
fn a_shallow_clone_gives_no_date_rather_than_a_wrong_one() {
    let fixture = three_commits();
    let clone = fixture.tmp().join("clone");
    let url = format!("file://{}", fixture.root().display());
    // The two latest commits: Bob's (the boundary, which git shows as adding every file) and
    // Jane's.
    git(
        fixture.tmp(),
        &["clone", "-q", "--depth", "2", &url, clone.to_str().unwrap()],
    );
    let site = fixture.build_with(|options| options.root = clone.clone());
    assert_eq!(site.warnings(), Vec::<String>::new());
    assert_eq!(
        updated(&site, "/"),
        said("Last updated 20 November 2026 by Jane Doe", "2026-11-20")
    );
    // Really changed by Bob, but at the boundary git cannot tell that apart from Ann's page.
    assert_eq!(updated(&site, "/team/hiring/"), None);
    // Ann's, in January: not the boundary's date.
    assert_eq!(updated(&site, "/team/"), None);

    let shallowest = fixture.tmp().join("shallowest");
    git(
        fixture.tmp(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            &url,
            shallowest.to_str().unwrap(),
        ],
    );
    let site = fixture.build_with(|options| options.root = shallowest.clone());
    for url in ["/", "/team/", "/team/hiring/", "/team/onboarding/"] {
        assert_eq!(updated(&site, url), None, "{url}");
    }
}

/// The home page lists the pages changed last, newest first, with the date and author.
#[test]
fn the_home_page_lists_the_pages_updated_last() {
    let site = three_commits().build();
    let home = site.page("/");
    assert_eq!(
        select_texts(&home, ".recent__link"),
        ["Onboarding", "Hiring", "Team"]
    );
    assert_eq!(
        select_attrs(&home, ".recent__item time", "datetime"),
        ["2026-11-20", "2026-03-14", "2026-01-05"]
    );
    assert_eq!(
        select_texts(&home, ".recent__meta"),
        [
            "20 November 2026 · Jane Doe",
            "14 March 2026 · Bob Baker",
            "5 January 2026 · Ann Archer"
        ]
    );
    // Without git history, no list.
    let plain = Fixture::new().file("content/index.md", "# Home\n").build();
    assert!(select(&plain.page("/"), ".recent").is_empty());
}
