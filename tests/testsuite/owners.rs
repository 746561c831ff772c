//! Page owners from `CODEOWNERS` ("Owned by", linked to the forge), `handbook check --strict`
//! about pages nobody owns, and the "History" link: real git repositories made with the `git`
//! command in a temporary folder, built with `handbook::build` or the binary.

use crate::support::git::{commit, git};
use crate::support::{
    BuiltSite, CONFIG, Fixture, Handbook, page, pairs, select, select_attrs, select_texts,
};

const GITHUB: &str = "title: F\nbase_url: https://example.com/\nrepository:\n  url: https://github.com/org/handbook\n";
const GITLAB: &str =
    "title: F\nbase_url: https://example.com/\nrepository:\n  url: https://gitlab.com/g/handbook\n";

/// Makes the fixture's folder a git repository with everything committed.
fn committed(fixture: Fixture) -> Fixture {
    let root = fixture.root();
    git(&root, &["init", "-q"]);
    commit(&root, "Ann Archer", "2026-01-05T10:00:00Z");
    fixture
}

/// "Owned by …" of a page as a reader sees it; `None` if the page has none.
fn owned_by(site: &BuiltSite, url: &str) -> Option<String> {
    let texts = select_texts(&site.page(url), ".page-owners");
    assert!(texts.len() <= 1, "{url}: {texts:?}");
    texts.into_iter().next()
}

/// Where the owners of a page link to, in order.
fn owner_links(site: &BuiltSite, url: &str) -> Vec<String> {
    select_attrs(&site.page(url), ".page-owners a", "href")
}

/// Pages of every kind: the home page, a folder's page, pages deeper down, and `legal/`
/// without `index.md` (a landing page handbook makes).
fn pages(config: &str) -> Fixture {
    Fixture::new()
        .file("handbook.yml", config)
        .file("content/index.md", "# Home\n")
        .file("content/engineering/index.md", "# Engineering\n")
        .file("content/engineering/on-call.md", "# On call\n")
        .file("content/engineering/tools/ci.md", "# CI\n")
        .file("content/legal/terms.md", "# Terms\n")
}

/// GitHub's syntax: the last line that matches wins, `*` does not cross folders, `**` does.
const GITHUB_CODEOWNERS: &str = "\
# Who reviews what in the handbook.
*.md @org/writers
/content/engineering/ @org/eng @jane
/content/engineering/on-call.md @org/sre   # the SRE team's own page
content/legal/** legal@example.com
";

#[test]
fn github_codeowners_give_each_page_its_owners_linked_to_github() {
    let fixture = committed(pages(GITHUB).file(".github/CODEOWNERS", GITHUB_CODEOWNERS));
    let site = fixture.build();
    assert_eq!(site.warnings(), Vec::<String>::new());

    assert_eq!(
        owned_by(&site, "/").as_deref(),
        Some("Owned by @org/writers")
    );
    assert_eq!(
        owner_links(&site, "/"),
        ["https://github.com/orgs/org/teams/writers"]
    );
    // A later line than `*.md` takes the folder, its owners in the order written.
    assert_eq!(
        owned_by(&site, "/engineering/").as_deref(),
        Some("Owned by @org/eng, @jane")
    );
    assert_eq!(
        owner_links(&site, "/engineering/"),
        [
            "https://github.com/orgs/org/teams/eng",
            "https://github.com/jane"
        ]
    );
    // Deeper down, still the folder's.
    assert_eq!(
        owned_by(&site, "/engineering/tools/ci/").as_deref(),
        Some("Owned by @org/eng, @jane")
    );
    // A later line still takes one file of the folder (its comment is no owner).
    assert_eq!(
        owned_by(&site, "/engineering/on-call/").as_deref(),
        Some("Owned by @org/sre")
    );
    assert_eq!(
        owner_links(&site, "/engineering/on-call/"),
        ["https://github.com/orgs/org/teams/sre"]
    );
    // An e-mail address: a `mailto:` link.
    assert_eq!(
        owned_by(&site, "/legal/terms/").as_deref(),
        Some("Owned by legal@example.com")
    );
    assert_eq!(
        owner_links(&site, "/legal/terms/"),
        ["mailto:legal@example.com"]
    );
    // The landing page handbook made for `legal/` has no file, so no owner.
    assert_eq!(owned_by(&site, "/legal/"), None);
}

#[test]
fn without_a_repository_url_owners_are_shown_without_links() {
    let fixture = committed(pages(CONFIG).file(".github/CODEOWNERS", GITHUB_CODEOWNERS));
    let site = fixture.build();
    assert_eq!(site.warnings(), Vec::<String>::new());
    assert_eq!(
        owned_by(&site, "/").as_deref(),
        Some("Owned by @org/writers")
    );
    assert_eq!(
        owned_by(&site, "/engineering/").as_deref(),
        Some("Owned by @org/eng, @jane")
    );
    assert_eq!(
        owned_by(&site, "/engineering/on-call/").as_deref(),
        Some("Owned by @org/sre")
    );
    for url in [
        "/",
        "/engineering/",
        "/engineering/on-call/",
        "/engineering/tools/ci/",
    ] {
        assert_eq!(owner_links(&site, url), Vec::<String>::new(), "{url}");
    }
    for url in site.page_urls() {
        // Nor a "History" link: there is no forge to link to.
        assert!(
            select(&site.page(&url), "a.history-link").is_empty(),
            "{url}"
        );
    }
}

/// An e-mail address is shown as written too: without `repository.url` no owner is linked
/// (`OwnerView::url` of src/templates/context.rs: "`None` without `repository.url`").
#[test]
fn without_a_repository_url_an_email_owner_is_still_a_mailto_link() {
    // A `mailto:` needs no forge.
    let fixture = committed(pages(CONFIG).file(".github/CODEOWNERS", GITHUB_CODEOWNERS));
    let site = fixture.build();
    assert_eq!(
        owned_by(&site, "/legal/terms/").as_deref(),
        Some("Owned by legal@example.com")
    );
    assert_eq!(
        owner_links(&site, "/legal/terms/"),
        ["mailto:legal@example.com"]
    );
}

/// GitLab's sections: each gives a page owners of its own, `^[…]` (optional) and `[…][2]`
/// (approvals) included, with the default owners written after the brackets.
const GITLAB_CODEOWNERS: &str = "\
[Docs] @g/docs
/content/
/content/legal/ @lawyer

^[Optional]
/content/drafts/ @writer

[Eng][2] @g/eng
/content/engineering/
";

#[test]
fn gitlab_sections_each_give_owners_linked_to_gitlab() {
    let fixture = committed(
        pages(GITLAB)
            .file("content/drafts/idea.md", "# Idea\n")
            .file("CODEOWNERS", GITLAB_CODEOWNERS),
    );
    let site = fixture.build();
    assert_eq!(site.warnings(), Vec::<String>::new());
    // One section: its default owners.
    assert_eq!(owned_by(&site, "/").as_deref(), Some("Owned by @g/docs"));
    assert_eq!(owner_links(&site, "/"), ["https://gitlab.com/g/docs"]);
    // Matched in two sections: the owners of both, in the order of the sections.
    assert_eq!(
        owned_by(&site, "/engineering/on-call/").as_deref(),
        Some("Owned by @g/docs, @g/eng")
    );
    assert_eq!(
        owner_links(&site, "/engineering/on-call/"),
        ["https://gitlab.com/g/docs", "https://gitlab.com/g/eng"]
    );
    assert_eq!(
        owned_by(&site, "/drafts/idea/").as_deref(),
        Some("Owned by @g/docs, @writer")
    );
    assert_eq!(
        owner_links(&site, "/drafts/idea/"),
        ["https://gitlab.com/g/docs", "https://gitlab.com/writer"]
    );
    // A line with owners of its own, instead of the section's.
    assert_eq!(
        owned_by(&site, "/legal/terms/").as_deref(),
        Some("Owned by @lawyer")
    );
    assert_eq!(
        owner_links(&site, "/legal/terms/"),
        ["https://gitlab.com/lawyer"]
    );
}

#[test]
fn the_first_codeowners_file_github_looks_at_is_the_one_used() {
    let fixture = committed(
        pages(GITHUB)
            .file(".github/CODEOWNERS", "* @org/first\n")
            .file("CODEOWNERS", "* @org/second\n")
            .file("docs/CODEOWNERS", "* @org/third\n"),
    );
    let site = fixture.build();
    for url in ["/", "/engineering/", "/legal/terms/"] {
        assert_eq!(
            owned_by(&site, url).as_deref(),
            Some("Owned by @org/first"),
            "{url}"
        );
    }
    fixture.remove(".github/CODEOWNERS");
    let site = fixture.build();
    assert_eq!(
        owned_by(&site, "/").as_deref(),
        Some("Owned by @org/second")
    );
}

#[test]
fn a_handbook_in_a_subfolder_is_owned_by_the_lines_for_its_folder() {
    // The repository is the fixture's folder; the handbook is its `docs/handbook/`.
    let fixture = Fixture::new()
        .file("docs/handbook/handbook.yml", GITHUB)
        .file("docs/handbook/content/index.md", "# Home\n")
        .file("docs/handbook/content/engineering/build.md", "# Build\n")
        .file("docs/handbook/content/team/hiring.md", "# Hiring\n")
        .file(
            ".github/CODEOWNERS",
            // `/content/` is the top of the repository's `content/`, not the handbook's.
            "/content/ @org/wrong\n\
             /docs/handbook/content/ @org/docs\n\
             /docs/handbook/content/engineering/ @org/eng\n",
        );
    let fixture = committed(fixture);
    let handbook = fixture.root().join("docs/handbook");
    let site = fixture.build_with(|options| options.root = handbook.clone());
    assert_eq!(site.warnings(), Vec::<String>::new());
    assert_eq!(owned_by(&site, "/").as_deref(), Some("Owned by @org/docs"));
    assert_eq!(
        owned_by(&site, "/engineering/build/").as_deref(),
        Some("Owned by @org/eng")
    );
    assert_eq!(
        owned_by(&site, "/team/hiring/").as_deref(),
        Some("Owned by @org/docs")
    );
    // The history of the file at its place in the repository.
    assert_eq!(
        select_attrs(&site.page("/engineering/build/"), "a.history-link", "href"),
        ["https://github.com/org/handbook/commits/main/docs/handbook/content/engineering/build.md"]
    );

    // A page no line covers: the folder to add is named from the top of the repository.
    fixture.write(
        ".github/CODEOWNERS",
        "/docs/handbook/content/engineering/ @org/eng\n",
    );
    Handbook::new(["check", "--strict", "--root"])
        .arg(&handbook)
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is(
            "content/index.md: warning: no one owns this page: no line of .github/CODEOWNERS gives it an owner\n  \
             help: add a line for it or its folder to .github/CODEOWNERS, like `/docs/handbook/content/ @your-team`\n\
             content/team/hiring.md: warning: no one owns this page: no line of .github/CODEOWNERS gives it an owner\n  \
             help: add a line for it or its folder to .github/CODEOWNERS, like `/docs/handbook/content/team/ @your-team`\n\
             error: 2 warnings (--strict fails on warnings)\n",
        );
}

/// Every page's `.page-owners`, for the pages that have one.
fn all_owners(site: &BuiltSite) -> Vec<(String, String)> {
    site.page_urls()
        .into_iter()
        .filter_map(|url| owned_by(site, &url).map(|owners| (url, owners)))
        .collect()
}

#[test]
fn a_repository_without_codeowners_shows_no_owners_and_strict_check_says_nothing() {
    let fixture = committed(pages(GITHUB));
    let site = fixture.build();
    assert_eq!(site.warnings(), Vec::<String>::new());
    assert_eq!(all_owners(&site), []);
    let run = fixture.handbook(&["check", "--strict"]).run();
    run.success().stderr_is("");
    assert!(
        run.stdout.starts_with("Checked 7 pages in ")
            && run.stdout.ends_with(": no errors, 0 warnings\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn outside_git_a_codeowners_file_gives_no_owners_and_strict_check_says_nothing() {
    // Not a repository: GitHub and GitLab never read this file, and neither does handbook.
    let fixture = pages(GITHUB).file(".github/CODEOWNERS", "/content/engineering/ @org/eng\n");
    let site = fixture.build();
    assert_eq!(site.warnings(), Vec::<String>::new());
    assert_eq!(all_owners(&site), []);
    fixture
        .handbook(&["check", "--strict"])
        .run()
        .success()
        .stderr_is("");
}

#[test]
fn check_strict_warns_about_each_page_nobody_owns_and_fails() {
    let fixture = committed(
        pages(GITHUB)
            .file("content/team/hiring.md", "# Hiring\n")
            .file(
                ".github/CODEOWNERS",
                "/content/engineering/ @org/eng\n\
                 /content/legal/ legal@example.com\n\
                 # A line without owners takes the file away from them.\n\
                 /content/legal/terms.md\n",
            ),
    );
    // Not without --strict.
    let run = fixture.handbook(&["check"]).run();
    run.success().stderr_is("");
    assert!(
        run.stdout.ends_with(": no errors, 0 warnings\n"),
        "{}",
        run.stdout
    );
    // With it: each page with no owner (not `legal/`, which handbook made), and it fails.
    fixture
        .handbook(&["check", "--strict"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is(
            "content/index.md: warning: no one owns this page: no line of .github/CODEOWNERS gives it an owner\n  \
             help: add a line for it or its folder to .github/CODEOWNERS, like `/content/ @your-team`\n\
             content/legal/terms.md: warning: no one owns this page: no line of .github/CODEOWNERS gives it an owner\n  \
             help: add a line for it or its folder to .github/CODEOWNERS, like `/content/legal/ @your-team`\n\
             content/team/hiring.md: warning: no one owns this page: no line of .github/CODEOWNERS gives it an owner\n  \
             help: add a line for it or its folder to .github/CODEOWNERS, like `/content/team/ @your-team`\n\
             error: 3 warnings (--strict fails on warnings)\n",
        );
    // The same from the library, and a build does not warn either.
    let strict = handbook::CheckOptions {
        strict: true,
        ..Default::default()
    };
    let summary = handbook::check(&fixture.options(), strict).unwrap();
    let warnings: Vec<String> = summary.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert!(warnings[0].starts_with("content/index.md: warning: no one owns this page"));
    assert_eq!(fixture.build().warnings(), Vec::<String>::new());
}

#[test]
fn a_bad_pattern_is_a_warning_at_its_line_and_the_other_lines_still_count() {
    let fixture = committed(pages(GITHUB).file(
        ".github/CODEOWNERS",
        "# Owners\n\
         *.md @org/writers\n\
         /content/[oops @org/broken\n\
         /content/engineering/ @org/eng\n",
    ));
    let site = fixture.build();
    assert_eq!(
        site.warnings(),
        [
            ".github/CODEOWNERS:3:1: warning: cannot read the pattern `/content/[oops`: error parsing glob 'content/[oops': unclosed character class; missing ']'\n  \
          help: this line gives no one anything; GitHub and GitLab skip it too"
        ]
    );
    assert_eq!(
        owned_by(&site, "/").as_deref(),
        Some("Owned by @org/writers")
    );
    assert_eq!(
        owned_by(&site, "/engineering/on-call/").as_deref(),
        Some("Owned by @org/eng")
    );
    // `handbook check` says it too, without --strict.
    fixture.handbook(&["check"]).run().success().stderr_is(
        ".github/CODEOWNERS:3:1: warning: cannot read the pattern `/content/[oops`: error parsing glob 'content/[oops': unclosed character class; missing ']'\n  \
         help: this line gives no one anything; GitHub and GitLab skip it too\n",
    );
}

#[test]
fn a_codeowners_link_to_a_file_outside_the_repository_is_not_read() {
    let fixture = pages(GITHUB);
    let outside = fixture.tmp().join("outside/CODEOWNERS");
    std::fs::create_dir_all(outside.parent().unwrap()).unwrap();
    std::fs::write(&outside, "* @org/intruders\n").unwrap();
    fixture.link(".github/CODEOWNERS", &outside);
    let fixture = committed(fixture);
    let site = fixture.build();
    assert_eq!(all_owners(&site), []);
    let shown = site.html_files();
    assert!(
        shown
            .iter()
            .all(|(_, html)| !html.contains("@org/intruders")),
        "an owner from outside the repository is shown"
    );
    // Nor is it the file that says who owns nothing.
    let run = fixture.handbook(&["check", "--strict"]).run();
    assert!(!run.stderr.contains("no one owns"), "{}", run.stderr);
}

/// Every page's "History" link, by URL.
fn history_links(site: &BuiltSite) -> Vec<(String, String)> {
    site.hrefs_by_page("a.history-link")
}

#[test]
fn each_page_links_to_its_history_on_the_forge() {
    let fixture = committed(pages(GITHUB));
    let site = fixture.build();
    // Not `/legal/`: handbook made it, it has no file and so no history.
    assert_eq!(
        history_links(&site),
        pairs(&[
            (
                "/",
                "https://github.com/org/handbook/commits/main/content/index.md"
            ),
            (
                "/engineering/",
                "https://github.com/org/handbook/commits/main/content/engineering/index.md"
            ),
            (
                "/engineering/on-call/",
                "https://github.com/org/handbook/commits/main/content/engineering/on-call.md"
            ),
            (
                "/engineering/tools/ci/",
                "https://github.com/org/handbook/commits/main/content/engineering/tools/ci.md"
            ),
            (
                "/legal/terms/",
                "https://github.com/org/handbook/commits/main/content/legal/terms.md"
            ),
        ])
    );
    assert_eq!(
        select_texts(&site.page("/engineering/on-call/"), "a.history-link"),
        ["History"]
    );

    let fixture = committed(pages(GITLAB));
    let site = fixture.build();
    assert_eq!(
        history_links(&site)[..2],
        pairs(&[
            (
                "/",
                "https://gitlab.com/g/handbook/-/commits/main/content/index.md"
            ),
            (
                "/engineering/",
                "https://gitlab.com/g/handbook/-/commits/main/content/engineering/index.md"
            ),
        ])[..]
    );

    // Not in git at all: the link is to the forge, which has the history.
    let plain = Fixture::new()
        .file("handbook.yml", GITHUB)
        .file("content/index.md", page("Home", "Welcome."));
    assert_eq!(
        history_links(&plain.build()),
        pairs(&[(
            "/",
            "https://github.com/org/handbook/commits/main/content/index.md"
        )])
    );
}
