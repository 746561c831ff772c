//! A reviewer's path through a deploy preview, in headless Chromium: from the banner of the
//! home page to the changes page, then to a changed section of a changed page, which is marked
//! and scrolled into view. The site is a real merge request (tests/common/merge_request.rs),
//! built as Netlify builds a deploy preview and served with the `_headers` the build wrote; no
//! Content-Security-Policy violation on the way.
//!
//! Needs Chromium and chromedriver: see tests/common/browser.rs. Without them the test shows as
//! ignored (build.rs); on CI (`CI` set) it fails.

use crate::support::StaticServer;
use crate::support::browser::{self, Browser};
use crate::support::merge_request::merge_request;
use handbook::netlify::deploy::Deploy;
use serde_json::{Value, json};

/// Where the reader is, what the page says, and where the section `#beta` is.
const STATE: &str = r#"
var beta = document.getElementById("beta");
var section = beta && beta.closest(".changed-section");
var box = beta && beta.getBoundingClientRect();
return {
  ready: document.readyState === "complete",
  where: location.pathname + location.hash,
  heading: (document.querySelector("h1") || {}).textContent,
  banner: (document.querySelector(".preview-banner") || {}).textContent,
  betaMarked: section ? section.getAttribute("data-change") : null,
  betaBorder: section ? getComputedStyle(section).borderLeftStyle : null,
  betaLabel: section ? getComputedStyle(section, "::before").content : null,
  betaInView: box ? box.top >= 0 && box.top < window.innerHeight : false,
  scrolled: window.scrollY,
  violations: JSON.parse(sessionStorage.getItem("violations") || "[]"),
};
"#;

#[test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs Chromium and chromedriver: apt-get install chromium chromium-driver"
)]
fn a_reviewer_clicks_through_the_banner_to_a_changed_section() {
    let tools = browser::tools_or_fail();
    let request = merge_request();
    let head = request.head.clone();
    let site = request.fixture.build_with(|options| {
        options.deploy = Deploy {
            context: "deploy-preview".into(),
            review_id: Some("7".into()),
            branch: Some("feature".into()),
            commit: Some(head.clone()),
            noindex: true,
            ..Deploy::default()
        };
    });
    let server = StaticServer::start(&site.out);
    browser::block_on(async {
        let browser = Browser::start(&tools).await;
        browser.record_csp_violations().await;

        browser.goto(&server.url("/")).await;
        let home = browser
            .wait_for("the home page", STATE, |p| Ok(p["ready"] == json!(true)))
            .await;
        let banner = home["banner"].as_str().unwrap_or_default();
        assert_eq!(
            banner.split_whitespace().collect::<Vec<_>>().join(" "),
            format!(
                "Preview of merge request #7 · feature · commit {} · 4 pages changed",
                &head[..7]
            )
        );

        browser.click(".preview-banner a").await;
        browser
            .wait_for("the changes page", STATE, |p: &Value| {
                Ok(p["where"] == json!("/_preview/") && p["ready"] == json!(true))
            })
            .await;

        browser
            .click(".changes__sections a[href='/guide/changed/#beta']")
            .await;
        let landed = browser
            .wait_for("the changed section, in view", STATE, |p: &Value| {
                Ok(p["where"] == json!("/guide/changed/#beta") && p["betaInView"] == json!(true))
            })
            .await;
        assert_eq!(landed["betaMarked"], json!("changed"), "{landed}");
        assert_eq!(landed["betaBorder"], json!("solid"), "{landed}");
        assert_eq!(landed["betaLabel"], json!("\"Changed\""), "{landed}");
        assert!(
            landed["scrolled"].as_f64().unwrap_or(0.0) > 0.0,
            "the section is below the fold: {landed}"
        );
        assert_eq!(landed["violations"], json!([]), "{landed}");
        browser.close().await;
    });
    drop(server);
}
