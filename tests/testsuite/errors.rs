//! Bad input: every problem is reported with its exact text, and a failed build changes nothing
//! on disk: the previous output stays byte for byte, the folder beside it where handbook keeps
//! its records (`.public.handbook`) too, and nothing is written anywhere else.

use crate::support;
use crate::support::cmd::Run;
use crate::support::{Fixture, assert_same_tree, select_texts, snapshot, top_level};

const PERMALINK_HELP: &str =
    "help: use a site path made of plain segments, like `permalink: /engineering/release-process/`";
const URL_CLASH_HELP: &str =
    "help: give one of them another `permalink`, or move a folder's page to its `index.md`";
/// Beside the output folder: the lock, the manifest, the facts; a staging folder during a build.
const HOME: &str = ".public.handbook/";

/// A small site that builds.
fn site() -> Fixture {
    Fixture::new()
        .file("content/index.md", "# Home\n")
        .file("content/a.md", "---\ntitle: A\n---\nText.\n")
}

/// Builds `fixture` twice (so that the second build is incremental), applies `breakage`, and
/// builds again. Returns the diagnostics of the failed build, after checking that it left every
/// file of the fixture's folder (site, previous output and anything beside them) exactly as it
/// was.
fn errors_after(fixture: &Fixture, breakage: impl FnOnce(&Fixture)) -> Vec<String> {
    fixture.build();
    fixture.build();
    breakage(fixture);
    let before = snapshot(fixture.tmp());
    assert!(before.contains_key("public/index.html"));
    let errors = fixture.errors();
    assert_same_tree(&before, &snapshot(fixture.tmp()));
    errors
}

/// The page `content/a.md` replaced by `text`; the diagnostics of the build.
fn errors_of_page(text: &str) -> Vec<String> {
    errors_after(&site(), |f| f.write("content/a.md", text))
}

// ---------------------------------------------------------------------------------------------
// Front matter

#[test]
fn a_weight_that_is_not_a_number_is_an_error_at_the_value() {
    assert_eq!(
        errors_of_page("---\ntitle: A\nweight: first\n---\n"),
        [
            "content/a.md:3:9: `weight` must be a whole number, found string \"first\"\n  help: write it like `weight: 10`"
        ]
    );
}

#[test]
fn an_unknown_layout_is_an_error_listing_the_available_layouts() {
    assert_eq!(
        errors_of_page("---\ntitle: A\nlayout: wide\n---\n"),
        [
            "content/a.md:3:1: unknown layout `wide`\n  help: available layouts: index, page (a layout `x` is the template `templates/x.html`)"
        ]
    );
}

#[test]
fn the_available_layouts_include_the_site_templates() {
    let fixture = site().file("templates/wide.html", "{{ page.title }}");
    let errors = errors_after(&fixture, |f| {
        f.write("content/a.md", "---\nlayout: narrow\n---\n")
    });
    assert_eq!(
        errors,
        [
            "content/a.md:2:1: unknown layout `narrow`\n  help: available layouts: index, page, wide (a layout `x` is the template `templates/x.html`)"
        ]
    );
}

#[test]
fn a_yaml_syntax_error_is_reported_at_its_line_and_column_in_the_file() {
    assert_eq!(
        errors_of_page("---\nweight: 1\ntitle: Release: process\n---\n"),
        [
            "content/a.md:3:15: front matter is not valid YAML: a value contains `: `\n  help: put the whole value in quotes, like `title: \"Setup: the basics\"`"
        ]
    );
}

#[test]
fn front_matter_without_a_closing_line_is_an_error() {
    assert_eq!(
        errors_of_page("---\ntitle: A\n\nText.\n"),
        [
            "content/a.md:1:1: front matter is not closed: `---` on line 1 has no closing `---` line\n  help: add a line `---` after the last front matter line, or remove the first line if this page has no front matter"
        ]
    );
}

#[test]
fn front_matter_with_windows_line_endings_reports_the_same_positions() {
    assert_eq!(
        errors_of_page("---\r\ntitle: A\r\nweight: first\r\n---\r\n"),
        [
            "content/a.md:3:9: `weight` must be a whole number, found string \"first\"\n  help: write it like `weight: 10`"
        ]
    );
}

#[test]
fn a_title_that_is_a_list_is_an_error_naming_the_key() {
    let errors = errors_of_page("---\ntitle: [1, 2]\n---\n");
    assert_eq!(errors.len(), 1);
    assert!(errors[0].starts_with("content/a.md:2:"), "{}", errors[0]);
    assert!(
        errors[0].contains("`title` must be text, found a list or a map"),
        "{}",
        errors[0]
    );
}

// ---------------------------------------------------------------------------------------------
// URLs

#[test]
fn two_pages_with_the_same_url_are_an_error_naming_both_files() {
    let errors = errors_after(&site(), |f| {
        f.write("content/b.md", "---\ntitle: B\npermalink: /a/\n---\n")
    });
    assert_eq!(
        errors,
        [format!(
            "content/b.md:3:1: two pages have the URL /a/: content/a.md and content/b.md\n  {URL_CLASH_HELP}"
        )]
    );
}

#[test]
fn a_page_beside_a_folder_with_its_own_index_md_is_an_error_naming_both() {
    // Without `team/index.md`, `team.md` is the folder's landing page (the `build` tests).
    let errors = errors_after(&site(), |f| {
        f.write("content/team.md", "Team page.\n");
        f.write("content/team/index.md", "Team.\n");
        f.write("content/team/people.md", "People.\n");
    });
    assert_eq!(
        errors,
        [
            "content/team/index.md:1:1: two pages have the URL /team/: content/team.md and content/team/index.md\n  help: content/team.md beside the folder content/team/ is that folder's landing page, and so is content/team/index.md: keep one of them (move the other's text into it)"
        ]
    );
}

#[test]
fn a_permalink_to_the_home_page_without_index_md_names_the_content_folder() {
    let errors = errors_after(&site(), |f| {
        f.remove("content/index.md");
        f.write("content/welcome.md", "---\npermalink: /\n---\n");
    });
    assert_eq!(errors.len(), 1);
    assert!(!errors[0].contains("content//"), "{}", errors[0]);
}

#[test]
fn index_md_and_underscore_index_md_in_one_folder_are_an_error() {
    let errors = errors_after(&site(), |f| {
        f.write("content/eng/index.md", "One.\n");
        f.write("content/eng/_index.md", "Two.\n");
    });
    assert_eq!(
        errors,
        [
            "content/eng/index.md: this folder has two landing pages: content/eng/_index.md and content/eng/index.md\n  help: keep one of `index.md` and `_index.md`"
        ]
    );
}

/// `permalink` is refused with `why`; nothing appeared outside the output (checked by
/// `errors_after` for the whole temporary folder: `../x` from the output lands in it).
fn assert_permalink_refused(yaml_value: &str, shown: &str, why: &str) {
    let fixture = site();
    let errors = errors_after(&fixture, |f| {
        f.write(
            "content/a.md",
            format!("---\ntitle: A\npermalink: {yaml_value}\n---\n"),
        )
    });
    assert_eq!(
        errors,
        [format!(
            "content/a.md:3:1: permalink `{shown}` is not allowed: {why}\n  {PERMALINK_HELP}"
        )]
    );
    assert_eq!(top_level(fixture.tmp()), [HOME, "public/", "site/"]);
    assert!(!fixture.tmp().join("escape").exists());
    assert!(!fixture.tmp().join("b").exists());
}

#[test]
fn a_permalink_going_up_out_of_the_output_is_refused() {
    assert_permalink_refused(
        "../escape",
        "../escape",
        "it contains a `.` or `..` segment and would leave the output folder",
    );
}

#[test]
fn a_permalink_going_up_through_a_folder_is_refused() {
    assert_permalink_refused(
        "/a/../../b",
        "/a/../../b",
        "it contains a `.` or `..` segment and would leave the output folder",
    );
}

#[test]
fn a_permalink_with_a_backslash_is_refused() {
    assert_permalink_refused("a\\b", "a\\\\b", "it contains a backslash");
}

#[test]
fn a_permalink_with_a_nul_character_is_refused() {
    assert_permalink_refused("\"a\\0b\"", "a\\0b", "it contains a control character");
}

// ---------------------------------------------------------------------------------------------
// Several problems

#[test]
fn every_error_of_a_build_is_reported_together_sorted_by_file() {
    let fixture = site();
    let mut failure = None;
    let errors = errors_after(&fixture, |f| {
        f.write("content/a.md", "---\ntitle: A\n");
        f.write("content/b.md", "---\ntitle: B\nweight: first\n---\n");
        f.write("content/c/d.md", "---\nlayout: wide\n---\n");
        f.write("content/w.md", "---\nwieght: 1\n---\n");
        f.write("content/z.md", "---\npermalink: /w/\n---\n");
        failure = Some(handbook::build(&f.options()).unwrap_err());
    });
    assert_eq!(
        errors,
        [
            "content/a.md:1:1: front matter is not closed: `---` on line 1 has no closing `---` line\n  help: add a line `---` after the last front matter line, or remove the first line if this page has no front matter",
            "content/b.md:3:9: `weight` must be a whole number, found string \"first\"\n  help: write it like `weight: 10`",
            "content/c/d.md:2:1: unknown layout `wide`\n  help: available layouts: index, page (a layout `x` is the template `templates/x.html`)",
            "content/w.md:2:1: warning: unknown front matter key `wieght`\n  help: did you mean `weight`? If `wieght` is one of your own keys, declare it in handbook.yml as `front_matter: {keys: [wieght]}`; templates read its value as `page.extra.wieght`",
            &format!(
                "content/z.md:2:1: two pages have the URL /w/: content/w.md and content/z.md\n  {URL_CLASH_HELP}"
            ),
        ]
    );
    let failure = failure.unwrap();
    assert_eq!(failure.errors().count(), 4);
    assert!(
        failure.to_string().ends_with("\nbuild failed: 4 errors"),
        "{failure}"
    );
}

// ---------------------------------------------------------------------------------------------
// Unusual files

#[test]
fn a_page_that_is_not_utf8_is_an_error_at_the_first_bad_byte() {
    let errors = errors_after(&site(), |f| {
        f.write("content/a.md", b"---\ntitle: Caf\xe9\n---\n")
    });
    assert_eq!(
        errors,
        [
            "content/a.md:2:11: the file is not valid UTF-8 text\n  help: save the file with UTF-8 encoding"
        ]
    );
}

#[test]
fn a_binary_file_named_md_is_an_error() {
    let errors = errors_after(&site(), |f| {
        f.write("content/logo.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR");
        f.write("content/nul.md", b"text\0more");
    });
    assert_eq!(
        errors,
        [
            "content/logo.md:1:1: this looks like a binary file, not Markdown\n  help: give it another extension than .md, or move it out of content/",
            "content/nul.md:1:5: this looks like a binary file, not Markdown\n  help: give it another extension than .md, or move it out of content/",
        ]
    );
}

#[test]
fn a_byte_order_mark_is_ignored() {
    let site = site()
        .file(
            "content/bom.md",
            "\u{feff}---\ntitle: With BOM\n---\nBody.\n",
        )
        .build();
    let page = site.page("/bom/");
    assert_eq!(select_texts(&page, "main h1"), ["With BOM"]);
    assert!(!support::text(support::select_one(&page, "main")).contains("---"));
}

#[test]
fn an_empty_page_builds_with_its_file_name_as_title() {
    let site = site().file("content/empty.md", "").build();
    assert_eq!(select_texts(&site.page("/empty/"), "main h1"), ["Empty"]);
}

#[test]
fn a_page_of_10_mb_builds() {
    let mut text = String::with_capacity(10 * 1024 * 1024 + 200);
    let mut part = 0;
    while text.len() < 10 * 1024 * 1024 {
        text.push_str(&format!(
            "## Part {part}\n\nSome *text* with a [link](https://example.com/{part}) and `code`.\n\n- one\n- two\n\n"
        ));
        part += 1;
    }
    let site = site().file("content/big.md", &text).build();
    let html = site.file("big/index.html");
    assert!(html.contains("<h2 id=\"part-0\">"));
    assert!(html.contains(&format!("<h2 id=\"part-{}\">", part - 1)));
    assert!(
        html.contains(&format!("href=\"#part-{}\"", part - 1)),
        "TOC"
    );
}

#[test]
fn many_repeated_headings_take_no_longer_than_as_many_different_ones() {
    let time = |body: String| {
        let fixture = site().file("content/big.md", body);
        let started = std::time::Instant::now();
        fixture.build();
        started.elapsed()
    };
    let different = time((0..5000).map(|i| format!("## Setup {i}\n\n")).collect());
    let repeated = time("## Setup\n\n".repeat(5000));
    assert!(
        repeated < different * 5 + std::time::Duration::from_secs(1),
        "5,000 repeated headings took {repeated:?}, 5,000 different ones {different:?}"
    );
}

/// Runs `handbook build` in a child process: a stack overflow must fail this test, not abort
/// every test of the suite.
fn build_in_child(fixture: &Fixture) -> Run {
    fixture
        .handbook(&["build"])
        .arg("--output-dir")
        .arg(fixture.output())
        .run()
}

#[test]
fn ten_thousand_nested_blockquotes_do_not_crash_the_build() {
    let fixture = site().file("content/deep.md", format!("{} deep\n", ">".repeat(10_000)));
    build_in_child(&fixture).success();
    let html = std::fs::read_to_string(fixture.output().join("deep/index.html")).unwrap();
    assert_eq!(html.matches("<blockquote>").count(), 10_000);
}

#[test]
fn ten_thousand_nested_lists_do_not_crash_the_build() {
    let fixture = site().file("content/deep.md", format!("{}deep\n", "- ".repeat(10_000)));
    build_in_child(&fixture).success();
    let html = std::fs::read_to_string(fixture.output().join("deep/index.html")).unwrap();
    assert_eq!(html.matches("<ul>\n<li>").count(), 10_000);
}

// ---------------------------------------------------------------------------------------------
// handbook.yml

#[test]
fn a_missing_handbook_yml_is_an_error() {
    assert_eq!(
        errors_after(&site(), |f| f.remove("handbook.yml")),
        [
            "handbook.yml: cannot read the site configuration: No such file or directory (os error 2)\n  help: run handbook in the handbook's folder (the one with `handbook.yml`), or pass --root"
        ]
    );
}

#[test]
fn an_unknown_setting_in_handbook_yml_is_an_error_with_a_suggestion() {
    let errors = errors_after(&site(), |f| {
        f.write(
            "handbook.yml",
            format!("{}descripton: Our handbook\n", support::CONFIG),
        )
    });
    assert_eq!(
        errors,
        ["handbook.yml:3:1: unknown setting `descripton`\n  help: did you mean `description`?"]
    );
}

// ---------------------------------------------------------------------------------------------
// The output folder

/// Builds into `output`, which must be refused with `message`; nothing under the fixture's
/// temporary folder may change.
fn assert_output_refused(fixture: &Fixture, output: &std::path::Path, message: &str) {
    let before = snapshot(fixture.tmp());
    let home = home_of(output);
    let had_home = home.exists();
    let errors = fixture.errors_with(|o| o.output_dir = Some(output.to_path_buf()));
    assert_eq!(errors, [format!("{}: {message}", output.display())]);
    assert_same_tree(&before, &snapshot(fixture.tmp()));
    assert_eq!(home.exists(), had_home, "{}", home.display());
}

/// `.x.handbook` beside `x`.
fn home_of(output: &std::path::Path) -> std::path::PathBuf {
    let name = output.file_name().unwrap().to_string_lossy();
    output.with_file_name(format!(".{name}.handbook"))
}

#[test]
fn the_output_folder_may_not_be_the_handbook_itself() {
    let fixture = site();
    fixture.build();
    let root = fixture.root();
    assert_output_refused(
        &fixture,
        &root,
        "this output folder contains the handbook itself; choose a folder inside it, like `public`",
    );
}

#[test]
fn the_output_folder_may_not_hold_the_handbook() {
    let fixture = site();
    fixture.build();
    let parent = fixture.tmp().to_path_buf();
    assert_output_refused(
        &fixture,
        &parent,
        "this output folder contains the handbook itself; choose a folder inside it, like `public`",
    );
}

#[test]
fn the_output_folder_may_not_be_inside_content() {
    let fixture = site();
    let inside = fixture.root().join("content/out");
    assert_output_refused(
        &fixture,
        &inside,
        "this output folder is inside `content/`; choose a folder outside it, like `public`",
    );
}

#[test]
fn an_output_folder_with_files_handbook_did_not_write_is_refused() {
    let fixture = site();
    let docs = fixture.tmp().join("docs");
    std::fs::create_dir_all(docs.join("notes")).unwrap();
    std::fs::write(docs.join("notes/keep.txt"), "keep me").unwrap();
    assert_output_refused(
        &fixture,
        &docs,
        &format!(
            "this output folder already has files that handbook did not write (handbook knows its own by {} beside them); handbook replaces its output folder whole, so remove that folder or choose another --output-dir",
            home_of(&docs).display()
        ),
    );
}

#[test]
fn a_folder_of_the_same_name_in_place_of_a_build_is_refused() {
    let fixture = site();
    fixture.build();
    let output = fixture.output();
    std::fs::remove_dir_all(&output).unwrap();
    std::fs::create_dir_all(&output).unwrap();
    std::fs::write(output.join("index.html"), "mine").unwrap();
    assert_output_refused(
        &fixture,
        &output,
        &format!(
            "this output folder already has files that handbook did not write (handbook knows its own by {} beside them); handbook replaces its output folder whole, so remove that folder or choose another --output-dir",
            home_of(&output).display()
        ),
    );
}

#[test]
fn a_home_folder_with_files_handbook_did_not_write_is_refused() {
    let fixture = site();
    let docs = fixture.tmp().join("docs");
    let home = home_of(&docs);
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(home.join("keep.txt"), "keep me").unwrap();
    let before = snapshot(fixture.tmp());
    let errors = fixture.errors_with(|o| o.output_dir = Some(docs.clone()));
    assert_eq!(
        errors,
        [format!(
            "{}: the folder {} beside it, where handbook keeps its records of this output folder, already has files that handbook did not write; remove it or choose another --output-dir",
            docs.display(),
            home.display()
        )]
    );
    assert_same_tree(&before, &snapshot(fixture.tmp()));
}

#[test]
fn an_empty_output_folder_is_used() {
    let fixture = site();
    let empty = fixture.tmp().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let built = fixture.build_with(|o| o.output_dir = Some(empty.clone()));
    assert_eq!(built.page_urls(), ["/", "/a/"]);
}

#[test]
fn a_successful_build_replaces_the_previous_output_whole() {
    let fixture = site().file("content/old.md", "Old.\n");
    fixture.build();
    fixture.remove("content/old.md");
    let built = fixture.build();
    assert_eq!(built.page_urls(), ["/", "/a/"]);
    assert_eq!(top_level(fixture.tmp()), [HOME, "public/", "site/"]);
    fixture.build();
    assert_eq!(fixture.build().page_urls(), ["/", "/a/"]);
    assert_eq!(top_level(fixture.tmp()), [HOME, "public/", "site/"]);
}

#[test]
fn a_build_after_a_failed_one_equals_a_fresh_build() {
    let fixture = Fixture::copy("navigation");
    fixture.build();
    fixture.build();
    fixture.write(
        "content/guide/zeta.md",
        "---\ntitle: Omega\nweight: first\n---\n",
    );
    fixture.errors();
    fixture.write(
        "content/guide/zeta.md",
        "---\ntitle: Omega\nweight: 1\n---\n",
    );
    fixture.build();
    let fresh = fixture.tmp().join("fresh");
    fixture.build_with(|o| o.output_dir = Some(fresh.clone()));
    assert_same_tree(&snapshot(&fresh), &snapshot(&fixture.output()));
}

// ---------------------------------------------------------------------------------------------
// Templates and copied files

#[test]
fn a_template_that_does_not_parse_is_an_error_naming_the_template_and_position() {
    let errors = errors_after(&site(), |f| {
        f.write(
            "templates/page.html",
            "{% extends \"base.html\" %}\n{% block content %}\n{{ page.title \n{% endblock content %}\n",
        )
    });
    assert_eq!(
        errors,
        [
            "templates/page.html:4:1: template syntax error: expected `or`, `and`, `not`, `<=`, `>=`, `<`, `>`, `==`, `!=`, `+`, `-`, `*`, `/`, `%`, a filter, or a variable end (`}}`)\n  help: see https://keats.github.io/tera/docs/ for the template syntax",
        ]
    );
}

#[test]
fn templates_that_use_each_other_in_a_circle_are_an_error_not_a_crash() {
    let errors = errors_after(&site(), |f| {
        f.write(
            "templates/page.html",
            "{% include \"partials/loop.html\" %}\n",
        );
        f.write(
            "templates/partials/loop.html",
            "{% import \"page.html\" as p %}\n",
        );
    });
    let help = "help: a template may not include, import or extend itself, directly or through other templates";
    assert_eq!(
        errors,
        [
            format!(
                "templates/page.html: this template uses itself: page.html → partials/loop.html → page.html\n  {help}"
            ),
            format!(
                "templates/partials/loop.html: this template uses itself: partials/loop.html → page.html → partials/loop.html\n  {help}"
            ),
        ]
    );
}

#[test]
fn a_template_that_fails_while_rendering_keeps_the_cause_chain() {
    let errors = errors_after(&site(), |f| {
        f.write(
            "templates/page.html",
            "{% extends \"base.html\" %}\n{% block content %}{{ page.nosuch }}{% endblock content %}\n",
        )
    });
    assert_eq!(
        errors,
        [
            "content/a.md: cannot render this page with templates/page.html: Failed to render 'page.html': Variable `page.nosuch` not found in context while rendering 'page.html'\n  help: the problem is in the template, not in the page; template variables are listed in docs/templates.md"
        ]
    );
}

#[test]
fn a_static_file_with_the_path_of_a_page_is_an_error() {
    let errors = errors_after(&site(), |f| f.write("static/a/index.html", "<p>static</p>"));
    assert_eq!(
        errors,
        [
            "static/a/index.html: would be written to a/index.html, which is also the output of the page content/a.md\n  help: rename or move one of them"
        ]
    );
}

#[test]
fn a_static_file_and_a_content_file_with_the_same_path_are_an_error() {
    let errors = errors_after(&site(), |f| {
        f.write("static/logo.png", "static");
        f.write("content/logo.png", "content");
    });
    assert_eq!(
        errors,
        [
            "content/logo.png: would be written to logo.png, which is also the output of static/logo.png\n  help: rename or move one of them"
        ]
    );
}

#[test]
fn two_builds_at_once_into_one_folder_leave_one_whole_site() {
    for round in 0..20 {
        let one = Fixture::copy("navigation");
        let two = Fixture::copy("urls");
        let shared = one.tmp().join("shared");
        let fresh = [one.tmp().join("fresh-one"), one.tmp().join("fresh-two")];
        one.build_with(|o| o.output_dir = Some(fresh[0].clone()));
        two.build_with(|o| o.output_dir = Some(fresh[1].clone()));
        let run = |fixture: &Fixture| {
            let mut options = fixture.options();
            options.output_dir = Some(shared.clone());
            std::thread::spawn(move || handbook::build(&options).map_err(|e| e.to_string()))
        };
        let (a, b) = (run(&one), run(&two));
        let (a, b) = (a.join().unwrap(), b.join().unwrap());
        let output = snapshot(&shared);
        let whole = match (&a, &b) {
            (Ok(_), Ok(_)) => output == snapshot(&fresh[0]) || output == snapshot(&fresh[1]),
            (Ok(_), Err(_)) => output == snapshot(&fresh[0]),
            (Err(_), Ok(_)) => output == snapshot(&fresh[1]),
            (Err(a), Err(b)) => panic!("round {round}: both builds failed:\n{a}\n{b}"),
        };
        assert!(
            whole,
            "round {round}: the output is neither site ({} files); results: {:?} {:?}",
            output.len(),
            a.map(|s| s.pages),
            b.map(|s| s.pages)
        );
        // And the folder is still handbook's.
        one.build_with(|o| o.output_dir = Some(shared.clone()));
    }
}

// ---------------------------------------------------------------------------------------------
// A disk without room

/// A tmpfs of a few MB mounted on `dir` (made here), unmounted when dropped, even when the test
/// fails.
struct SmallDisk {
    dir: std::path::PathBuf,
}

impl SmallDisk {
    /// Mounts it, or says why it cannot: only root may mount.
    fn mount(dir: std::path::PathBuf, size: &str) -> Result<SmallDisk, String> {
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let done = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !done.status.success() {
            return Err(String::from_utf8_lossy(&done.stderr).trim().to_string());
        }
        Ok(SmallDisk { dir })
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let umount = |args: &[&str]| {
            std::process::Command::new("umount")
                .args(args)
                .arg(&self.dir)
                .status()
                .is_ok_and(|s| s.success())
        };
        // Lazily if something still has a file open on it.
        if !umount(&[]) && !umount(&["-l"]) {
            eprintln!("could not unmount {}", self.dir.display());
        }
    }
}

/// The files of the site whose second build does not fit on a disk of 2 MB.
fn site_that_outgrows_its_disk() -> Fixture {
    site().file("content/b.md", "# B\n\nA page that fits.\n")
}

#[test]
#[cfg_attr(
    not(is_root),
    ignore = "needs root: it mounts a tmpfs of 2 MB to fill it (run cargo test as root)"
)]
fn a_build_on_a_full_disk_says_so_and_leaves_the_disk_as_it_was() {
    let fixture = site_that_outgrows_its_disk();
    let disk = SmallDisk::mount(fixture.tmp().join("disk"), "2m")
        .unwrap_or_else(|why| panic!("cannot mount a tmpfs of 2 MB: {why}"));
    let output = disk.dir.join("public");
    let build_into = |o: &mut handbook::BuildOptions| o.output_dir = Some(output.clone());
    fixture.build_with(build_into);
    fixture.build_with(build_into);
    // 3 MB of pages and files that do not fit on it.
    let big = "Words that fill the disk. ".repeat(40_000);
    fixture.write("content/big.md", format!("# Big\n\n{big}\n"));
    fixture.write("static/big.bin", big.as_bytes());
    fixture.write("content/b.md", "# B\n\nA page that changed.\n");
    let before = snapshot(&disk.dir);
    let errors = fixture.errors_with(build_into);
    assert_eq!(
        errors,
        [format!(
            "{}: the disk is full (No space left on device (os error 28)): the new site was not written, and the previous one is unchanged\n  help: free some space on that disk, or build into a folder on another disk with --output-dir",
            output.display()
        )]
    );
    assert_same_tree(&before, &snapshot(&disk.dir));
    assert_eq!(top_level(&disk.dir), [".public.handbook/", "public/"]);
    let staged = snapshot(&disk.dir.join(".public.handbook/staging"));
    assert!(
        staged.values().all(Option::is_none),
        "the staging folder keeps only folders: {staged:?}"
    );
    // And once there is room again, the build goes through.
    fixture.remove("static/big.bin");
    fixture.remove("content/big.md");
    fixture.build_with(build_into);
}

#[test]
fn a_file_larger_than_the_system_allows_says_so_and_changes_nothing() {
    use std::os::unix::process::CommandExt;
    let fixture = site();
    fixture.build();
    fixture.write("static/big.bin", vec![b'x'; 2 << 20]);
    let before = snapshot(fixture.tmp());
    let done = fixture
        .handbook(&["build"])
        .arg("--output-dir")
        .arg(fixture.output())
        .with(|command| {
            // SAFETY: only async-signal-safe calls between fork and exec.
            unsafe {
                command.pre_exec(|| {
                    let limit = libc::rlimit {
                        rlim_cur: 1 << 20,
                        rlim_max: 1 << 20,
                    };
                    // Ignored, SIGXFSZ lets the write fail with EFBIG instead of killing the
                    // build.
                    libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                    if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        })
        .run();
    let stderr = &done.failure().stderr;
    assert!(
        stderr.contains(&format!(
            "{}: a file of the site is larger than this system allows (File too large (os error 27)): the new site was not written, and the previous one is unchanged\n  help: raise the limit on the size of files (`ulimit -f`), or build into a folder on another disk with --output-dir",
            fixture.output().display()
        )),
        "{stderr}"
    );
    assert_same_tree(&before, &snapshot(fixture.tmp()));
}
