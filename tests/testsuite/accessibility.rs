//! The default theme in a real browser: axe-core's WCAG 2 A/AA and best-practice rules on the
//! real handbook (with an announcement bar and "Last updated" added), light and dark, wide and
//! narrow, with no console errors.
//!
//! Needs Chromium (`/usr/bin/chromium`, or `CHROMIUM`), Node.js and `npm ci --prefix
//! tests/browser`; `.ci/run` installs them. Without them the test shows as ignored (build.rs
//! looks for them), with what to install; on CI (`CI` set) it fails.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A static file server for the built site: Python's, on a free port, ended by its pid.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(dir: &Path) -> Server {
        let mut child = Command::new("python3")
            .args(["-u", "-m", "http.server", "--bind", "127.0.0.1", "0"])
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start python3 -m http.server");
        // "Serving HTTP on 127.0.0.1 port 40123 (http://127.0.0.1:40123/) ..."
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut line)
            .expect("read the server's first line");
        let port = line
            .split(" port ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        Server {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Only the process this test started.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

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

/// A copy of the real handbook at `to` that shows what only some sites show: an announcement
/// with a link, and "Last updated" from a git history of one commit (if git is there).
fn with_everything_shown(repo: &Path, to: &Path) -> PathBuf {
    for folder in ["content", "templates", "static"] {
        copy_dir(&repo.join(folder), &to.join(folder));
    }
    let config = std::fs::read_to_string(repo.join("handbook.yml")).unwrap();
    std::fs::write(
        to.join("handbook.yml"),
        format!(
            "{config}\nannouncement:\n  text: We moved to the new handbook!\n  link: /community/\n"
        ),
    )
    .unwrap();
    let git = |args: &[&str]| {
        let _ = Command::new("git")
            .args([
                "-c",
                "user.name=Jane Doe",
                "-c",
                "user.email=jane@example.com",
            ])
            .args(args)
            .current_dir(to)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    };
    git(&["init", "-q"]);
    git(&["add", "--all"]);
    git(&["commit", "-q", "-m", "copy"]);
    to.to_path_buf()
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

    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    let site = with_everything_shown(&repo, &out.path().join("site"));
    handbook::build(&handbook::BuildOptions {
        root: site.clone(),
        output_dir: Some(public.clone()),
        ..Default::default()
    })
    .expect("the real handbook builds");
    let server = Server::start(&public);

    let pages = [
        "/",
        "/engineering/",
        "/engineering/release-process/",
        "/community/",
        "/product/",
        "/404.html",
        "/search/",
        "/search/?q=release",
    ];
    audit(&browser_dir, &server, &pages);

    // A deploy preview of the copy with a changed page: the banner, the marks in the page and
    // the sidebar, and the changes page.
    let changed = site.join("content/engineering/release-process.md");
    let mut text = std::fs::read_to_string(&changed).unwrap();
    text.push_str("\n## Reviewed in a preview\n\nA section a merge request adds.\n");
    std::fs::write(&changed, text).unwrap();
    let preview = out.path().join("preview-public");
    handbook::build(&handbook::BuildOptions {
        root: site,
        output_dir: Some(preview.clone()),
        base: Some("HEAD".into()),
        deploy: handbook::deploy::Deploy {
            context: "deploy-preview".into(),
            review_id: Some("42".into()),
            branch: Some("fix-release-notes".into()),
            commit: Some("0123456789abcdef".into()),
            noindex: true,
            ..Default::default()
        },
        ..Default::default()
    })
    .expect("the preview builds");
    let page =
        std::fs::read_to_string(preview.join("engineering/release-process/index.html")).unwrap();
    assert!(page.contains("preview-banner") && page.contains("changed-section"));
    let server = Server::start(&preview);
    audit(
        &browser_dir,
        &server,
        &["/_preview/", "/engineering/release-process/"],
    );
}

fn audit(browser_dir: &Path, server: &Server, pages: &[&str]) {
    let audit = Command::new("node")
        .arg(browser_dir.join("audit.js"))
        .arg(&server.url)
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

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().map(Result::unwrap) {
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
