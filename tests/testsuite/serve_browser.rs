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

/// A long page of ten sections; `edit` is added to the text of section `n`.
fn long_page(n: usize, edit: &str) -> String {
    let mut text = String::from("---\ntitle: Long\n---\nIntroduction.\n\n");
    for i in 1..=10 {
        text.push_str(&format!("## Part {i}\n\n"));
        for line in 0..12 {
            text.push_str(&format!("Paragraph {line} of part {i}, long enough to fill a line or two of the page as a reader sees it.\n\n"));
        }
        if i == n {
            text.push_str(&format!("{edit}\n\n"));
        }
    }
    text
}

/// After a save, the page lands where the change is: a section out of view is scrolled to;
/// a change in the part on screen keeps the reader where they were.
#[test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs Chromium and chromedriver: apt-get install chromium chromium-driver"
)]
fn a_save_lands_on_the_section_it_changed() {
    let tools = browser::tools_or_fail();
    let fixture = Fixture::new()
        .file("content/index.md", "---\ntitle: Home\n---\nWelcome.\n")
        .file("content/long.md", long_page(0, ""));
    let server = Served::start(&fixture.root(), &[]);
    browser::block_on(async {
        let mut browser = Browser::start(&tools).await;
        browser.on_failure(server.printed());
        browser.goto(&format!("{}/long/", server.url)).await;
        browser
            .wait_for(
                "the page",
                "window.__mark = 1; window.scrollTo(0, 0); return document.body.innerText;",
                |text| Ok(text.as_str().is_some_and(|t| t.contains("Part 10"))),
            )
            .await;

        // At the top, a change in part 8: after the reload, part 8's heading is at the top.
        fixture.save("content/long.md", &long_page(8, "Edited: wombatics."));
        let landed = browser
            .wait_for(
                "the reloaded page scrolled to part 8",
                "const h = document.getElementById('part-8');
                 return { reloaded: window.__mark === undefined,
                          text: document.body.innerText.includes('wombatics'),
                          top: h && h.getBoundingClientRect().top,
                          y: window.scrollY };",
                |page| {
                    Ok(page["reloaded"] == json!(true)
                        && page["text"] == json!(true)
                        && page["top"]
                            .as_f64()
                            .is_some_and(|top| (0.0..200.0).contains(&top)))
                },
            )
            .await;
        eprintln!("landed: {landed}");

        // Part 8 is on screen: a change in it keeps the scroll position.
        browser
            .run("window.__mark = 1; window.scrollBy(0, 40);")
            .await;
        let before = browser.run("return window.scrollY;").await;
        fixture.save("content/long.md", &long_page(8, "Edited again: quokkas."));
        browser
            .wait_for(
                "the reloaded page where it was",
                "return { reloaded: window.__mark === undefined,
                          text: document.body.innerText.includes('quokkas'),
                          y: window.scrollY };",
                |page| {
                    Ok(page["reloaded"] == json!(true)
                        && page["text"] == json!(true)
                        && page["y"].as_f64() == before.as_f64())
                },
            )
            .await;
        browser.close().await;
    });
    drop(server);
}
