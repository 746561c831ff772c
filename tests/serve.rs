//! `handbook serve`, the real server on 127.0.0.1:0 over a temporary site, spoken to over
//! HTTP: what it serves, what it refuses, and how it follows changes on disk.

mod common;

use common::Fixture;
use common::serve::{Events, Served};
use std::time::Duration;

fn page(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\n---\n\n{body}\n")
}

/// A small handbook: a home page, a section with two pages, a static file, an alias.
fn site() -> Fixture {
    Fixture::new()
        .file("content/index.md", page("Home", "Welcome to the handbook."))
        .file(
            "content/engineering/index.md",
            page("Engineering", "How we build."),
        )
        .file(
            "content/engineering/triage.md",
            "---\ntitle: Triage\nweight: 1\naliases: [/old-triage/]\n---\n\nTriage the queue daily.\n\n## Labels\n\nUse labels.\n",
        )
        .file(
            "content/engineering/releases.md",
            "---\ntitle: Releases\nweight: 2\n---\n\nShip on Tuesdays. See [triage](triage.md).\n",
        )
        .file("content/engineering/chart.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
        .file("static/extra.css", "body { color: black; }\n")
        .file("static/files/notes.txt", "plain notes\n")
}

fn start(fixture: &Fixture) -> Served {
    Served::start(&fixture.root(), &[])
}

/// Writes a file the way most editors save: a temporary file renamed over it. (A plain write
/// truncates first: a half-written template is a valid, empty one for a moment.)
fn save(fixture: &Fixture, path: &str, text: &str) {
    let target = fixture.root().join(path);
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    let temp = target.with_file_name(".handbook-test-save.tmp");
    std::fs::write(&temp, text).unwrap();
    std::fs::rename(&temp, &target).unwrap();
}

fn has(text: &'static str) -> impl Fn(&common::serve::Reply) -> bool {
    move |reply| reply.status == 200 && reply.body.contains(text)
}

// ------------------------------------------------------------------------------------------
// Serving
// ------------------------------------------------------------------------------------------

#[test]
fn serves_pages_with_the_live_reload_script() {
    let fixture = site();
    let server = start(&fixture);
    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(home.body.contains("Welcome to the handbook."));
    let triage = server.get("/engineering/triage/");
    assert_eq!(triage.status, 200);
    assert!(triage.body.contains("Triage the queue daily."));
    // The script comes once, just before </body>, and knows the version it was rendered from.
    assert_eq!(triage.body.matches("/__handbook/live.js").count(), 1);
    let script_at = triage
        .body
        .find("<script src=\"/__handbook/live.js\" data-version=\"");
    let body_end = triage.body.rfind("</body>");
    assert!(
        script_at.is_some() && script_at < body_end,
        "{}",
        triage.body
    );
    // The index.html of a page's folder is the page.
    let by_file = server.get("/engineering/triage/index.html");
    assert_eq!(by_file.status, 200);
    assert!(by_file.body.contains("Triage the queue daily."));
    // Links are rewritten as in a build.
    let releases = server.get("/engineering/releases/");
    assert!(releases.body.contains("href=\"/engineering/triage/\""));
    let script = server.get("/__handbook/live.js");
    assert_eq!(script.status, 200);
    assert_eq!(
        script.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert!(script.body.contains("EventSource"));
}

#[test]
fn writes_nothing_to_disk() {
    let fixture = site();
    let before = common::snapshot(fixture.tmp());
    let server = start(&fixture);
    for path in [
        "/",
        "/engineering/triage/",
        "/nope/",
        "/sitemap.xml",
        "/syntax.css",
    ] {
        server.get(path);
    }
    fixture.write("content/engineering/triage.md", page("Triage", "Edited."));
    server.wait_for("/engineering/triage/", "the edit", has("Edited."));
    drop(server);
    let after = common::snapshot(fixture.tmp());
    let added: Vec<&String> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    assert!(added.is_empty(), "serve wrote {added:?}");
    assert!(!fixture.root().join("public").exists());
}

#[test]
fn serves_files_with_their_content_types() {
    let fixture = site();
    let server = start(&fixture);
    let cases = [
        ("/extra.css", "text/css; charset=utf-8", "color: black"),
        (
            "/files/notes.txt",
            "text/plain; charset=utf-8",
            "plain notes",
        ),
        (
            "/engineering/chart.svg",
            "image/svg+xml; charset=utf-8",
            "<svg",
        ),
        ("/theme.css", "text/css; charset=utf-8", "{"),
        ("/theme.js", "text/javascript; charset=utf-8", ""),
        ("/syntax.css", "text/css; charset=utf-8", ".hl-"),
        (
            "/sitemap.xml",
            "text/xml; charset=utf-8",
            "/engineering/triage/",
        ),
        ("/robots.txt", "text/plain; charset=utf-8", "Sitemap:"),
    ];
    for (path, content_type, text) in cases {
        let reply = server.get(path);
        assert_eq!(reply.status, 200, "{path}");
        let got = reply.header("content-type").unwrap_or_default();
        // mime types for JavaScript vary between databases: either name is right.
        let same = got == content_type
            || (content_type.starts_with("text/javascript") && got.contains("javascript"));
        assert!(same, "{path}: {got}");
        assert!(reply.body.contains(text), "{path}");
        assert!(!reply.body.contains("/__handbook/live.js"), "{path}");
    }
    // The sitemap names the address being served.
    assert!(
        server
            .get("/sitemap.xml")
            .body
            .contains(&format!("{}/engineering/triage/", server.url))
    );
}

#[test]
fn unknown_paths_get_the_sites_404_page() {
    let fixture = site();
    let server = start(&fixture);
    for path in [
        "/nope/",
        "/engineering/nope/",
        "/missing.css",
        "/engineering/triage/x",
    ] {
        let reply = server.get(path);
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(
            reply.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert!(reply.body.contains("/__handbook/live.js"), "{path}");
        // The theme's 404 page, with the navigation.
        assert!(reply.body.contains("href=\"/engineering/\""), "{path}");
    }
}

#[test]
fn redirects_folders_and_aliases() {
    let fixture = site();
    let server = start(&fixture);
    let folder = server.get("/engineering");
    assert_eq!(folder.status, 301);
    assert_eq!(folder.header("location"), Some("/engineering/"));
    let with_query = server.get("/engineering/triage?x=1");
    assert_eq!(
        with_query.header("location"),
        Some("/engineering/triage/?x=1")
    );
    let alias = server.get("/old-triage/");
    assert_eq!(alias.status, 301);
    assert_eq!(alias.header("location"), Some("/engineering/triage/"));
}

#[test]
fn requests_cannot_leave_the_site() {
    let fixture = site().file("content/secret-neighbour.txt", "fine").file(
        "handbook.yml",
        format!("{}# SECRET-CONFIG\n", common::CONFIG),
    );
    std::fs::write(fixture.tmp().join("outside.txt"), "SECRET-OUTSIDE").unwrap();
    let server = start(&fixture);
    let attempts = [
        "/../handbook.yml",
        "/../../outside.txt",
        "/%2e%2e/handbook.yml",
        "/%2E%2E/%2E%2E/outside.txt",
        "/..%2fhandbook.yml",
        "/..%2f..%2foutside.txt",
        "/files/..%2f..%2fhandbook.yml",
        "/..%5chandbook.yml",
        "/files\\..\\..\\handbook.yml",
        "/%5c..%5c..%5coutside.txt",
        "/.%2e/handbook.yml",
        "/handbook.yml",
        "/content/index.md",
        "/static/extra.css%00.html",
        "//etc/passwd",
        "/%2Fetc%2Fpasswd",
    ];
    for path in attempts {
        let (status, response) = server.raw(path);
        assert!(
            status == 400 || status == 404,
            "{path}: status {status}\n{response}"
        );
        assert!(!response.contains("SECRET"), "{path}: {response}");
        assert!(!response.contains("root:"), "{path}: {response}");
    }
    // Harmless spellings of real paths are normalised, not refused.
    let (status, response) = server.raw("/engineering/./triage//");
    assert_eq!(status, 200, "{response}");
    let (status, _) = server.raw("/%65ngineering/triage/");
    assert_eq!(status, 200);
}

#[test]
fn head_and_conditional_requests() {
    let fixture = site();
    let server = start(&fixture);
    for path in ["/engineering/triage/", "/extra.css", "/theme.css"] {
        let get = server.get(path);
        let etag = get.header("etag").expect("an ETag").to_string();
        let head = server.request("HEAD", path, &[]);
        assert_eq!(head.status, 200, "{path}");
        assert!(head.body.is_empty(), "{path}");
        assert_eq!(head.header("etag"), Some(etag.as_str()), "{path}");
        assert_eq!(head.header("content-type"), get.header("content-type"));
        assert_eq!(
            head.header("content-length"),
            Some(get.body.len().to_string().as_str()),
            "{path}"
        );
        let again = server.request("GET", path, &[("If-None-Match", &etag)]);
        assert_eq!(again.status, 304, "{path}");
        assert!(again.body.is_empty());
        let other = server.request("GET", path, &[("If-None-Match", "\"something-else\"")]);
        assert_eq!(other.status, 200, "{path}");
    }
    // After an edit the page's ETag changes: the browser gets the new page.
    let old = server.get("/engineering/triage/");
    let etag = old.header("etag").unwrap().to_string();
    fixture.write("content/engineering/triage.md", page("Triage", "Edited."));
    server.wait_for("/engineering/triage/", "the edit", has("Edited."));
    let fresh = server.request("GET", "/engineering/triage/", &[("If-None-Match", &etag)]);
    assert_eq!(fresh.status, 200);
    let post = server.request("POST", "/", &[]);
    assert_eq!(post.status, 405);
}

#[test]
fn a_taken_port_is_a_clear_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let fixture = site();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_handbook"))
        .args(["serve", "--port", &port, "--root"])
        .arg(fixture.root())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("port {port} is already in use")) && stderr.contains("--port 0"),
        "{stderr}"
    );
}

#[test]
fn binding_every_interface_warns() {
    let fixture = site();
    let server = Served::start(&fixture.root(), &["--bind", "0.0.0.0"]);
    assert!(
        server.url.starts_with("http://localhost:"),
        "{}",
        server.url
    );
    assert_eq!(server.get("/").status, 200);
    let warned = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(20));
        server
            .errors()
            .iter()
            .any(|l| l.contains("anyone on your network"))
    });
    assert!(warned, "{:?}", server.errors());
}

#[test]
fn a_missing_configuration_is_a_clear_error() {
    let fixture = site();
    fixture.remove("handbook.yml");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_handbook"))
        .args(["serve", "--port", "0", "--root"])
        .arg(fixture.root())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("handbook.yml"), "{stderr}");
}

// ------------------------------------------------------------------------------------------
// Watching
// ------------------------------------------------------------------------------------------

/// Waits for the first link check, so that later lines are about the test's changes.
fn settled(fixture: &Fixture) -> Served {
    let server = start(fixture);
    server.wait_line("Checked the links");
    server
}

#[test]
fn an_in_place_write_shows_at_once() {
    let fixture = site();
    let server = settled(&fixture);
    let events = server.events();
    assert_eq!(events.next().0, "hello");
    // Viewed: cached, and rendered again ahead of the reload.
    server.get("/engineering/triage/");
    fixture.write(
        "content/engineering/triage.md",
        "---\ntitle: Triage\nweight: 1\naliases: [/old-triage/]\n---\n\nWritten in place.\n",
    );
    let reload = events.until("reload");
    assert!(reload.contains("\"version\":"), "{reload}");
    let reply = server.get("/engineering/triage/");
    assert!(reply.body.contains("Written in place."), "{}", reply.body);
    // The other pages did not change.
    assert!(
        server
            .get("/engineering/releases/")
            .body
            .contains("Ship on Tuesdays.")
    );
}

#[test]
fn an_atomic_save_shows() {
    let fixture = site();
    let server = settled(&fixture);
    let path = fixture.root().join("content/engineering/triage.md");
    let temp = fixture
        .root()
        .join("content/engineering/.triage.md.tmp1234");
    std::fs::write(&temp, page("Triage", "Saved atomically.")).unwrap();
    std::fs::rename(&temp, &path).unwrap();
    server.wait_for("/engineering/triage/", "the save", has("Saved atomically."));
    // A temporary file that does not start with a dot, as some tools name them.
    let temp = fixture.root().join("content/engineering/triage.md.tmp.99");
    std::fs::write(&temp, page("Triage", "Saved again.")).unwrap();
    std::fs::rename(&temp, &path).unwrap();
    server.wait_for(
        "/engineering/triage/",
        "the second save",
        has("Saved again."),
    );
    assert_eq!(server.get("/engineering/triage.md.tmp.99").status, 404);
}

#[test]
fn a_vim_style_save_shows() {
    let fixture = site();
    let server = settled(&fixture);
    let dir = fixture.root().join("content/engineering");
    // vim checks it can create files, renames the original to a backup, writes anew, deletes
    // the backup; meanwhile it has a swap file open.
    std::fs::write(dir.join(".triage.md.swp"), "swap").unwrap();
    std::fs::write(dir.join("4913"), "").unwrap();
    std::fs::remove_file(dir.join("4913")).unwrap();
    std::fs::rename(dir.join("triage.md"), dir.join("triage.md~")).unwrap();
    std::fs::write(dir.join("triage.md"), page("Triage", "Saved by vim.")).unwrap();
    std::fs::remove_file(dir.join("triage.md~")).unwrap();
    server.wait_for("/engineering/triage/", "vim's save", has("Saved by vim."));
    std::fs::remove_file(dir.join(".triage.md.swp")).unwrap();
    // The page kept its place and its URL; no 404 in between for readers.
    assert!(
        server
            .get("/engineering/")
            .body
            .contains("href=\"/engineering/triage/\"")
    );
}

#[test]
fn swap_backup_and_temporary_files_are_ignored() {
    let fixture = site();
    let server = settled(&fixture);
    let dir = fixture.root().join("content/engineering");
    for name in [
        ".triage.md.swp",
        "triage.md~",
        "4913",
        ".#triage.md",
        "#triage.md#",
        ".hidden.md",
    ] {
        std::fs::write(dir.join(name), "---\ntitle: [broken\n---\n").unwrap();
    }
    let lines = server.lines_for(Duration::from_millis(600));
    assert!(lines.is_empty(), "{lines:?}");
    assert!(server.errors().iter().all(|l| !l.contains("broken")));
}

#[test]
fn serving_pages_does_not_count_as_a_change() {
    let fixture = site();
    let server = settled(&fixture);
    for _ in 0..3 {
        for path in [
            "/",
            "/engineering/triage/",
            "/extra.css",
            "/engineering/chart.svg",
            "/nope/",
        ] {
            server.get(path);
        }
    }
    let lines = server.lines_for(Duration::from_millis(500));
    assert!(
        lines.is_empty(),
        "reading files made the server update: {lines:?}"
    );
}

#[test]
fn deleting_and_renaming_pages() {
    let fixture = site();
    let server = settled(&fixture);
    fixture.remove("content/engineering/releases.md");
    server.wait_for("/engineering/releases/", "the 404 page", |r| {
        r.status == 404
    });
    assert!(
        !server
            .get("/engineering/")
            .body
            .contains("/engineering/releases/")
    );
    std::fs::rename(
        fixture.root().join("content/engineering/triage.md"),
        fixture.root().join("content/engineering/queue.md"),
    )
    .unwrap();
    server.wait_for(
        "/engineering/queue/",
        "the renamed page",
        has("Triage the queue daily."),
    );
    assert_eq!(server.get("/engineering/triage/").status, 404);
    let section = server.get("/engineering/").body;
    assert!(section.contains("href=\"/engineering/queue/\""));
    assert!(!section.contains("href=\"/engineering/triage/\""));
}

#[test]
fn a_new_page_and_a_new_folder_join_the_navigation() {
    let fixture = site();
    let server = settled(&fixture);
    fixture.write(
        "content/engineering/oncall.md",
        page("On call", "Carry the pager."),
    );
    server.wait_for(
        "/engineering/oncall/",
        "the new page",
        has("Carry the pager."),
    );
    // In the navigation of every page, not only its own.
    for path in [
        "/engineering/",
        "/engineering/triage/",
        "/engineering/releases/",
    ] {
        let reply = server.get(path);
        assert!(
            reply.body.contains("href=\"/engineering/oncall/\""),
            "{path}"
        );
    }
    std::fs::create_dir_all(fixture.root().join("content/people/hiring")).unwrap();
    fixture.write(
        "content/people/hiring/interviews.md",
        page("Interviews", "Be kind."),
    );
    server.wait_for(
        "/people/hiring/interviews/",
        "the new folder's page",
        has("Be kind."),
    );
    assert!(server.get("/").body.contains("href=\"/people/\""));
    // A whole folder renamed.
    std::fs::rename(
        fixture.root().join("content/people"),
        fixture.root().join("content/team"),
    )
    .unwrap();
    server.wait_for(
        "/team/hiring/interviews/",
        "the moved folder",
        has("Be kind."),
    );
    assert_eq!(server.get("/people/hiring/interviews/").status, 404);
}

#[test]
fn a_navigation_change_updates_every_page() {
    let fixture = site();
    let server = settled(&fixture);
    server.get("/engineering/releases/");
    let order = |body: &str| {
        let triage = body.find("href=\"/engineering/triage/\"").unwrap();
        let releases = body.find("href=\"/engineering/releases/\"").unwrap();
        triage < releases
    };
    assert!(order(&server.get("/engineering/").body));
    fixture.write(
        "content/engineering/triage.md",
        "---\ntitle: Triage\nweight: 9\naliases: [/old-triage/]\n---\n\nTriage the queue daily.\n",
    );
    server.wait_for("/engineering/", "the new order", |r| !order(&r.body));
    assert!(!order(&server.get("/engineering/releases/").body));
    // A new title shows in the sidebar of other pages.
    fixture.write(
        "content/engineering/triage.md",
        "---\ntitle: Queue triage\nweight: 9\n---\n\nTriage the queue daily.\n",
    );
    server.wait_for(
        "/engineering/releases/",
        "the new title",
        has(">Queue triage<"),
    );
    // The alias is gone with the front matter that had it.
    assert_eq!(server.get("/old-triage/").status, 404);
}

#[test]
fn a_template_change_applies_to_every_page() {
    let fixture = site();
    let server = settled(&fixture);
    let base = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/base.html"),
    )
    .unwrap();
    let marked = base.replacen("<body", "<body data-test=\"template-v2\"", 1);
    assert_ne!(base, marked);
    save(&fixture, "templates/base.html", &marked);
    server.wait_for("/", "the new template", has("template-v2"));
    assert!(
        server
            .get("/engineering/triage/")
            .body
            .contains("template-v2")
    );
    assert!(server.get("/nope/").body.contains("template-v2"));
}

#[test]
fn a_config_change_reloads_everything() {
    let fixture = site();
    let server = settled(&fixture);
    fixture.write(
        "handbook.yml",
        "title: Renamed Handbook\nbase_url: https://example.com/\n",
    );
    server.wait_for(
        "/engineering/triage/",
        "the new title",
        has("Renamed Handbook"),
    );
    // The served address stays the server's, whatever base_url says.
    assert!(
        server
            .get("/sitemap.xml")
            .body
            .contains(&format!("{}/engineering/", server.url))
    );
}

#[test]
fn a_stylesheet_change_swaps_styles_without_reloading() {
    let fixture = site();
    let server = settled(&fixture);
    let events = server.events();
    assert_eq!(events.next().0, "hello");
    fixture.write("static/extra.css", "body { color: red; }\n");
    let (name, _) = events.next();
    assert_eq!(name, "css");
    assert!(server.get("/extra.css").body.contains("red"));
    // Anything else in static/ reloads.
    fixture.write("static/files/notes.txt", "new notes\n");
    assert_eq!(events.next().0, "reload");
}

#[test]
fn broken_front_matter_shows_then_goes_when_fixed() {
    let fixture = site();
    let server = settled(&fixture);
    let events = server.events();
    let hello = events.until("hello");
    assert!(hello.contains("\"errors\":[]"), "{hello}");
    fixture.write(
        "content/engineering/triage.md",
        "---\ntitle: [Triage\n---\n\nBroken.\n",
    );
    let errors = events.until("errors");
    assert!(
        errors.contains("\"path\":\"content/engineering/triage.md\"")
            && errors.contains("\"line\":"),
        "{errors}"
    );
    // The terminal says the same.
    let printed = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(20));
        server
            .errors()
            .iter()
            .any(|l| l.starts_with("content/engineering/triage.md:") && l.contains("YAML"))
    });
    assert!(printed, "{:?}", server.errors());
    // The last good version is served meanwhile, and a new connection hears of the error.
    assert!(
        server
            .get("/engineering/triage/")
            .body
            .contains("Triage the queue daily.")
    );
    let late = server.events();
    assert!(
        late.until("hello")
            .contains("content/engineering/triage.md")
    );
    fixture.write("content/engineering/triage.md", page("Triage", "Fixed."));
    let cleared = events.until("errors");
    assert_eq!(cleared, "{\"errors\":[]}");
    server.wait_for("/engineering/triage/", "the fix", has("Fixed."));
}

#[test]
fn a_broken_link_and_a_broken_template_show_as_errors() {
    let fixture = site();
    let server = settled(&fixture);
    let events = server.events();
    events.until("hello");
    fixture.write(
        "content/engineering/releases.md",
        "---\ntitle: Releases\nweight: 2\n---\n\nSee [nothing](/no-such-page/).\n",
    );
    let errors = events.until("errors");
    assert!(
        errors.contains("content/engineering/releases.md") && errors.contains("/no-such-page/"),
        "{errors}"
    );
    fixture.write(
        "content/engineering/releases.md",
        "---\ntitle: Releases\nweight: 2\n---\n\nSee [triage](triage.md).\n",
    );
    assert_eq!(events.until("errors"), "{\"errors\":[]}");
    // A template that does not parse: the pages keep the last good templates.
    fixture.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block main %}{{ oops",
    );
    let errors = events.until("errors");
    assert!(errors.contains("templates/page.html"), "{errors}");
    assert!(
        server
            .get("/engineering/triage/")
            .body
            .contains("Triage the queue daily.")
    );
    fixture.remove("templates/page.html");
    assert_eq!(events.until("errors"), "{\"errors\":[]}");
}

#[test]
fn two_pages_on_one_url_keep_the_last_good_site() {
    let fixture = site();
    let server = settled(&fixture);
    let events = server.events();
    events.until("hello");
    fixture.write(
        "content/engineering/copy.md",
        "---\ntitle: Copy\npermalink: /engineering/triage/\n---\n\nA clash.\n",
    );
    let errors = events.until("errors");
    assert!(errors.contains("/engineering/triage/"), "{errors}");
    assert!(
        server
            .get("/engineering/triage/")
            .body
            .contains("Triage the queue daily.")
    );
    // An edit elsewhere meanwhile is not lost: it shows once the clash is gone.
    fixture.write(
        "content/engineering/releases.md",
        page("Releases", "Ship on Mondays."),
    );
    fixture.remove("content/engineering/copy.md");
    assert_eq!(events.until("errors"), "{\"errors\":[]}");
    server.wait_for(
        "/engineering/releases/",
        "the edit made meanwhile",
        has("Ship on Mondays."),
    );
}

#[test]
fn drafts_are_served_only_when_asked() {
    let fixture = site().file(
        "content/engineering/plan.md",
        "---\ntitle: Plan\ndraft: true\n---\n\nSecret plan.\n",
    );
    let server = start(&fixture);
    assert_eq!(server.get("/engineering/plan/").status, 404);
    let with_drafts = Served::start(&fixture.root(), &["--drafts"]);
    assert!(
        with_drafts
            .get("/engineering/plan/")
            .body
            .contains("Secret plan.")
    );
    // Publishing a draft makes it appear.
    fixture.write("content/engineering/plan.md", page("Plan", "Public plan."));
    server.wait_for(
        "/engineering/plan/",
        "the published page",
        has("Public plan."),
    );
}

#[test]
fn a_reconnecting_page_with_an_old_version_hears_the_new_one() {
    let fixture = site();
    let server = settled(&fixture);
    let page = server.get("/engineering/triage/").body;
    let version: u64 = page
        .split("data-version=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|v| v.parse().ok())
        .expect("a version in the page");
    fixture.write(
        "content/engineering/triage.md",
        page_text("Changed while away."),
    );
    server.wait_for(
        "/engineering/triage/",
        "the edit",
        has("Changed while away."),
    );
    // A page rendered before the change connects now: hello carries a newer version.
    let events: Events = server.events();
    let hello = events.until("hello");
    let now: u64 = hello
        .split("\"version\":")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    assert!(now > version, "{hello} vs {version}");
}

fn page_text(body: &str) -> String {
    format!("---\ntitle: Triage\nweight: 1\naliases: [/old-triage/]\n---\n\n{body}\n")
}

#[test]
fn a_page_that_cannot_be_rendered_shows_why() {
    let fixture = site();
    // The folder exists before the server starts, so that saving the template is one change.
    // Created by the save, the folder is a change of its own: the server may take it alone
    // (when this thread is slow to write the file) and announce it with a `reload` of its
    // own, before the template exists.
    std::fs::create_dir_all(fixture.root().join("templates")).unwrap();
    let server = settled(&fixture);
    let events = server.events();
    events.until("hello");
    // Parses, but fails with this page's values: only rendering finds out.
    save(
        &fixture,
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}{{ page.extra.missing.deeper }}{% endblock content %}",
    );
    events.until("reload");
    let reply = server.get("/engineering/triage/");
    assert_eq!(reply.status, 500);
    assert!(
        reply.body.contains("content/engineering/triage.md"),
        "{}",
        reply.body
    );
    assert!(reply.body.contains("/__handbook/live.js"));
    let errors = events.until("errors");
    assert!(errors.contains("templates/page.html"), "{errors}");
    fixture.remove("templates/page.html");
    server.wait_for(
        "/engineering/triage/",
        "the page again",
        has("Triage the queue daily."),
    );
    assert_eq!(events.until("errors"), "{\"errors\":[]}");
}

