//! No input makes handbook panic: thousands of generated pages, each a mix of front matter,
//! Markdown and plain garbage, go through the loader and the Markdown renderer.

use crate::support::Fixture;
use handbook::markdown::{MarkdownOptions, render};
use handbook::source::parse_page;

/// Pieces that are known to stress a front matter splitter, a YAML parser or a Markdown parser.
const PIECES: &[&str] = &[
    "---\n",
    "...\n",
    "title: x\n",
    "weight: -9223372036854775808\n",
    "weight: 1e400\n",
    "toc: maybe\n",
    "sidebarDepth: 300\n",
    "permalink: ../../x\n",
    "- a\n",
    "  - b\n",
    ": :\n",
    "key: [1, {a: b\n",
    "\"\n",
    "'\n",
    "&anchor x\n",
    "*anchor\n",
    "!!binary x\n",
    "{#id}\n",
    "# Title\n",
    "## A & B {#a}\n",
    "#\n",
    "```rust\n",
    "```\n",
    "~~~\n",
    "    code\n",
    "> ",
    "1. ",
    "- [ ] ",
    "| a | b |\n|---|\n",
    "|:-|---|--:|\n",
    "> | q \\| r |\n> |-|\n",
    "15\" ",
    "#### Twitter <a name=\"t\"></a>\n",
    "[^1]\n\n[^1]: note\n",
    "<div>\n",
    "</div>\n",
    "<!--",
    "-->",
    "\u{feff}",
    "\r\n",
    "\t",
    "\u{0}",
    "é",
    "💥",
    "\u{202e}",
    "[x](y \"z\")",
    "![](",
    "<a href=\"",
    "***",
    "___",
    "\\",
    "`",
    "``",
    "&amp;",
    "&#xFFFFFF;",
    "===\n",
];

/// Shortcode calls, whole and broken, and GitHub alerts: a broken call is an error, so they go
/// only where a build may fail.
const SHORTCODE_PIECES: &[&str] = &[
    ":::note\n",
    ":::\n",
    "::::warning[x *y*]{title=\"t\"}\n",
    "::: tip Read\n",
    "::video{youtube=\"a b\"}\n",
    "::figure[c]{src=x alt=y width=wide}\n",
    "::table{data=\"nope\"}\n",
    ":callout{type=\"",
    ":note[",
    "]{",
    "}",
    ":x{a=1 b}",
    "\\:note{}",
    "> [!WARNING]\n",
    "> [!NOTE]\n> ",
];

/// A small deterministic generator, so a failure can be reproduced from its seed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }
}

#[test]
fn thousands_of_garbled_pages_never_panic() {
    // Shortcode calls are rendered with the built-in theme's shortcodes, as a build does.
    let templates = handbook::templates::builtin();
    let data = handbook::source::data::Data::default();
    let pieces: Vec<&str> = PIECES.iter().chain(SHORTCODE_PIECES).copied().collect();
    for seed in 0..3000u64 {
        let mut rng = Lcg(seed);
        let len = rng.next() % 40;
        let text: String = (0..len)
            .map(|_| pieces[rng.next() % pieces.len()])
            .collect();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if let Ok((page, _)) = parse_page("garbage.md".into(), &text, &[]) {
                let title = page.front.title.clone().unwrap_or_default();
                let options = MarkdownOptions {
                    toc_max_level: 6,
                    title: &title,
                    marked: &[],
                    search_code: true,
                    palette: handbook::markdown::highlight::palette(
                        "InspiredGitHub",
                        "base16-ocean.dark",
                    )
                    .ok(),
                    shortcodes: Default::default(),
                };
                render(&page.body, options, &|dest| Some(format!("/x{dest}")));
                let facts = handbook::templates::shortcodes::PageFacts {
                    title: &title,
                    url: "/garbage/",
                };
                let expander =
                    handbook::templates::shortcodes::Expander::new(&templates, &data, facts);
                let options = MarkdownOptions {
                    shortcodes: handbook::markdown::Shortcodes(Some(&expander)),
                    ..options
                };
                render(&page.body, options, &|dest| Some(format!("/x{dest}")));
                // What a preview compares: any input splits into sections without a panic.
                handbook::markdown::sections(&page.body, &title);
            }
        }));
        assert!(outcome.is_ok(), "seed {seed} panicked on {text:?}");
    }
}

/// A site of `pages` (path under content/, text), and the options to build it.
fn site_of(pages: &[(String, String)]) -> (Fixture, handbook::BuildOptions) {
    let fixture = pages.iter().fold(
        // Garbage links to pages that do not exist: that may not fail these builds.
        Fixture::new().file(
            "handbook.yml",
            "title: T\nbase_url: https://example.com/\nlinks: warn\n",
        ),
        |fixture, (path, text)| fixture.file(&format!("content/{path}"), text),
    );
    let options = fixture.options();
    (fixture, options)
}

/// `count` garbled texts from `seed`, made of `pieces`.
fn garbled(seed: u64, count: usize, pieces: &[&str]) -> Vec<String> {
    let mut rng = Lcg(seed);
    (0..count)
        .map(|_| {
            let len = rng.next() % 30;
            (0..len)
                .map(|_| pieces[rng.next() % pieces.len()])
                .collect()
        })
        .collect()
}

#[test]
fn a_site_of_garbled_pages_builds_or_fails_cleanly() {
    let pieces: Vec<&str> = PIECES.iter().chain(SHORTCODE_PIECES).copied().collect();
    let pages: Vec<(String, String)> = garbled(42, 300, &pieces)
        .into_iter()
        .enumerate()
        .map(|(i, text)| (format!("{}p{i}.md", ["", "a/", "a/b/"][i % 3]), text))
        .collect();
    let (fixture, options) = site_of(&pages);
    let outcome = std::panic::catch_unwind(|| handbook::build(&options));
    let result = outcome.expect("the build panicked");
    // Garbage has errors; each is reported with a file, and nothing was written.
    let errors = result.expect_err("garbage should not build cleanly");
    assert!(errors.errors().count() > 0);
    // Broken shortcode calls are errors of their page (or of the template they ran).
    assert!(
        errors
            .diagnostics
            .iter()
            .all(|d| d.path.starts_with("content/") || d.path.starts_with("templates/shortcodes/")),
        "{:#?}",
        errors.diagnostics
    );
    assert!(!fixture.output().exists());
}

#[test]
fn garbled_markdown_behind_valid_front_matter_builds() {
    // Only pages the loader accepts (it strips a BOM before anything else), with nothing that
    // may fairly fail a build.
    let pages: Vec<(String, String)> = garbled(7, 2000, PIECES)
        .into_iter()
        .enumerate()
        .filter(|(i, text)| {
            let unmarked = text.strip_prefix('\u{feff}').unwrap_or(text);
            parse_page(format!("p{i}.md"), unmarked, &[]).is_ok_and(|(page, _)| {
                page.front.permalink.is_none()
                    && page.front.layout.is_none()
                    && !text.contains('\0')
                    // Two headings with one explicit id fairly fail a build.
                    && !text.contains("{#")
            })
        })
        .map(|(i, text)| (format!("a/p{i}.md"), text))
        .collect();
    assert!(pages.len() > 100, "only {} pages were usable", pages.len());
    let (_dir, options) = site_of(&pages);
    let summary = std::panic::catch_unwind(|| handbook::build(&options))
        .expect("the build panicked")
        .unwrap_or_else(|e| panic!("the build failed:\n{e}"));
    assert_eq!(
        summary.pages,
        pages.len() + 2,
        "every page, the home page and the folder's page"
    );
}
