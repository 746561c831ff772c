//! The `handbook` binary: exit codes, what goes to stdout and stderr, and the flags.

use crate::support::{Fixture, Handbook};

/// `Built N pages in M sections in X ms into DIR` → (N, M, DIR), checking the wording.
fn parse_summary(line: &str) -> (usize, usize, String) {
    let words: Vec<&str> = line.splitn(11, ' ').collect();
    assert_eq!(words.len(), 11, "{line}");
    assert_eq!(words[0], "Built", "{line}");
    assert!(matches!(words[2], "page" | "pages"), "{line}");
    assert_eq!(words[3], "in", "{line}");
    assert!(matches!(words[5], "section" | "sections"), "{line}");
    assert_eq!(
        [words[6], words[8], words[9]],
        ["in", "ms", "into"],
        "{line}"
    );
    words[7].parse::<u128>().expect("milliseconds");
    (
        words[1].parse().unwrap(),
        words[4].parse().unwrap(),
        words[10].to_string(),
    )
}

#[test]
fn build_exits_0_and_ends_with_a_summary_line() {
    let fixture = Fixture::copy("navigation");
    let root = fixture.root();
    let run = fixture.handbook(&["build"]).run();
    run.success();
    let last = run.stdout.lines().last().unwrap();
    let (pages, sections, dir) = parse_summary(last);
    assert_eq!((pages, sections), (16, 3));
    assert_eq!(dir, root.join("public").display().to_string());
    assert!(root.join("public/guide/zeta/index.html").is_file());
    // A clean build prints nothing on stderr.
    run.stderr_is("");
}

#[test]
fn the_summary_line_uses_the_singular_for_one() {
    let fixture = Fixture::new()
        .file("content/index.md", "")
        .file("content/team/index.md", "");
    let run = fixture.handbook(&["build"]).run();
    let out = &run.stdout;
    let (pages, sections, _) = parse_summary(out.lines().last().unwrap());
    assert_eq!((pages, sections), (2, 1));
    assert!(out.starts_with("Built 2 pages in 1 section in "), "{out}");
}

#[test]
fn a_failed_build_exits_1_and_prints_every_diagnostic_on_stderr() {
    let fixture = Fixture::new()
        .file("content/index.md", "")
        .file("content/a.md", "---\ntitle: A\nweight: first\n---\n")
        .file("content/b.md", "---\nwieght: 2\n---\n");
    let root = fixture.root();
    fixture.handbook(&["build"]).run().code(1).stdout_is("").stderr_is(
        "content/a.md:3:9: `weight` must be a whole number, found string \"first\"\n  help: write it like `weight: 10`\n\
         content/b.md:2:1: warning: unknown front matter key `wieght`\n  help: did you mean `weight`? If `wieght` is one of your own keys, declare it in handbook.yml as `front_matter: {keys: [wieght]}`; templates read its value as `page.extra.wieght`\n\
         error: the build failed with 1 error; the previous output was left as it was\n",
    );
    assert!(!root.join("public").exists());
}

#[test]
fn warnings_are_printed_on_stderr_and_the_build_succeeds() {
    let fixture = Fixture::new()
        .file("content/index.md", "")
        .file("content/b.md", "---\nwieght: 2\n---\n");
    let run = fixture.handbook(&["build"]).run();
    run.code(0).stderr_is(
        "content/b.md:2:1: warning: unknown front matter key `wieght`\n  help: did you mean `weight`? If `wieght` is one of your own keys, declare it in handbook.yml as `front_matter: {keys: [wieght]}`; templates read its value as `page.extra.wieght`\n",
    );
    assert!(run.stdout.starts_with("Built 2 pages in 0 sections in "));
}

#[test]
fn output_dir_base_url_and_drafts_flags_reach_the_build() {
    let fixture = Fixture::copy("drafts");
    // A relative --output-dir is relative to the current folder.
    let run = Handbook::new([
        "build",
        "--root",
        "site",
        "--output-dir",
        "out",
        "--base-url",
        "https://preview.example.org/",
        "--drafts",
    ])
    .current_dir(fixture.tmp())
    .run();
    run.code(0);
    let (pages, _, dir) = parse_summary(run.stdout.lines().last().unwrap());
    assert_eq!(pages, 6);
    assert_eq!(dir, "out");
    let sitemap = std::fs::read_to_string(fixture.tmp().join("out/sitemap.xml")).unwrap();
    assert!(
        sitemap.contains("<loc>https://preview.example.org/secret/</loc>"),
        "{sitemap}"
    );
    assert!(!fixture.root().join("public").exists());
}

#[test]
fn help_mentions_every_command_and_flag() {
    let top = Handbook::new(["--help"]).run();
    let text = &top.code(0).stdout;
    for word in ["serve", "build", "check", "--help", "--version"] {
        assert!(
            text.contains(word),
            "`handbook --help` lacks {word}:\n{text}"
        );
    }
    let build = Handbook::new(["build", "--help"]).run();
    let text = &build.code(0).stdout;
    for word in ["--root", "--output-dir", "--base-url", "--drafts", "--help"] {
        assert!(
            text.contains(word),
            "`handbook build --help` lacks {word}:\n{text}"
        );
    }
    let serve = Handbook::new(["serve", "--help"]).run();
    let text = &serve.code(0).stdout;
    for word in ["--root", "--bind", "--port", "--open", "--drafts", "--help"] {
        assert!(
            text.contains(word),
            "`handbook serve --help` lacks {word}:\n{text}"
        );
    }
    let check = Handbook::new(["check", "--help"]).run();
    let text = &check.code(0).stdout;
    for word in [
        "--root",
        "--base-url",
        "--drafts",
        "--external",
        "--strict",
        "--fix",
        "--help",
    ] {
        assert!(
            text.contains(word),
            "`handbook check --help` lacks {word}:\n{text}"
        );
    }
}

#[test]
fn an_unknown_flag_is_a_usage_error() {
    let run = Handbook::new(["build", "--draft"]).run();
    let stderr = &run.code(2).stderr;
    assert!(stderr.contains("--drafts"), "{stderr}");
}

#[test]
fn check_reports_every_problem_writes_nothing_and_exits_1() {
    let fixture = Fixture::copy("links");
    fixture.write(
        "content/engineering/index.md",
        "---\ntitle: Engineering\n---\n[a](/nowhere/) and [b](#nothing)\n",
    );
    let root = fixture.root();
    fixture
        .handbook(&["check"])
        .run()
        .code(1)
        .stderr_is(
            "content/engineering/index.md:4:5: broken link /nowhere/: no page at /nowhere/\n\
             content/engineering/index.md:4:24: broken link #nothing: this page has no heading #nothing\n\
             error: 2 errors and 0 warnings\n",
        )
        .stdout_is("");
    let written: Vec<_> = std::fs::read_dir(fixture.tmp())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(written, ["site"], "check writes nothing beside the site");
    assert!(!root.join("public").exists());
}

#[test]
fn check_passes_on_the_real_handbook() {
    let run = Handbook::new(["check", "--strict", "--root", env!("CARGO_MANIFEST_DIR")]).run();
    let stdout = &run.code(0).stderr_is("").stdout;
    assert!(stdout.starts_with("Checked 12 pages in "), "{stdout}");
}

#[test]
fn check_strict_warns_about_equal_weights_and_fails_on_warnings() {
    let fixture = Fixture::copy("navigation");
    // Equal weights are not reported without --strict.
    fixture.handbook(&["check"]).run().code(0).stderr_is("");
    fixture.handbook(&["check", "--strict"]).run().code(1).stderr_is(
        "content/guide/alpha.md:3:1: warning: 2 pages have weight 2, so their file paths decide their order: content/guide/alpha.md, content/guide/beta.md\n  \
         help: give each a different weight to choose the order\n\
         error: 1 warning (--strict fails on warnings)\n",
    );
}

#[test]
fn check_fix_repairs_mojibake_in_place_and_changes_nothing_else() {
    let page = "---\r\ntitle: \"Donâ€™t panic\"\r\n---\r\n\r\nWe say â€œhelloâ€\u{9d} to the cafÃ© team.  \r\n\r\n```bash\r\necho \"kept as is\"\t\r\n```\r\n";
    let fixture = Fixture::new()
        .file("content/index.md", "# Home\n\nSee [the page](page.md).\n")
        .file("content/page.md", page);
    let root = fixture.root();
    // Reported by a plain check, at its place, with the repaired text.
    let fix_help =
        "  help: `handbook check --fix` repairs it in every page, changing nothing else\n";
    fixture.handbook(&["check"]).run().code(0).stderr_is(&format!(
            "content/page.md:2:12: warning: mojibake: `â€™` should read `’` (UTF-8 text that was once read as Windows-1252)\n{fix_help}\
             content/page.md:5:8: warning: mojibake: `â€œ` should read `“` (UTF-8 text that was once read as Windows-1252)\n{fix_help}\
             content/page.md:5:16: warning: mojibake: `â€\u{9d}` should read `”` (UTF-8 text that was once read as Windows-1252)\n{fix_help}\
             content/page.md:5:30: warning: mojibake: `Ã©` should read `é` (UTF-8 text that was once read as Windows-1252)\n{fix_help}"
    ));
    // Nothing left to report.
    let fixed = fixture.handbook(&["check", "--fix"]).run();
    let stdout = &fixed.code(0).stderr_is("").stdout;
    assert!(
        stdout.starts_with("Repaired 4 stretches of mojibake in content/page.md\nChecked 2 pages"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("content/page.md")).unwrap(),
        "---\r\ntitle: \"Don’t panic\"\r\n---\r\n\r\nWe say “hello” to the café team.  \r\n\r\n```bash\r\necho \"kept as is\"\t\r\n```\r\n",
        "only the mojibake changed: line endings, spacing and everything else are as they were"
    );
    let home = std::fs::read(root.join("content/index.md")).unwrap();
    assert_eq!(home, b"# Home\n\nSee [the page](page.md).\n");
}

/// A page migrated from Jekyll, with Windows line endings: anchors in the wrong letter case in
/// an inline link, a link to another page, a reference definition and raw HTML. Link text and
/// code blocks that look the same must not change.
const CASE_PAGE: &str = "---\r\ntitle: Home\r\n---\r\n\r\n## Birthday gift budget\r\n\r\n\
    See [#Birthday-gift-budget](#Birthday-gift-budget) and [Our Values](/company/values/#Our-Values).\r\n\
    Also [the budget][budget] and <a href=\"company/values.md#OUR-VALUES\">values</a>.\r\n\r\n\
    ```md\r\n[#Birthday-gift-budget](#Birthday-gift-budget)\r\n```\r\n\r\n\
    [budget]: #BIRTHDAY-Gift-Budget\r\n";

const CASE_FIXED: &str = "---\r\ntitle: Home\r\n---\r\n\r\n## Birthday gift budget\r\n\r\n\
    See [#Birthday-gift-budget](#birthday-gift-budget) and [Our Values](/company/values/#our-values).\r\n\
    Also [the budget][budget] and <a href=\"company/values.md#our-values\">values</a>.\r\n\r\n\
    ```md\r\n[#Birthday-gift-budget](#Birthday-gift-budget)\r\n```\r\n\r\n\
    [budget]: #birthday-gift-budget\r\n";

#[test]
fn check_fix_corrects_the_letter_case_of_anchors_and_changes_nothing_else() {
    use std::os::unix::fs::PermissionsExt;
    let fixture = Fixture::new().file("content/index.md", CASE_PAGE).file(
        "content/company/values.md",
        "---\ntitle: Values\n---\n## Our values\n\nSee [home](/).\n",
    );
    let root = fixture.root();
    let page = root.join("content/index.md");
    std::fs::set_permissions(&page, std::fs::Permissions::from_mode(0o640)).unwrap();
    let help = "  help: `handbook check --fix` corrects the letter case of such anchors in every page, changing nothing else\n";
    fixture.handbook(&["check"]).run().code(1).stderr_is(&format!(
            "content/index.md:7:29: broken link #Birthday-gift-budget: this page has no heading #Birthday-gift-budget; letter case matters in anchors: write #birthday-gift-budget\n{help}\
             content/index.md:7:69: broken link /company/values/#Our-Values: /company/values/ has no heading #Our-Values; letter case matters in anchors: write /company/values/#our-values\n{help}\
             content/index.md:8:6: broken link #BIRTHDAY-Gift-Budget: this page has no heading #BIRTHDAY-Gift-Budget; letter case matters in anchors: write #birthday-gift-budget\n{help}\
             content/index.md:8:40: broken link company/values.md#OUR-VALUES: /company/values/ has no heading #OUR-VALUES; letter case matters in anchors: write company/values.md#our-values\n{help}\
             error: 4 errors and 0 warnings\n"
    ));
    assert_eq!(std::fs::read_to_string(&page).unwrap(), CASE_PAGE);

    // Nothing left to report.
    let fixed = fixture.handbook(&["check", "--fix"]).run();
    let stdout = &fixed.code(0).stderr_is("").stdout;
    assert!(
        stdout.starts_with("content/index.md: fixed 4 anchors\nChecked 3 pages"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(&page).unwrap(),
        CASE_FIXED,
        "only the anchors' letter case changed: link text, the code block, line endings are as they were"
    );
    let mode = std::fs::metadata(&page).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o640, "the file keeps its permissions");
    let values = std::fs::read(root.join("content/company/values.md")).unwrap();
    assert_eq!(
        values,
        b"---\ntitle: Values\n---\n## Our values\n\nSee [home](/).\n"
    );
    // Nothing left to fix: a second --fix changes nothing and says nothing about anchors.
    let again = fixture.handbook(&["check", "--fix"]).run();
    assert!(
        again.stdout.starts_with("Checked 3 pages"),
        "{}",
        again.stdout
    );
}
