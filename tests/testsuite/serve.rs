//! `handbook serve`, the real server on 127.0.0.1:0 over a temporary site, spoken to over
//! HTTP: what it serves, what it refuses, and how it follows changes on disk.

use crate::support::http::{Client, Events, Reply, status_of};
use crate::support::{self, Fixture, Served, page, snapshot};
use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::time::Duration;

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

fn has(text: &'static str) -> impl Fn(&Reply) -> bool {
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
    let before = snapshot(fixture.tmp());
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
    let after = snapshot(fixture.tmp());
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
        format!("{}# SECRET-CONFIG\n", support::CONFIG),
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
    let run = fixture.handbook(&["serve", "--port", &port]).run();
    let stderr = &run.failure().stderr;
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
    server.wait_error(Duration::from_secs(2), |l| {
        l.contains("anyone on your network")
    });
}

#[test]
fn a_missing_configuration_is_a_clear_error() {
    let fixture = site();
    fixture.remove("handbook.yml");
    let run = fixture.handbook(&["serve", "--port", "0"]).run();
    let stderr = &run.failure().stderr;
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
fn a_page_beside_a_new_folder_becomes_its_landing_page_and_back() {
    let fixture = site();
    fixture.write("content/tools.md", page("Our tools", "What we use."));
    let server = settled(&fixture);
    assert!(server.get("/tools/").body.contains("What we use."));
    // The folder appears: the page is its landing page, not a clash.
    fixture.write("content/tools/slack.md", page("Slack", "Chat."));
    let slack = server.wait_for("/tools/slack/", "the folder's page", has("Chat."));
    assert!(slack.body.contains("<a href=\"/tools/\""), "{}", slack.body);
    assert!(server.get("/tools/").body.contains("What we use."));
    // The page goes: the folder gets a generated landing page.
    std::fs::remove_file(fixture.root().join("content/tools.md")).unwrap();
    server.wait_for("/tools/", "the generated landing page", |r| {
        r.status == 200 && !r.body.contains("What we use.") && r.body.contains("Slack")
    });
    // The folder goes, the page comes back: a page again.
    fixture.write("content/tools.md", page("Our tools", "Back."));
    std::fs::remove_dir_all(fixture.root().join("content/tools")).unwrap();
    server.wait_for("/tools/", "the page alone", has("Back."));
    assert_eq!(server.get("/tools/slack/").status, 404);
}

#[test]
fn a_page_with_redirect_to_answers_with_a_redirect() {
    let fixture = site();
    let server = settled(&fixture);
    fixture.write(
        "content/engineering/old.md",
        "---\ntitle: Old\nredirect_to: /engineering/triage/#labels\n---\n",
    );
    let reply = server.wait_for("/engineering/old/", "the redirect", |r| r.status == 301);
    assert_eq!(
        reply.header("location"),
        Some("/engineering/triage/#labels")
    );
    assert!(
        !server
            .get("/engineering/")
            .body
            .contains("/engineering/old/")
    );
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
    fixture.save("templates/base.html", &marked);
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
    server.wait_error(Duration::from_secs(2), |l| {
        l.starts_with("content/engineering/triage.md:") && l.contains("YAML")
    });
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
    fixture.save(
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

// ------------------------------------------------------------------------------------------
// Safe on a laptop: Host names, idle connections, many connections
// ------------------------------------------------------------------------------------------

fn get_with_host(server: &Client, path: &str, host: &str) -> String {
    server.send(
        &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        Duration::from_secs(10),
    )
}

#[test]
fn requests_addressed_to_another_name_are_refused() {
    let fixture = site();
    let server = start(&fixture);
    let address = server.address();
    // What a page of evil.example sends once evil.example resolves to 127.0.0.1.
    for path in [
        "/",
        "/engineering/triage/",
        "/extra.css",
        "/nope/",
        "/__handbook/live.js",
        "/__handbook/events",
    ] {
        for host in [
            "evil.example",
            &format!("evil.example:{}", address.split(':').nth(1).unwrap()),
            "localhost.evil.example",
            "127.0.0.1.evil.example",
        ] {
            let response = get_with_host(&server, path, host);
            assert_eq!(status_of(&response), 403, "{path} {host}: {response}");
            assert!(response.contains("text/plain"), "{response}");
            assert!(
                response.contains("--allow-host") && !response.contains("Triage"),
                "{path} {host}: {response}"
            );
        }
    }
    let response = get_with_host(&server, "/", "evil.example:8080");
    assert!(
        response.contains("--allow-host evil.example\n")
            || response.contains("--allow-host evil.example."),
        "{response}"
    );
    // An absolute URL in the request line names the host too.
    let response = server.send(
        "GET http://evil.example/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        Duration::from_secs(10),
    );
    assert_eq!(status_of(&response), 403, "{response}");
}

#[test]
fn localhost_ip_addresses_and_allowed_names_are_answered() {
    let fixture = site();
    let server = Served::start(&fixture.root(), &["--allow-host", "handbook.test"]);
    let address = server.address();
    let port = address.split(':').nth(1).unwrap();
    for host in [
        format!("localhost:{port}"),
        "localhost".to_string(),
        format!("docs.localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        format!("192.168.1.20:{port}"),
        format!("handbook.test:{port}"),
        format!("Handbook.Test.:{port}"),
    ] {
        for path in ["/engineering/triage/", "/__handbook/live.js"] {
            let response = get_with_host(&server, path, &host);
            assert_eq!(status_of(&response), 200, "{path} {host}: {response}");
        }
    }
    // The live-reload stream too (it stays open: read only its start).
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET /__handbook/events HTTP/1.1\r\nHost: handbook.test:{port}\r\n\r\n"
    )
    .unwrap();
    let mut start = [0u8; 12];
    stream.read_exact(&mut start).unwrap();
    assert_eq!(&start, b"HTTP/1.1 200");
    // HTTP/1.0 tools may send no Host: no browser does, so no page can be behind it.
    let response = server.send(
        "GET /engineering/triage/ HTTP/1.0\r\n\r\n",
        Duration::from_secs(10),
    );
    assert_eq!(status_of(&response), 200, "{response}");
    // Other names stay refused.
    let response = get_with_host(&server, "/", "other.test");
    assert_eq!(status_of(&response), 403, "{response}");
    assert!(response.contains("--allow-host other.test"), "{response}");
}

#[test]
fn a_name_that_is_not_a_host_name_is_a_clear_error() {
    let fixture = site();
    let run = fixture
        .handbook(&[
            "serve",
            "--port",
            "0",
            "--allow-host",
            "http://laptop.local/",
        ])
        .run();
    let stderr = &run.failure().stderr;
    assert!(
        stderr.contains("--allow-host") && stderr.contains("laptop.local"),
        "{stderr}"
    );
}

/// A server whose connections may stay idle for `idle_ms`.
fn with_idle_timeout(fixture: &Fixture, idle_ms: u64) -> Served {
    Served::start_with(&fixture.root(), &[], |command| {
        command.env("HANDBOOK_SERVE_IDLE_TIMEOUT_MS", idle_ms.to_string());
    })
}

#[test]
fn half_sent_and_idle_connections_are_closed_after_the_timeout() {
    let fixture = site();
    let server = with_idle_timeout(&fixture, 300);
    let address = server.address().to_string();
    let host = format!("Host: {address}\r\n");
    let cases = [
        ("nothing sent", String::new()),
        (
            "half a request head",
            format!("GET /engineering/triage/ HTTP/1.1\r\n{host}"),
        ),
        ("a request line cut short", "GET /engin".to_string()),
    ];
    for (what, partial) in cases {
        let started = std::time::Instant::now();
        let response = server.send(&partial, Duration::from_secs(10));
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(250) && took < Duration::from_secs(5),
            "{what}: closed after {took:?}"
        );
        assert!(!response.contains("Triage"), "{what}: {response}");
    }
    // Slowloris: a byte every 100 ms keeps no connection open past the timeout.
    let started = std::time::Instant::now();
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    let request = format!("GET / HTTP/1.1\r\n{host}X-Slow: {}\r\n\r\n", "x".repeat(40));
    let mut closed = false;
    for byte in request.as_bytes() {
        if stream.write_all(&[*byte]).is_err() {
            closed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut rest = Vec::new();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let _ = stream.read_to_end(&mut rest);
    assert!(
        closed || rest.is_empty(),
        "a slow request was answered: {}",
        String::from_utf8_lossy(&rest)
    );
    assert!(started.elapsed() < Duration::from_secs(8));
    // A keep-alive connection is answered, then closed once it has been idle that long.
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(stream, "GET /extra.css HTTP/1.1\r\n{host}\r\n").unwrap();
    let started = std::time::Instant::now();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let response = String::from_utf8_lossy(&response);
    assert_eq!(status_of(&response), 200, "{response}");
    assert!(response.contains("color: black"), "{response}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // Meanwhile the server answers as ever.
    assert_eq!(server.get("/engineering/triage/").status, 200);
}

#[test]
fn the_live_reload_stream_outlives_the_idle_timeout() {
    let fixture = site();
    let server = with_idle_timeout(&fixture, 200);
    server.wait_line("Checked the links");
    let events = server.events();
    assert_eq!(events.next().0, "hello");
    std::thread::sleep(Duration::from_millis(1000));
    fixture.write(
        "content/engineering/triage.md",
        page_text("Still listening."),
    );
    events.until("reload");
    assert!(
        server
            .get("/engineering/triage/")
            .body
            .contains("Still listening.")
    );
}

/// Raises this process's limit of open files to its hard limit; returns the new limit.
fn raise_own_file_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain libc calls on a struct owned here.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        limit.rlim_cur = limit.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
    }
    limit.rlim_cur
}

/// Opens `n` connections that send nothing.
fn idle_connections(address: &str, n: usize) -> Vec<std::net::TcpStream> {
    (0..n)
        .map(|i| {
            std::net::TcpStream::connect(address)
                .unwrap_or_else(|err| panic!("connection {i} of {n}: {err}"))
        })
        .collect()
}

#[test]
fn two_thousand_idle_connections_do_not_keep_a_reader_waiting() {
    let wanted = 2000;
    let limit = raise_own_file_limit();
    let n = wanted.min(limit.saturating_sub(100) as usize);
    let fixture = site();
    let server = start(&fixture);
    let idle = idle_connections(server.address(), n);
    let started = std::time::Instant::now();
    let reply = server.get("/engineering/triage/");
    assert_eq!(reply.status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "answered after {:?} with {n} idle connections",
        started.elapsed()
    );
    drop(idle);
    assert_eq!(server.get("/").status, 200);
}

#[test]
fn at_the_connection_cap_the_server_waits_and_then_answers() {
    let fixture = site();
    let server = Served::start_with(&fixture.root(), &[], |command| {
        command
            .env("HANDBOOK_SERVE_MAX_CONNECTIONS", "20")
            .env("HANDBOOK_SERVE_IDLE_TIMEOUT_MS", "400");
    });
    // 20 taken at once, 40 waiting in the listen queue, each idle until the timeout.
    let started = std::time::Instant::now();
    let idle = idle_connections(server.address(), 60);
    let reply = server.get("/engineering/triage/");
    assert_eq!(reply.status, 200);
    // Not before the first idle connections timed out (400 ms after they were accepted, which
    // was after `started`): the cap held.
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(400) && took < Duration::from_secs(10),
        "answered after {took:?}"
    );
    drop(idle);
    assert_eq!(server.get("/").status, 200);
}

/// CPU time (user + system) the process has used, from /proc.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // The fields after the command name (which is in parentheses).
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // SAFETY: sysconf has no preconditions.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as u64;
    Duration::from_millis(ticks * 1000 / per_second)
}

#[test]
fn running_out_of_files_does_not_spin_or_stop_the_server() {
    let fixture = site();
    // A hard limit of 64 files, and a cap above it (no server would choose that): accept
    // fails with EMFILE once the connections have used up the files.
    let server = Served::start_with(&fixture.root(), &[], |command| {
        command.env("HANDBOOK_SERVE_MAX_CONNECTIONS", "1000");
        // SAFETY: setrlimit only, between fork and exec.
        unsafe {
            command.pre_exec(|| {
                let limit = libc::rlimit {
                    rlim_cur: 64,
                    rlim_max: 64,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    });
    server.wait_line("Checked the links");
    let idle = idle_connections(server.address(), 100);
    server.wait_error(Duration::from_secs(5), |l| {
        l.contains("cannot accept connections")
    });
    let before = cpu_time(server.pid());
    std::thread::sleep(Duration::from_secs(1));
    let spent = cpu_time(server.pid()) - before;
    // Waiting between attempts spends nothing; retrying at once spent 390 ms of the second
    // even on a loaded machine.
    assert!(
        spent < Duration::from_millis(100),
        "the server used {spent:?} of CPU in 1 s while out of files"
    );
    drop(idle);
    let reply = server.get("/engineering/triage/");
    assert_eq!(reply.status, 200);
}

// ------------------------------------------------------------------------------------------
// serve answers what build writes
// ------------------------------------------------------------------------------------------

/// A site with every kind of file `build` writes: the home page, a section landing page
/// (`index.md`), a folder without one (its landing page is generated), a page with an alias,
/// a code block (syntax.css), an image beside a page, files of `static/` (a stylesheet and a
/// script, which a build fingerprints, and others it does not), and search (the search page
/// and the index).
fn every_kind_of_file() -> Fixture {
    Fixture::new()
        .file(
            "content/index.md",
            page(
                "Home",
                "Welcome. ![Logo](/img/logo.svg)\n\n<link rel=\"stylesheet\" href=\"/css/site.css\">",
            ),
        )
        .file(
            "content/engineering/index.md",
            page("Engineering", "How we build. See [the guide](/files/guide.pdf)."),
        )
        .file(
            "content/engineering/triage.md",
            "---\ntitle: Triage\naliases: [/old-triage/]\n---\n\nTriage daily.\n\n![Chart](diagram.png)\n\n## Labels\n\n```rust\nfn main() {}\n```\n",
        )
        .file(
            "content/engineering/tools/editor.md",
            page("Editor", "Use one. [Data](/files/data.json)"),
        )
        .file("content/engineering/diagram.png", b"\x89PNG\r\n\x1a\n\x00\xff binary")
        .file("static/css/site.css", "body { margin: 0; }\n")
        .file("static/js/extra.js", "console.log('extra');\n")
        .file("static/files/guide.pdf", b"%PDF-1.4\n\xe2\xe3\n")
        .file("static/files/data.json", "{\"a\": 1}\n")
        .file(
            "static/img/logo.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        )
}

/// `theme.3f2a9c1e.css` → `theme.css`: a build's fingerprinted name, as `serve` names it.
fn plain_name(path: &str) -> String {
    for ext in [".css", ".js"] {
        if let Some(stem) = path.strip_suffix(ext)
            && let Some((name, hash)) = stem.rsplit_once('.')
            && hash.len() == 8
            && hash.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return format!("{name}{ext}");
        }
    }
    path.to_string()
}

/// `href="/theme.3f2a9c1e.css"` → `href="/theme.css"` everywhere in an HTML text.
fn plain_names_in(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(['"', '\'']) {
        out.push_str(&rest[..=at]);
        rest = &rest[at + 1..];
        let end = rest.find(['"', '\'']).unwrap_or(rest.len());
        out.push_str(&plain_name(&rest[..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The Content-Type a static host sends for a built file, by its extension: `(type,
/// alternative)`. A file of another kind fails the test: add it here.
fn expected_type(rel: &str) -> (&'static str, &'static str) {
    let ext = rel.rsplit_once('.').map_or("", |(_, ext)| ext);
    match ext {
        "html" => ("text/html", "text/html"),
        "css" => ("text/css", "text/css"),
        "js" => ("text/javascript", "application/javascript"),
        "json" => ("application/json", "application/json"),
        "xml" => ("text/xml", "application/xml"),
        "txt" => ("text/plain", "text/plain"),
        "svg" => ("image/svg+xml", "image/svg+xml"),
        "png" => ("image/png", "image/png"),
        "pdf" => ("application/pdf", "application/pdf"),
        _ => panic!("{rel}: the build wrote a kind of file this test does not know"),
    }
}

/// For every file `build` writes, `serve` (over the same site) answers its URL with the same
/// kind of content and the same content.
///
/// What legitimately differs, and is normalised before comparing:
/// - `serve` puts the live-reload script before `</body>` of every HTML answer (checked, then
///   removed);
/// - `build` fingerprints stylesheets and scripts (`theme.3f2a9c1e.css`), `serve` keeps the
///   plain names: the build's file is fetched by its plain name, and references to
///   fingerprinted names in HTML are rewritten to plain ones;
/// - `serve` renders for its own address (`http://127.0.0.1:PORT`), `build` for `base_url`
///   (canonical links, the sitemap, robots.txt): replaced by `base_url`;
/// - an alias is a small redirect page in the build and a `301` to the same URL in `serve`;
/// - `_headers` and `_redirects` are Netlify's settings, which no host serves: skipped, and
///   so are the build's bookkeeping files (`.handbook-*`).
///
/// Not normalised, so compared byte for byte: the search index (its `build` id is a hash of
/// its content), pages, the 404 page, the search page, every other file.
#[test]
fn every_file_the_build_writes_is_served_with_its_type_and_content() {
    let fixture = every_kind_of_file();
    let built = fixture.build();
    let server = start(&fixture);
    let base = "https://example.com";
    let normal_html = |bytes: &[u8]| {
        let html = String::from_utf8_lossy(bytes);
        let html = match (
            html.find("<script src=\"/__handbook/live.js\""),
            html.rfind("</body>"),
        ) {
            (Some(start), Some(end)) if start < end => {
                format!("{}{}", &html[..start], &html[end..])
            }
            _ => html.into_owned(),
        };
        plain_names_in(&html).replace(&server.url, base)
    };
    let mut files: Vec<String> = walkdir::WalkDir::new(&built.out)
        .into_iter()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            let rel = entry.path().strip_prefix(&built.out).unwrap();
            rel.to_str().unwrap().replace('\\', "/")
        })
        .filter(|rel| !rel.starts_with(".handbook-") && rel != "_headers" && rel != "_redirects")
        .collect();
    files.sort();
    let mut problems = Vec::new();
    let mut kinds = std::collections::BTreeSet::new();
    for rel in &files {
        let bytes = std::fs::read(built.out.join(rel)).unwrap();
        let plain = plain_name(rel);
        let url = match plain.strip_suffix("index.html") {
            Some(folder) => format!("/{folder}"),
            None => format!("/{plain}"),
        };
        // A folder: `/x` goes to `/x/`, as on a static host.
        if let Some(folder) = url.strip_suffix('/').filter(|f| !f.is_empty()) {
            let moved = server.get(folder);
            if moved.status != 301 || moved.header("location") != Some(url.as_str()) {
                problems.push(format!(
                    "{folder}: expected a redirect to {url}, got {}",
                    moved.head
                ));
            }
        }
        let got = server.get(&url);
        let built_text = String::from_utf8_lossy(&bytes);
        // An alias: the build's redirect page, serve's redirect.
        if let Some(to) = built_text
            .split("data-redirect-to=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
        {
            kinds.insert("alias");
            if got.status != 301 || got.header("location") != Some(to) {
                problems.push(format!(
                    "{url}: the build redirects to {to}, serve answered {}",
                    got.head
                ));
            }
            continue;
        }
        let content_type = got.header("content-type").unwrap_or("").to_string();
        let (essence, charset) = content_type
            .split_once(';')
            .map_or((content_type.as_str(), ""), |(e, c)| (e.trim(), c.trim()));
        let (wanted, alternative) = expected_type(rel);
        kinds.insert(wanted);
        let text = wanted.starts_with("text/")
            || wanted.contains("json")
            || wanted.contains("xml")
            || wanted.contains("javascript");
        if got.status != 200
            || (essence != wanted && essence != alternative)
            || (text && !charset.is_empty() && !charset.eq_ignore_ascii_case("charset=utf-8"))
        {
            problems.push(format!(
                "{url} ({rel}): status {}, Content-Type {content_type:?}, expected {wanted}",
                got.status
            ));
            continue;
        }
        let live = b"<script src=\"/__handbook/live.js\"";
        if wanted == "text/html" && !got.bytes.windows(live.len()).any(|w| w == live) {
            problems.push(format!("{url}: no live-reload script"));
        }
        let same = if wanted == "text/html" {
            let (ours, theirs) = (normal_html(&got.bytes), normal_html(&bytes));
            ours == theirs || {
                let at = ours
                    .bytes()
                    .zip(theirs.bytes())
                    .position(|(a, b)| a != b)
                    .unwrap_or(0);
                let from = at.saturating_sub(80);
                problems.push(format!(
                    "{url}: the HTML differs at byte {at}:\n  serve: {:?}\n  build: {:?}",
                    ours.get(from..(at + 80).min(ours.len())).unwrap_or(""),
                    theirs.get(from..(at + 80).min(theirs.len())).unwrap_or(""),
                ));
                true
            }
        } else if rel == "sitemap.xml" || rel == "robots.txt" {
            String::from_utf8_lossy(&got.bytes).replace(&server.url, base) == built_text
        } else {
            got.bytes == bytes
        };
        if !same {
            problems.push(format!(
                "{url} ({rel}): the content differs ({} bytes served, {} built)",
                got.bytes.len(),
                bytes.len()
            ));
        }
    }
    // The 404 page is also the answer to any unknown path.
    let missing = server.get("/no/such/page/");
    let built_404 = std::fs::read(built.out.join("404.html")).unwrap();
    if missing.status != 404 || normal_html(&missing.bytes) != normal_html(&built_404) {
        problems.push(format!(
            "/no/such/page/: status {}, or not the 404 page",
            missing.status
        ));
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    // The fixture has every kind it is meant to: a build that stopped writing one would
    // otherwise go unnoticed here.
    for path in [
        "index.html",
        "404.html",
        "search/index.html",
        "_search/meta.json",
        "sitemap.xml",
        "robots.txt",
        "engineering/index.html",
        "engineering/tools/index.html",
        "engineering/diagram.png",
        "files/guide.pdf",
        "img/logo.svg",
    ] {
        assert!(
            files.iter().any(|f| f == path),
            "the build wrote no {path}: {files:?}"
        );
    }
    for plain in [
        "syntax.css",
        "theme.css",
        "theme.js",
        "css/site.css",
        "js/extra.js",
    ] {
        assert!(
            files.iter().any(|f| plain_name(f) == plain && f != plain),
            "no fingerprinted {plain}: {files:?}"
        );
    }
    assert!(kinds.contains("alias"), "{kinds:?}");
}

/// A data file and a shortcode of the site, followed as they are saved: the page that shows
/// them changes, a broken data file is an error in the overlay while the last good one stays
/// in use, and the fix clears it.
#[test]
fn data_files_and_shortcodes_are_followed_and_a_broken_one_shows_as_an_error() {
    let fixture = site()
        .file("data/team.yml", "- name: Ada\n")
        .file(
            "templates/shortcodes/people.html",
            "{#- shortcode\n  body: none\n-#}\n<ul class=\"people\">{% for p in data.team %}<li>{{ p.name }}</li>{% endfor %}</ul>",
        )
        .file("content/team.md", page("Team", "::people"));
    let server = settled(&fixture);
    let events = server.events();
    events.until("hello");
    server.wait_for("/team/", "the team", has("<li>Ada</li>"));
    fixture.write("data/team.yml", "- name: Ada\n- name: Grace\n");
    assert_eq!(events.next().0, "reload");
    server.wait_for("/team/", "the new person", has("<li>Grace</li>"));
    fixture.write("data/team.yml", "- name: [Grace\n");
    let errors = events.until("errors");
    assert!(
        errors.contains("\"path\":\"data/team.yml\"") && errors.contains("\"line\":2"),
        "{errors}"
    );
    assert!(server.get("/team/").body.contains("<li>Grace</li>"));
    fixture.write("data/team.yml", "- name: Grace\n");
    assert_eq!(events.until("errors"), "{\"errors\":[]}");
    server.wait_for("/team/", "the fix", |r| {
        r.status == 200 && !r.body.contains("<li>Ada</li>") && r.body.contains("<li>Grace</li>")
    });
    fixture.write(
        "templates/shortcodes/people.html",
        "{#- shortcode\n  body: none\n-#}\n<ol class=\"people\">{% for p in data.team %}<li>{{ p.name }}</li>{% endfor %}</ol>",
    );
    server.wait_for("/team/", "the new shortcode", has("<ol class=\"people\">"));
}
