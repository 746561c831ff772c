//! Finds out whether the browser tests can run on this machine, so that `cargo test` shows
//! them as ignored (saying what to install) rather than as passed when they cannot:
//!
//! - `has_browser`: Chromium and chromedriver are there (`/usr/bin/chromium`,
//!   `/usr/bin/chromedriver`, or the paths in `CHROMIUM` and `CHROMEDRIVER`);
//! - `has_axe`: Chromium, Node.js (`node` on `PATH`) and `tests/browser/node_modules` (`npm ci
//!   --prefix tests/browser`) are there.
//!
//! - `has_xmllint`: `xmllint` (Debian's `libxml2-utils`) is there (`/usr/bin/xmllint`, or the
//!   path in `XMLLINT`), for the tests that validate the Atom feed against its schema.
//! - `is_root`: the tests run as root, so a test can mount a small tmpfs (a full disk).
//!
//! With `CI` set both browser settings are on whatever is installed: there a missing tool fails the tests.
//! Installing a tool, or changing these variables, runs this script again, and the tests
//! are compiled again to run.

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo::rustc-check-cfg=cfg(has_browser)");
    println!("cargo::rustc-check-cfg=cfg(has_axe)");
    println!("cargo::rustc-check-cfg=cfg(is_root)");
    println!("cargo::rustc-check-cfg=cfg(has_xmllint)");
    // Tests that mount a small file system (a full disk) need root.
    if runs_as_root() {
        println!("cargo::rustc-cfg=is_root");
    }
    // Not PATH: it differs between a terminal and an editor's cargo, and every difference
    // would compile the crate again. Node.js installed by a package lands in a watched folder.
    for name in ["CI", "CHROMIUM", "CHROMEDRIVER", "XMLLINT"] {
        println!("cargo::rerun-if-env-changed={name}");
    }
    let chromium = tool("CHROMIUM", "/usr/bin/chromium");
    let chromedriver = tool("CHROMEDRIVER", "/usr/bin/chromedriver");
    let xmllint = tool("XMLLINT", "/usr/bin/xmllint");
    let node = find_on_path("node");
    let packages = Path::new("tests/browser");
    for watched in [&chromium, &chromedriver, &xmllint] {
        watch_folder_of(watched);
    }
    match &node {
        Some(node) => watch_folder_of(node),
        // Where packages install it; a version manager changes PATH instead.
        None => {
            for folder in ["/usr/bin", "/usr/local/bin"] {
                watch_existing(Path::new(folder));
            }
        }
    }
    // The whole folder: its node_modules appearing, or changing, shows in it.
    println!("cargo::rerun-if-changed={}", packages.display());
    let ci = std::env::var_os("CI").is_some();
    if ci || (chromium.is_file() && chromedriver.is_file()) {
        println!("cargo::rustc-cfg=has_browser");
    }
    if ci || xmllint.is_file() {
        println!("cargo::rustc-cfg=has_xmllint");
    }
    let axe = packages.join("node_modules/axe-core").is_dir();
    if ci || (chromium.is_file() && node.is_some() && axe) {
        println!("cargo::rustc-cfg=has_axe");
    }
}

/// Whether this user is root (`Uid:` 0 in `/proc/self/status`, as the tests will run).
fn runs_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .find_map(|line| line.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().next())
            == Some("0")
    })
}

fn tool(variable: &str, default: &str) -> PathBuf {
    std::env::var_os(variable).map_or_else(|| PathBuf::from(default), PathBuf::from)
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|folder| folder.join(program))
        .find(|path| path.is_file())
}

/// Runs this script again when a file appears in (or leaves) the folder of `path`. Cargo
/// compares modification times, and a path that does not exist makes it run the script before
/// every build, so a folder that does not exist is not watched (the variable naming it is).
fn watch_folder_of(path: &Path) {
    if let Some(folder) = path.parent() {
        watch_existing(folder);
    }
}

fn watch_existing(folder: &Path) {
    // Cargo looks at every file below a folder: these are flat, or small.
    if folder.is_dir() && folder.parent().is_some() {
        println!("cargo::rerun-if-changed={}", folder.display());
    }
}
