//! Netlify builds, end to end: a real git repository with a base commit on `main` and a merge
//! request's commit on `feature` (a page changed, one added, one removed without an alias, one
//! renamed with an alias), built by the `handbook` binary with the variables Netlify sets in each
//! context. The output is read back as parsed HTML.

use crate::support::cmd::Run;
use crate::support::git::git;
use crate::support::merge_request::{merge_request, page};
use crate::support::{
    BuiltSite, Fixture, Handbook, select, select_attrs, select_one, select_texts, text,
};
use scraper::Html;
use std::ops::Deref;
use std::path::Path;

/// Every variable Netlify sets that handbook reads, and the one it must never read.
const NETLIFY_VARS: &[&str] = &[
    "CONTEXT",
    "URL",
    "DEPLOY_PRIME_URL",
    "REVIEW_ID",
    "BRANCH",
    "HEAD",
    "COMMIT_REF",
    "CACHED_COMMIT_REF",
    "REPOSITORY_URL",
];

const PRIME_URL: &str = "https://deploy-preview-7--handbook.netlify.app";
const PRODUCTION_URL: &str = "https://handbook.example.com";
/// Netlify's REPOSITORY_URL can carry a token: it must never reach the output.
const SECRET_REPOSITORY_URL: &str = "https://x-access-token:s3cr3t-t0ken@github.com/acme/handbook";

/// `handbook <args>` in `dir`, with exactly the Netlify variables `vars` set.
fn handbook(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Run {
    let mut command = Handbook::new(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1");
    for var in NETLIFY_VARS {
        command = command.env_remove(var);
    }
    for (name, value) in vars {
        command = command.env(name, value);
    }
    command.run()
}

/// A finished `handbook build` of `dir` into `dir/public`: the site, and what the build said.
struct Build {
    site: BuiltSite,
    stderr: String,
}

impl Deref for Build {
    type Target = BuiltSite;

    fn deref(&self) -> &BuiltSite {
        &self.site
    }
}

fn build(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Build {
    let mut all = vec!["build"];
    all.extend(args);
    let run = handbook(dir, &all, vars);
    run.success();
    Build {
        site: BuiltSite::at(dir.join("public")),
        stderr: run.stderr,
    }
}

fn preview_vars(head: &str) -> Vec<(&str, &str)> {
    vec![
        ("CONTEXT", "deploy-preview"),
        ("REVIEW_ID", "7"),
        ("BRANCH", "feature"),
        ("HEAD", "feature"),
        ("COMMIT_REF", head),
        ("URL", PRODUCTION_URL),
        ("DEPLOY_PRIME_URL", PRIME_URL),
        ("REPOSITORY_URL", SECRET_REPOSITORY_URL),
    ]
}

/// The changes page, one line per listed page: `group: Title /url/ [sections] {flags}`.
fn changes(site: &Build) -> Vec<String> {
    let html = site.page("/_preview/");
    let mut lines = Vec::new();
    for group in select(&html, ".changes__group") {
        let heading = group
            .select(&scraper::Selector::parse("h2").unwrap())
            .next()
            .map(|h| h.attr("id").unwrap_or("").to_string())
            .unwrap();
        for entry in group.select(&scraper::Selector::parse(".changes__page").unwrap()) {
            let fragment = Html::parse_fragment(&entry.html());
            let title = select_one(&fragment, ".changes__title");
            let url = title.attr("href").unwrap_or("-");
            let sections: Vec<String> = select(&fragment, ".changes__sections a")
                .into_iter()
                .map(|a| format!("{} {}", text(a), a.attr("href").unwrap()))
                .collect();
            let flagged =
                !select(&fragment, ".changes__flag:not(.changes__flag--anchor)").is_empty();
            let lost: String = select(&fragment, ".changes__flag--anchor")
                .into_iter()
                .map(|flag| format!(" LOST #{}", flag.attr("data-anchor").unwrap()))
                .collect();
            lines.push(format!(
                "{heading}: {} {url} {sections:?}{}{lost}",
                text(title),
                if flagged { " NO REDIRECT" } else { "" }
            ));
        }
    }
    lines
}

#[test]
fn a_deploy_preview_shows_the_reviewer_exactly_what_changed() {
    let repo = merge_request();
    let root = repo.fixture.root();
    let site = build(&root, &[], &preview_vars(&repo.head));

    assert_eq!(
        changes(&site),
        [
            "changes-added: New page /guide/new/ [\"Introduction /guide/new/\", \"Details /guide/new/#details\"]",
            // Gamma is gone: links to its anchor no longer reach it.
            "changes-changed: Changed /guide/changed/ [\"Beta /guide/changed/#beta\", \"Delta /guide/changed/#delta\"] LOST #gamma",
            "changes-renamed: Renamed /guide/new-name/ []",
            "changes-removed: Removed - [] NO REDIRECT",
        ]
    );
    let overview = site.page("/_preview/");
    let lead = select_texts(&overview, ".article__header .lead");
    assert_eq!(
        lead,
        [format!(
            "Merge request #7 from feature at commit {}, compared with main (merge base {}).",
            &repo.head[..7],
            &repo.base[..7]
        )]
    );
    let details = select_texts(&overview, ".changes__detail");
    assert!(
        details.contains(&"Removed sections: Gamma.".to_string()),
        "{details:?}"
    );
    assert!(
        details.contains(&"Moved from /guide/old-name/ to /guide/new-name/.".to_string()),
        "{details:?}"
    );
    assert_eq!(
        select_texts(&overview, ".changes__flag--summary strong"),
        ["1 old address leads nowhere now."]
    );

    // The banner, on every page, the 404 page and the changes page included.
    let banner = format!(
        "Preview of merge request #7 · feature · commit {} · 4 pages changed",
        &repo.head[..7]
    );
    for url in ["/", "/guide/kept/", "/guide/changed/", "/_preview/"] {
        let html = site.page(url);
        assert_eq!(
            select_texts(&html, ".preview-banner"),
            vec![banner.clone()],
            "{url}"
        );
        assert_eq!(
            select_attrs(&html, ".preview-banner a", "href"),
            ["/_preview/"]
        );
    }
    let not_found = Html::parse_document(&site.file("404.html"));
    assert_eq!(select_texts(&not_found, ".preview-banner"), [banner]);

    // The changed sections are marked in the page, and only they.
    let changed = site.page("/guide/changed/");
    let marked: Vec<String> = select(&changed, ".changed-section")
        .into_iter()
        .map(|section| {
            let fragment = Html::parse_fragment(&section.html());
            format!(
                "{} {}",
                section.attr("data-change").unwrap(),
                select_attrs(&fragment, "h2", "id").join(",")
            )
        })
        .collect();
    assert_eq!(marked, ["changed beta", "added delta"]);
    assert_eq!(
        select(&site.page("/guide/kept/"), ".changed-section").len(),
        0
    );
    assert_eq!(
        select(&changed, ".page-change").len(),
        1,
        "the page says it changed"
    );

    // The sidebar marks the pages the merge request changed.
    let home = site.page("/guide/");
    let marks: Vec<String> = select(&home, ".sidebar a.nav-link")
        .into_iter()
        .filter(|a| a.html().contains("nav-change"))
        .map(|a| a.attr("href").unwrap().to_string())
        .collect();
    assert_eq!(
        marks,
        ["/guide/changed/", "/guide/new-name/", "/guide/new/"]
    );

    // The removed page, flagged in the build's log too; the deploy goes on.
    assert!(
        site.stderr.contains(
            "content/guide/removed.md (removed): warning: this page was removed, and its URL /guide/removed/ now leads nowhere"
        ),
        "{}",
        site.stderr
    );
}

#[test]
fn previews_are_not_indexed_and_link_to_themselves() {
    let repo = merge_request();
    let root = repo.fixture.root();
    let site = build(&root, &[], &preview_vars(&repo.head));
    for (path, html) in site.html_files() {
        let doc = Html::parse_document(&html);
        assert_eq!(
            select_attrs(&doc, "meta[name=robots]", "content"),
            ["noindex"],
            "{path}"
        );
        // Internal links and assets are root-relative: the preview works on any host.
        for href in select_attrs(&doc, "a[href], link[href], script[src], img[src]", "href")
            .into_iter()
            .chain(select_attrs(&doc, "script[src], img[src]", "src"))
        {
            assert!(
                !href.starts_with(PRIME_URL) && !href.starts_with(PRODUCTION_URL)
                    || select_attrs(&doc, "link[rel=canonical]", "href").contains(&href),
                "{path}: {href}"
            );
        }
        assert!(
            !html.contains("s3cr3t") && !html.contains("x-access-token"),
            "REPOSITORY_URL leaked into {path}"
        );
    }
    let kept = site.page("/guide/kept/");
    assert_eq!(
        select_attrs(&kept, "link[rel=canonical]", "href"),
        [format!("{PRIME_URL}/guide/kept/")]
    );
    assert_eq!(
        select_attrs(&kept, "meta[property='og:url']", "content"),
        [format!("{PRIME_URL}/guide/kept/")]
    );
    assert!(
        site.file("sitemap.xml")
            .contains(&format!("<loc>{PRIME_URL}/guide/kept/</loc>"))
    );
    for file in ["sitemap.xml", "robots.txt", "_redirects"] {
        assert!(!site.file(file).contains("s3cr3t"), "{file}");
    }
}

#[test]
fn production_has_no_banner_and_is_indexed() {
    let repo = merge_request();
    let root = repo.fixture.root();
    let mut vars = preview_vars(&repo.head);
    vars[0] = ("CONTEXT", "production");
    vars.retain(|(k, _)| *k != "REVIEW_ID");
    let site = build(&root, &[], &vars);
    assert!(!site.out.join("_preview").exists());
    for (path, html) in site.html_files() {
        let doc = Html::parse_document(&html);
        assert_eq!(select(&doc, ".preview-banner").len(), 0, "{path}");
        assert_eq!(select(&doc, ".changed-section, .nav-change").len(), 0);
        let robots = select_attrs(&doc, "meta[name=robots]", "content");
        // The 404 page, the search page and the redirect pages of aliases are never indexed.
        if !matches!(path.as_str(), "404.html" | "search/index.html") && !path.contains("old-name")
        {
            assert!(robots.is_empty(), "{path}: {robots:?}");
        }
    }
    assert_eq!(
        select_attrs(&site.page("/guide/kept/"), "link[rel=canonical]", "href"),
        [format!("{PRODUCTION_URL}/guide/kept/")]
    );

    // --base-url wins over Netlify's URL.
    let site = build(&root, &["--base-url", "https://other.example/"], &vars);
    assert_eq!(
        select_attrs(&site.page("/guide/kept/"), "link[rel=canonical]", "href"),
        ["https://other.example/guide/kept/"]
    );
}

#[test]
fn a_branch_deploy_is_a_preview_of_its_branch() {
    let repo = merge_request();
    let root = repo.fixture.root();
    let mut vars = preview_vars(&repo.head);
    vars[0] = ("CONTEXT", "branch-deploy");
    vars.retain(|(k, _)| *k != "REVIEW_ID");
    let site = build(&root, &[], &vars);
    assert_eq!(
        select_texts(&site.page("/"), ".preview-banner"),
        [format!(
            "Preview · feature · commit {} · 4 pages changed",
            &repo.head[..7]
        )]
    );
    assert_eq!(
        select_attrs(&site.page("/"), "link[rel=canonical]", "href"),
        [format!("{PRIME_URL}/")]
    );
}

#[test]
fn a_local_build_is_plain_and_takes_the_base_url_of_handbook_yml() {
    let repo = merge_request();
    let root = repo.fixture.root();
    let site = build(&root, &[], &[]);
    let home = site.page("/");
    assert_eq!(select(&home, ".preview-banner, meta[name=robots]").len(), 0);
    assert_eq!(
        select_attrs(&home, "link[rel=canonical]", "href"),
        ["https://example.com/"]
    );

    // `--base` shows a contributor what a reviewer will see.
    let site = build(&root, &["--base", "main"], &[]);
    assert_eq!(changes(&site).len(), 4);
    assert_eq!(
        select_texts(&site.page("/"), ".preview-banner"),
        ["Preview · 4 pages changed"]
    );
}

/// Netlify may clone only the commit it builds: the base branch is fetched.
#[test]
fn a_shallow_clone_fetches_the_base_branch() {
    let repo = merge_request();
    let tmp = tempfile::tempdir().unwrap();
    let source = format!("file://{}", repo.fixture.root().display());
    git(
        tmp.path(),
        &[
            "clone", "-q", "--depth", "1", "--branch", "feature", &source, "clone",
        ],
    );
    let clone = tmp.path().join("clone");
    assert_eq!(
        git(&clone, &["rev-parse", "--is-shallow-repository"]).trim(),
        "true"
    );
    let site = build(&clone, &[], &preview_vars(&repo.head));
    assert_eq!(changes(&site).len(), 4, "{}", site.stderr);
}

/// Without history and without a remote, the deploy goes on and says it cannot tell; with the
/// previous build's commit (CACHED_COMMIT_REF) it compares with that.
#[test]
fn without_history_the_preview_says_it_cannot_tell() {
    let repo = merge_request();
    let tmp = tempfile::tempdir().unwrap();
    let source = format!("file://{}", repo.fixture.root().display());
    git(
        tmp.path(),
        &[
            "clone", "-q", "--depth", "2", "--branch", "feature", &source, "clone",
        ],
    );
    let clone = tmp.path().join("clone");
    git(&clone, &["remote", "remove", "origin"]);

    let site = build(&clone, &[], &preview_vars(&repo.head));
    assert!(
        site.stderr.contains("warning: cannot tell what changed"),
        "{}",
        site.stderr
    );
    assert_eq!(
        select_texts(&site.page("/"), ".preview-banner a"),
        ["What changed?"]
    );
    let note = select_texts(&site.page("/_preview/"), ".changes__note");
    assert_eq!(note.len(), 1);
    assert!(note[0].starts_with("cannot tell what changed"), "{note:?}");

    let mut vars = preview_vars(&repo.head);
    vars.push(("CACHED_COMMIT_REF", &repo.base));
    let site = build(&clone, &[], &vars);
    assert_eq!(changes(&site).len(), 4, "{}", site.stderr);
    let lead = select_texts(&site.page("/_preview/"), ".article__header .lead");
    assert!(
        lead[0].contains(&format!(
            "compared with the previous build of this deploy ({})",
            &repo.base[..7]
        )),
        "{lead:?}"
    );
}

#[test]
fn check_base_fails_on_a_page_moved_without_a_redirect() {
    let repo = merge_request();
    let root = repo.fixture.root();
    let out = handbook(&root, &["check", "--base", "main"], &[]);
    let stderr = &out.code(1).stderr;
    assert_eq!(
        stderr.lines().collect::<Vec<_>>(),
        [
            "content/guide/changed.md:4:1: warning: the heading \"Gamma\" (#gamma) is gone: links to /guide/changed/#gamma no longer reach it",
            "  help: if its text is now under another heading, add `anchor_aliases: {gamma: <that heading's id>}` to the front matter, or end that heading with `{#gamma}`",
            "content/guide/removed.md (removed): this page was removed, and its URL /guide/removed/ now leads nowhere",
            "  help: links to /guide/removed/ from outside the handbook (bookmarks, chat, other sites) break: add `aliases: [\"/guide/removed/\"]` to the front matter of the page that replaces it",
            "error: 1 error and 1 warning",
        ]
    );

    // An alias on the page that replaces it mends it; a rename without one is an error.
    repo.fixture.write(
        "content/guide/new.md",
        page("New page", "Fresh.\n").replace("---\n\n", "aliases: [/guide/removed/]\n---\n\n"),
    );
    repo.fixture.write(
        "content/guide/new-name.md",
        page("Renamed", "Same text under a new name.\n"),
    );
    let stderr = handbook(&root, &["check", "--base", "main"], &[]).stderr;
    assert_eq!(
        stderr.lines().find(|l| !l.contains("#gamma")),
        Some(
            "content/guide/new-name.md:1:1: this page moved from /guide/old-name/ to /guide/new-name/ without a redirect"
        ),
        "{stderr}"
    );

    let stderr = handbook(&root, &["check", "--base", "no-such-branch"], &[]).stderr;
    assert!(
        stderr.starts_with(
            "--base: there is no commit, branch or tag `no-such-branch` in this repository"
        ),
        "{stderr}"
    );
}

#[test]
fn outside_git_a_preview_builds_and_says_why_it_cannot_tell() {
    let fixture = Fixture::new().file("content/index.md", page("Home", "Hi.\n"));
    let site = build(
        &fixture.root(),
        &[],
        &[("CONTEXT", "deploy-preview"), ("REVIEW_ID", "3")],
    );
    assert!(
        site.stderr.contains("not in a git checkout"),
        "{}",
        site.stderr
    );
    assert_eq!(
        select_texts(&site.page("/"), ".preview-banner"),
        ["Preview of merge request #3 · What changed?"]
    );
}

/// netlify.toml builds every context with one command into public/, with the toolchain pinned
/// to a full version (a floating `stable` would change under a cached build).
#[test]
fn netlify_toml_builds_every_context_the_same_way() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(repo.join("netlify.toml")).unwrap();
    let mut table = String::new();
    let mut commands = Vec::new();
    let mut publish = None;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            table = line.to_string();
        } else if let Some(value) = line.strip_prefix("command = ") {
            commands.push((table.clone(), value.trim_matches('"').to_string()));
        } else if let Some(value) = line.strip_prefix("publish = ") {
            publish = Some((table.clone(), value.trim_matches('"').to_string()));
        }
    }
    assert_eq!(publish, Some(("[build]".into(), "public".into())));
    let tables: Vec<&str> = commands.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        tables,
        [
            "[build]",
            "[context.production]",
            "[context.deploy-preview]",
            "[context.branch-deploy]"
        ]
    );
    for (table, command) in &commands {
        assert_eq!(
            command, "cargo build --release --locked && ./target/release/handbook build",
            "{table}"
        );
    }
    let toolchain = std::fs::read_to_string(repo.join("rust-toolchain.toml")).unwrap();
    let channel = toolchain
        .lines()
        .find_map(|l| l.strip_prefix("channel = "))
        .unwrap()
        .trim_matches('"');
    assert_eq!(channel.split('.').count(), 3, "a full version: {channel}");
    assert!(channel.split('.').all(|n| n.parse::<u32>().is_ok()));
}
