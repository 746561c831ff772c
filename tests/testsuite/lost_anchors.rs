//! Heading ids a change loses, compared with a base commit (`handbook check --base`, the
//! deploy preview's changes page), and the two fixes: `{#old-id}` on the new heading, or
//! `anchor_aliases:` in the front matter. Real git repositories made by the tests.

use crate::support::git::git;
use crate::support::{BuiltSite, Fixture, select, select_attrs, select_texts};

fn ops(front: &str, body: &str) -> String {
    format!("---\ntitle: Operations\n{front}---\n\n{body}")
}

const BASE: &str = "Intro.\n\n## Deploying\n\nShip it.\n\n## Rollback\n\nUndo it.\n\n## Setup\n\nOne.\n\n## Setup\n\nTwo.\n";

/// A handbook whose `main` has `ops.md` with headings Deploying, Rollback, Setup, Setup (ids
/// `deploying`, `rollback`, `setup`, `setup-1`), and a page linking to `#deploying`; then
/// checked out on a branch `change`.
fn handbook() -> Fixture {
    let fixture = Fixture::new()
        .file(
            "content/index.md",
            "---\ntitle: Home\n---\n\nSee [deploying](ops.md#deploying).\n",
        )
        .file("content/ops.md", ops("", BASE));
    let root = fixture.root();
    git(&root, &["init", "-q", "-b", "main"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "base"]);
    git(&root, &["checkout", "-q", "-b", "change"]);
    fixture
}

fn check(fixture: &Fixture, args: &[&str]) -> (i32, Vec<String>) {
    let mut all = vec!["check"];
    all.extend(args);
    let out = fixture.handbook(&all).run();
    (
        out.code.unwrap_or(-1),
        out.stderr.lines().map(str::to_string).collect(),
    )
}

#[test]
fn a_reworded_heading_is_a_warning_with_the_exact_fix() {
    let fixture = handbook();
    fixture.write(
        "content/ops.md",
        ops(
            "",
            &BASE.replace("## Deploying\n", "## Deploying to production\n"),
        ),
    );
    let (code, lines) = check(&fixture, &["--base", "main"]);
    assert_eq!(
        lines,
        [
            "content/index.md:5:17: broken link ops.md#deploying: /ops/ has no heading #deploying (did you mean /ops/#deploying-to-production?)",
            "content/ops.md:7:1: warning: the heading \"Deploying to production\" has a new id, #deploying-to-production (it was #deploying): links to /ops/#deploying no longer reach it",
            "  help: keep the old id by writing the heading as `## Deploying to production {#deploying}`, or add `anchor_aliases: {deploying: deploying-to-production}` to the front matter",
            "error: 1 error and 1 warning",
        ]
    );
    assert_eq!(code, 1);

    // Without the link, the warning alone: a link from outside the handbook would break.
    fixture.write("content/index.md", "---\ntitle: Home\n---\n\nHello.\n");
    let (code, lines) = check(&fixture, &["--base", "main"]);
    assert_eq!(code, 0, "{lines:?}");
    assert_eq!(lines.len(), 2, "{lines:?}");
    let (code, _) = check(&fixture, &["--base", "main", "--strict"]);
    assert_eq!(code, 1, "--strict fails on it");
    // Without --base, nothing is compared.
    let (code, lines) = check(&fixture, &[]);
    assert_eq!((code, lines.len()), (0, 0), "{lines:?}");
}

#[test]
fn keeping_the_old_id_on_the_heading_mends_it() {
    let fixture = handbook();
    fixture.write(
        "content/ops.md",
        ops(
            "",
            &BASE.replace(
                "## Deploying\n",
                "## Deploying to production {#deploying}\n",
            ),
        ),
    );
    let (code, lines) = check(&fixture, &["--base", "main", "--strict"]);
    assert_eq!((code, lines), (0, Vec::<String>::new()));
}

#[test]
fn an_anchor_alias_mends_it_and_is_an_anchor_of_the_page() {
    let fixture = handbook();
    fixture.write(
        "content/ops.md",
        ops(
            "anchor_aliases:\n  deploying: deploying-to-production\n",
            &BASE.replace("## Deploying\n", "## Deploying to production\n"),
        ),
    );
    let (code, lines) = check(&fixture, &["--base", "main", "--strict"]);
    assert_eq!((code, lines), (0, Vec::<String>::new()));
    // The old id is an element just before the heading, so the browser scrolls to it.
    let site = fixture.build();
    let html = site.page("/ops/");
    assert_eq!(
        select_attrs(&html, "span.anchor-alias", "id"),
        ["deploying"]
    );
    let raw = site.file("ops/index.html");
    assert!(
        raw.contains("<span class=\"anchor-alias\" id=\"deploying\"></span><h2 id=\"deploying-to-production\">"),
        "{raw}"
    );
    // An alias to a heading the page does not have is no anchor: the link stays broken.
    fixture.write(
        "content/ops.md",
        ops(
            "anchor_aliases:\n  deploying: no-such-heading\n",
            &BASE.replace("## Deploying\n", "## Deploying to production\n"),
        ),
    );
    let (code, lines) = check(&fixture, &[]);
    assert_eq!(code, 1);
    assert!(
        lines[0].starts_with("content/index.md:5:17: broken link ops.md#deploying"),
        "{lines:?}"
    );
}

#[test]
fn removed_headings_and_shifted_duplicate_ids_are_warned_about() {
    let fixture = handbook();
    // Rollback goes; the first Setup goes, so the second one's id becomes `setup`.
    let body = "Intro.\n\n## Deploying\n\nShip it.\n\n## Setup\n\nTwo.\n";
    fixture.write("content/ops.md", ops("", body));
    let (_, lines) = check(&fixture, &["--base", "main"]);
    assert_eq!(
        lines,
        [
            "content/ops.md:4:1: warning: the heading \"Rollback\" (#rollback) is gone: links to /ops/#rollback no longer reach it",
            "  help: if its text is now under another heading, add `anchor_aliases: {rollback: <that heading's id>}` to the front matter, or end that heading with `{#rollback}`",
            "content/ops.md:4:1: warning: the heading \"Setup\" (#setup-1) is gone: links to /ops/#setup-1 no longer reach it",
            "  help: if its text is now under another heading, add `anchor_aliases: {setup-1: <that heading's id>}` to the front matter, or end that heading with `{#setup-1}`",
            "Checked 2 pages in",
        ]
        .iter()
        .zip(&lines)
        .map(|(want, got)| if want.starts_with("Checked") { got.clone() } else { want.to_string() })
        .collect::<Vec<_>>()
    );
}

#[test]
fn a_moved_page_names_its_old_address() {
    let fixture = handbook();
    let root = fixture.root();
    git(&root, &["mv", "content/ops.md", "content/operations.md"]);
    fixture.write(
        "content/operations.md",
        ops(
            "aliases: [/ops/]\n",
            &BASE.replace("## Deploying\n", "## Deploying safely\n"),
        ),
    );
    fixture.write("content/index.md", "---\ntitle: Home\n---\n\nHello.\n");
    let (_, lines) = check(&fixture, &["--base", "main"]);
    assert_eq!(
        lines.first().map(String::as_str),
        Some(
            "content/operations.md:8:1: warning: the heading \"Deploying safely\" has a new id, #deploying-safely (it was #deploying): links to /ops/#deploying no longer reach it"
        ),
        "{lines:?}"
    );
}

#[test]
fn the_preview_changes_page_shows_each_lost_anchor_and_its_fix() {
    let fixture = handbook();
    fixture.write(
        "content/ops.md",
        ops(
            "",
            &BASE.replace("## Deploying\n", "## Deploying to production\n"),
        ),
    );
    fixture.write("content/index.md", "---\ntitle: Home\n---\n\nHello.\n");
    let site: BuiltSite = fixture.build_with(|options| options.base = Some("main".into()));
    assert_eq!(site.warnings().len(), 1, "{:?}", site.warnings());
    let html = site.page("/_preview/");
    let flags = select(&html, ".changes__flag--anchor");
    assert_eq!(flags.len(), 1);
    assert_eq!(flags[0].attr("data-anchor"), Some("deploying"));
    assert_eq!(
        select_texts(&html, ".changes__flag--anchor code"),
        [
            "#deploying",
            "#deploying-to-production",
            "## Deploying to production {#deploying}",
            "anchor_aliases: {deploying: deploying-to-production}",
        ]
    );
    assert_eq!(
        select_attrs(&html, ".changes__flag--anchor a", "href"),
        ["/ops/#deploying-to-production"]
    );
}

/// `handbook serve --base main`: a lost anchor is a warning on the terminal (the overlay shows
/// errors only), told again as the page changes.
#[test]
fn serve_with_a_base_warns_while_you_write() {
    let fixture = handbook();
    fixture.write("content/index.md", "---\ntitle: Home\n---\n\nHello.\n");
    fixture.write(
        "content/ops.md",
        ops(
            "",
            &BASE.replace("## Deploying\n", "## Deploying to production\n"),
        ),
    );
    let server = crate::support::serve::Served::start(&fixture.root(), &["--base", "main"]);
    let within = std::time::Duration::from_secs(30);
    server.wait_error(within, |line| {
        line.starts_with("content/ops.md:7:1: warning: the heading \"Deploying to production\" has a new id, #deploying-to-production")
    });
    let events = server.events();
    events.until("hello");
    fixture.write(
        "content/ops.md",
        ops("", &BASE.replace("## Deploying\n", "## Deploying safely\n")),
    );
    events.until("reload");
    server.wait_error(within, |line| {
        line.starts_with("content/ops.md:7:1: warning: the heading \"Deploying safely\" has a new id, #deploying-safely")
    });
}
