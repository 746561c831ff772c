//! `handbook serve` as a value ([`handbook::serve::App`]), driven without spawning the binary:
//! it reports what a build reports, shows what a build publishes, and after a save checks
//! again only what the save can have changed.

use crate::support::git::{commit, git};
use crate::support::http::{Client, Reply};
use crate::support::{Fixture, serve::in_process};
use handbook::serve::{App, Batch, ServeOptions};

fn options(fixture: &Fixture) -> ServeOptions {
    ServeOptions {
        root: fixture.root(),
        bind: "127.0.0.1".parse().unwrap(),
        port: 0,
        open: false,
        drafts: false,
        base: None,
        allow_hosts: Vec::new(),
    }
}

/// The router of `app`, served in this process.
fn serve(app: &App) -> Client {
    in_process(app.router())
}

/// The status line, as the server sends it, and the body of `GET path`.
fn get(client: &Client, path: &str) -> (String, String) {
    let Reply { head, body, .. } = client.get(path);
    (head.lines().next().unwrap().to_string(), body)
}

fn problems(app: &App) -> Vec<String> {
    app.problems().iter().map(ToString::to_string).collect()
}

#[test]
fn serve_reports_the_warnings_of_a_build_and_of_check_strict() {
    let fixture = Fixture::copy("links")
        .file(
            "templates/partials/sidebar.html",
            "<ul>{% for item in nav %}<li><a href=\"{{ item.url }}\">{{ item.title }}</a></li>{% endfor %}</ul>\n",
        )
        .file("content/company/history.md", "---\ntitle: History\n---\nNobody links here.\n")
        .file("content/guide/alpha.md", "---\ntitle: Alpha\nweight: 2\n---\n[b](/guide/beta/)\n")
        .file("content/guide/beta.md", "---\ntitle: Beta\nweight: 2\n---\n[a](/guide/alpha/)\n");
    let built = fixture.build().warnings();
    assert!(!built.is_empty());
    let app = App::load(&options(&fixture), "http://127.0.0.1:1/").unwrap();
    app.check();
    let served = problems(&app);
    for warning in &built {
        assert!(
            served.contains(warning),
            "{warning} missing from {served:#?}"
        );
    }
    assert!(
        served.iter().any(|p| p
            .contains("warning: 2 pages have weight 2, so their file paths decide their order")),
        "{served:#?}"
    );
}

#[test]
fn serve_shows_when_each_page_last_changed() {
    let fixture = Fixture::new()
        .file("content/index.md", "# Home\n")
        .file("content/team.md", "# Team\n");
    let root = fixture.root();
    git(&root, &["init", "-q"]);
    commit(&root, "Jane Doe", "2026-11-20T08:00:00Z");
    let app = App::load(&options(&fixture), "http://127.0.0.1:1/").unwrap();
    let address = serve(&app);
    let (status, html) = get(&address, "/team/");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(
        html.contains("Last updated")
            && html.contains("20 November 2026")
            && html.contains("Jane Doe"),
        "{html}"
    );
    let head = address.get("/search/").head;
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: text/html"),
        "{head}"
    );
}

#[test]
fn serve_with_a_base_shows_what_the_reviewer_will_see() {
    let fixture = Fixture::new()
        .file("content/index.md", "# Home\n\n[Guide](guide.md)\n")
        .file("content/guide.md", "# Guide\n\n## Setup\n\nOld text.\n");
    let root = fixture.root();
    git(&root, &["init", "-q"]);
    commit(&root, "Ann Archer", "2026-01-05T10:00:00Z");
    fixture.write("content/guide.md", "# Guide\n\n## Setup\n\nNew text.\n");
    fixture.write("content/new.md", "# New page\n\n[Guide](guide.md)\n");
    let mut with_base = options(&fixture);
    with_base.base = Some("HEAD".into());
    let app = App::load(&with_base, "http://127.0.0.1:1/").unwrap();
    assert_eq!(problems(&app), Vec::<String>::new());
    let address = serve(&app);

    let (status, changes) = get(&address, "/_preview/");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(
        changes.contains("/guide/") && changes.contains("/new/"),
        "{changes}"
    );
    let (_, guide) = get(&address, "/guide/");
    assert!(
        guide.contains("changed-section"),
        "the changed section is marked: {guide}"
    );
    assert!(
        guide.contains("/_preview/"),
        "the banner links to the changes page: {guide}"
    );

    // Served without --base: none of it.
    let plain = App::load(&options(&fixture), "http://127.0.0.1:1/").unwrap();
    let address = serve(&plain);
    assert_eq!(get(&address, "/_preview/").0, "HTTP/1.1 404 Not Found");
    assert!(!get(&address, "/guide/").1.contains("changed-section"));
}

#[test]
fn after_a_save_only_the_changed_page_and_the_pages_linking_to_it_are_checked_again() {
    let mut fixture = Fixture::new()
        .file("content/index.md", "# Home\n\n[Setup](guide.md#setup)\n")
        .file("content/guide.md", "# Guide\n\n## Setup\n");
    for i in 0..20 {
        fixture = fixture.file(&format!("content/other-{i}.md"), "# Other\n\n[Home](/)\n");
    }
    let mut app = App::load(&options(&fixture), "http://127.0.0.1:1/").unwrap();
    assert_eq!(app.check(), 22, "the first check checks every page");
    assert_eq!(problems(&app), Vec::<String>::new());

    fixture.write("content/guide.md", "# Guide\n\n## Installation\n");
    let mut batch = Batch::default();
    batch.content.insert("guide.md".into());
    assert!(app.apply(&mut batch).is_some());
    assert_eq!(
        app.check(),
        2,
        "the guide, and the home page that links to it"
    );
    assert_eq!(
        problems(&app),
        ["content/index.md:3:9: broken link guide.md#setup: /guide/ has no heading #setup"]
    );
}
