//! The search index as a build writes it and `handbook serve` serves it: read back with a
//! decoder written here from the format's description (docs/search.md), not with the code
//! that writes it.

use crate::support::serve::Served;
use crate::support::{BuiltSite, Fixture, select};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn site() -> Fixture {
    Fixture::copy("search-index")
}

/// The folded words of `text`, as the format describes them.
fn fnv1a(key: &str) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in key.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

/// One hit of a word: the page's URL with the record's anchor, and the weight.
#[derive(Debug, PartialEq)]
struct Hit {
    url: String,
    weight: u64,
}

/// The index under `dir` (`public/_search`), read as a browser does.
struct Index {
    dir: PathBuf,
    meta: Value,
}

impl Index {
    fn of(site: &BuiltSite) -> Index {
        Index::at(&site.out.join("_search"))
    }

    fn at(dir: &Path) -> Index {
        let meta = read_json(&dir.join("meta.json"));
        Index {
            dir: dir.to_path_buf(),
            meta,
        }
    }

    fn shard(&self, word: &str) -> Value {
        let key: String = word.chars().take(3).collect();
        let shards = self.meta["shards"].as_u64().unwrap() as u32;
        let n = fnv1a(&key) % shards;
        read_json(&self.dir.join(format!("s/{n}.json")))
    }

    fn page(&self, n: u64) -> Value {
        read_json(&self.dir.join(format!("p/{n}.json")))
    }

    /// Where `word` (exactly, folded) occurs, through its stem's postings.
    fn hits(&self, word: &str) -> Vec<Hit> {
        let shard = self.shard(word);
        let Some(stem) = shard["w"][word].as_u64() else {
            return Vec::new();
        };
        let postings = shard["p"][stem as usize].as_array().unwrap();
        let mut page = 0;
        postings
            .chunks(3)
            .map(|triple| {
                page += triple[0].as_u64().unwrap();
                let section = triple[1].as_u64().unwrap() as usize;
                let file = self.page(page);
                let anchor = file["r"][section][0].as_str().unwrap();
                let url = file["u"].as_str().unwrap();
                Hit {
                    url: if anchor.is_empty() {
                        url.to_string()
                    } else {
                        format!("{url}#{anchor}")
                    },
                    weight: triple[2].as_u64().unwrap(),
                }
            })
            .collect()
    }

    fn urls(&self, word: &str) -> Vec<String> {
        self.hits(word).into_iter().map(|h| h.url).collect()
    }

    /// Every word of every shard.
    fn words(&self) -> Vec<String> {
        let shards = self.meta["shards"].as_u64().unwrap();
        let mut words: Vec<String> = (0..shards)
            .flat_map(|n| {
                let shard = read_json(&self.dir.join(format!("s/{n}.json")));
                let w = shard["w"].as_object().unwrap().clone();
                w.into_iter().map(|(word, _)| word)
            })
            .collect();
        words.sort();
        words
    }
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

fn hit(url: &str, weight: u64) -> Hit {
    Hit {
        url: url.into(),
        weight,
    }
}

#[test]
fn every_heading_starts_a_record_with_its_anchor_heading_and_text() {
    let site = site().build();
    let index = Index::of(&site);
    assert_eq!(index.meta["version"], 1);
    // Home, Engineering, Deploys, People (a generated landing page), Vacation: in navigation
    // order; the draft and the `search: false` page are left out.
    assert_eq!(index.meta["pages"], 5);
    let titles: Vec<Value> = (0..5).map(|n| index.page(n)["t"].clone()).collect();
    assert_eq!(
        titles,
        ["Home", "Engineering", "Deploys", "People", "Vacation"]
    );
    let deploys = index.page(2);
    assert_eq!(deploys["u"], "/engineering/deploys/");
    assert_eq!(
        deploys["s"], "Engineering",
        "the trail of sections above the page"
    );
    assert_eq!(
        deploys["r"],
        serde_json::json!([
            ["", "", "Intro about shipping code to production."],
            [
                "rollbacks",
                "Rollbacks",
                "A rollback restores the previous release. Nobody likes a zanzibar incident."
            ],
            [
                "running-a-rollback",
                "Running a rollback",
                "The on-call engineer runs it. Use revert-tool for Café orders."
            ],
            ["field-trips", "Field trips", "Nothing here."]
        ])
    );
    // A description goes in front of the introduction.
    assert_eq!(
        index.page(4)["r"][0][2],
        "Time off and holidays. Ask your manager. Runs every year."
    );
    assert_eq!(index.page(0)["s"], "", "the home page has no trail");
}

#[test]
fn a_word_points_at_the_section_it_is_in_weighted_by_where() {
    let site = site().build();
    let index = Index::of(&site);
    assert_eq!(
        index.hits("zanzibar"),
        [hit("/engineering/deploys/#rollbacks", 1)]
    );
    // Title 8, heading 4, plus occurrences in the text (at most 3).
    assert_eq!(index.hits("deploys"), [hit("/engineering/deploys/", 8)]);
    assert_eq!(
        index.hits("rollback"),
        [
            hit("/engineering/deploys/#rollbacks", 4 + 1),
            hit("/engineering/deploys/#running-a-rollback", 4),
        ]
    );
    assert_eq!(
        index.hits("field"),
        [hit("/engineering/deploys/#field-trips", 4)]
    );
}

#[test]
fn words_are_folded_and_share_the_postings_of_their_stem() {
    let site = site().build();
    let index = Index::of(&site);
    let words = index.words();
    assert!(words.contains(&"cafe".to_string()), "{words:?}");
    assert!(
        !words
            .iter()
            .any(|w| w.contains('é') || w.chars().any(char::is_uppercase))
    );
    // "running", "runs": one stem, so either finds both.
    let running = index.urls("running");
    assert_eq!(
        running,
        [
            "/engineering/deploys/#running-a-rollback",
            "/people/vacation/"
        ]
    );
    assert_eq!(index.urls("runs"), running);
    // Inline code is text; `revert-tool` is two words.
    assert_eq!(index.urls("revert").len(), 1);
    // Words of one character are left out.
    assert!(!words.iter().any(|w| w.chars().count() < 2), "{words:?}");
}

#[test]
fn navigation_footer_code_blocks_drafts_and_opted_out_pages_are_not_indexed() {
    let site = site().build_with(|o| o.drafts = true);
    assert!(
        site.exists("engineering/draft/index.html"),
        "drafts are built"
    );
    let words = Index::of(&site).words();
    for absent in [
        // The site's description, shown in the footer of every page.
        "sidebarword",
        // The skip link and the header.
        "skip",
        // A code block.
        "kubectl",
        "quokkaserver",
        // `draft: true`, even when drafts are built.
        "draftonlyword",
        // `search: false`.
        "hiddenonlyword",
    ] {
        assert!(!words.contains(&absent.to_string()), "{absent} is indexed");
    }
    assert!(words.contains(&"incident".to_string()));
}

#[test]
fn code_blocks_are_indexed_when_the_site_asks() {
    let fixture = site();
    fixture.write(
        "handbook.yml",
        "title: Fixture\nbase_url: https://example.com/\nsearch:\n  code: true\n",
    );
    let site = fixture.build();
    let index = Index::of(&site);
    assert_eq!(
        index.urls("quokkaserver"),
        ["/engineering/deploys/#rollbacks"]
    );
    assert_eq!(
        index.page(2)["r"][1][2],
        "A rollback restores the previous release. Nobody likes a zanzibar incident. kubectl rollout undo deployment/quokkaserver"
    );
}

#[test]
fn every_page_has_the_search_box_and_the_search_page_exists() {
    let site = site().build();
    let home = site.page("/");
    let forms = select(&home, "form[role=search]");
    assert_eq!(forms.len(), 1);
    assert_eq!(forms[0].value().attr("action"), Some("/search/"));
    assert_eq!(
        forms[0].value().attr("data-search-index"),
        Some("/_search/")
    );
    let search = site.html("search/index.html");
    assert_eq!(select(&search, "noscript").len(), 1);
    assert!(
        site.file("_headers").contains("/_search/*\n"),
        "the index is checked again on every visit:\n{}",
        site.file("_headers")
    );
    // The shards cover every number below `shards`: the script never asks for a missing one.
    let index = Index::of(&site);
    for n in 0..index.meta["shards"].as_u64().unwrap() {
        assert!(site.exists(&format!("_search/s/{n}.json")));
    }
}

#[test]
fn turning_search_off_removes_the_box_the_page_and_the_index() {
    let fixture = site();
    let first = fixture.build();
    assert!(first.exists("_search/meta.json"));
    fixture.write(
        "handbook.yml",
        "title: Fixture\nbase_url: https://example.com/\nsearch:\n  enabled: false\n",
    );
    let site = fixture.build();
    assert!(!site.out.join("_search").exists());
    assert!(!site.exists("search/index.html"));
    let home = site.page("/");
    assert!(select(&home, "form[role=search]").is_empty());
    assert!(
        !site.file("index.html").contains("search."),
        "no search script"
    );
}

#[test]
fn a_rebuild_leaves_no_stale_index_file() {
    let fixture = site();
    let first = Index::of(&fixture.build());
    assert_eq!(first.meta["pages"], 5);
    fixture.remove("content/people/vacation.md");
    let site = fixture.build();
    let index = Index::of(&site);
    assert_eq!(
        index.meta["pages"], 3,
        "Vacation and its landing page are gone"
    );
    assert!(!site.exists("_search/p/3.json"));
    assert!(index.hits("zanzibar").len() == 1);
    assert!(index.urls("carry").is_empty());
    assert_ne!(first.meta["build"], index.meta["build"]);
}

#[test]
fn a_page_where_the_search_page_goes_is_an_error() {
    let fixture = site().file(
        "content/search.md",
        "---\ntitle: Search tips\n---\n\nTips.\n",
    );
    let errors = fixture.errors();
    assert_eq!(
        errors,
        [
            "content/search.md: would be written to search/index.html, which is the search page\n  help: give the page another permalink, or turn the search page off with `search: {enabled: false}` in handbook.yml"
        ]
    );
}

#[test]
fn a_mistyped_search_setting_is_an_error_with_a_suggestion() {
    let fixture = site();
    fixture.write(
        "handbook.yml",
        "title: Fixture\nbase_url: https://example.com/\nsearch:\n  cod: true\n",
    );
    let errors = fixture.errors();
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].contains("unknown setting `search.cod`") && errors[0].contains("`code`"),
        "{errors:?}"
    );
}

#[test]
fn serve_keeps_the_index_current() {
    let fixture = site();
    let server = Served::start(&fixture.root(), &[]);
    let meta = server.get("/_search/meta.json");
    assert_eq!(meta.status, 200);
    assert_eq!(meta.header("content-type"), Some("application/json"));
    let meta: Value = serde_json::from_str(&meta.body).unwrap();
    assert_eq!(meta["pages"], 5);
    let page = server.get("/_search/p/2.json");
    assert!(page.body.contains("zanzibar"), "{}", page.body);
    assert_eq!(
        page.header("content-encoding"),
        None,
        "asked for plain JSON"
    );
    assert!(server.get("/search/").body.contains("<noscript>"));
    // A browser takes the files gzipped, as the server keeps them.
    let gzipped = server.request(
        "GET",
        "/_search/p/2.json",
        &[("Accept-Encoding", "gzip, deflate, br")],
    );
    assert_eq!(gzipped.header("content-encoding"), Some("gzip"));
    assert_eq!(gzipped.header("vary"), Some("Accept-Encoding"));
    let mut unpacked = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&gzipped.bytes[..]),
        &mut unpacked,
    )
    .unwrap();
    assert_eq!(unpacked, page.bytes);
    let refused = server.request(
        "GET",
        "/_search/p/2.json",
        &[("Accept-Encoding", "gzip;q=0")],
    );
    assert_eq!(refused.bytes, page.bytes, "gzip refused: plain JSON");

    fixture.write(
        "content/people/vacation.md",
        "---\ntitle: Vacation\n---\n\n## Xylophone lessons\n\nCount as training.\n",
    );
    let reply = server.wait_for("/_search/meta.json", "a new build", |reply| {
        reply.status == 200 && !reply.body.contains(meta["build"].as_str().unwrap())
    });
    let new: Value = serde_json::from_str(&reply.body).unwrap();
    let shards = new["shards"].as_u64().unwrap() as u32;
    let build = new["build"].as_str().unwrap();
    let shard = server.get(&format!(
        "/_search/s/{}.json?v={build}",
        fnv1a("xyl") % shards
    ));
    assert!(shard.body.contains("\"xylophone\""), "{}", shard.body);
    // The shards of the version a browser started with are still there for it.
    let old = server.get(&format!(
        "/_search/s/{}.json?v={}",
        fnv1a("zan") % meta["shards"].as_u64().unwrap() as u32,
        meta["build"].as_str().unwrap()
    ));
    assert!(old.body.contains("\"zanzibar\""), "{}", old.body);
    assert_eq!(server.get("/_search/s/999999.json").status, 404);
}

/// `handbook serve` updates its index after each change from the one before: after a body
/// edit, a page moved in the navigation, a page added and a section renamed, every file it
/// serves is the one a fresh build makes.
#[test]
fn serve_updates_its_index_to_what_a_fresh_build_makes() {
    let fixture = many_pages(120);
    let server = Served::start(&fixture.root(), &[]);
    let build_of = |reply: &crate::support::serve::Reply| -> String {
        let meta: Value = serde_json::from_str(&reply.body).unwrap();
        meta["build"].as_str().unwrap().to_string()
    };
    let mut build =
        build_of(&server.wait_for("/_search/meta.json", "an index", |r| r.status == 200));
    let edited = std::fs::read_to_string(fixture.root().join("content/s2/p7.md"))
        .unwrap()
        .replace("w49x91", "zanzibar");
    let steps = [
        ("content/s2/p7.md", edited.as_str()),
        (
            "content/s0/p0.md",
            "---\ntitle: First\nweight: 99\n---\n\nMoved to the end, about quokkas.\n",
        ),
        ("content/s1/new.md", "# Newcomer\n\nAbout wombats.\n"),
        // Every page of s3 gets another trail, not another text: their entries are made again
        // from their pages, read anew.
        (
            "content/s3/index.md",
            "---\ntitle: Section three\n---\n\nThe third.\n",
        ),
    ];
    for (step, (rel, text)) in steps.into_iter().enumerate() {
        fixture.write(rel, text);
        let reply = server.wait_for("/_search/meta.json", "a new index", |r| {
            r.status == 200 && build_of(r) != build
        });
        build = build_of(&reply);
        let fresh = fixture.tmp().join(format!("fresh-{step}"));
        fixture.build_with(|o| o.output_dir = Some(fresh.clone()));
        let expected = crate::support::snapshot(&fresh.join("_search"));
        for (file, bytes) in expected {
            let Some(bytes) = bytes else { continue };
            let served = server.get(&format!("/_search/{file}?v={build}"));
            assert_eq!(served.status, 200, "{rel}: {file}");
            assert!(
                served.bytes == bytes,
                "after {rel}, {file} differs from a fresh build's:\n{}\n{}",
                served.body,
                String::from_utf8_lossy(&bytes)
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rebuilds: the index is updated, not made anew

/// A handbook of `pages` pages whose words differ from page to page: enough for many shards.
fn many_pages(pages: usize) -> Fixture {
    let mut fixture = Fixture::new().file("content/index.md", "# Home\n");
    for p in 0..pages {
        let words: String = (0..40)
            .map(|w| format!("w{}x{} ", p * 7 + w, (p * 13 + w) % 97))
            .collect();
        fixture = fixture.file(
            &format!("content/s{}/p{p}.md", p % 5),
            format!("---\ntitle: Page {p}\n---\n\n{words}\n\n## Part two\n\nmore {words}\n"),
        );
    }
    fixture
}

/// The inode of each file of the index under `out`: a file kept by a rebuild keeps its inode.
fn inodes(out: &Path) -> std::collections::BTreeMap<String, u64> {
    use std::os::unix::fs::MetadataExt;
    crate::support::snapshot(&out.join("_search"))
        .into_keys()
        .filter_map(|rel| {
            let meta = std::fs::metadata(out.join("_search").join(&rel)).ok()?;
            meta.is_file().then(|| (rel, meta.ino()))
        })
        .collect()
}

/// The index of `fixture`'s output, and of a fresh build into another folder, are the same.
fn assert_index_is_fresh(fixture: &Fixture, site: &BuiltSite, step: &str) {
    let fresh = fixture.tmp().join(format!("fresh-{step}"));
    fixture.build_with(|o| o.output_dir = Some(fresh.clone()));
    let (rebuilt, expected) = (
        crate::support::snapshot(&site.out.join("_search")),
        crate::support::snapshot(&fresh.join("_search")),
    );
    if rebuilt != expected {
        eprintln!("after step `{step}`:");
        crate::support::assert_same_tree(&expected, &rebuilt);
    }
}

#[test]
fn a_rebuild_after_one_edit_rewrites_only_the_index_files_it_changes() {
    let fixture = many_pages(300);
    let first = fixture.build();
    let shards = Index::of(&first).meta["shards"].as_u64().unwrap();
    assert!(shards >= 8, "{shards} shards: too few to tell");
    let before = inodes(&first.out);

    let same = fixture.build();
    assert_eq!(
        inodes(&same.out),
        before,
        "nothing changed: every file kept"
    );

    let page = std::fs::read_to_string(fixture.root().join("content/s2/p7.md")).unwrap();
    fixture.write("content/s2/p7.md", page.replace("w49x91", "zanzibar"));
    let site = fixture.build();
    assert_index_is_fresh(&fixture, &site, "one page edited");
    let after = inodes(&site.out);
    let rewritten: Vec<&String> = after
        .iter()
        .filter(|(rel, inode)| before.get(*rel) != Some(inode))
        .map(|(rel, _)| rel)
        .collect();
    let pages = rewritten.iter().filter(|r| r.starts_with("p/")).count();
    let shards_rewritten = rewritten.iter().filter(|r| r.starts_with("s/")).count() as u64;
    assert_eq!(pages, 1, "only the edited page's file: {rewritten:?}");
    assert!(
        (1..=2).contains(&shards_rewritten),
        "only the shards of the word the page lost and the one it gained: {shards_rewritten} of {shards}"
    );
    assert!(
        rewritten.contains(&&"meta.json".to_string()),
        "a new build id"
    );
    let index = Index::of(&site);
    assert_eq!(
        index.hits("zanzibar").len(),
        2,
        "in both sections of the page"
    );
    assert!(
        index.hits("w49x91").is_empty(),
        "the word the page lost is gone"
    );
}

#[test]
fn a_rebuild_equals_a_fresh_build_whatever_changed_and_without_the_saved_index() {
    let fixture = many_pages(60);
    fixture.build();
    fixture.write(
        "content/s0/p0.md",
        "---\ntitle: First\nweight: 99\n---\n\nMoved to the end, about quokkas.\n",
    );
    assert_index_is_fresh(&fixture, &fixture.build(), "a page moved");
    fixture.remove("content/s1/p1.md");
    fixture.write("content/s1/new.md", "# Newcomer\n\nAbout wombats.\n");
    assert_index_is_fresh(&fixture, &fixture.build(), "a page removed, one added");
    fixture.write(
        "content/s3/p3.md",
        "---\ntitle: Page 3\ndescription: Numbats live here.\n---\n\nw21x39\n",
    );
    assert_index_is_fresh(&fixture, &fixture.build(), "a description");
    // The saved index lost or damaged: made anew from the pages, which are not rendered again.
    let saved = fixture.tmp().join(".public.handbook/search");
    std::fs::write(&saved, b"handbook search state 1\ncut").unwrap();
    fixture.write("content/s4/p4.md", "# Page 4\n\nAbout bilbies.\n");
    assert_index_is_fresh(&fixture, &fixture.build(), "a damaged saved index");
    std::fs::remove_file(&saved).unwrap();
    assert_index_is_fresh(&fixture, &fixture.build(), "no saved index");
    assert_eq!(Index::of(&fixture.build()).hits("bilbies").len(), 1);
}
