//! `handbook stale`: the pages not changed in git for longer than their review interval,
//! grouped by owner, as text, Markdown and JSON; and the note `freshness.note` puts on them.
//! Real repositories made with the `git` command, with commits at fixed old dates, and
//! `--on 2026-06-01`, so that nothing depends on the day the tests run.

use crate::support::cmd::Run;
use crate::support::git::{commit, git};
use crate::support::{CONFIG, Fixture, Handbook, select, select_attrs, select_texts};
use std::path::Path;

const ON: &str = "2026-06-01";

fn stale(fixture: &Fixture, more: &[&str]) -> Run {
    let mut args = vec!["stale", "--on", ON];
    args.extend_from_slice(more);
    fixture.handbook(&args).run()
}

/// Seven pages, last changed by different people from 2020 to 2026:
///
/// | page | last changed | days before 2026-06-01 |
/// |---|---|---|
/// | engineering/build.md | 2020-03-01 Ann Archer | 2283 |
/// | team/hiring.md | 2023-07-01 Carol Chen | 1066 |
/// | legal/terms.md | 2024-01-15 Bob Baker | 868 |
/// | team/just-over.md | 2025-05-31 Dan Day | 366 |
/// | team/a-year.md | 2025-06-01 Eve East | 365 |
/// | index.md | 2025-09-01 Bob Baker | 273 |
/// | engineering/fresh.md | 2026-01-01 Ann Archer | 151 |
fn seven_pages(config: &str) -> Fixture {
    let fixture = Fixture::new()
        .file("handbook.yml", config)
        .file("content/index.md", "# Home\n")
        .file("content/engineering/build.md", "# Build\n")
        .file("content/engineering/fresh.md", "# Fresh\n")
        .file("content/legal/terms.md", "# Terms\n")
        .file("content/team/hiring.md", "# Hiring\n")
        .file("content/team/just-over.md", "# Just over a year\n")
        .file("content/team/a-year.md", "# A year to the day\n");
    let root = fixture.root();
    git(&root, &["init", "-q"]);
    commit(&root, "Ann Archer", "2020-03-01T12:00:00Z");
    for (file, author, date) in [
        (
            "content/team/hiring.md",
            "Carol Chen",
            "2023-07-01T12:00:00Z",
        ),
        (
            "content/legal/terms.md",
            "Bob Baker",
            "2024-01-15T12:00:00Z",
        ),
        (
            "content/team/just-over.md",
            "Dan Day",
            "2025-05-31T12:00:00Z",
        ),
        ("content/team/a-year.md", "Eve East", "2025-06-01T12:00:00Z"),
        ("content/index.md", "Bob Baker", "2025-09-01T12:00:00Z"),
        (
            "content/engineering/fresh.md",
            "Ann Archer",
            "2026-01-01T12:00:00Z",
        ),
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        fixture.write(file, format!("{text}\nChanged on {date}.\n"));
        commit(&root, author, date);
    }
    fixture
}

const CODEOWNERS: &str =
    "/content/engineering/ @org/eng @jane\n/content/legal/ legal@example.com\n";

#[test]
fn pages_older_than_a_year_are_listed_by_owner() {
    let fixture = seven_pages(CONFIG).file(".github/CODEOWNERS", CODEOWNERS);
    // 366 days is over a year; 365 days, to the day, is not.
    stale(&fixture, &[]).success().stderr_is("").stdout_is(
        "4 of 7 pages due for review on 2026-06-01 (not changed for longer than their review interval)

@jane (1 page)
  content/engineering/build.md
      last changed 2020-03-01 by Ann Archer (6 years ago); review every 1 year

@org/eng (1 page)
  content/engineering/build.md
      last changed 2020-03-01 by Ann Archer (6 years ago); review every 1 year

legal@example.com (1 page)
  content/legal/terms.md
      last changed 2024-01-15 by Bob Baker (2 years ago); review every 1 year

No owner in .github/CODEOWNERS (2 pages)
  content/team/hiring.md
      last changed 2023-07-01 by Carol Chen (2 years ago); review every 1 year
  content/team/just-over.md
      last changed 2025-05-31 by Dan Day (12 months ago); review every 1 year
",
    );
}

#[test]
fn without_codeowners_the_pages_are_under_no_codeowners_file() {
    let fixture = seven_pages(CONFIG);
    stale(&fixture, &[]).success().stderr_is("").stdout_is(
        "4 of 7 pages due for review on 2026-06-01 (not changed for longer than their review interval)

No CODEOWNERS file (4 pages)
  content/engineering/build.md
      last changed 2020-03-01 by Ann Archer (6 years ago); review every 1 year
  content/team/hiring.md
      last changed 2023-07-01 by Carol Chen (2 years ago); review every 1 year
  content/legal/terms.md
      last changed 2024-01-15 by Bob Baker (2 years ago); review every 1 year
  content/team/just-over.md
      last changed 2025-05-31 by Dan Day (12 months ago); review every 1 year
",
    );
    // A later day: more pages are due (what will be due by then).
    let run = fixture.handbook(&["stale", "--on", "2026-09-02"]).run();
    run.success();
    assert!(
        run.stdout
            .starts_with("6 of 7 pages due for review on 2026-09-02 "),
        "{}",
        run.stdout
    );
    // An earlier one: fewer.
    let run = fixture.handbook(&["stale", "--on", "2021-03-02"]).run();
    assert!(
        run.stdout
            .starts_with("1 of 7 pages due for review on 2021-03-02 "),
        "{}",
        run.stdout
    );
}

/// The intervals of `handbook.yml` and of the pages' own front matter.
fn intervals() -> Fixture {
    let fixture = Fixture::new()
        .file(
            "handbook.yml",
            format!("{CONFIG}freshness:\n  review_every: 6 months\n"),
        )
        .file("content/index.md", "# Home\n")
        .file(
            "content/evergreen.md",
            "---\ntitle: Values\nevergreen: true\n---\n\nThey do not change.\n",
        )
        .file(
            "content/quarterly.md",
            "---\ntitle: Quarterly\nreview_every: 3 months\n---\n\nEvery quarter.\n",
        )
        .file("content/half-year.md", "# Half a year\n")
        .file("content/recent.md", "# Recent\n");
    let root = fixture.root();
    git(&root, &["init", "-q"]);
    commit(&root, "Ann Archer", "2015-01-01T12:00:00Z");
    // 212 days before 2026-06-01: over 6 months (180 days).
    fixture.write("content/half-year.md", "# Half a year\n\nChanged.\n");
    commit(&root, "Bob Baker", "2025-11-01T12:00:00Z");
    // 151 days: under 6 months, over 3.
    fixture.write("content/index.md", "# Home\n\nChanged.\n");
    fixture.write(
        "content/quarterly.md",
        "---\ntitle: Quarterly\nreview_every: 3 months\n---\n\nEvery quarter, changed.\n",
    );
    fixture.write("content/recent.md", "# Recent\n\nChanged.\n");
    commit(&root, "Carol Chen", "2026-01-01T12:00:00Z");
    fixture
}

fn json(run: &Run) -> serde_json::Value {
    run.success();
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|err| panic!("not JSON ({err}):\n{}", run.stdout))
}

fn paths(list: &serde_json::Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|page| page["path"].as_str().unwrap())
        .collect()
}

#[test]
fn the_interval_comes_from_handbook_yml_or_the_page_and_evergreen_pages_are_never_due() {
    let fixture = intervals();
    let report = json(&stale(&fixture, &["--format", "json"]));
    // Not the evergreen page from 2015; not the page of 151 days at 6 months.
    assert_eq!(
        paths(&report["stale"]),
        ["content/half-year.md", "content/quarterly.md"]
    );
    assert_eq!(report["stale"][0]["review_every_days"], 180);
    assert_eq!(report["stale"][0]["review_every"], "6 months");
    assert_eq!(report["stale"][1]["review_every_days"], 90);
    assert_eq!(report["stale"][1]["review_every"], "3 months");
    assert_eq!(report["undated"], serde_json::json!([]));
    // Every page was looked at, the evergreen one included.
    assert_eq!(report["pages"], 5);

    // An evergreen page is not due even when git cannot date it.
    let draft = intervals().file(
        "content/glossary.md",
        "---\ntitle: Glossary\nevergreen: true\n---\n\nNot committed.\n",
    );
    let report = json(&stale(&draft, &["--format", "json"]));
    assert_eq!(report["undated"], serde_json::json!([]));
    assert_eq!(report["pages"], 6);

    stale(&fixture, &[]).success().stderr_is("").stdout_is(
        "2 of 5 pages due for review on 2026-06-01 (not changed for longer than their review interval)

No CODEOWNERS file (2 pages)
  content/half-year.md
      last changed 2025-11-01 by Bob Baker (7 months ago); review every 6 months
  content/quarterly.md
      last changed 2026-01-01 by Carol Chen (5 months ago); review every 3 months
",
    );
}

#[test]
fn json_has_every_field_of_every_page() {
    let fixture = seven_pages(CONFIG).file(".github/CODEOWNERS", CODEOWNERS);
    fixture.write("content/team/draft.md", "# Draft\n");
    let report = json(&stale(&fixture, &["--format", "json"]));
    assert_eq!(report["checked_on"], "2026-06-01");
    assert_eq!(report["pages"], 8);
    assert_eq!(report["codeowners"], ".github/CODEOWNERS");
    assert_eq!(
        paths(&report["stale"]),
        [
            "content/engineering/build.md",
            "content/team/hiring.md",
            "content/legal/terms.md",
            "content/team/just-over.md"
        ]
    );
    assert_eq!(
        report["stale"][0],
        serde_json::json!({
            "path": "content/engineering/build.md",
            "title": "Build",
            "url": "https://example.com/engineering/build/",
            "last_changed": "2020-03-01",
            "author": "Ann Archer",
            "age_days": 2283,
            "review_every_days": 365,
            "review_every": "1 year",
            "owners": ["@org/eng", "@jane"],
        })
    );
    let terms = &report["stale"][2];
    assert_eq!(terms["last_changed"], "2024-01-15");
    assert_eq!(terms["author"], "Bob Baker");
    assert_eq!(terms["age_days"], 868);
    assert_eq!(terms["owners"], serde_json::json!(["legal@example.com"]));
    assert_eq!(report["stale"][1]["owners"], serde_json::json!([]));
    assert_eq!(report["stale"][3]["age_days"], 366);
    // Never committed: no date, no age, no author.
    assert_eq!(
        report["undated"],
        serde_json::json!([{
            "path": "content/team/draft.md",
            "title": "Draft",
            "url": "https://example.com/team/draft/",
            "last_changed": null,
            "author": null,
            "age_days": null,
            "review_every_days": 365,
            "review_every": "1 year",
            "owners": [],
        }])
    );
}

#[test]
fn markdown_has_a_table_per_owner_with_links_to_the_pages() {
    let fixture = seven_pages("title: Fixture\nbase_url: https://handbook.example.com/docs/\n")
        .file(".github/CODEOWNERS", CODEOWNERS);
    fixture.write("content/team/draft.md", "# Draft | notes\n");
    stale(&fixture, &["--format", "markdown"])
        .success()
        .stderr_is("")
        .stdout_is(
            "### 4 of 8 pages due for review

Not changed for longer than their review interval, on 2026-06-01.

#### @jane (1 page)

| Page | Last changed | Review every |
|---|---|---|
| [Build](https://handbook.example.com/docs/engineering/build/) `content/engineering/build.md` | 2020-03-01 by Ann Archer (6 years ago) | 1 year |

#### @org/eng (1 page)

| Page | Last changed | Review every |
|---|---|---|
| [Build](https://handbook.example.com/docs/engineering/build/) `content/engineering/build.md` | 2020-03-01 by Ann Archer (6 years ago) | 1 year |

#### legal@example.com (1 page)

| Page | Last changed | Review every |
|---|---|---|
| [Terms](https://handbook.example.com/docs/legal/terms/) `content/legal/terms.md` | 2024-01-15 by Bob Baker (2 years ago) | 1 year |

#### No owner in .github/CODEOWNERS (2 pages)

| Page | Last changed | Review every |
|---|---|---|
| [Hiring](https://handbook.example.com/docs/team/hiring/) `content/team/hiring.md` | 2023-07-01 by Carol Chen (2 years ago) | 1 year |
| [Just over a year](https://handbook.example.com/docs/team/just-over/) `content/team/just-over.md` | 2025-05-31 by Dan Day (12 months ago) | 1 year |

1 page cannot be dated from git: `content/team/draft.md`.
",
        );
}

#[test]
fn pages_not_committed_yet_are_undated_and_edits_keep_the_last_commit() {
    let fixture = seven_pages(CONFIG);
    fixture.write("content/team/new.md", "# New\n");
    fixture.write("content/engineering/new.md", "# Also new\n");
    // Edited but not committed: still the date of its last commit, so still due.
    fixture.write("content/engineering/build.md", "# Build\n\nEdited.\n");
    stale(&fixture, &[]).success().stderr_is("").stdout_is(
        "4 of 9 pages due for review on 2026-06-01 (not changed for longer than their review interval)

No CODEOWNERS file (4 pages)
  content/engineering/build.md
      last changed 2020-03-01 by Ann Archer (6 years ago); review every 1 year
  content/team/hiring.md
      last changed 2023-07-01 by Carol Chen (2 years ago); review every 1 year
  content/legal/terms.md
      last changed 2024-01-15 by Bob Baker (2 years ago); review every 1 year
  content/team/just-over.md
      last changed 2025-05-31 by Dan Day (12 months ago); review every 1 year

2 pages that git cannot date (not committed yet, or older than this clone's history):
  content/engineering/new.md
  content/team/new.md
",
    );
}

/// `git clone --depth DEPTH` of the fixture's repository, beside it.
fn shallow_clone(fixture: &Fixture, depth: &str, name: &str) -> std::path::PathBuf {
    let clone = fixture.tmp().join(name);
    let url = format!("file://{}", fixture.root().display());
    git(
        fixture.tmp(),
        &[
            "clone",
            "-q",
            "--depth",
            depth,
            &url,
            clone.to_str().unwrap(),
        ],
    );
    clone
}

fn stale_at(root: &Path, more: &[&str]) -> Run {
    let mut args = vec!["stale", "--on", ON];
    args.extend_from_slice(more);
    Handbook::new(args).arg("--root").arg(root).run()
}

#[test]
fn a_shallow_clone_leaves_pages_undated_rather_than_dated_wrongly() {
    let fixture = seven_pages(CONFIG);
    // One commit: the boundary, which git shows as adding every file on 2026-01-01.
    let clone = shallow_clone(&fixture, "1", "shallowest");
    let report = json(&stale_at(&clone, &["--format", "json"]));
    assert_eq!(report["stale"], serde_json::json!([]));
    assert_eq!(
        paths(&report["undated"]),
        [
            "content/engineering/build.md",
            "content/engineering/fresh.md",
            "content/index.md",
            "content/legal/terms.md",
            "content/team/a-year.md",
            "content/team/hiring.md",
            "content/team/just-over.md"
        ]
    );
    let run = stale_at(&clone, &[]);
    run.success().stderr_is("");
    assert!(
        run.stdout.starts_with(
            "0 of 7 pages due for review on 2026-06-01 (not changed for longer than their review interval)\n\n\
             7 pages that git cannot date (not committed yet, or older than this clone's history):\n"
        ),
        "{}",
        run.stdout
    );

    // Three commits: those after the boundary date their pages, the rest are unknown.
    let clone = shallow_clone(&fixture, "3", "shallow");
    let report = json(&stale_at(&clone, &["--format", "json"]));
    assert_eq!(report["stale"], serde_json::json!([]));
    assert_eq!(
        paths(&report["undated"]),
        [
            "content/engineering/build.md",
            "content/legal/terms.md",
            "content/team/a-year.md",
            "content/team/hiring.md",
            "content/team/just-over.md"
        ]
    );
}

#[test]
fn a_day_that_is_not_a_date_is_an_error_naming_on() {
    let fixture = seven_pages(CONFIG);
    fixture
        .handbook(&["stale", "--on", "2026-13-01"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is(
            "--on: `2026-13-01` is not a date\n  \
             help: write it as year-month-day, like `--on 2027-03-31`\n\
             error: cannot read the handbook\n",
        );
    for bad in ["tomorrow", "2026-6-1", "01-06-2026", ""] {
        let run = fixture.handbook(&["stale", "--on", bad]).run();
        run.code(1).stdout_is("");
        assert!(
            run.stderr
                .starts_with(&format!("--on: `{bad}` is not a date\n")),
            "{bad}: {}",
            run.stderr
        );
    }
}

/// Days no calendar has, and a date with more after it, are not dates either: counting to
/// them would report on another day than the one asked for.
#[test]
fn a_day_that_does_not_exist_is_an_error_naming_on() {
    let fixture = seven_pages(CONFIG);
    for bad in ["2026-02-30", "2026-04-31", "2026-06-01junk"] {
        let run = fixture.handbook(&["stale", "--on", bad]).run();
        assert!(
            run.code == Some(1)
                && run
                    .stderr
                    .starts_with(&format!("--on: `{bad}` is not a date\n")),
            "--on {bad}: exited with {:?}\nstdout:\n{}stderr:\n{}",
            run.code,
            run.stdout,
            run.stderr
        );
    }
}

#[test]
fn a_review_interval_that_is_not_a_span_of_time_is_an_error_at_its_line() {
    let fixture = seven_pages(CONFIG).file(
        "content/team/hiring.md",
        "---\ntitle: Hiring\nreview_every: soon\n---\n\nHow we hire.\n",
    );
    let run = stale(&fixture, &[]);
    run.code(1).stdout_is("");
    let problems = run.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    // At the line of `review_every:`, naming it and what it holds.
    assert_eq!(
        problems,
        [
            "content/team/hiring.md:3:15: `review_every` must be a span of time (days, weeks, months or years), found string \"soon\"\n  help: write it like `review_every: 3 months`"
        ]
    );
    assert!(
        run.stderr.ends_with("error: cannot read the handbook\n"),
        "{}",
        run.stderr
    );
    // A build fails the same way.
    let errors = fixture.errors();
    assert_eq!(errors, problems);
}

#[test]
fn a_review_interval_in_handbook_yml_that_is_not_a_span_of_time_is_an_error() {
    let fixture = seven_pages(&format!("{CONFIG}freshness:\n  review_every: later\n"));
    let run = stale(&fixture, &[]);
    run.code(1).stdout_is("");
    let problems = run.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(
        problems,
        [
            "handbook.yml:4:17: `freshness.review_every` must be a span of time, like `3 months` or `1 year`, found string \"later\""
        ]
    );
    assert_eq!(fixture.errors(), problems);
}

/// A git date for a commit made `days_ago` days before now: `<seconds> +0000`.
fn days_ago(days: u64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    format!("{} +0000", now - days * 86_400)
}

/// Pages changed 400 days ago (due), today (not due), and an evergreen one 400 days ago.
fn dated_from_today(config: &str) -> (Fixture, String) {
    let fixture = Fixture::new()
        .file("handbook.yml", config)
        .file(".github/CODEOWNERS", "/content/old.md @org/eng @jane\n")
        .file("content/index.md", "# Home\n")
        .file("content/old.md", "# Old\n")
        .file("content/fresh.md", "# Fresh\n")
        .file(
            "content/values.md",
            "---\ntitle: Values\nevergreen: true\n---\n\nThey do not change.\n",
        );
    let root = fixture.root();
    git(&root, &["init", "-q"]);
    commit(&root, "Ann Archer", &days_ago(400));
    let old = git(&root, &["log", "-1", "--format=%as"])
        .trim()
        .to_string();
    fixture.write("content/index.md", "# Home\n\nToday.\n");
    fixture.write("content/fresh.md", "# Fresh\n\nToday.\n");
    commit(&root, "Bob Baker", &days_ago(0));
    (fixture, old)
}

#[test]
fn freshness_note_marks_pages_due_for_review() {
    let config = "title: F\nbase_url: https://example.com/\nrepository:\n  url: https://github.com/org/handbook\nfreshness:\n  note: true\n";
    let (fixture, old) = dated_from_today(config);
    let site = fixture.build();
    assert_eq!(site.warnings(), Vec::<String>::new());
    let page = site.page("/old/");
    assert_eq!(
        select_texts(&page, "p.page-stale"),
        [format!(
            "This page has not changed since {} (13 months ago; it is due for review every 1 year), \
             so it may be out of date. Ask @org/eng, @jane if in doubt. Update it",
            handbook::git::history::long_date(&old).unwrap()
        )]
    );
    assert_eq!(select_attrs(&page, "p.page-stale time", "datetime"), [old]);
    assert_eq!(
        select_attrs(&page, "p.page-stale a", "href"),
        [
            "https://github.com/orgs/org/teams/eng",
            "https://github.com/jane",
            "https://github.com/org/handbook/edit/main/content/old.md"
        ]
    );
    // Changed today; and evergreen, however old.
    for url in ["/", "/fresh/", "/values/"] {
        assert!(select(&site.page(url), "p.page-stale").is_empty(), "{url}");
    }
}

#[test]
fn without_freshness_note_no_page_is_marked() {
    let (fixture, _) = dated_from_today(CONFIG);
    let site = fixture.build();
    for url in site.page_urls() {
        assert!(select(&site.page(&url), ".page-stale").is_empty(), "{url}");
    }
    // Still due for `handbook stale` (counted to today, without --on).
    let run = fixture.handbook(&["stale"]).run();
    run.success();
    assert!(
        run.stdout.starts_with("1 of 4 pages due for review on "),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("\n  content/old.md\n"),
        "{}",
        run.stdout
    );
}
