//! Shortcode benchmark: `cargo bench --bench shortcodes`.
//!
//! The generated 10,000-page handbook (`benches/common/generator.rs`) in two variants that say
//! the same things: in one, every page ends with a callout and a link to a Slack channel
//! written as two shortcode calls (`:::note` … `:::` and `:slack{channel="…"}`, a template of
//! the site that reads a data file); in the other, the same callout and link written in plain
//! Markdown (a quote and a link). Both have the same templates and data files. Clean builds
//! of the two are timed in pairs, one after the other, with the release binary as a child
//! process; the target is a ratio of wall times (median of the pairs) of at most 1.15.
//!
//! Environment: `HANDBOOK_BENCH_RUNS=N` pairs (default 5); `HANDBOOK_BENCH_OUT_DIR` where the
//! builds write (default `target/bench-sites`).

#[path = "common/generator.rs"]
mod generator;
#[path = "common/measure.rs"]
mod measure;
#[path = "common/stats.rs"]
mod stats;

use measure::{RemoveDirOnDrop, Run, bench_sites_dir, run_clean_build, warm_up};
use stats::{fmt_dur, median, median_ratio};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_handbook");
const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");
/// Changes whenever what the variants add to the pages changes.
const VARIANT_VERSION: &str = "shortcodes-v1";
const PAGES: usize = 10_000;

const SLACK_TEMPLATE: &str = "{#- shortcode\n  channel: text\n-#}\n<a class=\"slack\" href=\"{{ data.slack.workspace }}/channels/{{ channel }}\">#{{ channel }}</a>";
const SLACK_DATA: &str = "workspace: https://example.slack.com\n";

/// What each page gets at its end, with shortcodes or without, for page number `n`.
fn ending(n: usize, shortcodes: bool) -> String {
    let channel = ["help", "engineering", "oncall", "product", "random"][n % 5];
    let text = format!("Page {n} is reviewed every quarter; ask before you change its process.");
    match shortcodes {
        true => format!(
            "\n\n:::note\n{text}\n:::\n\nQuestions? Ask in :slack{{channel=\"{channel}\"}}.\n"
        ),
        false => format!(
            "\n\n> **Note**\n>\n> {text}\n\nQuestions? Ask in [#{channel}](https://example.slack.com/channels/{channel}).\n"
        ),
    }
}

/// The variant of the generated site at `source`, made under `base` unless it is there and
/// made from the same site by the same version of this bench.
fn ensure_variant(source: &Path, base: &Path, shortcodes: bool) -> PathBuf {
    let name = if shortcodes { "with" } else { "without" };
    let dir = base.join(format!("handbook-{PAGES}-shortcodes-{name}"));
    let source_marker = fs::read_to_string(source.join(generator::MARKER_FILE)).unwrap_or_default();
    let marker = format!("{source_marker}{VARIANT_VERSION}\n");
    if fs::read_to_string(dir.join(generator::MARKER_FILE))
        .ok()
        .as_deref()
        == Some(&marker)
    {
        println!("site {}: up to date", dir.display());
        return dir;
    }
    let tmp = base.join(format!("handbook-{PAGES}-shortcodes-{name}.tmp"));
    let _ = fs::remove_dir_all(&tmp);
    let mut n = 0;
    copy_tree(source, &tmp, &mut |rel, text| {
        if rel.starts_with("content/") && rel.ends_with(".md") {
            n += 1;
            format!("{text}{}", ending(n, shortcodes))
        } else {
            text
        }
    });
    fs::create_dir_all(tmp.join("templates/shortcodes")).unwrap();
    fs::write(tmp.join("templates/shortcodes/slack.html"), SLACK_TEMPLATE).unwrap();
    fs::create_dir_all(tmp.join("data")).unwrap();
    fs::write(tmp.join("data/slack.yml"), SLACK_DATA).unwrap();
    fs::write(tmp.join(generator::MARKER_FILE), &marker).unwrap();
    let _ = fs::remove_dir_all(&dir);
    fs::rename(&tmp, &dir).unwrap();
    println!(
        "site {}: made from {} ({n} pages)",
        dir.display(),
        source.display()
    );
    dir
}

/// Copies the files of `from` into `to`, Markdown through `edit`.
fn copy_tree(from: &Path, to: &Path, edit: &mut dyn FnMut(&str, String) -> String) {
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        fs::create_dir_all(to.join(&rel)).unwrap();
        let mut entries: Vec<_> = fs::read_dir(from.join(&rel)).unwrap().flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = rel.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                stack.push(name);
            } else if name != Path::new(generator::MARKER_FILE) {
                let shown = name.to_string_lossy().replace('\\', "/");
                match fs::read_to_string(entry.path()) {
                    Ok(text) => fs::write(to.join(&name), edit(&shown, text)).unwrap(),
                    Err(_) => {
                        fs::copy(entry.path(), to.join(&name)).unwrap();
                    }
                }
            }
        }
    }
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
    let out_base = std::env::var_os("HANDBOOK_BENCH_OUT_DIR").map_or(base.clone(), PathBuf::from);
    fs::create_dir_all(&out_base).unwrap();
    let trash = RemoveDirOnDrop(base.join(format!("trash-{}", std::process::id())));
    fs::create_dir_all(&trash.0).unwrap();
    let source = generator::ensure_site(&base, PAGES, &trash.0);
    let with = ensure_variant(&source, &base, true);
    let without = ensure_variant(&source, &base, false);
    let scratch = RemoveDirOnDrop(out_base.join(format!("run-{}", std::process::id())));
    fs::create_dir_all(&scratch.0).unwrap();
    let bin = scratch.0.join("handbook");
    fs::copy(BIN, &bin).unwrap_or_else(|e| panic!("cannot copy {BIN}: {e}"));
    let logs = |which: &str| base.join(format!("log-shortcodes-{which}"));
    let out = |which: &str| scratch.0.join(format!("public-{which}"));
    // Warm-up: the file cache, and a check that both build without a warning.
    for (which, root) in [("with", &with), ("without", &without)] {
        warm_up(&bin, root, &out(which), &logs(which), which);
    }
    let mut pairs: Vec<[Run; 2]> = Vec::new();
    for i in 1..=runs {
        let a = run_clean_build(&bin, &with, &out("with"), &logs("with"));
        let b = run_clean_build(&bin, &without, &out("without"), &logs("without"));
        println!(
            "pair {i}/{runs}: with {} wall {} CPU {} MB; without {} wall {} CPU {} MB",
            fmt_dur(a.wall),
            fmt_dur(a.cpu()),
            a.max_rss_kib / 1024,
            fmt_dur(b.wall),
            fmt_dur(b.cpu()),
            b.max_rss_kib / 1024
        );
        pairs.push([a, b]);
    }
    let col = |side: usize, cpu: bool| -> Vec<Duration> {
        pairs
            .iter()
            .map(|p| if cpu { p[side].cpu() } else { p[side].wall })
            .collect()
    };
    let ratio = |cpu: bool| {
        let both: Vec<(Duration, Duration)> = col(0, cpu).into_iter().zip(col(1, cpu)).collect();
        median_ratio(&both)
    };
    let rss = |side: usize| {
        median(
            &pairs
                .iter()
                .map(|p| p[side].max_rss_kib)
                .collect::<Vec<_>>(),
        ) / 1024
    };
    let wall = ratio(false);
    println!();
    println!("| 10k clean build | wall (median) | CPU (median) | peak RSS (median) |");
    println!("|---|---:|---:|---:|");
    println!(
        "| every page calls two shortcodes | {} | {} | {} MB |",
        fmt_dur(median(&col(0, false))),
        fmt_dur(median(&col(0, true))),
        rss(0)
    );
    println!(
        "| the same in plain Markdown | {} | {} | {} MB |",
        fmt_dur(median(&col(1, false))),
        fmt_dur(median(&col(1, true))),
        rss(1)
    );
    println!(
        "| ratio (median of {} pairs) | {wall:.3} | {:.3} | target <= 1.15: {} |",
        pairs.len(),
        ratio(true),
        if wall <= 1.15 { "met" } else { "NOT met" }
    );
}
