//! Real handbooks nobody here wrote (`tests/corpora/`), built as they are: what they contain is
//! what a team moving its handbook brings, and every problem handbook reports on them must be a
//! real problem of the content, said so that its writer knows what to change.

use crate::support::{Fixture, select, select_attrs, select_texts, sidebar};

/// 18F's handbook (246 pages written for Eleventy, Jekyll before it), copied unmodified as
/// `content/`, with `links: warn` since some of its own links are broken.
fn eighteen_f() -> Fixture {
    let corpus =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpora/18f-handbook/pages");
    Fixture::new()
        .file(
            "handbook.yml",
            "title: 18F Handbook\nbase_url: https://handbook.tts.gsa.gov/\nlinks: warn\n",
        )
        .folder("content", &corpus)
}

#[test]
fn the_18f_handbook_builds_unchanged_and_only_its_real_problems_are_reported() {
    let site = eighteen_f().build();
    let warnings = site.warnings();
    // What the corpus really has: links to ids no generator makes, e-mail addresses without
    // mailto:, Liquid variables, a typo'd scheme, a few pages that are gone; and aliases that
    // repeat the page's own URL. No key of its front matter (keywords, questions, cSpell...)
    // is worth a warning, and no page beside its folder is a conflict.
    let (links, others): (Vec<&String>, Vec<&String>) = warnings
        .iter()
        .partition(|w| w.contains(": warning: broken link "));
    assert!(
        others
            .iter()
            .all(|w| w.contains("is this page's own URL: it is left out")),
        "{others:#?}"
    );
    assert_eq!(others.len(), 6, "{others:#?}");
    assert!(links.len() < 40, "{} broken links: {links:#?}", links.len());
    for expected in [
        "content/training-and-development/pra-for-user-research.md:78:143: warning: broken link GSARegSec@gsa.gov: it looks like an e-mail address; write mailto:GSARegSec@gsa.gov to link to it",
        "content/18f/chapters/design.md:155:40: warning: broken link {{base.baseurl}}/software/: `{{base.baseurl}}` is a Liquid variable, which handbook does not fill in; write the link without it, like /software/",
    ] {
        assert!(
            warnings.iter().any(|w| w.starts_with(expected)),
            "no {expected:?} in {warnings:#?}"
        );
    }
    // Relative links written for the page's URL (tools/slack.md is /tools/slack/).
    assert!(
        select_attrs(&site.page("/tools/slack/"), ".prose a", "href")
            .contains(&"/tools/slack/user-management/".to_string())
    );
    assert!(site.page_urls().len() > 246, "{}", site.page_urls().len());
}

#[test]
fn the_18f_handbook_checks_as_it_builds() {
    let fixture = eighteen_f();
    let built = fixture.build().warnings();
    let checked = handbook::check(&fixture.options(), handbook::CheckOptions::default())
        .expect("the check passes with links: warn");
    let mut checked: Vec<String> = checked.warnings.iter().map(ToString::to_string).collect();
    checked.sort();
    let mut built = built;
    built.sort();
    assert_eq!(checked, built);
}

/// Pages beside folders are their landing pages, aliases of a page's own URL or of a folder's,
/// `redirect_to`, and no label twice in a row in any sidebar or breadcrumbs.
#[test]
fn the_18f_handbook_nests_pages_beside_folders_and_shows_no_label_twice() {
    let site = eighteen_f().build();
    let warnings = site.warnings();
    assert!(
        warnings.iter().any(|w| w.starts_with(
            "content/tools/figma.md:5:1: warning: alias `/tools/figma/` is this page's own URL"
        )),
        "{warnings:?}"
    );
    // tools/slack.md beside tools/slack/.
    assert_eq!(
        select_texts(
            &site.page("/tools/slack/guidelines/"),
            "nav[aria-label=Breadcrumbs] li"
        ),
        [
            "18F Handbook",
            "Tools",
            "Slack",
            "Slack channel usage and best practices"
        ]
    );
    let redirects = site.file("_redirects");
    for rule in [
        "/about-us/tts-consulting/ /about-us/tts-consulting/about/handbook/ 301!\n",
        "/billing-policy/ /tools/tock/#time-tracking-and-billing 301!\n",
        "/about-us/org-chart/ https://docs.google.com/presentation/d/1jc8KtufZtrgjbgPXAi_JSajvMWrGLg5h4HCvO6aC5mQ/edit#slide=id.p 301!\n",
    ] {
        assert!(redirects.contains(rule), "no {rule:?} in _redirects");
    }
    for url in site.page_urls() {
        let page = site.page(&url);
        if !select(&page, "html[data-redirect-to]").is_empty() {
            continue;
        }
        let crumbs = select_texts(&page, "nav[aria-label=Breadcrumbs] li");
        assert!(
            crumbs.windows(2).all(|w| !w[0].eq_ignore_ascii_case(&w[1])),
            "{url}: {crumbs:?}"
        );
        let nav = sidebar(&page);
        for pair in nav.windows(2) {
            let label = |line: &str| {
                let line = line.trim_start();
                line.rsplit_once(' ')
                    .map_or(line, |(t, _)| t)
                    .to_lowercase()
            };
            let nested = pair[1].len() - pair[1].trim_start().len()
                > pair[0].len() - pair[0].trim_start().len();
            assert!(
                !(nested && label(&pair[0]) == label(&pair[1])),
                "{url}: {pair:?}"
            );
        }
    }
}

/// The link check and the search index analyse pages without highlighting their code: that
/// must find exactly what rendering them with highlighting finds, on content nobody here wrote
/// (18F's handbook) and on our own.
#[test]
fn analysing_a_page_without_highlighting_finds_what_rendering_it_finds() {
    use handbook::markdown::{self, MarkdownOptions, highlight};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let themes = handbook::config::Highlight::default();
    let palette = highlight::palette(&themes.light_theme, &themes.dark_theme).unwrap();
    // What the two handbooks have little of: code of many kinds, in many places.
    let kinds = "# Code\n\n```bash\ncat <<EOF > a.txt\n# not a heading\nEOF\n```\n\n\
        - A list:\n\n  ```yaml\n  key: [a, b] # <a id=\"x\">\n  ```\n\n\
        ~~~rust\nfn main() { println!(\"<h2 id=y>\"); }\n~~~\n\n    indented <b>\n\n\
        ```html\n<a href=\"/z/\" id=\"w\">z</a>\n```\n\n```nosuchlanguage\nx\n```\n\n\
        > ```sql\n> select 1;\n> ```\n\n## After {#after}\n\n[a](#after)\n";
    let files = ["tests/corpora/18f-handbook/pages", "content"]
        .iter()
        .flat_map(|folder| walkdir::WalkDir::new(root.join(folder)))
        .map(|entry| entry.unwrap().into_path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .map(|path| {
            (
                path.display().to_string(),
                std::fs::read_to_string(&path).unwrap(),
            )
        });
    let mut compared = 0;
    for (name, text) in files.chain([("kinds".to_string(), kinds.to_string())]) {
        let options = |palette| MarkdownOptions {
            toc_max_level: 3,
            title: "",
            marked: &[],
            search_code: true,
            palette,
            shortcodes: Default::default(),
        };
        let rewrite = |dest: &str| Some(format!("/x/{dest}"));
        let (with, analysed) = markdown::render(&text, options(Some(palette)), &rewrite);
        let (without, plain) = markdown::render(&text, options(None), &rewrite);
        assert_eq!(plain, analysed, "{name}");
        compared += usize::from(with.html != without.html);
    }
    assert!(compared >= 6, "only {compared} pages had highlighted code");
}

/// 18F's own `CODEOWNERS`, with `pages/` moved to `content/` as a team moving its handbook
/// would, in a git repository: each page shows the team 18F made its owner, `*` leaves no page
/// without one, and `handbook stale` reads every page.
#[test]
fn the_18f_handbook_keeps_its_codeowners() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpora/18f-handbook");
    let codeowners = std::fs::read_to_string(root.join("CODEOWNERS"))
        .unwrap()
        .replace("pages/", "content/");
    let fixture = eighteen_f().file(".github/CODEOWNERS", codeowners);
    let dir = fixture.root();
    crate::support::git::git(&dir, &["init", "-q"]);
    crate::support::git::commit(&dir, "Ann Archer", "2024-05-01T12:00:00Z");
    let site = fixture.build();
    let owners = |url: &str| select_texts(&site.page(url), ".page-owners");
    assert_eq!(
        owners("/office-of-operations/outreach/"),
        ["Owned by @18F/outreach"]
    );
    // `content/18f/*`: the folder's own pages, and `*` for those deeper down.
    assert_eq!(
        owners("/18f/history-and-values/"),
        ["Owned by @18F/18f-handbook-owners"]
    );
    assert_eq!(
        owners("/tools/slack/"),
        ["Owned by @18F/tts-tech-operations"]
    );
    // Only the catch-all `*`.
    assert_eq!(owners("/about/"), ["Owned by @18F/handbook-owners"]);
    // No warning about the file, and no page without an owner.
    let strict = handbook::check(
        &fixture.options(),
        handbook::CheckOptions {
            strict: true,
            ..Default::default()
        },
    );
    let problems: Vec<String> = match strict {
        Ok(summary) => summary.warnings.iter().map(ToString::to_string).collect(),
        Err(err) => err.diagnostics.iter().map(ToString::to_string).collect(),
    };
    assert!(
        problems
            .iter()
            .all(|p| !p.contains("CODEOWNERS") && !p.contains("no one owns")),
        "{problems:#?}"
    );
    let (report, _) = handbook::stale(&fixture.options(), Some("2026-06-01")).unwrap();
    // Every page but those that only redirect (`redirect_to`), and the landing pages handbook
    // makes for folders.
    assert!(report.pages > 230, "{}", report.pages);
    assert_eq!(report.stale.len(), report.pages, "all last changed in 2024");
    assert!(report.stale.iter().all(|p| !p.owners.is_empty()));
}
