//! The built-in shortcodes of the default theme (templates/shortcodes/, the end of
//! static/theme.css, `setupVideos` in static/theme.js) in headless Chromium, on a fixture site
//! that uses them, served as Netlify serves it (with the `_headers` the build wrote):
//!
//! - a video loads nothing from YouTube or Vimeo before it is played: no request to them in
//!   the page's resource timing, no iframe, no element pointing at them; the link to it can be
//!   reached with Tab and is named "Play video: …"; clicking it (or Enter on it) puts the
//!   player in its place, an iframe of the embed URL titled with the video's title, with the
//!   focus; a `src` video downloads nothing before it is played; without JavaScript the link
//!   is the video's page, and the page runs no script;
//! - every callout type, written `:::type` and `> [!TYPE]`, is a `role="note"` box with a name,
//!   a left border of another colour than the page, a title with a contrast of at least 4.5:1
//!   on the box's computed background (a `color-mix`), light and dark, on a 390 px screen
//!   that nothing is wider than, and with nothing sticking out of a box or over its border;
//! - axe's WCAG 2 A/AA and best-practice rules on both pages (tests/browser/audit.js, as in
//!   accessibility.rs): light and dark, wide and narrow, with no console error.
//!
//! Needs Chromium and chromedriver (the axe test: Chromium, Node.js and `npm ci --prefix
//! tests/browser`): see tests/testsuite/support/browser.rs. Without them the tests show as
//! ignored (build.rs); on CI (`CI` set) they fail.

use crate::support::browser::{self, Browser};
use crate::support::{BuiltSite, Fixture, StaticServer, page};
use fantoccini::key::Key;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// One callout of the fixture page: its type, its Markdown, the title it shows and the name
/// it has for a screen reader (`aria-label`, the type's name).
struct Callout {
    kind: &'static str,
    markdown: &'static str,
    title: &'static str,
    name: &'static str,
}

/// Every type in both forms (GitHub has no `[!DANGER]`), a title given by argument, and the
/// bodies that widen a box: code, a long URL, a code block with a long line.
const CALLOUTS: &[Callout] = &[
    Callout {
        kind: "note",
        markdown: ":::note[Read this first]\nA note, with `code` and a [link](/video/).\n:::",
        title: "Read this first",
        name: "Note",
    },
    Callout {
        kind: "note",
        markdown: "> [!NOTE]\n> A note alert.",
        title: "Note",
        name: "Note",
    },
    Callout {
        kind: "tip",
        markdown: ":::tip[Save time]\nA tip.\n:::",
        title: "Save time",
        name: "Tip",
    },
    Callout {
        kind: "tip",
        markdown: "> [!TIP]\n> A tip alert.",
        title: "Tip",
        name: "Tip",
    },
    Callout {
        kind: "important",
        markdown: ":::important[Read before merging]\nSomething important.\n:::",
        title: "Read before merging",
        name: "Important",
    },
    Callout {
        kind: "important",
        markdown: "> [!IMPORTANT]\n> An important alert.",
        title: "Important",
        name: "Important",
    },
    Callout {
        kind: "warning",
        markdown: ":::warning[Before you deploy]\nCheck the dashboards first, then read\nhttps://example.com/a/very/long/path/that/goes/on/and/on/without/a/single/break/anywhere/at/all.html\n:::",
        title: "Before you deploy",
        name: "Warning",
    },
    Callout {
        kind: "warning",
        markdown: "> [!WARNING]\n> A warning alert.",
        title: "Warning",
        name: "Warning",
    },
    Callout {
        kind: "caution",
        markdown: ":::caution[Mind the gap]\nRun this:\n\n```sh\nhandbook build --root /a/rather/long/path/to/a/handbook --output-dir /another/long/path/for/the/output\n```\n:::",
        title: "Mind the gap",
        name: "Caution",
    },
    Callout {
        kind: "caution",
        markdown: "> [!CAUTION]\n> A caution alert.",
        title: "Caution",
        name: "Caution",
    },
    Callout {
        kind: "danger",
        markdown: ":::danger\nThe production database.\n:::",
        title: "Danger",
        name: "Danger",
    },
    Callout {
        kind: "warning",
        markdown: ":::callout{type=warning title=\"Titled by its argument\"}\nA callout of a type given by argument.\n:::",
        title: "Titled by its argument",
        name: "Warning",
    },
];

/// The YouTube and Vimeo videos of the fixture: the title, the link without JavaScript (the
/// video's page) and the player's URL.
const YOUTUBE: (&str, &str, &str) = (
    "Demo day",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1",
);
const VIMEO: (&str, &str, &str) = (
    "All hands, May",
    "https://vimeo.com/76979871",
    "https://player.vimeo.com/video/76979871?autoplay=1&dnt=1",
);

/// The hosts a video must not be loaded from before it is played.
const VIDEO_HOSTS: &[&str] = &["youtube", "youtu.be", "ytimg", "googlevideo", "vimeo"];

fn site() -> BuiltSite {
    let callouts: Vec<&str> = CALLOUTS.iter().map(|c| c.markdown).collect();
    Fixture::new()
        .file(
            "content/index.md",
            "# Home\n\nSee the [callouts](/callouts/) and the [videos](/video/).\n",
        )
        .file(
            "content/callouts.md",
            page(
                "Callouts",
                &format!("Text before the callouts.\n\n{}", callouts.join("\n\n")),
            ),
        )
        .file(
            "content/video.md",
            page(
                "Videos",
                &format!(
                    "Text before the videos.\n\n\
                     ::video[The *demo* of May]{{youtube=\"dQw4w9WgXcQ\" title=\"{}\"}}\n\n\
                     ::video{{vimeo=\"76979871\" title=\"{}\"}}\n\n\
                     ::video[Welcome]{{src=\"/media/intro.mp4\" title=\"Welcome\"}}\n\n\
                     Text after the videos.",
                    YOUTUBE.0, VIMEO.0
                ),
            ),
        )
        .file("static/media/intro.mp4", "not a real video")
        .build()
}

/// The video page: its links, players, requests and anything pointing at a video host.
const VIDEO_STATE: &str = r#"
var hosts = /youtube|youtu\.be|ytimg|googlevideo|vimeo/i;
function visible(el) {
  var box = el.getBoundingClientRect(), style = getComputedStyle(el);
  return box.width > 0 && box.height > 0 && style.visibility === "visible" && style.display !== "none";
}
var pointing = [];
document.querySelectorAll("*").forEach(function (el) {
  ["src", "srcset", "poster", "data", "srcdoc"].forEach(function (name) {
    var value = el.getAttribute(name);
    if (value && hosts.test(value)) { pointing.push(el.tagName.toLowerCase() + " " + name + "=" + value); }
  });
  if (el.tagName === "LINK" && hosts.test(el.getAttribute("href") || "")) {
    pointing.push("link rel=" + el.rel + " href=" + el.getAttribute("href"));
  }
  if (el.tagName === "SCRIPT" && el.textContent && hosts.test(el.textContent)) {
    pointing.push("an inline script naming a video host");
  }
});
return {
  ready: document.readyState === "complete",
  script: document.documentElement.classList.contains("js"),
  focused: document.activeElement ? document.activeElement.outerHTML.slice(0, 80) : null,
  links: Array.from(document.querySelectorAll("a[data-video-embed]")).map(function (a) {
    var text = a.querySelector(".video-play-text");
    return {
      href: a.getAttribute("href"),
      embed: a.getAttribute("data-video-embed"),
      text: text && visible(text) ? text.textContent.replace(/\s+/g, " ").trim() : null,
      visible: visible(a),
      tabIndex: a.tabIndex,
      focused: document.activeElement === a,
    };
  }),
  iframes: Array.from(document.querySelectorAll("iframe")).map(function (frame) {
    var box = frame.getBoundingClientRect();
    return {
      src: frame.getAttribute("src"),
      title: frame.getAttribute("title"),
      inVideoFrame: !!frame.closest("figure.video .video-frame"),
      size: [Math.round(box.width), Math.round(box.height)],
      frameSize: frame.parentElement ? [frame.parentElement.clientWidth, frame.parentElement.clientHeight] : null,
      focused: document.activeElement === frame,
    };
  }),
  videos: Array.from(document.querySelectorAll("video")).map(function (video) {
    return { src: video.getAttribute("src"), preload: video.getAttribute("preload"), controls: video.controls };
  }),
  resources: performance.getEntriesByType("resource").map(function (entry) { return entry.name; }),
  pointing: pointing,
  unhandled: window.unhandledClick || null,
  violations: JSON.parse(sessionStorage.getItem("violations") || "[]"),
};
"#;

/// Run in the video page before a link is clicked: a click on a video's link that the theme
/// script left to the browser (which would follow the link, away from the page) is stopped
/// and noted as `window.unhandledClick`, for [`players`] to fail at once.
const CATCH_UNHANDLED_CLICKS: &str = r#"
window.addEventListener("click", function (event) {
  var link = event.target.closest ? event.target.closest("a[data-video-embed]") : null;
  if (link && !event.defaultPrevented) {
    event.preventDefault();
    window.unhandledClick = link.getAttribute("href");
  }
});
"#;

/// Whether the video page ([`VIDEO_STATE`]) has `players` iframes; an error if the click went
/// unhandled ([`CATCH_UNHANDLED_CLICKS`]).
fn players(page: &Value, count: usize) -> Result<bool, String> {
    if !page["unhandled"].is_null() {
        return Err(format!(
            "expected the theme script to put the player in the page, found the click left to the browser, which would follow the link to {}",
            page["unhandled"]
        ));
    }
    Ok(page["iframes"].as_array().is_some_and(|f| f.len() == count))
}

/// The names of the accessibility tree's nodes of `role`, in the page's order, as Chromium
/// computes them for a screen reader.
async fn accessible_names(browser: &Browser, role: &str) -> Vec<String> {
    let tree = browser
        .devtools("Accessibility.getFullAXTree", json!({}))
        .await;
    tree["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|node| node["ignored"] != json!(true) && node["role"]["value"] == json!(role))
        .map(|node| {
            node["name"]["value"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

/// Opens `path` and waits until it has loaded (and, `with_script`, its theme script ran).
async fn open(browser: &Browser, server: &StaticServer, path: &str, with_script: bool) -> Value {
    browser.goto(&server.url(path)).await;
    browser
        .wait_for(&format!("{path} loaded"), VIDEO_STATE, |page| {
            Ok(page["ready"] == json!(true) && page["script"] == json!(with_script))
        })
        .await
}

/// The URLs of `resources` on a video host.
fn on_video_hosts(resources: &Value) -> Vec<String> {
    resources
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|url| VIDEO_HOSTS.iter().any(|host| url.contains(host)))
        .map(str::to_string)
        .collect()
}

#[test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs Chromium and chromedriver: apt-get install chromium chromium-driver"
)]
fn a_video_loads_nothing_from_its_host_until_it_is_played() {
    let tools = browser::tools_or_fail();
    let site = site();
    let server = StaticServer::start(&site.out);
    browser::block_on(async {
        let browser = Browser::start(&tools).await;
        browser.record_csp_violations().await;

        // Before anything is played.
        let before = open(&browser, &server, "/video/", true).await;
        let loaded = on_video_hosts(&before["resources"]);
        assert!(
            loaded.is_empty(),
            "expected no request to a video host before a video is played, found {loaded:?}; every request: {}",
            before["resources"]
        );
        assert_eq!(
            before["iframes"],
            json!([]),
            "expected no iframe before a video is played; the page: {before}"
        );
        assert_eq!(
            before["pointing"],
            json!([]),
            "expected no element loading from a video host before a video is played; the page: {before}"
        );
        for (index, (title, watch, embed)) in [YOUTUBE, VIMEO].into_iter().enumerate() {
            let link = &before["links"][index];
            let expected = json!({
                "href": watch,
                "embed": embed,
                "text": format!("Play video: {title}"),
                "visible": true,
                "tabIndex": 0,
                "focused": false,
            });
            assert_eq!(
                link, &expected,
                "expected the link of the video {title:?} as {expected}, found {link}"
            );
        }
        let names = accessible_names(&browser, "link").await;
        for (title, _, _) in [YOUTUBE, VIMEO] {
            let wanted = format!("Play video: {title}");
            assert!(
                names.iter().any(|name| name.starts_with(&wanted)),
                "expected a link whose accessible name starts with {wanted:?}, found the links {names:?}"
            );
        }

        // The file video: a <video> that downloads nothing before it is played.
        let expected = json!([{ "src": "/media/intro.mp4", "preload": "none", "controls": true }]);
        assert_eq!(
            before["videos"], expected,
            "expected the file video as {expected}, found {}",
            before["videos"]
        );
        let requested = |path: &str| {
            server
                .requests()
                .iter()
                .any(|request| request.contains(&format!(" {path} ")))
        };
        assert!(
            !requested("/media/intro.mp4"),
            "expected no request for the video file before it is played, found {:#?}",
            server.requests()
        );

        // The YouTube link is reached with Tab.
        let mut presses = 0;
        while browser
            .run("return document.activeElement.getAttribute('data-video-embed');")
            .await
            .as_str()
            != Some(YOUTUBE.2)
        {
            presses += 1;
            if presses > 60 {
                let state = browser.run(VIDEO_STATE).await;
                browser.fail(
                    "Tab to the YouTube video's link",
                    &format!("not reached after 60 presses of Tab; the page: {state}"),
                );
            }
            browser.press(Key::Tab).await;
        }

        // Clicked, the YouTube link becomes its player; the Vimeo one stays a link.
        browser.run(CATCH_UNHANDLED_CLICKS).await;
        browser.click("a[data-video-embed*='youtube']").await;
        let played = browser
            .wait_for("the YouTube player after a click", VIDEO_STATE, |page| {
                players(page, 1)
            })
            .await;
        let frame = &played["iframes"][0];
        assert_eq!(
            frame["src"],
            json!(YOUTUBE.2),
            "expected the player's src to be the embed URL, found {frame}"
        );
        assert_eq!(
            frame["title"],
            json!(YOUTUBE.0),
            "expected the player titled as the video, found {frame}"
        );
        assert_eq!(
            frame["inVideoFrame"],
            json!(true),
            "expected the player in the video's frame, found {frame}"
        );
        let fills = (0..2).all(|i| {
            let (size, room) = (frame["size"][i].as_f64(), frame["frameSize"][i].as_f64());
            size.zip(room)
                .is_some_and(|(size, room)| size > 0.0 && (size - room).abs() <= 1.0)
        });
        assert!(
            fills,
            "expected the player to fill the video's frame of {} px, found it {} px",
            frame["frameSize"], frame["size"]
        );
        assert_eq!(
            frame["focused"],
            json!(true),
            "expected the focus on the player, found it on {}",
            played["focused"]
        );
        assert_eq!(
            played["links"].as_array().map(Vec::len),
            Some(1),
            "expected the clicked link replaced by the player and the Vimeo link left, found {}",
            played["links"]
        );
        let vimeo: Vec<String> = on_video_hosts(&played["resources"])
            .into_iter()
            .filter(|url| url.contains("vimeo"))
            .collect();
        assert!(
            vimeo.is_empty(),
            "expected nothing from Vimeo while only YouTube plays, found {vimeo:?}"
        );

        // Enter on the Vimeo link plays it too.
        browser
            .run("document.querySelector(\"a[data-video-embed*='vimeo']\").focus();")
            .await;
        browser.press(Key::Enter).await;
        let both = browser
            .wait_for("the Vimeo player after Enter", VIDEO_STATE, |page| {
                players(page, 2)
            })
            .await;
        let frame = &both["iframes"][1];
        assert_eq!(
            (&frame["src"], &frame["title"]),
            (&json!(VIMEO.2), &json!(VIMEO.0)),
            "expected the Vimeo player's src and title, found {frame}"
        );
        assert_eq!(
            both["violations"],
            json!([]),
            "expected no Content-Security-Policy violation, found {}",
            both["violations"]
        );

        // The check on the file video can fail: played, it is requested.
        browser
            .run("document.querySelector('video').play().catch(function () {});")
            .await;
        let started = Instant::now();
        while !requested("/media/intro.mp4") {
            assert!(
                started.elapsed() < browser::DEADLINE,
                "expected the video file requested once played, found {:#?}",
                server.requests()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        // Without JavaScript: the link is the video's page.
        browser
            .devtools(
                "Emulation.setScriptExecutionDisabled",
                json!({ "value": true }),
            )
            .await;
        let plain = open(&browser, &server, "/video/", false).await;
        let hrefs: Vec<&Value> = plain["links"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|l| &l["href"])
            .collect();
        assert_eq!(
            hrefs,
            [&json!(YOUTUBE.1), &json!(VIMEO.1)],
            "expected the links to the videos' pages without JavaScript; the page: {plain}"
        );
        assert_eq!(
            (&plain["iframes"], &plain["pointing"]),
            (&json!([]), &json!([])),
            "expected no player and nothing from a video host without JavaScript; the page: {plain}"
        );
        let names = accessible_names(&browser, "link").await;
        assert!(
            names
                .iter()
                .any(|name| name.starts_with(&format!("Play video: {}", YOUTUBE.0))),
            "expected the link named \"Play video: {}\" without JavaScript, found the links {names:?}",
            YOUTUBE.0
        );

        browser.close().await;
    });
    drop(server);
}

/// Each callout as the reader sees it: its box, border, title and text, with the colours
/// Chromium computed (`color-mix` included) composited over what is behind them, and the
/// WCAG contrast ratios; and whether anything is wider than the screen.
const CALLOUT_STATE: &str = r##"
function parse(value) {
  var match = /^rgba?\(([^)]*)\)$/.exec(value) || /^color\(srgb ([^)]*)\)$/.exec(value);
  if (!match) { return null; }
  var n = match[1].split(/[\s,\/]+/).filter(Boolean).map(parseFloat);
  var scale = value.indexOf("color(") === 0 ? 1 : 255;
  return { r: n[0] / scale, g: n[1] / scale, b: n[2] / scale, a: n.length > 3 ? n[3] : 1 };
}
var unparsed = [];
function color(value) {
  var parsed = parse(value);
  if (!parsed) { unparsed.push(value); return { r: 0, g: 0, b: 0, a: 0 }; }
  return parsed;
}
function over(top, bottom) {
  return {
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  };
}
// What shows behind the content of `el`: the backgrounds of it and its ancestors, composited.
function background(el) {
  var chain = [];
  for (var node = el; node && node.nodeType === 1; node = node.parentElement) { chain.unshift(node); }
  return chain.reduce(function (below, node) {
    return over(color(getComputedStyle(node).backgroundColor), below);
  }, { r: 1, g: 1, b: 1, a: 1 });
}
function luminance(c) {
  function channel(v) { return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }
  return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
}
function contrast(a, b) {
  var x = luminance(a), y = luminance(b);
  return Math.round((Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05) * 1000) / 1000;
}
function hex(c) {
  return "#" + [c.r, c.g, c.b].map(function (v) {
    return ("0" + Math.round(v * 255).toString(16)).slice(-2);
  }).join("");
}
var root = document.documentElement;
var callouts = Array.from(document.querySelectorAll(".prose .callout")).map(function (box) {
  var style = getComputedStyle(box);
  var page = background(box.parentElement);
  var fill = background(box);
  var border = over(color(style.borderLeftColor), fill);
  var title = box.querySelector(".callout-title");
  var titleColor = title ? over(color(getComputedStyle(title).color), fill) : null;
  var body = box.querySelector("p:not(.callout-title)");
  var bodyColor = body ? over(color(getComputedStyle(body).color), fill) : null;
  var rect = box.getBoundingClientRect();
  // Inside the borders: what sticks out, or covers the coloured border, unless it scrolls.
  var inner = [rect.left + parseFloat(style.borderLeftWidth), rect.right - parseFloat(style.borderRightWidth)];
  function scrolled(el) {
    for (var node = el.parentElement; node && node !== box; node = node.parentElement) {
      if (getComputedStyle(node).overflowX !== "visible") { return true; }
    }
    return false;
  }
  var outside = Array.from(box.querySelectorAll("*")).filter(function (el) {
    var r = el.getBoundingClientRect();
    return r.width > 0 && !scrolled(el) && (r.left < inner[0] - 0.5 || r.right > inner[1] + 0.5);
  }).map(function (el) {
    var r = el.getBoundingClientRect();
    return el.tagName.toLowerCase() + (el.className ? "." + el.className.trim().split(/\s+/).join(".") : "") +
      " from " + Math.floor(r.left) + " to " + Math.ceil(r.right) + " px";
  });
  return {
    classes: box.className,
    role: box.getAttribute("role"),
    label: box.getAttribute("aria-label"),
    title: title ? title.textContent.replace(/\s+/g, " ").trim() : null,
    computed: {
      background: style.backgroundColor,
      border: style.borderLeftWidth + " " + style.borderLeftStyle + " " + style.borderLeftColor,
      title: title ? getComputedStyle(title).color : null,
      titleFont: title ? getComputedStyle(title).fontSize + " " + getComputedStyle(title).fontWeight : null,
    },
    page: hex(page),
    fill: hex(fill),
    border: hex(border),
    borderWidth: parseFloat(style.borderLeftWidth),
    borderStyle: style.borderLeftStyle,
    borderContrast: contrast(border, page),
    titleColor: titleColor && hex(titleColor),
    titleContrast: titleColor && contrast(titleColor, fill),
    bodyColor: bodyColor && hex(bodyColor),
    bodyContrast: bodyColor && contrast(bodyColor, fill),
    left: Math.floor(rect.left),
    right: Math.ceil(rect.right),
    inside: [Math.round(inner[0]), Math.round(inner[1])],
    outside: outside,
  };
});
return {
  ready: document.readyState === "complete",
  script: root.classList.contains("js"),
  dark: matchMedia("(prefers-color-scheme: dark)").matches,
  innerWidth: window.innerWidth,
  scrollWidth: root.scrollWidth,
  clientWidth: root.clientWidth,
  callouts: callouts,
  unparsed: unparsed,
};
"##;

/// The narrow screen of a phone, in CSS pixels.
const PHONE_WIDTH: u64 = 390;

#[test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs Chromium and chromedriver: apt-get install chromium chromium-driver"
)]
fn callouts_are_named_boxes_with_readable_titles_light_and_dark_on_a_phone() {
    let tools = browser::tools_or_fail();
    let site = site();
    let server = StaticServer::start(&site.out);
    browser::block_on(async {
        let browser = Browser::start(&tools).await;
        browser
            .devtools(
                "Emulation.setDeviceMetricsOverride",
                json!({ "width": PHONE_WIDTH, "height": 844, "deviceScaleFactor": 1, "mobile": false }),
            )
            .await;
        let mut problems = Vec::new();
        for scheme in ["light", "dark"] {
            browser
                .devtools(
                    "Emulation.setEmulatedMedia",
                    json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
                )
                .await;
            browser.goto(&server.url("/callouts/")).await;
            let page = browser
                .wait_for(
                    &format!("/callouts/ loaded, {scheme}"),
                    CALLOUT_STATE,
                    |page| {
                        Ok(page["ready"] == json!(true)
                            && page["script"] == json!(true)
                            && page["dark"] == json!(scheme == "dark"))
                    },
                )
                .await;
            problems.extend(callout_problems(scheme, &page));
            let names = accessible_names(&browser, "note").await;
            let expected: Vec<&str> = CALLOUTS.iter().map(|c| c.name).collect();
            if names != expected {
                problems.push(format!(
                    "{scheme}: expected the notes named {expected:?} in the accessibility tree, found {names:?}"
                ));
            }
        }
        assert!(
            problems.is_empty(),
            "{} problems with the callouts:\n{}",
            problems.len(),
            problems.join("\n")
        );
        browser.close().await;
    });
    drop(server);
}

/// What is wrong with the callouts of the page `state` ([`CALLOUT_STATE`]) in `scheme`, one
/// line each, saying what was expected and what was found.
fn callout_problems(scheme: &str, state: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if state["unparsed"] != json!([]) {
        problems.push(format!(
            "{scheme}: colours the test cannot read: {}",
            state["unparsed"]
        ));
    }
    let (scroll, client) = (&state["scrollWidth"], &state["clientWidth"]);
    if state["innerWidth"] != json!(PHONE_WIDTH) || scroll.as_u64() > client.as_u64() {
        problems.push(format!(
            "{scheme}: expected nothing wider than the {PHONE_WIDTH} px screen, found a page {scroll} px wide in {client} px (window {} px)",
            state["innerWidth"]
        ));
    }
    let found = state["callouts"].as_array().cloned().unwrap_or_default();
    if found.len() != CALLOUTS.len() {
        problems.push(format!(
            "{scheme}: expected {} callouts, found {}: {}",
            CALLOUTS.len(),
            found.len(),
            state["callouts"]
        ));
        return problems;
    }
    for (callout, measured) in CALLOUTS.iter().zip(&found) {
        let what = format!("{scheme}: the {} callout {:?}", callout.kind, callout.title);
        let classes = measured["classes"].as_str().unwrap_or_default();
        if !classes
            .split(' ')
            .any(|c| c == format!("callout-{}", callout.kind))
        {
            problems.push(format!(
                "{what}: expected the class callout-{}, found {classes:?}",
                callout.kind
            ));
        }
        let shown = json!([measured["role"], measured["label"], measured["title"]]);
        let expected = json!(["note", callout.name, callout.title]);
        if shown != expected {
            problems.push(format!(
                "{what}: expected the role, aria-label and title {expected}, found {shown}"
            ));
        }
        if measured["border"] == measured["page"]
            || measured["borderWidth"].as_f64() < Some(2.0)
            || measured["borderStyle"] != json!("solid")
        {
            problems.push(format!(
                "{what}: expected a solid left border at least 2 px wide, of another colour than the page {}, found {} ({}; contrast {})",
                measured["page"],
                measured["border"],
                measured["computed"]["border"],
                measured["borderContrast"]
            ));
        }
        for (part, colour, ratio) in [
            ("title", "titleColor", "titleContrast"),
            ("text", "bodyColor", "bodyContrast"),
        ] {
            if !measured[ratio].as_f64().is_some_and(|r| r >= 4.5) {
                problems.push(format!(
                    "{what}: expected its {part} at a contrast of at least 4.5:1 on the box, found {} on {} ({}; computed {})",
                    measured[colour], measured["fill"], measured[ratio], measured["computed"]
                ));
            }
        }
        let (left, right) = (&measured["left"], &measured["right"]);
        if left.as_i64() < Some(0) || right.as_i64() > client.as_i64() {
            problems.push(format!(
                "{what}: expected the box within the screen's {client} px, found it from {left} to {right} px"
            ));
        }
        if measured["outside"] != json!([]) {
            problems.push(format!(
                "{what}: expected its content inside its borders, from {} to {} px, found {}",
                measured["inside"][0], measured["inside"][1], measured["outside"]
            ));
        }
    }
    // The two forms of a type look the same, and the types differ (danger is caution's red).
    let look = |x: &Value| json!([x["fill"], x["border"], x["titleColor"]]);
    for (callout, measured) in CALLOUTS.iter().zip(&found) {
        let first = CALLOUTS.iter().position(|c| c.kind == callout.kind);
        let like = &found[first.unwrap_or_default()];
        if look(measured) != look(like) {
            problems.push(format!(
                "{scheme}: expected the {} callouts {} and {} to look alike (background, border, title), found {} and {}",
                callout.kind,
                like["title"],
                measured["title"],
                look(like),
                look(measured)
            ));
        }
    }
    let mut borders: Vec<String> = ["note", "tip", "important", "warning", "caution"]
        .iter()
        .filter_map(|kind| {
            let index = CALLOUTS.iter().position(|c| c.kind == *kind)?;
            found[index]["border"].as_str().map(str::to_string)
        })
        .collect();
    borders.sort();
    borders.dedup();
    if borders.len() != 5 {
        problems.push(format!(
            "{scheme}: expected five border colours for note, tip, important, warning and caution, found {borders:?}"
        ));
    }
    problems
}

#[test]
#[cfg_attr(
    not(has_axe),
    ignore = "needs Chromium, Node.js and tests/browser/node_modules: apt-get install chromium nodejs; npm ci --prefix tests/browser"
)]
fn the_shortcode_pages_pass_axe_light_and_dark_wide_and_narrow() {
    let browser_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    // Ignored where they are missing (build.rs): running without them is CI's failure.
    assert!(
        browser_dir.join("node_modules/axe-core").is_dir(),
        "expected tests/browser/node_modules (npm ci --prefix tests/browser), found none"
    );
    let site = site();
    // Without the Content-Security-Policy of `_headers`, which would block axe's script.
    let server = StaticServer::without_headers(&site.out);
    let audit = Command::new("node")
        .arg(browser_dir.join("audit.js"))
        .arg(server.url(""))
        .args(["/callouts/", "/video/"])
        .output()
        .expect("run node tests/browser/audit.js");
    let report = String::from_utf8_lossy(&audit.stdout);
    assert!(
        audit.status.success() && report.trim().is_empty(),
        "expected no accessibility problem or console error on /callouts/ and /video/, found ({}):\n{report}{}",
        audit.status,
        String::from_utf8_lossy(&audit.stderr)
    );
    drop(server);
}
