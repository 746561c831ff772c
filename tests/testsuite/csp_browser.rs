//! A built site in a real browser, served with the `_headers` and `_redirects` the build wrote
//! (tests/common/static_server.rs): the site's own pages (home with a table, highlighted code,
//! an alias's redirect page, the 404 page) cause no Content-Security-Policy violation and load
//! their fingerprinted stylesheets and scripts, and the redirect page lands on the page with
//! the `#fragment`. A page with inline code shows that violations are seen.
//!
//! Needs Chromium and chromedriver: see tests/common/browser.rs. Without them the test shows as
//! ignored (build.rs); on CI (`CI` set) it fails.

use crate::support::browser::{self, Browser};
use crate::support::{Fixture, StaticServer};
use serde_json::{Value, json};

/// The state of the page: loaded, its deferred theme script run, its stylesheets applied.
const PAGE_STATE: &str = r#"
return {
  ready: document.readyState === "complete",
  where: location.pathname + location.hash,
  title: document.title,
  themeScript: document.documentElement.classList.contains("js"),
  stylesheets: Array.from(document.querySelectorAll("link[rel=stylesheet]"))
    .map(function (link) { return !!link.sheet && link.sheet.cssRules.length > 0; }),
  violations: JSON.parse(sessionStorage.getItem("violations") || "[]"),
};
"#;

fn site() -> Fixture {
    Fixture::new()
        .file(
            "content/index.md",
            "# Home\n\n| left | centre | right |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n\nSee [code](/engineering/code/).\n",
        )
        .file(
            "content/engineering/code.md",
            "---\ntitle: Code\naliases: [/old/]\n---\n\n## Usage\n\n```rust\nfn main() {\n    println!(\"hi\");\n}\n```\n\nText.\n",
        )
        .file(
            "content/control.md",
            "---\ntitle: Control\n---\n\n<p style=\"color: red\">Inline style.</p>\n\n<script>document.title = 'ran';</script>\n",
        )
}

/// Opens `path` and waits until it has loaded and its theme script ran; returns its state.
async fn open(browser: &Browser, server: &StaticServer, path: &str) -> Value {
    browser.goto(&server.url(path)).await;
    browser
        .wait_for(&format!("{path} loaded"), PAGE_STATE, |page| {
            Ok(page["ready"] == json!(true) && page["themeScript"] == json!(true))
        })
        .await
}

#[test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs Chromium and chromedriver: apt-get install chromium chromium-driver"
)]
fn the_built_site_satisfies_its_content_security_policy_in_a_browser() {
    let tools = browser::tools_or_fail();
    let site = site().build();
    let server = StaticServer::start(&site.out);
    browser::block_on(async {
        let browser = Browser::start(&tools).await;
        browser.record_csp_violations().await;

        for path in ["/", "/engineering/code/", "/nowhere/"] {
            let page = open(&browser, &server, path).await;
            let styled = page["stylesheets"]
                .as_array()
                .is_some_and(|s| s.len() == 2 && s.iter().all(|loaded| loaded == &json!(true)));
            if !styled || page["violations"] != json!([]) {
                browser.fail(
                    &format!("{path} as served"),
                    &format!("{page}\nrequests: {:#?}", server.requests()),
                );
            }
            if path == "/nowhere/" {
                assert_eq!(page["title"], json!("Page not found · Fixture"), "{page}");
            }
        }

        // The redirect page itself, by its file (Netlify's `_redirects` answers `/old/`).
        browser.goto(&server.url("/old/index.html#usage")).await;
        let landed = browser
            .wait_for(
                "the redirect page sends the reader on, with the #fragment",
                PAGE_STATE,
                |page| Ok(page["where"] == json!("/engineering/code/#usage")),
            )
            .await;
        assert_eq!(landed["violations"], json!([]), "{landed}");

        // Inline code is blocked, and seen: the checks above can fail.
        let control = open(&browser, &server, "/control/").await;
        let violations = control["violations"].to_string();
        assert!(
            violations.contains("/control/: style-src-attr blocked inline")
                && violations.contains("/control/: script-src-elem blocked inline"),
            "{control}"
        );
        assert_eq!(
            control["title"],
            json!("Control · Fixture"),
            "the inline script ran"
        );

        browser.close().await;
    });
    drop(server);
}
