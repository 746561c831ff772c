//! End-to-end build benchmark: `cargo bench --bench build`.
//!
//! Generates three synthetic handbooks under `target/bench-sites/` (1,000 and 10,000 pages in
//! folders of about 100, and 10,000 pages in one folder), then times the release `handbook
//! build` binary on them and on the repository's own content, as a child process: wall time
//! per run (median, min, max) and the child's peak RSS (from `wait4`). Prints a Markdown table
//! with the performance targets, and a table of the output's size per page after a clean
//! build: it must grow in proportion to the pages, whatever the size of their folders.
//!
//! Environment:
//! - `HANDBOOK_BENCH_RUNS=N`   measured runs per site (default 10, 5 for the 10k site)
//! - `HANDBOOK_BENCH_STRICT=1` exit non-zero when a target is missed
//!
//! Positional arguments (`cargo bench --bench build -- real 1000`) select sites by name
//! (`real`, `1000`, `10000`, `folder`) and kinds of build (`clean`, `nochange`, `edit`,
//! `broken`).
//!
//! The sites come from `benches/common/generator.rs` (shared with `benches/serve.rs`): no
//! harness and no random crate, the content comes from an LCG seeded by page number, so every
//! run generates byte-identical sites.

#[path = "common/generator.rs"]
mod generator;
#[path = "common/measure.rs"]
mod measure;
#[path = "common/stats.rs"]
mod stats;
use measure::{RemoveDirOnDrop, Run, bench_sites_dir, folder_bytes, run_build};
use stats::{fmt_dur, median, median_ratio};

use generator::{SECTIONS, SUBSECTIONS, Shape, ensure_shaped, ensure_site, ensure_site_with};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_handbook");
const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// `Built 1006 pages in 16 sections in 123 ms into ...` → (1006, 123).
fn parse_summary(stdout: &str) -> Option<(usize, u64)> {
    let line = stdout.lines().find(|l| l.starts_with("Built "))?;
    let words: Vec<&str> = line.split_whitespace().collect();
    let pages = words.get(1)?.parse().ok()?;
    let ms_at = words.iter().position(|w| *w == "ms")?;
    let ms = words.get(ms_at - 1)?.parse().ok()?;
    Some((pages, ms))
}

/// What a measured build starts from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A full build into a folder that does not exist (as in CI): every page rendered and written.
    Clean,
    /// A rebuild over the output of the same inputs: the incremental path, nothing changed.
    NoChange,
    /// A rebuild after one page's body changed (generated sites only).
    OneEdit,
    /// Clean builds of the site with broken links (`links: warn`), paired with clean builds
    /// of the same site with those links working (generated sites only; only when asked for).
    Broken,
}

impl Mode {
    const ALL: [Mode; 4] = [Mode::Clean, Mode::NoChange, Mode::OneEdit, Mode::Broken];

    fn key(self) -> &'static str {
        match self {
            Mode::Clean => "clean",
            Mode::NoChange => "nochange",
            Mode::OneEdit => "edit",
            Mode::Broken => "broken",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Mode::Clean => "clean build",
            Mode::NoChange => "rebuild, no change",
            Mode::OneEdit => "rebuild, 1 page edited",
            Mode::Broken => "clean build, broken links",
        }
    }
}

struct Bench {
    name: &'static str,
    key: &'static str,
    root: PathBuf,
    /// The page the `OneEdit` mode changes; `None` for the real content, which is not ours.
    edit_page: Option<PathBuf>,
    runs: usize,
    /// The most a clean build may take, and a rebuild.
    target_clean: Duration,
    target_rebuild: Duration,
    target_rss_mb: Option<f64>,
    /// For [`Mode::Broken`]: the site with broken links and the same site with them working.
    broken_pair: Option<(PathBuf, PathBuf, usize)>,
}

struct Measured {
    name: &'static str,
    mode: Mode,
    pages: String,
    walls: Vec<Duration>,
    users: Vec<Duration>,
    syss: Vec<Duration>,
    internal_ms: Vec<u64>,
    max_rss_mb: f64,
    target_wall: Duration,
    target_rss_mb: Option<f64>,
    /// After a clean build: the bytes of the sources' Markdown, and of the output (every file,
    /// and its HTML files).
    sizes: Option<Sizes>,
}

#[derive(Clone, Copy)]
struct Sizes {
    pages: u64,
    markdown: u64,
    output: u64,
    html: u64,
}

impl Sizes {
    fn per_page(bytes: u64, pages: u64) -> f64 {
        bytes as f64 / pages.max(1) as f64
    }

    /// Per page, the output beyond twice the page's Markdown: the part that must not grow with
    /// the site.
    fn excess(&self) -> f64 {
        Sizes::per_page(self.output, self.pages) - 2.0 * Sizes::per_page(self.markdown, self.pages)
    }
}

/// Puts a file's original text back when dropped, also when a failed build panics.
struct Restore {
    path: PathBuf,
    original: String,
}

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = fs::write(&self.path, &self.original);
    }
}

fn print_warnings(name: &str, run: &Run) {
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("warning:"))
        .collect();
    if !warnings.is_empty() {
        println!("{name}: {} warning line(s), first ones:", warnings.len());
        for w in warnings.iter().take(5) {
            println!("    {w}");
        }
    }
}

/// Runs one site in one mode: warm-up build(s), then `b.runs` measured builds.
///
/// Clean builds each get a new folder under `scratch`, deleted only at the end of the whole
/// bench: deleting thousands of files right before a build slows down creating files on some
/// filesystems (ext4 without a journal skips inodes deleted in the last 30 s), which would
/// charge the build for the bench's own cleanup.
fn measure(b: &Bench, mode: Mode, bin: &Path, base: &Path, scratch: &Path) -> Measured {
    let label = format!("{} / {}", b.name, mode.label());
    let logs = base.join(format!("log-{}-{}", b.key, mode.key()));
    let warm_out = scratch.join(format!("out-{}", b.key));
    let out_for = |i: usize| match mode {
        Mode::Clean | Mode::Broken => scratch.join(format!("clean-{}-{i}", b.key)),
        Mode::NoChange | Mode::OneEdit => warm_out.clone(),
    };
    let mut restore = None;
    let mut before_run = |i: usize| {
        if mode == Mode::OneEdit {
            let path = b
                .edit_page
                .as_ref()
                .expect("edit mode needs a page to edit");
            let r = restore.get_or_insert_with(|| Restore {
                path: path.clone(),
                original: fs::read_to_string(path).expect("read the page to edit"),
            });
            let text = format!("{}\nEdited by the benchmark, run {i}.\n", r.original);
            fs::write(path, text).expect("edit the page");
        }
    };

    println!("{label}: warm-up ...");
    // A rebuild needs both the output and the staging folder beside it to hold a finished
    // build: two warm-up builds (the first one may already have been done by another mode).
    let warmups = if mode == Mode::Clean { 1 } else { 2 };
    let mut pages = "?".to_string();
    for w in 0..warmups {
        before_run(1_000_000 + w);
        let run = run_build(bin, &b.root, &out_for(0), &logs);
        print_warnings(&label, &run);
        if let Some((p, _)) = parse_summary(&run.stdout) {
            pages = p.to_string();
        }
    }

    let mut walls = Vec::with_capacity(b.runs);
    let mut users = Vec::with_capacity(b.runs);
    let mut syss = Vec::with_capacity(b.runs);
    let mut internal_ms = Vec::new();
    let mut max_rss = 0;
    for i in 1..=b.runs {
        before_run(i);
        let run = run_build(bin, &b.root, &out_for(i), &logs);
        if let Some((_, ms)) = parse_summary(&run.stdout) {
            internal_ms.push(ms);
        }
        max_rss = max_rss.max(run.max_rss_kib);
        println!(
            "{label}: run {i}/{}: {} wall, {} CPU, {} MB",
            b.runs,
            fmt_dur(run.wall),
            fmt_dur(run.user + run.sys),
            run.max_rss_kib / 1024
        );
        walls.push(run.wall);
        users.push(run.user);
        syss.push(run.sys);
        // A clean build's output goes once measured (the last stays, for its size): piled up
        // on a tmpfs, they would make the next runs pay for the memory they hold.
        if matches!(mode, Mode::Clean | Mode::Broken) && i < b.runs {
            let out = out_for(i);
            let _ = fs::remove_dir_all(&out);
            let name = out.file_name().unwrap_or_default().to_string_lossy();
            let _ = fs::remove_dir_all(out.with_file_name(format!(".{name}.handbook")));
        }
    }
    let sizes = (mode == Mode::Clean).then(|| {
        let (output, html) = folder_bytes(&out_for(b.runs), ".html");
        Sizes {
            pages: pages.parse().unwrap_or(0),
            markdown: folder_bytes(&b.root.join("content"), ".md").1,
            output,
            html,
        }
    });
    drop(restore);
    Measured {
        name: b.name,
        mode,
        pages,
        walls,
        users,
        syss,
        internal_ms,
        max_rss_mb: max_rss as f64 / 1024.0,
        target_wall: match mode {
            Mode::Clean | Mode::Broken => b.target_clean,
            Mode::NoChange | Mode::OneEdit => b.target_rebuild,
        },
        target_rss_mb: b.target_rss_mb,
        sizes,
    }
}

fn main() {
    // `cargo bench` passes `--bench`; other arguments select sites and modes.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let runs_override: Option<usize> = std::env::var("HANDBOOK_BENCH_RUNS")
        .ok()
        .map(|v| {
            v.parse()
                .expect("HANDBOOK_BENCH_RUNS must be a whole number")
        })
        .map(|n: usize| n.max(1));
    let strict = std::env::var("HANDBOOK_BENCH_STRICT").is_ok_and(|v| v == "1");

    let base = bench_sites_dir(MANIFEST_DIR);

    let site_keys = ["real", "1000", "10000", "folder"];
    let mode_keys = Mode::ALL.map(Mode::key);
    for f in &filters {
        if !site_keys.contains(&f.as_str()) && !mode_keys.contains(&f.as_str()) {
            eprintln!("unknown argument `{f}`: sites are {site_keys:?}, modes are {mode_keys:?}");
            std::process::exit(2);
        }
    }
    let site_wanted = |key: &str| {
        !filters.iter().any(|f| site_keys.contains(&f.as_str())) || filters.iter().any(|f| f == key)
    };
    // `broken` runs only when named: it generates two more sites of each size.
    let modes: Vec<Mode> = Mode::ALL
        .into_iter()
        .filter(|m| {
            (*m != Mode::Broken && !filters.iter().any(|f| mode_keys.contains(&f.as_str())))
                || filters.iter().any(|f| f == m.key())
        })
        .collect();

    // Where the builds write: target/bench-sites unless HANDBOOK_BENCH_OUT_DIR names another
    // folder (on another file system, say, to take the disk out of the figures).
    let out_base = match std::env::var_os("HANDBOOK_BENCH_OUT_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            fs::create_dir_all(&dir).expect("create HANDBOOK_BENCH_OUT_DIR");
            dir.canonicalize()
                .expect("canonicalize HANDBOOK_BENCH_OUT_DIR")
        }
        None => base.clone(),
    };

    // Leftovers of an earlier, interrupted bench go now; this run's folders at the end.
    for entry in fs::read_dir(&out_base)
        .expect("list the bench's output folder")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("run-") || name.starts_with("handbook-bench-bin-") {
            let _ = fs::remove_dir_all(entry.path()).or_else(|_| fs::remove_file(entry.path()));
        }
    }
    for entry in fs::read_dir(&base)
        .expect("list target/bench-sites")
        .flatten()
    {
        if entry.file_name().to_string_lossy().starts_with("trash-") {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
    // Outdated generated sites are moved here (beside them: a rename cannot cross file
    // systems) and deleted at the end.
    let trash = RemoveDirOnDrop(base.join(format!("trash-{}", std::process::id())));
    fs::create_dir_all(&trash.0).expect("create the trash folder");
    let scratch = RemoveDirOnDrop(out_base.join(format!("run-{}", std::process::id())));
    fs::create_dir_all(&scratch.0).expect("create the scratch folder");

    let mut benches = Vec::new();
    if site_wanted("real") {
        benches.push(Bench {
            name: "real content",
            key: "real",
            root: PathBuf::from(MANIFEST_DIR),
            edit_page: None,
            runs: runs_override.unwrap_or(10),
            target_clean: Duration::from_millis(40),
            target_rebuild: Duration::from_millis(40),
            target_rss_mb: None,
            broken_pair: None,
        });
    }
    // Targets of issue 15: a clean 10k build in a tenth of Hugo's time (about 2.5 s here) and
    // 250 MB, a 1k one in 0.3 s, a rebuild of 10k in 0.3 s.
    for (pages, key, name, runs, (clean_ms, rebuild_ms), rss, broken_links) in [
        (1_000, "1000", "generated 1k", 10, (300, 250), None, 2_400),
        (
            10_000,
            "10000",
            "generated 10k",
            5,
            (2500, 300),
            Some(250.0),
            25_000,
        ),
        (
            10_000,
            "folder",
            "10k in one folder",
            3,
            (2500, 300),
            Some(250.0),
            0,
        ),
    ] {
        if site_wanted(key) {
            let root = match key {
                "folder" => ensure_shaped(
                    &base,
                    "handbook-10000-folder",
                    Shape::one_folder(pages),
                    &trash.0,
                    None,
                ),
                _ => ensure_site(&base, pages, &trash.0),
            };
            let broken_pair = (modes.contains(&Mode::Broken) && broken_links > 0).then(|| {
                let pair =
                    |broken| ensure_site_with(&base, pages, &trash.0, Some((broken_links, broken)));
                (pair(true), pair(false), broken_links)
            });
            let edit_page = root
                .join("content")
                .join(SECTIONS[0])
                .join(SUBSECTIONS[0])
                .join("page-1.md");
            benches.push(Bench {
                name,
                key,
                root,
                edit_page: Some(edit_page),
                runs: runs_override.unwrap_or(runs),
                target_clean: Duration::from_millis(clean_ms),
                target_rebuild: Duration::from_millis(rebuild_ms),
                target_rss_mb: rss,
                broken_pair,
            });
        }
    }

    // Run a private copy: `target/release/handbook` may be rebuilt by another cargo command
    // while the bench runs, and a mix of two binaries would make the figures meaningless.
    let bin = scratch.0.join("handbook");
    fs::copy(BIN, &bin).unwrap_or_else(|e| panic!("cannot copy {BIN}: {e}"));
    println!("binary: {BIN} (measured as a copy, {})", bin.display());

    let mut results = Vec::new();
    let mut pairs = Vec::new();
    for b in &benches {
        for &mode in &modes {
            if mode == Mode::OneEdit && b.edit_page.is_none() {
                continue;
            }
            if mode == Mode::Broken {
                if let Some(pair) = &b.broken_pair {
                    pairs.push(measure_pair(b, pair, &bin, &base, &scratch.0));
                }
                continue;
            }
            results.push(measure(b, mode, &bin, &base, &scratch.0));
        }
    }
    println!("removing {} ...", scratch.0.display());
    drop(scratch);
    drop(trash);

    let mut all_met = true;
    print_table(&results, &mut all_met);
    print_sizes(&results, &mut all_met);
    print_pairs(&pairs);
    if strict && !all_met {
        std::process::exit(1);
    }
}

fn print_table(results: &[Measured], all_met: &mut bool) {
    if results.is_empty() {
        return;
    }
    println!();
    println!(
        "| site | build | pages | median | min | max | reported by handbook (median) | CPU user (median) | CPU system (median) | peak RSS (MB) | target | met |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
    for r in results {
        let med = median(&r.walls);
        let min = *r.walls.iter().min().unwrap();
        let max = *r.walls.iter().max().unwrap();
        let internal = if r.internal_ms.is_empty() {
            "?".to_string()
        } else {
            format!("{} ms", median(&r.internal_ms))
        };
        let wall_ok = med < r.target_wall;
        let rss_ok = r.target_rss_mb.is_none_or(|t| r.max_rss_mb < t);
        let target = match r.target_rss_mb {
            Some(t) => format!("< {} and < {t:.0} MB", fmt_dur(r.target_wall)),
            None => format!("< {}", fmt_dur(r.target_wall)),
        };
        let met = match (wall_ok, rss_ok) {
            (true, true) => "yes",
            (false, true) => "NO (time)",
            (true, false) => "NO (memory)",
            (false, false) => "NO (time, memory)",
        };
        *all_met &= wall_ok && rss_ok;
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.1} | {} | {} |",
            r.name,
            r.mode.label(),
            r.pages,
            fmt_dur(med),
            fmt_dur(min),
            fmt_dur(max),
            internal,
            fmt_dur(median(&r.users)),
            fmt_dur(median(&r.syss)),
            r.max_rss_mb,
            target,
            met
        );
    }
    println!();
    println!(
        "(wall time of the whole `handbook build` process; medians over {} measured run(s) per row after warm-up; {} CPUs)",
        results
            .iter()
            .map(|r| r.walls.len().to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
            .join("/"),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
}

/// What a page may write beyond twice its Markdown: the theme, its sidebar, breadcrumbs and
/// search files. Without parts in long sidebar lists, a page of a 3,000-page folder wrote
/// 300 KB of navigation, and one of a 10,000-page folder more than 1 MB.
const EXCESS_PER_PAGE: f64 = 64.0 * 1024.0;

/// The output's size per page after a clean build of each site. Target (issue 15): the output
/// grows in proportion to the pages whatever the size of their folders: per page, at most
/// twice the page's Markdown plus a constant, [`EXCESS_PER_PAGE`], for 10,000 pages in one
/// folder too.
fn print_sizes(results: &[Measured], all_met: &mut bool) {
    let sized: Vec<(&Measured, Sizes)> =
        results.iter().filter_map(|r| Some((r, r.sizes?))).collect();
    if sized.is_empty() {
        return;
    }
    println!();
    println!(
        "| site | pages | Markdown per page | output per page | HTML per page | output beyond 2× the Markdown, per page | target | met |"
    );
    println!("|---|---:|---:|---:|---:|---:|---|---|");
    for (r, s) in &sized {
        let kb = |bytes: u64| format!("{:.1} KB", Sizes::per_page(bytes, s.pages) / 1024.0);
        let ok = s.excess() <= EXCESS_PER_PAGE;
        *all_met &= ok;
        println!(
            "| {} | {} | {} | {} | {} | {:.1} KB | ≤ {:.0} KB | {} |",
            r.name,
            s.pages,
            kb(s.markdown),
            kb(s.output),
            kb(s.html),
            s.excess() / 1024.0,
            EXCESS_PER_PAGE / 1024.0,
            if ok { "yes" } else { "NO" }
        );
    }
}

/// Clean builds of the site with broken links (A) and of the same site with them working
/// (B), in turn (A B A B ...), so that a drift of the machine's speed hits both alike.
struct Paired {
    name: &'static str,
    links: usize,
    /// Per pair: (wall, user + system) of A, then of B.
    runs: Vec<[(Duration, Duration); 2]>,
    warnings: usize,
}

fn measure_pair(
    b: &Bench,
    (broken, fixed, links): &(PathBuf, PathBuf, usize),
    bin: &Path,
    base: &Path,
    scratch: &Path,
) -> Paired {
    let label = format!("{} / {}", b.name, Mode::Broken.label());
    let logs = |which: &str| base.join(format!("log-{}-broken-{which}", b.key));
    let out = |which: &str, i: usize| scratch.join(format!("pair-{}-{which}-{i}", b.key));
    println!("{label}: warm-up ...");
    let warm = run_build(bin, broken, &out("a", 0), &logs("a"));
    let warnings = warm
        .stderr
        .lines()
        .filter(|l| l.contains("warning:"))
        .count();
    print_warnings(&format!("{label} (the site without broken links)"), &{
        run_build(bin, fixed, &out("b", 0), &logs("b"))
    });
    let mut runs = Vec::with_capacity(b.runs);
    for i in 1..=b.runs {
        let a = run_build(bin, broken, &out("a", i), &logs("a"));
        let z = run_build(bin, fixed, &out("b", i), &logs("b"));
        println!(
            "{label}: pair {i}/{}: {} vs {} wall, {} vs {} CPU",
            b.runs,
            fmt_dur(a.wall),
            fmt_dur(z.wall),
            fmt_dur(a.user + a.sys),
            fmt_dur(z.user + z.sys)
        );
        runs.push([(a.wall, a.user + a.sys), (z.wall, z.user + z.sys)]);
    }
    Paired {
        name: b.name,
        links: *links,
        runs,
        warnings,
    }
}

fn print_pairs(pairs: &[Paired]) {
    if pairs.is_empty() {
        return;
    }
    println!();
    println!(
        "| site | broken links (warnings) | pairs | wall with / without (median) | CPU with / without (median) | ratio of wall (median of pairs) | ratio of CPU (median of pairs) | target | met |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---|---|");
    for p in pairs {
        let col = |side: usize, cpu: bool| -> Vec<Duration> {
            p.runs
                .iter()
                .map(|r| if cpu { r[side].1 } else { r[side].0 })
                .collect()
        };
        let ratio = |cpu: bool| -> f64 {
            let pairs: Vec<(Duration, Duration)> = p
                .runs
                .iter()
                .map(|r| {
                    if cpu {
                        (r[0].1, r[1].1)
                    } else {
                        (r[0].0, r[1].0)
                    }
                })
                .collect();
            median_ratio(&pairs)
        };
        let wall_ratio = ratio(false);
        println!(
            "| {} | {} ({}) | {} | {} / {} | {} / {} | {:.3} | {:.3} | <= 1.10 | {} |",
            p.name,
            p.links,
            p.warnings,
            p.runs.len(),
            fmt_dur(median(&col(0, false))),
            fmt_dur(median(&col(1, false))),
            fmt_dur(median(&col(0, true))),
            fmt_dur(median(&col(1, true))),
            wall_ratio,
            ratio(true),
            if wall_ratio <= 1.10 { "yes" } else { "NO" }
        );
    }
}
