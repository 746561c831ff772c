//! handbook against Hugo in one run: `cargo bench --bench hugo [-- 1000]`.
//!
//! Clean builds of the generated 10,000-page handbook (or the 1,000-page one) with the release
//! `handbook build`, paired with clean builds of the same pages with Hugo: its twin site is
//! made by `benches/common/hugo_site.rs`, with layouts (`benches/hugo-site/`) that do the work
//! of handbook's default templates. The two run in turn, each pair starting with the other
//! tool, so that a drift of the machine's speed hits both alike. Prints the median wall time,
//! CPU time and peak RSS of each, the median of the pairs' ratios handbook / Hugo, and issue
//! 15's target: a clean 10k build in at most a tenth of Hugo's wall time.
//!
//! Environment:
//! - `HANDBOOK_BENCH_RUNS=N`      pairs to measure (default 5)
//! - `HANDBOOK_BENCH_OUT_DIR=DIR` where the builds write (default `/dev/shm`, a tmpfs)
//!
//! Without Hugo on the PATH the bench says how to install it and exits successfully.

#[path = "common/generator.rs"]
mod generator;
#[path = "common/hugo_site.rs"]
mod hugo_site;
#[path = "common/measure.rs"]
mod measure;
#[path = "common/stats.rs"]
mod stats;

use generator::ensure_site;
use hugo_site::ensure_hugo_site;
use measure::{RemoveDirOnDrop, Run, bench_sites_dir, folder_bytes, run_measured};
use stats::{fmt_dur, median, median_ratio};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_handbook");
const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// Issue 15: a clean build of 10,000 pages in at most this share of Hugo's wall time.
const TARGET_RATIO: f64 = 0.1;

/// The two tools, in the order of the table.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tool {
    Handbook,
    Hugo,
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::Handbook => "handbook",
            Tool::Hugo => "Hugo",
        }
    }
}

/// What a clean build of one tool needs: its sources, where it writes, where its logs go.
struct Builds {
    bin: PathBuf,
    site: PathBuf,
    hugo_site: PathBuf,
    scratch: PathBuf,
    logs: PathBuf,
}

impl Builds {
    fn output(&self, tool: Tool) -> PathBuf {
        self.scratch
            .join(format!("{}-out", tool.name().to_lowercase()))
    }

    /// One clean build: whatever an earlier build left is removed first (the output, and
    /// handbook's folder beside it of what a build learned, or Hugo's caches).
    fn clean_build(&self, tool: Tool) -> Run {
        let out = self.output(tool);
        let _ = fs::remove_dir_all(&out);
        match tool {
            Tool::Handbook => {
                let _ = fs::remove_dir_all(self.scratch.join(".handbook-out.handbook"));
                run_measured(
                    Command::new(&self.bin)
                        .arg("build")
                        .arg("--root")
                        .arg(&self.site)
                        .arg("--output-dir")
                        .arg(&out),
                    &self.logs.join("hugo-bench-handbook"),
                )
            }
            Tool::Hugo => {
                // Hugo's file cache, and its resource folder (`resources/` of the site by
                // default) where it keeps processed assets: both new for every build.
                let cache = self.scratch.join("hugo-cache");
                let _ = fs::remove_dir_all(&cache);
                run_measured(
                    Command::new("hugo")
                        .arg("--source")
                        .arg(&self.hugo_site)
                        .arg("--destination")
                        .arg(&out)
                        .arg("--cacheDir")
                        .arg(cache.join("cache"))
                        .arg("--quiet")
                        .env("HUGO_RESOURCEDIR", cache.join("resources")),
                    &self.logs.join("hugo-bench-hugo"),
                )
            }
        }
    }
}

/// The measured builds of one tool.
#[derive(Default)]
struct Side {
    walls: Vec<Duration>,
    cpus: Vec<Duration>,
    users: Vec<Duration>,
    syss: Vec<Duration>,
    rss_kib: Vec<i64>,
    /// Of the last build: its `index.html` files, and its output's size in bytes.
    pages: usize,
    bytes: u64,
}

impl Side {
    fn add(&mut self, run: &Run) {
        self.walls.push(run.wall);
        self.cpus.push(run.cpu());
        self.users.push(run.user);
        self.syss.push(run.sys);
        self.rss_kib.push(run.max_rss_kib);
    }
}

/// The `index.html` files under `dir`: one a page, for both tools.
fn count_pages(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => count_pages(&entry.path()),
            Ok(kind) if kind.is_file() && entry.file_name() == "index.html" => 1,
            _ => 0,
        })
        .sum()
}

fn main() {
    // `cargo bench` passes `--bench`; a number chooses the site.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let pages: usize = match args.as_slice() {
        [] => 10_000,
        [n] if n == "1000" || n == "10000" => n.parse().unwrap(),
        _ => {
            eprintln!("usage: cargo bench --bench hugo [-- 1000|10000]");
            std::process::exit(2);
        }
    };
    let runs: usize = std::env::var("HANDBOOK_BENCH_RUNS")
        .ok()
        .map(|v| {
            v.parse()
                .expect("HANDBOOK_BENCH_RUNS must be a whole number")
        })
        .unwrap_or(5usize)
        .max(1);

    let hugo_version = match Command::new("hugo").arg("version").output() {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_string(),
        _ => {
            println!(
                "skipped: Hugo is not installed (no `hugo` on the PATH), so there is nothing to pair handbook with."
            );
            println!(
                "Install it with `apt-get install hugo` (the figures in benches/README.md are of Hugo 0.111), then run this bench again."
            );
            return;
        }
    };

    let base = bench_sites_dir(MANIFEST_DIR);
    let trash = RemoveDirOnDrop(base.join(format!("trash-{}", std::process::id())));
    fs::create_dir_all(&trash.0).expect("create the trash folder");
    let site = ensure_site(&base, pages, &trash.0);
    let hugo_site = ensure_hugo_site(
        &base,
        &site,
        Path::new(MANIFEST_DIR),
        &hugo_version,
        &trash.0,
    );
    drop(trash);

    let out_base = std::env::var_os("HANDBOOK_BENCH_OUT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/dev/shm"));
    let scratch = RemoveDirOnDrop(out_base.join(format!("handbook-hugo-{}", std::process::id())));
    fs::create_dir_all(&scratch.0).expect("create the scratch folder");
    // A private copy: a `cargo build --release` meanwhile must not swap the binary mid-bench.
    let bin = scratch.0.join("handbook");
    fs::copy(BIN, &bin).unwrap_or_else(|e| panic!("cannot copy {BIN}: {e}"));
    let builds = Builds {
        bin,
        site,
        hugo_site,
        scratch: scratch.0.clone(),
        logs: base.clone(),
    };
    println!("handbook: {BIN} (measured as a copy)");
    println!("Hugo: {hugo_version}");
    println!(
        "output: {} (removed before each build)",
        scratch.0.display()
    );

    // One unmeasured build of each first: the sources in the page cache, the binaries loaded.
    for tool in [Tool::Handbook, Tool::Hugo] {
        let run = builds.clean_build(tool);
        println!(
            "warm-up {}: {} wall, {} CPU",
            tool.name(),
            fmt_dur(run.wall),
            fmt_dur(run.cpu())
        );
        // Neither tool should have anything to say about these sites.
        for line in run.stderr.lines().take(5) {
            println!("    {line}");
        }
    }

    let mut sides = [Side::default(), Side::default()];
    for i in 1..=runs {
        let order = if i % 2 == 1 {
            [Tool::Handbook, Tool::Hugo]
        } else {
            [Tool::Hugo, Tool::Handbook]
        };
        let mut line = format!("pair {i}/{runs}:");
        for tool in order {
            let run = builds.clean_build(tool);
            let side = &mut sides[tool as usize];
            side.add(&run);
            line += &format!(
                " {} {} wall, {} CPU, {} MB;",
                tool.name(),
                fmt_dur(run.wall),
                fmt_dur(run.cpu()),
                run.max_rss_kib / 1024
            );
        }
        println!("{}", line.trim_end_matches(';'));
    }
    for tool in [Tool::Handbook, Tool::Hugo] {
        let out = builds.output(tool);
        let side = &mut sides[tool as usize];
        side.pages = count_pages(&out);
        side.bytes = folder_bytes(&out, "").0;
    }
    drop(scratch);
    print_results(pages, &sides);
    println!("(measured by: HANDBOOK_BENCH_RUNS={runs} cargo bench --bench hugo -- {pages})");
}

fn print_results(pages: usize, sides: &[Side; 2]) {
    println!();
    println!(
        "Clean builds of the generated {pages}-page handbook, {} pairs:",
        sides[0].walls.len()
    );
    println!();
    println!(
        "| tool | wall (median) | CPU user + system (median) | CPU user | CPU system | peak RSS (median / max) | pages written (index.html) | output |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for tool in [Tool::Handbook, Tool::Hugo] {
        let s = &sides[tool as usize];
        let mb = |kib: i64| kib as f64 / 1024.0;
        println!(
            "| {} | {} | {} | {} | {} | {:.0} / {:.0} MB | {} | {:.1} MB |",
            tool.name(),
            fmt_dur(median(&s.walls)),
            fmt_dur(median(&s.cpus)),
            fmt_dur(median(&s.users)),
            fmt_dur(median(&s.syss)),
            mb(median(&s.rss_kib)),
            mb(*s.rss_kib.iter().max().unwrap()),
            s.pages,
            s.bytes as f64 / 1e6
        );
    }
    let paired = |pick: fn(&Side) -> &Vec<Duration>| -> Vec<(Duration, Duration)> {
        pick(&sides[0])
            .iter()
            .copied()
            .zip(pick(&sides[1]).iter().copied())
            .collect()
    };
    let wall_ratio = median_ratio(&paired(|s| &s.walls));
    let cpu_ratio = median_ratio(&paired(|s| &s.cpus));
    let rss_ratio = median(&sides[0].rss_kib) as f64 / median(&sides[1].rss_kib).max(1) as f64;
    println!();
    println!(
        "handbook / Hugo, median of the pairs' ratios: wall {wall_ratio:.3}, CPU {cpu_ratio:.3}; peak RSS (ratio of medians) {rss_ratio:.2}"
    );
    println!(
        "(handbook's pages include its search page, /search/index.html; Hugo's site has none)"
    );
    let met = wall_ratio <= TARGET_RATIO;
    let scope = if pages == 10_000 {
        ""
    } else {
        " (the target is for 10,000 pages; this is the quick run)"
    };
    println!(
        "target: clean 10k build ≤ {TARGET_RATIO}× Hugo's wall time: {} ({wall_ratio:.3}×){scope}",
        if met { "met" } else { "not met" }
    );
}
