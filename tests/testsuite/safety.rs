//! Content from the real world: symbolic links (to files and folders outside the handbook, in
//! chains, in loops, inside it), named pipes, sockets and devices, and `_` files of `content/`,
//! through the real binary (`build`, `check`, `check --fix`, `serve`). Every command runs
//! under a deadline, so that a hang fails the test instead of hanging it, and the secret of a
//! file outside the handbook is looked for in every file the build wrote and every response.

use crate::support::cmd::Run;
use crate::support::{self, Fixture, Served, page};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What no output may ever hold: the content of the file outside the handbook.
const SECRET: &str = "SECRET-4f1d9c2e-never-published";

/// A folder outside the handbook with `secret.txt` and `folder/inside.md`, both holding
/// [`SECRET`].
fn outside() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("secret.txt"), SECRET).unwrap();
    std::fs::create_dir(dir.path().join("folder")).unwrap();
    std::fs::write(dir.path().join("folder/inside.md"), page("Inside", SECRET)).unwrap();
    dir
}

/// A small handbook with a home page and a section.
fn site() -> Fixture {
    Fixture::new()
        .file("content/index.md", page("Home", "Welcome."))
        .file("content/guide/index.md", page("Guide", "The guide."))
        .file("content/guide/setup.md", page("Setup", "Set it up."))
}

/// Every regular file under `dir` (links not followed).
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.map(Result::unwrap) {
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            found.extend(files_under(&entry.path()));
        } else if kind.is_file() {
            found.push(entry.path());
        }
    }
    found
}

/// Fails if any file the fixture's site, its output or its staging folder holds (links not
/// followed) contains [`SECRET`]; returns how many files were looked at.
fn assert_no_secret(fixture: &Fixture) -> usize {
    let files = files_under(fixture.tmp());
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        assert!(
            !bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
            "{} holds the secret",
            file.display()
        );
    }
    files.len()
}

/// `handbook build` into the fixture's default output folder, `site/public`.
fn build(fixture: &Fixture) -> Run {
    fixture.handbook(&["build"]).run()
}

fn public(fixture: &Fixture) -> PathBuf {
    fixture.root().join("public")
}

fn outside_error(shown: &str, written: &str, resolved: Option<&Path>) -> String {
    let named = match resolved {
        Some(resolved) => format!("`{written}` (`{}`)", resolved.display()),
        None => format!("`{written}`"),
    };
    format!(
        "{shown}: this is a symbolic link to {named}, outside the handbook's folder: handbook never reads it\n  help: a build publishes what it reads: copy the file into the handbook in place of the link if it is meant to be published"
    )
}

#[test]
fn a_link_to_a_file_outside_the_handbook_is_an_error_at_the_link_and_is_never_read() {
    let secret = outside();
    let target = secret.path().canonicalize().unwrap().join("secret.txt");
    let fixture = site();
    fixture.link("content/guide/leak.md", &target);
    fixture.link("content/guide/leak.txt", &target);
    fixture.link("static/environment.txt", "/proc/self/environ");
    fixture.link("templates/partials/footer.html", &target);

    for command in [&["build"][..], &["check"]] {
        let run = fixture.handbook(command).run();
        assert_eq!(run.code, Some(1), "{}", run.stderr);
        let shown = target.display().to_string();
        let problems = run.problems();
        for expected in [
            outside_error("content/guide/leak.md", &shown, None),
            outside_error("content/guide/leak.txt", &shown, None),
            outside_error("templates/partials/footer.html", &shown, None),
        ] {
            assert!(
                problems.contains(&expected),
                "{expected}\nnot in {problems:#?}"
            );
        }
        assert!(!run.stderr.contains(SECRET) && !run.stdout.contains(SECRET));
    }
    assert_no_secret(&fixture);

    // With content and templates fixed, static/'s link is the only error.
    std::fs::remove_file(fixture.root().join("content/guide/leak.md")).unwrap();
    std::fs::remove_file(fixture.root().join("content/guide/leak.txt")).unwrap();
    std::fs::remove_file(fixture.root().join("templates/partials/footer.html")).unwrap();
    let run = build(&fixture);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let problems = run.problems();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].starts_with(
            "static/environment.txt: this is a symbolic link to `/proc/self/environ` (`/proc/"
        ),
        "{problems:#?}"
    );
    assert!(!run.stderr.contains("PATH="));
    assert!(!public(&fixture).join("environment.txt").exists());
}

#[test]
fn a_link_to_a_folder_outside_the_handbook_is_an_error_and_nothing_in_it_is_read() {
    let secret = outside();
    let folder = secret.path().canonicalize().unwrap().join("folder");
    let fixture = site();
    fixture.link("content/shared", &folder);
    fixture.link("static/files", &folder);

    let run = build(&fixture);

    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let shown = folder.display().to_string();
    assert_eq!(
        run.problems(),
        [outside_error("content/shared", &shown, None)]
    );
    std::fs::remove_file(fixture.root().join("content/shared")).unwrap();
    let run = build(&fixture);
    assert_eq!(
        run.problems(),
        [outside_error("static/files", &shown, None)]
    );
    assert_no_secret(&fixture);
}

#[test]
fn a_chain_of_links_is_judged_by_where_it_ends() {
    let secret = outside();
    let target = secret.path().canonicalize().unwrap().join("secret.txt");
    let fixture = site().file("shared/real.md", page("Real", "Shared text."));
    // Out through two links of the handbook.
    fixture.link("content/first.md", "second.md");
    fixture.link("content/second.md", "third.md");
    fixture.link("content/third.md", &target);
    // In through two links, to a file of the handbook outside content/.
    fixture.link("content/guide/near.md", "nearer.md");
    fixture.link("content/guide/nearer.md", "../../shared/real.md");

    let run = build(&fixture);

    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(
        run.problems(),
        [
            outside_error("content/first.md", "second.md", Some(&target)),
            outside_error("content/second.md", "third.md", Some(&target)),
            outside_error("content/third.md", &target.display().to_string(), None),
        ]
    );
    for name in ["first.md", "second.md", "third.md"] {
        std::fs::remove_file(fixture.root().join("content").join(name)).unwrap();
    }
    let run = build(&fixture);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    for url in ["guide/near", "guide/nearer"] {
        let html = std::fs::read_to_string(public(&fixture).join(url).join("index.html")).unwrap();
        assert!(html.contains("Shared text."), "{url}");
    }
    assert_no_secret(&fixture);
}

#[test]
fn loops_of_links_are_errors_at_the_link_and_every_command_finishes() {
    let fixture = site();
    fixture.link("content/ping.md", "pong.md");
    fixture.link("content/pong.md", "ping.md");
    fixture.link("content/self.md", "self.md");
    fixture.link("content/guide/up", "..");
    fixture.link("content/guide/here", ".");
    fixture.link("content/root", "../");
    fixture.link("static/again", "../static");

    let loop_error = |shown: &str, written: &str| {
        format!(
            "{shown}: this is a symbolic link to `{written}`, which leads back to itself through other links\n  help: point the link at a file, or remove it"
        )
    };
    let folder_error = |shown: &str, folder: &str| {
        format!(
            "{shown}: this is a symbolic link to the folder `{folder}`, which holds this link: following it would never end\n  help: link to a folder that does not hold the link, or remove it"
        )
    };
    for command in [&["build"][..], &["check"], &["check", "--fix"]] {
        let run = fixture.handbook(command).run();
        assert_eq!(run.code, Some(1), "{command:?}: {}", run.stderr);
        let problems = run.problems();
        for expected in [
            folder_error("content/guide/here", "content/guide"),
            folder_error("content/guide/up", "content"),
            loop_error("content/ping.md", "pong.md"),
            loop_error("content/pong.md", "ping.md"),
            folder_error("content/root", "."),
            loop_error("content/self.md", "self.md"),
        ] {
            assert!(
                problems.contains(&expected),
                "{command:?}: {expected}\nnot in {problems:#?}"
            );
        }
    }
    for name in [
        "ping.md",
        "pong.md",
        "self.md",
        "guide/up",
        "guide/here",
        "root",
    ] {
        std::fs::remove_file(fixture.root().join("content").join(name)).unwrap();
    }
    let run = build(&fixture);
    assert_eq!(run.problems(), [folder_error("static/again", "static")]);
}

#[test]
fn links_inside_the_handbook_are_followed_and_published_at_the_links_path() {
    let fixture = site()
        .file("shared/policies/leave.md", page("Leave", "Leave policy text."))
        .file("shared/logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
        .file(
            "shared/page.html",
            "<!doctype html><title>{{ page.title }}</title>LINKED TEMPLATE {{ page.content | safe }}",
        );
    fixture.link("content/policies", "../shared/policies");
    fixture.link("content/guide/howto.md", "setup.md");
    fixture.link("static/logo.svg", "../shared/logo.svg");
    fixture.link("templates/page.html", "../shared/page.html");

    let run = build(&fixture);

    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let read = |path: &str| std::fs::read_to_string(public(&fixture).join(path)).unwrap();
    assert!(read("policies/leave/index.html").contains("Leave policy text."));
    assert!(read("policies/leave/index.html").contains("LINKED TEMPLATE"));
    assert!(read("guide/howto/index.html").contains("Set it up."));
    assert!(read("logo.svg").starts_with("<svg"));
    // The copy is a file, not a link.
    let meta = std::fs::symlink_metadata(public(&fixture).join("logo.svg")).unwrap();
    assert!(meta.file_type().is_file());
}

#[test]
fn links_to_hidden_files_and_to_the_output_folder_are_errors() {
    let fixture = site().file(".env", SECRET).file(".git/config", SECRET);
    let first = build(&fixture);
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    fixture.link("content/env.md", "../.env");
    fixture.link("static/git", "../.git");
    fixture.link("static/built.html", "../public/index.html");

    let run = build(&fixture);

    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let hidden = |shown: &str, named: &str| {
        format!(
            "{shown}: this is a symbolic link to {named}, a hidden file or folder of the handbook (its name starts with `.`, like `.git/` or `.env`): handbook never reads those\n  help: copy what is meant to be published into a file that is not hidden, and link to that, or remove the link"
        )
    };
    assert_eq!(
        run.problems(),
        [hidden("content/env.md", "`../.env` (`.env`)")]
    );
    std::fs::remove_file(fixture.root().join("content/env.md")).unwrap();
    let run = build(&fixture);
    assert_eq!(
        run.problems(),
        [
            "static/built.html: this is a symbolic link to `../public/index.html` (`public/index.html`), inside a folder handbook builds the site into\n  help: link to the source of that file in `content/` or `static/` instead".to_string(),
            hidden("static/git", "`../.git` (`.git`)"),
        ]
    );
    // The files themselves are there only in the site's folder, not in the output.
    for file in files_under(&public(&fixture)) {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(SECRET),
            "{}",
            file.display()
        );
    }
}

/// Makes a named pipe at `path`.
fn mkfifo(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let c_path = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid C string.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) }, 0);
}

/// Makes a character device (the null device's numbers) at `path`, if this user may.
fn mknod(path: &Path) -> bool {
    let c_path = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid C string; makedev of /dev/null's numbers.
    let made = unsafe { libc::mknod(c_path.as_ptr(), libc::S_IFCHR | 0o644, libc::makedev(1, 3)) };
    made == 0
}

#[test]
fn pipes_sockets_and_devices_are_skipped_with_a_warning_and_no_command_waits_for_them() {
    let fixture = site();
    let root = fixture.root();
    mkfifo(&root.join("content/guide/pipe.md"));
    mkfifo(&root.join("static/pipe.css"));
    mkfifo(&root.join("templates/partials/pipe.html"));
    fixture.link("content/piped.md", "guide/pipe.md");
    let _socket = std::os::unix::net::UnixListener::bind(root.join("content/socket.png")).unwrap();
    let device = mknod(&root.join("content/device.md"));
    if !device {
        println!(
            "note: mknod is not allowed for this user (not root): the device file is left out"
        );
    }

    let warning = |shown: &str, what: &str| {
        format!(
            "{shown}: warning: {what}, not a file: handbook skips it\n  help: handbook never opens one (opening a named pipe waits for a writer forever); remove it from the handbook"
        )
    };
    let mut expected = vec![
        warning("content/guide/pipe.md", "a named pipe (FIFO)"),
        warning("content/piped.md", "a named pipe (FIFO)"),
        warning("content/socket.png", "a socket"),
        warning("static/pipe.css", "a named pipe (FIFO)"),
        warning("templates/partials/pipe.html", "a named pipe (FIFO)"),
    ];
    if device {
        expected.push(warning("content/device.md", "a character device"));
    }
    for command in [&["build"][..], &["check"], &["check", "--fix"]] {
        let run = fixture.handbook(command).run();
        assert_eq!(run.code, Some(0), "{command:?}: {}", run.stderr);
        let problems = run.problems();
        for warning in &expected {
            assert!(
                problems.contains(warning),
                "{command:?}: {warning}\nnot in {problems:#?}"
            );
        }
    }
    assert!(!public(&fixture).join("pipe.css").exists());
    assert!(!public(&fixture).join("piped").exists());

    let served = Served::start(&root, &[]);
    assert_eq!(served.get("/guide/setup/").status, 200);
    assert_eq!(served.get("/pipe.css").status, 404);
    assert_eq!(served.get("/guide/pipe/").status, 404);
}

#[test]
fn check_fix_never_rewrites_a_file_outside_the_handbook_through_a_link() {
    let secret = outside();
    let damaged = secret.path().canonicalize().unwrap().join("damaged.md");
    let text = page("Damaged", "donâ€™t touch");
    std::fs::write(&damaged, &text).unwrap();
    let fixture = site().file("shared/inside.md", page("Inside", "itâ€™s ours"));
    fixture.link("content/outside.md", &damaged);
    fixture.link("content/inside.md", "../shared/inside.md");

    let run = fixture.handbook(&["check", "--fix"]).run();

    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.problems().contains(&outside_error(
            "content/outside.md",
            &damaged.display().to_string(),
            None
        )),
        "{:#?}",
        run.problems()
    );
    assert_eq!(std::fs::read_to_string(&damaged).unwrap(), text);
    // A link inside the handbook: its target is repaired, and the link stays a link.
    let inside = std::fs::read_to_string(fixture.root().join("shared/inside.md")).unwrap();
    assert_eq!(inside, page("Inside", "it’s ours"));
    let meta = std::fs::symlink_metadata(fixture.root().join("content/inside.md")).unwrap();
    assert!(meta.file_type().is_symlink());
}

#[test]
fn serve_never_serves_a_linked_file_outside_the_handbook_even_one_linked_while_it_runs() {
    let secret = outside();
    let dir = secret.path().canonicalize().unwrap();
    let fixture = site().file("static/plain.txt", "plain text");
    fixture.link("static/environment.txt", "/proc/self/environ");
    fixture.link("content/guide/leak.txt", dir.join("secret.txt"));
    let served = Served::start(&fixture.root(), &[]);
    let no_secret = |path: &str| {
        let reply = served.get(path);
        assert!(
            !reply.body.contains(SECRET) && !reply.body.contains("PATH="),
            "{path}"
        );
        reply.status
    };
    assert_eq!(no_secret("/environment.txt"), 404);
    assert_eq!(no_secret("/guide/leak.txt"), 404);
    assert_eq!(no_secret("/plain.txt"), 200);

    // Links made while it runs: a file of content/, a folder, a file of static/ replaced by
    // a link (asked for again and again, before and after the server notices).
    fixture.link("content/guide/new.txt", dir.join("secret.txt"));
    fixture.link("content/folder", dir.join("folder"));
    let plain = fixture.root().join("static/plain.txt");
    std::fs::remove_file(&plain).unwrap();
    symlink(dir.join("secret.txt"), &plain).unwrap();
    let until = Instant::now() + Duration::from_millis(500);
    while Instant::now() < until {
        for path in ["/plain.txt", "/guide/new.txt", "/folder/inside/", "/"] {
            no_secret(path);
        }
    }
    // The server reports each link, as a build does.
    let shown = [
        "content/folder",
        "content/guide/new.txt",
        "static/plain.txt",
    ];
    let reported = |printed: &str| {
        shown
            .iter()
            .all(|s| printed.contains(&format!("{s}: this is a symbolic link to ")))
    };
    let until = Instant::now() + support::serve::PATIENCE;
    while !reported(&served.errors().join("\n")) && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    let printed = served.errors().join("\n");
    assert!(reported(&printed), "{printed}");
    assert!(!printed.contains(SECRET));
    for path in ["/plain.txt", "/guide/new.txt", "/folder/inside/"] {
        assert_eq!(no_secret(path), 404, "{path}");
    }
}

#[test]
fn files_and_folders_starting_with_an_underscore_are_not_published() {
    let fixture = site()
        .file("handbook.yml", format!("{}links: warn\n", support::CONFIG))
        .file(
            "content/_draft.md",
            page("DRAFT-MARK draft", "DRAFT-MARK text."),
        )
        .file(
            "content/_old/page.md",
            page("DRAFT-MARK old", "DRAFT-MARK old."),
        )
        .file("content/_data/chart.png", "DRAFT-MARK png")
        .file(
            "content/guide/_include.md",
            page("DRAFT-MARK include", "DRAFT-MARK include."),
        )
        .file("content/guide/_index.md", page("Guide landing", "Landing."))
        .file("content/guide/index.md", "")
        .file("content/team/_index.md", page("Team", "The team."))
        .file(
            "content/guide/links.md",
            page("Links", "[draft](../_draft.md) [old](/_old/page/)"),
        )
        .file("static/_redirects", "/from /guide/ 301\n")
        .file("static/_headers", "/*\n  X-Test: yes\n");
    fixture.remove("content/guide/index.md");

    let run = build(&fixture);

    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let problems = run.problems();
    for expected in [
        "content/guide/links.md:5:9: warning: broken link ../_draft.md: no page at content/_draft.md",
        "content/guide/links.md:5:29: warning: broken link /_old/page/: no page at /_old/page/",
    ] {
        assert!(
            problems.iter().any(|p| p.starts_with(expected)),
            "{expected}\nnot in {problems:#?}\n{}",
            run.stderr
        );
    }
    let out = public(&fixture);
    for file in files_under(&out) {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        assert!(!text.contains("DRAFT-MARK"), "{}", file.display());
    }
    assert!(!out.join("_draft").exists() && !out.join("_old").exists());
    assert!(!out.join("_data").exists() && !out.join("guide/_include").exists());
    let read = |path: &str| std::fs::read_to_string(out.join(path)).unwrap();
    assert!(read("guide/index.html").contains("Guide landing"));
    assert!(read("team/index.html").contains("The team."));
    assert_eq!(read("_redirects"), "/from /guide/ 301\n");
    assert!(read("_headers").contains("X-Test: yes"));
    assert!(!read("sitemap.xml").contains("/_"));

    // serve: a `_` page saved while it runs does not appear.
    let served = Served::start(&fixture.root(), &[]);
    assert_eq!(served.get("/_draft/").status, 404);
    fixture.write("content/_new.md", page("New draft", "DRAFT-MARK new."));
    fixture.write("content/guide/fresh.md", page("Fresh", "Fresh page."));
    served.wait_for("/guide/fresh/", "the new page", |r| r.status == 200);
    for path in ["/_new/", "/guide/fresh/", "/", "/_draft/", "/_old/page/"] {
        let reply = served.get(path);
        assert!(
            !reply.body.contains("DRAFT-MARK") && !reply.body.contains("New draft"),
            "{path}"
        );
    }
    assert_eq!(served.get("/_new/").status, 404);
}

#[test]
fn a_configuration_that_links_out_of_the_handbook_or_is_a_pipe_is_an_error_not_a_hang() {
    let fixture = site();
    let config = fixture.root().join("handbook.yml");
    // A link inside the handbook is read.
    fixture.write("config/handbook.yml", support::CONFIG);
    std::fs::remove_file(&config).unwrap();
    symlink("config/handbook.yml", &config).unwrap();
    assert_eq!(fixture.handbook(&["check"]).run().code, Some(0));

    std::fs::remove_file(&config).unwrap();
    symlink("/proc/self/environ", &config).unwrap();
    for command in [&["build"][..], &["check"], &["serve", "--port", "0"]] {
        let run = fixture.handbook(command).run();
        assert_eq!(run.code, Some(1), "{command:?}: {}", run.stderr);
        assert!(
            run.stderr.starts_with(
                "handbook.yml: this is a symbolic link to `/proc/self/environ` (`/proc/"
            ),
            "{command:?}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("PATH="));
    }

    std::fs::remove_file(&config).unwrap();
    mkfifo(&config);
    for command in [&["build"][..], &["check"], &["serve", "--port", "0"]] {
        let run = fixture.handbook(command).run();
        assert_eq!(run.code, Some(1), "{command:?}: {}", run.stderr);
        assert_eq!(
            run.problems(),
            [
                "handbook.yml: a named pipe (FIFO), not a file: handbook needs the file itself\n  help: replace it with the file `handbook.yml`"
            ],
            "{command:?}"
        );
    }
}

#[test]
fn the_18f_handbook_builds_with_links_pipes_and_drafts_added_and_publishes_no_secret() {
    let corpus = &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpora/18f-handbook/pages");
    let secret = outside();
    let fixture = Fixture::new()
        .file(
            "handbook.yml",
            "title: 18F Handbook\nbase_url: https://handbook.18f.gov/\nlinks: warn\n",
        )
        .folder("content", corpus);
    // The corpus has problems of its own (two pages on one URL...): what changes must be
    // exactly what was added.
    let before = fixture.handbook(&["check"]).run().problems();
    let baseline_build = build(&fixture);
    assert!(
        baseline_build.problems() == before,
        "build and check disagree"
    );

    let target = secret.path().canonicalize().unwrap().join("secret.txt");
    fixture.link("content/about-us/leak.md", &target);
    fixture.link("content/tools/environment.txt", "/proc/self/environ");
    fixture.link("content/tools/copy-of-slack.md", "slack.md");
    mkfifo(&fixture.root().join("content/getting-started/pipe.md"));
    fixture.write("content/_draft.md", page("DRAFT-MARK", "DRAFT-MARK"));
    fixture.write(
        "content/tools/_old/slack.md",
        page("DRAFT-MARK", "DRAFT-MARK"),
    );
    for command in [&["check"][..], &["build"]] {
        let run = fixture.handbook(command).run();
        let (copied, mut added): (Vec<String>, Vec<String>) = run
            .problems()
            .into_iter()
            .filter(|p| !before.contains(p))
            .partition(|p| p.contains("copy-of-slack.md"));
        // The link inside the handbook is followed: a second page, with the first's alias.
        assert_eq!(copied.len(), 1, "{copied:#?}");
        assert!(
            copied[0]
                .contains("alias `/slack/` is also an alias of content/tools/copy-of-slack.md")
        );
        added.sort();
        assert_eq!(added.len(), 3, "{command:?}: {added:#?}");
        assert_eq!(
            added[0],
            outside_error(
                "content/about-us/leak.md",
                &target.display().to_string(),
                None
            )
        );
        assert_eq!(
            added[1],
            "content/getting-started/pipe.md: warning: a named pipe (FIFO), not a file: handbook skips it\n  help: handbook never opens one (opening a named pipe waits for a writer forever); remove it from the handbook"
        );
        assert!(
            added[2].starts_with("content/tools/environment.txt: this is a symbolic link to `/proc/self/environ` (`/proc/"),
            "{}",
            added[2]
        );
        assert!(!run.stderr.contains("DRAFT-MARK") && !run.stderr.contains("PATH="));
    }
    let looked_at = assert_no_secret(&fixture);
    assert!(looked_at > 200, "{looked_at}");
}
