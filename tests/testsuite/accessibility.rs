//! The default theme in a real browser: axe-core's WCAG 2 A/AA and best-practice rules on the
//! real handbook (with an announcement bar and "Last updated" added), light and dark, wide and
//! narrow, with no console errors.
//!
//! Needs Chromium (`/usr/bin/chromium`, or `CHROMIUM`), Node.js and `npm ci --prefix
//! tests/browser`; `.ci/run` installs them. Without them the test shows as ignored (build.rs
//! looks for them), with what to install; on CI (`CI` set) it fails.

use crate::support::git::{commit, git};
use crate::support::{Fixture, StaticServer};
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the browser test needs and is missing, if anything.
fn missing_tools(browser_dir: &Path) -> Vec<String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let mut missing = Vec::new();
    if !Path::new(&chromium).exists() {
        missing.push(format!("Chromium at {chromium} (apt-get install chromium)"));
    }
    if Command::new("node").arg("--version").output().is_err() {
        missing.push("Node.js".into());
    }
    if !browser_dir.join("node_modules/axe-core").is_dir() {
        missing.push("tests/browser/node_modules (npm ci --prefix tests/browser)".into());
    }
    missing
}

/// A copy of the real handbook that shows what only some sites show: an announcement with a
/// link, "Last updated" from a git history of one commit, the recent changes, owners from a
/// `CODEOWNERS`, and the "may be out of date" note on every page.
fn with_everything_shown() -> Fixture {
    let fixture = Fixture::this_handbook();
    let config = std::fs::read_to_string(fixture.root().join("handbook.yml")).unwrap();
    fixture.write(
        "handbook.yml",
        format!(
            "{config}\nannouncement:\n  text: We moved to the new handbook!\n  link: /community/\nfreshness:\n  review_every: 30 days\n  note: true\n"
        ),
    );
    fixture.write(
        "CODEOWNERS",
        "* @meltano/handbook\n/content/engineering/ @meltano/engineering @jane people@example.com\n",
    );
    let root = fixture.root();
    git(&root, &["init", "-q"]);
    commit(&root, "Jane Doe", "2026-01-05T10:00:00Z");
    fixture
}

#[test]
#[cfg_attr(
    not(has_axe),
    ignore = "needs Chromium, Node.js and tests/browser/node_modules: apt-get install chromium nodejs; npm ci --prefix tests/browser"
)]
fn the_default_theme_passes_axe_in_light_and_dark_wide_and_narrow() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let browser_dir = repo.join("tests/browser");
    // Ignored where they are missing: running without them is CI's failure, never a pass.
    let missing = missing_tools(&browser_dir);
    assert!(
        missing.is_empty(),
        "the browser test needs {}",
        missing.join(", ")
    );

    let fixture = with_everything_shown();
    let public = fixture.build().out;
    // Without the Content-Security-Policy of `_headers`: it would block the script of axe.
    let server = StaticServer::without_headers(&public);

    let pages = [
        "/",
        "/engineering/",
        "/engineering/release-process/",
        "/community/",
        "/product/",
        "/team/",
        "/404.html",
        "/search/",
        "/search/?q=release",
        "/recent-changes/",
    ];
    audit(&browser_dir, &server, &pages);

    // A deploy preview of the copy with a changed page: the banner, the marks in the page and
    // the sidebar, and the changes page.
    let changed = "content/engineering/release-process.md";
    let mut text = std::fs::read_to_string(fixture.root().join(changed)).unwrap();
    text.push_str("\n## Reviewed in a preview\n\nA section a merge request adds.\n");
    // A reworded heading: its lost anchor is flagged on the changes page.
    let text = text.replacen("\n## ", "\n## Reworded: ", 1);
    fixture.write(changed, text);
    let preview = fixture.tmp().join("preview-public");
    fixture.build_with(|options| {
        options.output_dir = Some(preview.clone());
        options.base = Some("HEAD".into());
        options.deploy = handbook::netlify::deploy::Deploy {
            context: "deploy-preview".into(),
            review_id: Some("42".into()),
            branch: Some("fix-release-notes".into()),
            commit: Some("0123456789abcdef".into()),
            noindex: true,
            ..Default::default()
        };
    });
    let page =
        std::fs::read_to_string(preview.join("engineering/release-process/index.html")).unwrap();
    assert!(page.contains("preview-banner") && page.contains("changed-section"));
    let changes = std::fs::read_to_string(preview.join("_preview/index.html")).unwrap();
    assert!(
        changes.contains("changes__flag--anchor"),
        "no lost anchor flagged"
    );
    assert!(page.contains("page-stale") && page.contains("page-owners"));
    let server = StaticServer::without_headers(&preview);
    audit(
        &browser_dir,
        &server,
        &["/_preview/", "/engineering/release-process/"],
    );
}

fn audit(browser_dir: &Path, server: &StaticServer, pages: &[&str]) {
    let audit = Command::new("node")
        .arg(browser_dir.join("audit.js"))
        .arg(server.url(""))
        .args(pages)
        .output()
        .expect("run node tests/browser/audit.js");
    let report = String::from_utf8_lossy(&audit.stdout);
    assert!(
        audit.status.success() && report.trim().is_empty(),
        "accessibility problems or console errors:\n{report}{}",
        String::from_utf8_lossy(&audit.stderr)
    );
}
