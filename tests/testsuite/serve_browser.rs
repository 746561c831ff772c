//! `handbook serve` in a real browser: headless Chromium, driven over WebDriver by chromedriver.
//! Editing a page's Markdown reloads the page by itself; editing a stylesheet restyles the
//! page without reloading it; breaking a page's front matter shows the error overlay naming
//! the file, and fixing it removes the overlay.
//!
//! Needs Chromium and chromedriver (`/usr/bin/chromium`, `/usr/bin/chromedriver`, or
//! `CHROMIUM`, `CHROMEDRIVER`): `apt-get install chromium chromium-driver`; `.ci/run` installs
//! them. Without them the test shows as ignored (see build.rs); on CI (`CI` set) it fails.
//!
//! Both processes (`handbook serve`, chromedriver with its browser) run in their own process
//! group, which is killed when the test ends, passing or not: no browser is left behind.

use crate::support::browser::{self, Browser};
use crate::support::{Fixture, Served};
use serde_json::json;
use std::path::Path;

/// The page for the test: its Markdown, with `extra` as a last paragraph.
fn triage(extra: &str) -> String {
    format!("---\ntitle: Triage\n---\nEvery bug gets an owner within a day.\n\n{extra}\n")
}

#[test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs Chromium and chromedriver: apt-get install chromium chromium-driver"
)]
fn the_browser_follows_edits_to_pages_and_stylesheets_and_shows_errors() {
    let tools = browser::tools_or_fail();

    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The site ships its own copy of the theme's stylesheet, to edit it.
    let theme_css = std::fs::read_to_string(repo.join("static/theme.css")).unwrap();
    let fixture = Fixture::new()
        .file("content/index.md", "---\ntitle: Home\n---\nWelcome.\n")
        .file(
            "content/engineering/index.md",
            "---\ntitle: Engineering\n---\n",
        )
        .file("content/engineering/triage.md", triage("First version."))
        .file("static/theme.css", &theme_css);
    let (page_source, css_source) = ("content/engineering/triage.md", "static/theme.css");

    let server = Served::start(&fixture.root(), &[]);
    browser::block_on(async {
        let mut browser = Browser::start(&tools).await;
        browser.on_failure(server.printed());

        // (a) The page, marked: a reload loses the mark.
        let page = format!("{}/engineering/triage/", server.url);
        browser.goto(&page).await;
        browser
            .wait_for(
                "the page shows its text",
                "window.__handbookMarker = 1; return document.body.innerText;",
                |text| Ok(text.as_str().is_some_and(|t| t.contains("First version."))),
            )
            .await;

        // (b) An edit to the page: the browser reloads it by itself and shows the new text.
        fixture.save(page_source, &triage("Second version, with zanzibarite."));
        browser
            .wait_for(
                "the edited text in the page",
                "return { text: document.body.innerText, marker: window.__handbookMarker };",
                |page| {
                    Ok(page["text"]
                        .as_str()
                        .is_some_and(|t| t.contains("zanzibarite"))
                        && page["marker"].is_null())
                },
            )
            .await;
        browser.run("window.__handbookMarker = 1;").await;

        // (c) An edit to the stylesheet: the new style applies, and the page is not reloaded.
        fixture.save(
            css_source,
            &format!("{theme_css}\nbody {{ outline: 7px solid rgb(1, 2, 3); }}\n"),
        );
        browser
            .wait_for(
                "the edited stylesheet applied without a reload",
                "const style = getComputedStyle(document.body);
                 return { outline: style.outlineWidth + ' ' + style.outlineColor,
                          marker: window.__handbookMarker ?? null };",
                |page| {
                    if page["marker"] != json!(1) {
                        return Err("the page was reloaded".into());
                    }
                    Ok(page["outline"] == json!("7px rgb(1, 2, 3)"))
                },
            )
            .await;

        // (d) Broken front matter: the overlay names the file; the page stays as it was.
        fixture.save(
            page_source,
            "---\ntitle: [unclosed\n---\nEvery bug gets an owner within a day.\n",
        );
        let overlay = browser
            .wait_for(
                "the error overlay naming the file",
                "const overlay = document.getElementById('handbook-errors');
                 return { overlay: overlay && overlay.innerText,
                          marker: window.__handbookMarker ?? null };",
                |page| {
                    if page["marker"] != json!(1) {
                        return Err("the page was reloaded".into());
                    }
                    Ok(page["overlay"]
                        .as_str()
                        .is_some_and(|t| t.contains("content/engineering/triage.md")))
                },
            )
            .await;
        eprintln!("the overlay said: {}", overlay["overlay"]);

        // (e) Fixed: the overlay goes, and the page shows the fixed version.
        fixture.save(page_source, &triage("Third version, with quokkadrome."));
        browser
            .wait_for(
                "the overlay gone and the fixed page shown",
                "return { overlay: !!document.getElementById('handbook-errors'),
                          text: document.body.innerText };",
                |page| {
                    Ok(page["overlay"] == json!(false)
                        && page["text"]
                            .as_str()
                            .is_some_and(|t| t.contains("quokkadrome")))
                },
            )
            .await;

        browser.close().await;
    });
    // The server goes with its process group (the browser went with the session).
    drop(server);
}
