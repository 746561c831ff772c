//! Search index benchmark: `cargo bench --bench search`.
//!
//! On the generated 10,000-page handbook (`benches/common/generator.rs`, shared with the other
//! benches):
//!
//! 1. the time to make the index from the pages' analyses (in this process, the function the
//!    build calls; median of 5), its files and sizes;
//! 2. what a first query downloads: `meta.json`, one shard per word of the query and the page
//!    files of the results shown, gzip-compressed (as Netlify serves them) — computed from the
//!    files for a set of queries;
//! 3. with Chromium and chromedriver present: the time from a keystroke to the result list in
//!    headless Chromium, typing queries letter by letter into the header box of a page of the
//!    built site, served over HTTP; and the bytes the browser fetched for the first query.
//!
//! Positional argument: the number of pages (default 10000).

#[path = "../tests/testsuite/support/browser.rs"]
#[allow(dead_code)]
mod browser;
#[path = "common/generator.rs"]
mod generator;
#[path = "../tests/testsuite/support/process.rs"]
#[allow(dead_code)]
mod process;
#[path = "../tests/testsuite/support/static_server.rs"]
#[allow(dead_code)]
mod static_server;
#[path = "common/stats.rs"]
mod stats;

use handbook::markdown::{Analysis, MarkdownOptions};
use handbook::search;
use rayon::prelude::*;
use serde_json::Value;
use stats::{fmt_dur, median};
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_handbook");
const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// Queries of one to three words, common and rare, and prefixes as typed.
const QUERIES: &[&str] = &[
    "deploy",
    "onboarding",
    "rollback",
    "the",
    "pro",
    "security review",
    "incident postmortem template",
    "budget owner",
    "reconcile",
];

fn gz(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = encoder.write_all(bytes);
    encoder.finish().map_or(0, |v| v.len())
}

fn main() {
    let pages: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let base = Path::new(MANIFEST_DIR).join("target/bench-sites");
    let trash = base.join("trash-search");
    fs::create_dir_all(&trash).unwrap();
    let root = generator::ensure_site(&base, pages, &trash);
    let _ = fs::remove_dir_all(&trash);

    // 1. Making the index.
    let options = handbook::BuildOptions {
        root: root.clone(),
        ..Default::default()
    };
    let site = handbook::load(&options)
        .unwrap_or_else(|e| panic!("{e}"))
        .site;
    let analyses: handbook::site::PerPage<Analysis> = site
        .pages
        .par_iter()
        .map(|page| {
            let options = MarkdownOptions {
                toc_max_level: page.toc_max_level,
                title: &page.title,
                marked: &[],
                search_code: site.config.search.code,
                // The search index reads code as text: highlighting is not what is measured.
                palette: None,
                shortcodes: Default::default(),
            };
            handbook::markdown::render(&page.source.body, options, &|_| None).1
        })
        .collect();
    let mut times = Vec::new();
    let mut files = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        files = search::index_files(&site, &analyses).files;
        times.push(started.elapsed());
    }
    let by_name: BTreeMap<String, Vec<u8>> = files.into_iter().collect();
    let meta: Value = serde_json::from_slice(&by_name["_search/meta.json"]).unwrap();
    let shards = meta["shards"].as_u64().unwrap() as usize;
    let shard_sizes: Vec<usize> = (0..shards)
        .map(|n| gz(&by_name[&format!("_search/s/{n}.json")]))
        .collect();
    let total: usize = by_name.values().map(Vec::len).sum();
    println!("\n## Search index, {pages} pages\n");
    println!("| figure | value |\n|---|---|");
    println!(
        "| making the index (median of 5, 2 cores) | {} |",
        fmt_dur(median(&times))
    );
    println!(
        "| files | {} ({} shards, {} page files) |",
        by_name.len(),
        shards,
        meta["pages"]
    );
    println!(
        "| total size, uncompressed | {:.1} MB |",
        total as f64 / 1e6
    );
    println!(
        "| shard size gzipped: median / largest | {:.1} KB / {:.1} KB |",
        median(&shard_sizes) as f64 / 1e3,
        shard_sizes.iter().max().copied().unwrap_or(0) as f64 / 1e3
    );

    // 2. Bytes of a first query, from the files: meta.json, the shard of each word, and the
    // largest page files among the pages it hits (an upper bound for the 8 shown).
    println!("\n| query | index downloaded for the first results (gzip) |\n|---|---|");
    let mut worst = 0;
    for query in QUERIES {
        let mut bytes = gz(&by_name["_search/meta.json"]);
        let mut pages_hit: Vec<usize> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for word in search::words(&search::fold(query)) {
            let n = search::shard_of(search::key(word), shards);
            let name = format!("_search/s/{n}.json");
            if seen.insert(n) {
                bytes += shard_sizes[n];
            }
            let shard: Value = serde_json::from_slice(&by_name[&name]).unwrap();
            if let Some(words) = shard["w"].as_object() {
                for (w, stem) in words {
                    if !w.starts_with(word) {
                        continue;
                    }
                    let postings = shard["p"][stem.as_u64().unwrap() as usize]
                        .as_array()
                        .unwrap();
                    let mut page = 0;
                    for triple in postings.chunks(3) {
                        page += triple[0].as_u64().unwrap() as usize;
                        pages_hit.push(page);
                    }
                }
            }
        }
        pages_hit.sort_unstable();
        pages_hit.dedup();
        let mut page_sizes: Vec<usize> = pages_hit
            .iter()
            .take(2000)
            .map(|p| gz(&by_name[&format!("_search/p/{p}.json")]))
            .collect();
        page_sizes.sort_unstable_by(|a, b| b.cmp(a));
        bytes += page_sizes.iter().take(8).sum::<usize>();
        worst = worst.max(bytes);
        println!("| `{query}` | {:.1} KB |", bytes as f64 / 1e3);
    }
    println!(
        "\nLargest first query: {:.1} KB (target: at most 300 KB)",
        worst as f64 / 1e3
    );

    // 3. In the browser.
    browser_latency(&root, pages);
}

/// Builds the site with the release binary, serves it, and types each query into the header
/// box of a page in headless Chromium, letter by letter.
fn browser_latency(root: &Path, pages: usize) {
    let tools = match browser::tools() {
        Ok(tools) => tools,
        Err(message) => {
            println!("\n(browser figures skipped: {message})");
            return;
        }
    };
    let out = Path::new(MANIFEST_DIR).join(format!("target/bench-search-{pages}"));
    let status = Command::new(BIN)
        .args(["build", "--root"])
        .arg(root)
        .arg("--output-dir")
        .arg(&out)
        .status()
        .expect("run handbook build");
    assert!(status.success(), "the build failed");
    let server = static_server::StaticServer::start(&out);
    let page = server.url(&format!("/{}", first_page(&out)));
    let figures = browser::block_on(async {
        let browser = browser::Browser::start(&tools).await;
        let mut figures = Vec::new();
        for query in QUERIES {
            browser.goto(&page).await;
            let script = format!(
                "{MEASURE}\nreturn measure({});",
                serde_json::to_string(query).unwrap()
            );
            let result = browser.run(&script).await;
            figures.push((query.to_string(), result));
        }
        browser.close().await;
        figures
    });
    println!(
        "\n| query | per keystroke: keystroke → results shown (ms) | bytes fetched for the first results |\n|---|---|---|"
    );
    let mut all = Vec::new();
    for (query, result) in &figures {
        let latencies: Vec<f64> = result["latencies"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default();
        all.extend(latencies.iter().copied());
        let fetched: Vec<String> = result["fetched"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let bytes: usize = fetched
            .iter()
            .filter_map(|url| {
                let path = url.split('?').next()?.split("://").nth(1)?;
                let path = &path[path.find('/')? + 1..];
                fs::read(out.join(path)).ok().map(|b| gz(&b))
            })
            .sum();
        let shown: Vec<String> = latencies.iter().map(|l| format!("{l:.0}")).collect();
        println!(
            "| `{query}` | {} | {:.1} KB in {} files |",
            shown.join(" "),
            bytes as f64 / 1e3,
            fetched.len()
        );
    }
    all.sort_by(f64::total_cmp);
    if !all.is_empty() {
        println!(
            "\nKeystroke to results: median {:.0} ms, slowest {:.0} ms over {} keystrokes (target: within 100 ms)",
            all[all.len() / 2],
            all[all.len() - 1],
            all.len()
        );
    }
    drop(server);
}

/// A content page of the built site (not the home page).
fn first_page(out: &Path) -> String {
    let dir: PathBuf = out.join(generator::SECTIONS[0]);
    format!("{}/", dir.file_name().unwrap().to_string_lossy())
}

/// Defines `measure(query)` in the page: types the query into the header box one letter at a
/// time, each time waiting until the result list shows the results of what is typed, and
/// returns the time of each keystroke and the index files fetched.
const MEASURE: &str = include_str!("search_measure.js");
