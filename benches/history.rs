//! Git history benchmark: `cargo bench --bench history`.
//!
//! What reading git history costs a build: the generated 10,000-page handbook
//! (`benches/common/generator.rs`) inside a git repository of 20,000 commits over three years
//! (`benches/common/history_repo.rs`: merges, moved pages, 150 authors), and the same files
//! with no repository. Clean builds of the two are timed in pairs, one after the other, with
//! the release binary as a child process, and after each pair the `git log` that
//! `src/git/history.rs` runs, alone, so that the table shows what share of the difference is
//! git's. The CPU time and peak RSS of a build include its `git` child (`wait4` counts the
//! children a process waited for; the RSS is the larger of the two).
//!
//! Environment: `HANDBOOK_BENCH_RUNS=N` pairs (default 5); `HANDBOOK_BENCH_OUT_DIR` where the
//! builds write (default `target/bench-sites`).

#[path = "common/generator.rs"]
mod generator;
#[path = "common/history_repo.rs"]
mod history_repo;
#[path = "common/measure.rs"]
mod measure;
#[path = "common/stats.rs"]
mod stats;

use measure::{RemoveDirOnDrop, Run, bench_sites_dir, run_clean_build, run_measured, warm_up};
use stats::{fmt_dur, median, median_ratio};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_handbook");
const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");
const PAGES: usize = 10_000;
/// A page whose output shows "Last updated" when the build read the history.
const PROBE: &str = "engineering/onboarding/page-1/index.html";

/// The `git log` of `history::load` (src/git/history.rs), with the same arguments and
/// environment, at the top of `repo`; its output goes to `logs.stdout`.
fn git_log(repo: &Path, logs: &Path) -> Run {
    run_measured(
        Command::new("git")
            .args([
                "--literal-pathspecs",
                "log",
                "-z",
                "--format=\u{1e}%H%x09%aI%x09%aN",
                "--name-only",
                "--no-renames",
                "--no-show-signature",
                "--",
                "content/",
            ])
            .current_dir(repo)
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_OPTIONAL_LOCKS", "0"),
        logs,
    )
}

/// The top of the git work tree `dir` is in, if any.
fn toplevel(dir: &Path) -> Option<PathBuf> {
    let out = Command::new("git")
        .args(["rev-parse", "--show-toplevel"])
        .current_dir(dir)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// Signed milliseconds of a - b.
fn diff_ms(a: Duration, b: Duration) -> f64 {
    (a.as_secs_f64() - b.as_secs_f64()) * 1000.0
}

fn main() {
    let runs: usize = std::env::var("HANDBOOK_BENCH_RUNS")
        .ok()
        .map(|v| {
            v.parse()
                .expect("HANDBOOK_BENCH_RUNS must be a whole number")
        })
        .unwrap_or(5)
        .max(1);
    let base = bench_sites_dir(MANIFEST_DIR);
    // target/bench-sites is inside handbook's own checkout: without a ceiling, git would find
    // that repository above the plain copy, and its build would run a `git log` too.
    // SAFETY: no other thread runs yet.
    unsafe { std::env::set_var("GIT_CEILING_DIRECTORIES", &base) };
    let out_base = std::env::var_os("HANDBOOK_BENCH_OUT_DIR").map_or(base.clone(), PathBuf::from);
    fs::create_dir_all(&out_base).unwrap();
    let trash = RemoveDirOnDrop(base.join(format!("trash-{}", std::process::id())));
    fs::create_dir_all(&trash.0).unwrap();
    let source = generator::ensure_site(&base, PAGES, &trash.0);
    let history = history_repo::ensure_history_repo(&source, &base, &trash.0);
    let (repo, plain) = (&history.repo, &history.plain);
    assert_eq!(
        toplevel(repo).as_deref(),
        Some(repo.as_path()),
        "the repository"
    );
    assert_eq!(
        toplevel(plain),
        None,
        "the plain copy is in a git repository"
    );
    let commits = history_repo::git(repo, &["rev-list", "--count", "HEAD"]);
    let merges = history_repo::git(repo, &["rev-list", "--count", "--merges", "HEAD"]);
    let authors = history_repo::git(repo, &["shortlog", "-s", "HEAD"])
        .lines()
        .count();
    println!(
        "repository: {} commits ({} merges) by {authors} authors, {} in .git; plain copy: not in a repository",
        commits.trim(),
        merges.trim(),
        history_repo::mb(history_repo::git_dir_bytes(repo)),
    );
    let scratch = RemoveDirOnDrop(out_base.join(format!("run-{}", std::process::id())));
    fs::create_dir_all(&scratch.0).unwrap();
    let bin = scratch.0.join("handbook");
    fs::copy(BIN, &bin).unwrap_or_else(|e| panic!("cannot copy {BIN}: {e}"));
    let logs = |which: &str| base.join(format!("log-history-{which}"));
    let out = |which: &str| scratch.0.join(format!("public-{which}"));
    // Warm-up: the file cache, and a check that both build without a warning and that only the
    // repository's build dates its pages.
    for (which, root, dated) in [("git", repo, true), ("plain", plain, false)] {
        warm_up(&bin, root, &out(which), &logs(which), which);
        let page = fs::read_to_string(out(which).join(PROBE)).unwrap();
        assert_eq!(
            page.contains("class=\"last-updated\""),
            dated,
            "{which}: {PROBE} should {}show when it was last updated",
            if dated { "" } else { "not " }
        );
    }
    let log = git_log(repo, &logs("git-log"));
    println!(
        "warm-up git log: {} wall, {} of output",
        fmt_dur(log.wall),
        history_repo::mb(log.stdout.len() as u64)
    );
    // [with history, without, git log alone]
    let mut rows: Vec<[Run; 3]> = Vec::new();
    for i in 1..=runs {
        let a = run_clean_build(&bin, repo, &out("git"), &logs("git"));
        let b = run_clean_build(&bin, plain, &out("plain"), &logs("plain"));
        let g = git_log(repo, &logs("git-log"));
        println!(
            "pair {i}/{runs}: git {} wall {} CPU {} MB; plain {} wall {} CPU {} MB; git log {} wall {} CPU {} MB",
            fmt_dur(a.wall),
            fmt_dur(a.cpu()),
            a.max_rss_kib / 1024,
            fmt_dur(b.wall),
            fmt_dur(b.cpu()),
            b.max_rss_kib / 1024,
            fmt_dur(g.wall),
            fmt_dur(g.cpu()),
            g.max_rss_kib / 1024,
        );
        rows.push([a, b, g]);
    }
    let col = |side: usize, cpu: bool| -> Vec<Duration> {
        rows.iter()
            .map(|r| if cpu { r[side].cpu() } else { r[side].wall })
            .collect()
    };
    let ratio = |cpu: bool| {
        let both: Vec<(Duration, Duration)> = col(0, cpu).into_iter().zip(col(1, cpu)).collect();
        median_ratio(&both)
    };
    let rss =
        |side: usize| median(&rows.iter().map(|r| r[side].max_rss_kib).collect::<Vec<_>>()) / 1024;
    // The median of the pairs' differences, in whole microseconds (Ord for `median`).
    let diff = |cpu: bool| -> f64 {
        let us: Vec<i64> = col(0, cpu)
            .into_iter()
            .zip(col(1, cpu))
            .map(|(a, b)| (diff_ms(a, b) * 1000.0).round() as i64)
            .collect();
        median(&us) as f64 / 1000.0
    };
    let n = rows.len();
    println!();
    println!("| 10k clean build | wall (median) | CPU user+sys (median) | peak RSS (median) |");
    println!("|---|---:|---:|---:|");
    println!(
        "| in a git repository of {} commits | {} | {} | {} MB |",
        commits.trim(),
        fmt_dur(median(&col(0, false))),
        fmt_dur(median(&col(0, true))),
        rss(0)
    );
    println!(
        "| the same files, no repository | {} | {} | {} MB |",
        fmt_dur(median(&col(1, false))),
        fmt_dur(median(&col(1, true))),
        rss(1)
    );
    println!(
        "| ratio, git / no git (median of {n} pairs) | {:.3} | {:.3} | |",
        ratio(false),
        ratio(true)
    );
    println!(
        "| difference, git − no git (median of {n} pairs) | {:+.0} ms | {:+.0} ms | |",
        diff(false),
        diff(true)
    );
    println!(
        "| `git log` of `history::load` alone (median of {n}) | {} | {} | {} MB |",
        fmt_dur(median(&col(2, false))),
        fmt_dur(median(&col(2, true))),
        rss(2)
    );
}
