//! The "Recent changes" page and its Atom feed, from real git repositories made by the tests:
//! merges of merge requests (GitHub's and GitLab's messages), commits on the branch, renames,
//! removals, a shallow clone, a handbook in a subfolder, and no repository at all.

use crate::support::atom::{check_rfc4287_rules, validate_atom};
use crate::support::git::{git, git_as};
use crate::support::{BuiltSite, Fixture, page, select, select_attrs, select_texts, text};
use scraper::Html;

const CONFIG: &str = "title: Acme Handbook\nbase_url: https://handbook.example.com/\nrepository:\n  url: https://github.com/acme/handbook\n";

/// `git commit -a` of everything in `dir`, as `author` at `date`, with `message`.
fn commit_all(dir: &std::path::Path, author: &str, date: &str, message: &str) {
    git(dir, &["add", "--all"]);
    git_as(dir, author, date, &["commit", "-q", "-m", message]);
}

/// A handbook's history: pages added; a merge request merged by GitHub (changing one page and
/// renaming another); a commit on `main` removing a page and adding one; a commit that touches
/// no page; a squash merge. Newest first on the page.
fn history() -> Fixture {
    let fixture = Fixture::new()
        .file("handbook.yml", CONFIG)
        .file("content/index.md", page("Home", "Welcome."))
        .file("content/team/triage.md", page("Triage", "Old process."))
        .file("content/team/old-name.md", page("Hiring", "How we hire."))
        .file("content/team/gone.md", page("Gone", "Bye."))
        .file("static/logo.txt", "logo");
    let root = fixture.root();
    git(&root, &["init", "-q", "-b", "main"]);
    commit_all(
        &root,
        "Ann Archer",
        "2026-01-05T10:00:00+01:00",
        "Start the handbook",
    );
    git(&root, &["checkout", "-q", "-b", "triage"]);
    fixture.write("content/team/triage.md", page("Triage", "New process."));
    git(
        &root,
        &["mv", "content/team/old-name.md", "content/team/hiring.md"],
    );
    commit_all(&root, "Bob Baker", "2026-02-01T09:00:00Z", "Rewrite triage");
    git(&root, &["checkout", "-q", "main"]);
    git_as(
        &root,
        "Merge Bot",
        "2026-02-02T12:00:00Z",
        &[
            "merge",
            "-q",
            "--no-ff",
            "triage",
            "-m",
            "Merge pull request #12 from bob/triage",
            "-m",
            "Rewrite the triage process",
        ],
    );
    fixture.remove("content/team/gone.md");
    fixture.write("content/team/onboarding.md", page("Onboarding", "Day one."));
    commit_all(
        &root,
        "Cid Cole",
        "2026-03-03T08:00:00-05:00",
        "Onboarding replaces Gone",
    );
    fixture.write("static/logo.txt", "new logo");
    commit_all(&root, "Dee Dunn", "2026-04-04T00:00:00Z", "A new logo");
    fixture.write(
        "content/index.md",
        page("Home", "Welcome, <friends> & \"family\"."),
    );
    commit_all(
        &root,
        "Eve O'Neil & Co",
        "2026-05-05T00:00:00Z",
        "Greet friends & family (#14)",
    );
    fixture
}

/// The changes page, one line per change: `title | request | meta | pages`.
fn changes(site: &BuiltSite) -> Vec<String> {
    let html = site.page("/recent-changes/");
    select(&html, ".changelog__change")
        .into_iter()
        .map(|change| {
            let fragment = Html::parse_fragment(&change.html());
            let title = select_texts(&fragment, ".changelog__title").join("");
            let links = select_attrs(&fragment, ".changelog__title a", "href").join(" ");
            let meta = select_texts(&fragment, ".changelog__meta").join("");
            let pages: Vec<String> = select(&fragment, ".changelog__pages li")
                .into_iter()
                .map(|li| {
                    let href = li
                        .select(&scraper::Selector::parse("a").unwrap())
                        .next()
                        .and_then(|a| a.attr("href"))
                        .unwrap_or("-");
                    format!("{} {href}", text(li))
                })
                .collect();
            format!("{title} | {links} | {meta} | {}", pages.join("; "))
        })
        .collect()
}

#[test]
fn the_page_lists_merges_and_commits_with_their_pages_newest_first() {
    let fixture = history();
    let site = fixture.build();
    assert_eq!(site.warnings(), Vec::<String>::new());
    let lines = changes(&site);
    let short = |rev: &str| {
        git(&fixture.root(), &["rev-parse", "--short=7", rev])
            .trim()
            .to_string()
    };
    let full = |rev: &str| git(&fixture.root(), &["rev-parse", rev]).trim().to_string();
    assert_eq!(
        lines,
        [
            format!(
                "Greet friends & family (#14) #14 | https://github.com/acme/handbook/pull/14 | 5 May 2026 by Eve O'Neil & Co · {} | changed Home /",
                short("HEAD")
            ),
            // The commit that touched no page is not there.
            format!(
                "Onboarding replaces Gone | https://github.com/acme/handbook/commit/{} | 3 March 2026 by Cid Cole · {} | removed content/team/gone.md -; added Onboarding /team/onboarding/",
                full("HEAD~2"),
                short("HEAD~2")
            ),
            // The merge request is one change, with its title and all its pages.
            format!(
                "Rewrite the triage process #12 | https://github.com/acme/handbook/pull/12 | 2 February 2026 by Merge Bot · {} | renamed Hiring (was content/team/old-name.md) /team/hiring/; changed Triage /team/triage/",
                short("HEAD~3")
            ),
            // Its pages as they are called now: `old-name.md` is `hiring.md` since #12.
            format!(
                "Start the handbook | https://github.com/acme/handbook/commit/{} | 5 January 2026 by Ann Archer · {} | added Home /; added content/team/gone.md -; added Hiring /team/hiring/; added Triage /team/triage/",
                full("HEAD~4"),
                short("HEAD~4")
            ),
        ]
    );
    // The dates are machine-readable too.
    let html = site.page("/recent-changes/");
    assert_eq!(
        select_attrs(&html, ".changelog__meta time", "datetime")[0],
        "2026-05-05T00:00:00Z"
    );
    // Every page links to the list and its feed.
    let home = site.page("/");
    assert_eq!(
        select_attrs(&home, ".site-footer a[href='/recent-changes/']", "href").len(),
        1
    );
    assert_eq!(
        select_attrs(
            &home,
            "link[rel=alternate][type='application/atom+xml']",
            "href"
        ),
        ["/recent-changes/atom.xml"]
    );
    assert_eq!(
        select_attrs(&home, ".recent__all a", "href"),
        ["/recent-changes/"]
    );
    assert_eq!(
        select_attrs(&html, "a.changelog__feed", "href"),
        ["/recent-changes/atom.xml"]
    );
}

#[test]
fn the_feed_is_valid_atom_with_one_entry_per_change() {
    let fixture = history();
    let site = fixture.build();
    let feed = site.file("recent-changes/atom.xml");
    check_rfc4287_rules(&feed).unwrap_or_else(|problems| panic!("{problems}\n{feed}"));
    assert_eq!(feed.matches("<entry>").count(), 4);
    assert!(feed.contains("<id>https://handbook.example.com/recent-changes/</id>"));
    assert!(feed.contains(
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"https://handbook.example.com/recent-changes/atom.xml\"/>"
    ));
    // The newest change dates the feed.
    assert!(feed.contains("  <updated>2026-05-05T00:00:00Z</updated>\n  <generator"));
    // Text is escaped once, HTML content twice; page links are absolute.
    assert!(
        feed.contains("<title>Greet friends &amp; family (#14)</title>"),
        "{feed}"
    );
    assert!(
        feed.contains("<name>Eve O&#39;Neil &amp; Co</name>"),
        "{feed}"
    );
    assert!(feed.contains(
        "&lt;a href=&quot;https://handbook.example.com/team/onboarding/&quot;&gt;Onboarding&lt;/a&gt; (added)"
    ));
    assert!(feed.contains(
        "<link rel=\"alternate\" type=\"text/html\" href=\"https://github.com/acme/handbook/pull/12\"/>"
    ));
}

#[test]
#[cfg_attr(
    not(has_xmllint),
    ignore = "needs xmllint: apt-get install libxml2-utils"
)]
fn the_feed_validates_against_the_atom_schema() {
    let fixture = history();
    // Under a path, without a repository to link to, in another language.
    fixture.write(
        "handbook.yml",
        "title: Acme\nbase_url: https://example.com/handbook/\nlanguage: de\n",
    );
    let site = fixture.build();
    let feed = site.file("recent-changes/atom.xml");
    validate_atom(&feed).unwrap_or_else(|problems| panic!("{problems}\n{feed}"));
    assert!(feed.contains("<id>https://example.com/handbook/recent-changes/</id>"));
    assert!(feed.contains("&lt;a href=&quot;https://example.com/handbook/team/triage/&quot;"));
    // Without a forge, an entry links to its place on the page.
    assert!(feed.contains("href=\"https://example.com/handbook/recent-changes/#change-"));
    let html = site.page("/recent-changes/");
    assert_eq!(
        select_attrs(&html, ".changelog__title a", "href"),
        Vec::<String>::new()
    );
}

#[test]
fn gitlab_merge_commits_give_the_merge_request_title_and_link() {
    let fixture = Fixture::new()
        .file(
            "handbook.yml",
            "title: T\nbase_url: https://e.com/\nrepository:\n  url: https://gitlab.com/acme/handbook\n",
        )
        .file("content/index.md", page("Home", "Hi."));
    let root = fixture.root();
    git(&root, &["init", "-q", "-b", "main"]);
    commit_all(&root, "Ann", "2026-01-01T00:00:00Z", "Start");
    git(&root, &["checkout", "-q", "-b", "feature"]);
    fixture.write("content/index.md", page("Home", "Hello."));
    commit_all(&root, "Bob", "2026-01-02T00:00:00Z", "wip");
    git(&root, &["checkout", "-q", "main"]);
    git_as(
        &root,
        "Bob",
        "2026-01-03T00:00:00Z",
        &[
            "merge",
            "-q",
            "--no-ff",
            "feature",
            "-m",
            "Merge branch 'feature' into 'main'",
            "-m",
            "Say hello",
            "-m",
            "See merge request acme/handbook!345",
        ],
    );
    let site = fixture.build();
    let lines = changes(&site);
    assert!(
        lines[0].starts_with("Say hello !345 | https://gitlab.com/acme/handbook/-/merge_requests/345 | 3 January 2026 by Bob"),
        "{lines:?}"
    );
    assert_eq!(
        lines.len(),
        2,
        "the branch's own commit is inside its merge: {lines:?}"
    );
}

#[test]
fn a_shallow_clone_lists_what_it_has_and_says_the_rest_is_cut() {
    let origin = history();
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.root().display());
    let dest = clone.path().join("site");
    git(
        clone.path(),
        &["clone", "-q", "--depth", "2", &url, dest.to_str().unwrap()],
    );
    let out = clone.path().join("public");
    let summary = handbook::build(&handbook::BuildOptions {
        root: dest.clone(),
        output_dir: Some(out.clone()),
        ..Default::default()
    })
    .expect("the shallow clone builds");
    assert_eq!(summary.warnings, []);
    let site = BuiltSite::at(out);
    let lines = changes(&site);
    // The newest commit; the boundary commit (which git shows as adding every file) is left out.
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("Greet friends & family (#14)"),
        "{lines:?}"
    );
    let html = site.page("/recent-changes/");
    assert_eq!(
        select_texts(&html, ".changelog__note"),
        ["Older changes are not in this copy of the repository's history (a shallow clone)."]
    );
}

#[test]
fn a_handbook_in_a_subfolder_lists_its_own_pages_only() {
    let repo = tempfile::tempdir().unwrap();
    let top = repo.path();
    let write = |path: &str, text: &str| {
        let path = top.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("docs/handbook/handbook.yml", CONFIG);
    write("docs/handbook/content/index.md", &page("Home", "Hi."));
    write("README.md", "The repository.");
    git(top, &["init", "-q", "-b", "main"]);
    commit_all(top, "Ann", "2026-01-01T00:00:00Z", "Start");
    write("docs/handbook/content/how.md", &page("How", "Like this."));
    commit_all(top, "Bob", "2026-01-02T00:00:00Z", "How");
    write("README.md", "Another README.");
    write("content/not-ours.md", &page("Not ours", "Elsewhere."));
    commit_all(top, "Cid", "2026-01-03T00:00:00Z", "Outside the handbook");
    let out = top.join("public");
    handbook::build(&handbook::BuildOptions {
        root: top.join("docs/handbook"),
        output_dir: Some(out.clone()),
        ..Default::default()
    })
    .expect("builds");
    let site = BuiltSite::at(out);
    let lines = changes(&site);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].starts_with("How | https://github.com/acme/handbook/commit/"),
        "{lines:?}"
    );
    assert!(lines[0].ends_with("| added How /how/"), "{lines:?}");
}

#[test]
fn without_git_there_is_no_page_feed_or_link() {
    let fixture = Fixture::new().file("content/index.md", page("Home", "Hi."));
    let site = fixture.build();
    assert!(!site.exists("recent-changes/index.html"));
    assert!(!site.exists("recent-changes/atom.xml"));
    let home = site.page("/");
    assert!(select(&home, "link[type='application/atom+xml']").is_empty());
    assert!(
        select_texts(&home, ".site-footer a")
            .iter()
            .all(|t| t != "Recent changes")
    );
    // A repository whose pages were never committed has nothing to list either.
    git(&fixture.root(), &["init", "-q"]);
    let site = fixture.build();
    assert!(!site.exists("recent-changes/index.html"));
}

#[test]
fn a_page_of_the_handbook_at_the_same_address_is_an_error() {
    let fixture = history();
    fixture.write("content/recent-changes.md", page("Our changes", "Ours."));
    git(&fixture.root(), &["add", "--all"]);
    git(&fixture.root(), &["commit", "-q", "-m", "Our own page"]);
    assert_eq!(
        fixture.errors(),
        [
            "content/recent-changes.md: would be written to recent-changes/index.html, where handbook writes a page of its own\n  help: give the page another permalink (`permalink:` in its front matter)"
        ]
    );
}

#[test]
fn at_most_fifty_changes_are_listed_however_long_the_history() {
    let fixture = Fixture::new().file("content/index.md", page("Home", "0"));
    let root = fixture.root();
    git(&root, &["init", "-q", "-b", "main"]);
    commit_all(&root, "Ann", "2026-01-01T00:00:00Z", "Change 0");
    for n in 1..=55 {
        fixture.write("content/index.md", page("Home", &n.to_string()));
        commit_all(&root, "Ann", "2026-01-01T00:00:00Z", &format!("Change {n}"));
    }
    let site = fixture.build();
    let lines = changes(&site);
    assert_eq!(lines.len(), 50);
    assert!(lines[0].starts_with("Change 55 |"), "{}", lines[0]);
    assert!(lines[49].starts_with("Change 6 |"), "{}", lines[49]);
    // Not a shallow clone: no note.
    assert!(select_texts(&site.page("/recent-changes/"), ".changelog__note").is_empty());
}

#[test]
fn a_change_of_every_page_lists_the_first_hundred_and_counts_the_rest() {
    // A handbook imported in one commit, as a team moving to handbook does.
    let mut fixture = Fixture::new().file("handbook.yml", CONFIG);
    for n in 0..250 {
        fixture = fixture.file(
            &format!("content/p{n:03}.md"),
            page(&format!("Page {n}"), "Text."),
        );
    }
    let root = fixture.root();
    git(&root, &["init", "-q", "-b", "main"]);
    commit_all(&root, "Ann", "2026-01-01T00:00:00Z", "Import the handbook");
    let site = fixture.build();
    let html = site.page("/recent-changes/");
    assert_eq!(select(&html, ".changelog__pages li").len(), 101);
    assert_eq!(
        select_texts(&html, ".changelog__more"),
        ["and 150 more pages: see the commit"]
    );
    let feed = site.file("recent-changes/atom.xml");
    assert!(feed.contains("&lt;li&gt;and 150 more pages&lt;/li&gt;"));
    check_rfc4287_rules(&feed).unwrap_or_else(|problems| panic!("{problems}"));
}

#[test]
fn the_page_and_feed_can_be_turned_off() {
    let fixture = history();
    fixture.write(
        "handbook.yml",
        format!("{CONFIG}recent_changes:\n  enabled: false\n"),
    );
    let site = fixture.build();
    assert!(!site.exists("recent-changes/index.html"));
    assert!(!site.exists("recent-changes/atom.xml"));
    let home = site.page("/");
    assert!(select(&home, "link[type='application/atom+xml']").is_empty());
    assert!(select(&home, ".recent__all").is_empty());
    assert!(
        select_texts(&home, ".site-footer a")
            .iter()
            .all(|t| t != "Recent changes")
    );
    // And a page of the handbook may then have the address.
    fixture.write("content/recent-changes.md", page("Our changes", "Ours."));
    let site = fixture.build();
    assert_eq!(
        select_texts(&site.page("/recent-changes/"), "h1"),
        ["Our changes"]
    );
}
