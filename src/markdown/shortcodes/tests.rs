use super::*;
use crate::markdown::testing::options;
use crate::markdown::{MarkdownOptions, Shortcodes, render};

/// Renders `name` as `<span class="name">args</span>`, a body between `<div class="name">`
/// and `</div>`; `fail` fails.
struct Fake;

impl Expand for Fake {
    fn expand(&self, call: &Call<'_>) -> Result<Expansion, Failure> {
        let args: Vec<String> = call.args.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let label = call.label.as_ref().map_or("", |l| l.0.as_str());
        match call.name {
            "fail" => Err(Failure {
                message: "no such shortcode".into(),
                ..Failure::default()
            }),
            "team" => Ok(Expansion::Whole(
                "<h2 id=\"ada\">Ada &amp; co</h2>\n<p>Ada <a href=\"/x/\">leads</a>.</p>\n".into(),
            )),
            name if call.body => Ok(Expansion::Around(
                format!(
                    "<div class=\"{name}\" data-args=\"{}\">{label}\n",
                    args.join(" ")
                ),
                "</div>\n".into(),
            )),
            name => Ok(Expansion::Whole(format!(
                "<span class=\"{name}\">{}{label}</span>",
                args.join(" ")
            ))),
        }
    }
}

fn rendered(md: &str) -> (String, crate::markdown::Analysis, Vec<String>) {
    let options = MarkdownOptions {
        palette: None,
        shortcodes: Shortcodes(Some(&Fake)),
        ..options(3, "")
    };
    let (out, analysis) = render(md, options, &|_| None);
    let toc = out.toc.iter().map(|t| t.id.clone()).collect();
    (out.html, analysis, toc)
}

fn html(md: &str) -> String {
    rendered(md).0
}

#[test]
fn an_inline_call_is_replaced_in_its_paragraph() {
    assert_eq!(
        html("Ask in :slack{channel=\"help desk\"} \"now\".\n"),
        "<p>Ask in <span class=\"slack\">channel=help desk</span> “now”.</p>\n"
    );
    assert_eq!(
        html("Press :kbd[**Ctrl**]\nto copy.\n"),
        "<p>Press <span class=\"kbd\"><strong>Ctrl</strong></span>\nto copy.</p>\n"
    );
}

#[test]
fn a_leaf_call_is_a_block_even_inside_a_paragraph() {
    assert_eq!(
        html("Before\n::video{id=1}\nAfter\n"),
        "<p>Before</p>\n<span class=\"video\">id=1</span>\n<p>After</p>\n"
    );
}

#[test]
fn a_body_is_the_pages_own_markdown() {
    let (html, analysis, toc) =
        rendered(":::note[Read *this*]{kind=x}\n## Inside\nSee [a](#inside).\n:::\n\nAfter.\n");
    assert_eq!(
        html,
        "<div class=\"note\" data-args=\"kind=x\">Read <em>this</em>\n<h2 id=\"inside\">Inside<a class=\"anchor\" href=\"#inside\" aria-label=\"Link to this section\">#</a></h2>\n<p>See <a href=\"#inside\">a</a>.</p>\n</div>\n<p>After.</p>\n"
    );
    assert_eq!(toc, ["inside"]);
    assert_eq!(analysis.anchors, ["inside"]);
    // Nested bodies, and a title after the name as VitePress writes it.
    let html = self::html("::::outer\n::: tip Be careful\ntext\n:::\n::::\n");
    assert_eq!(
        html,
        "<div class=\"outer\" data-args=\"\">\n<div class=\"tip\" data-args=\"\">Be careful\n<p>text</p>\n</div>\n</div>\n"
    );
}

#[test]
fn a_shortcodes_headings_and_links_are_the_pages() {
    let (html, analysis, toc) = rendered("::team\n\n## After\n");
    assert!(
        html.starts_with("<h2 id=\"ada\">Ada &amp; co<a class=\"anchor\""),
        "{html}"
    );
    assert_eq!(toc, ["ada", "after"]);
    assert_eq!(analysis.anchors, ["ada", "after"]);
    assert_eq!(analysis.links[0].dest, "/x/");
    assert_eq!(analysis.links[0].offset, 0);
    assert!(
        analysis
            .search
            .iter()
            .any(|r| r.heading == "Ada & co" && r.text == "Ada leads."),
        "{:?}",
        analysis.search
    );
}

#[test]
fn calls_in_code_and_escaped_calls_stay_text() {
    let md = "`:a{b=1}` and \\:a{b=1}\n\n```\n::video{id=1}\n```\n\n    ::video{id=2}\n\n<div>\n:kbd[x] ::y\n</div>\n";
    let html = html(md);
    assert!(!html.contains("<span"), "{html}");
    assert!(html.contains("<code>:a{b=1}</code> and :a{b=1}"), "{html}");
    assert!(html.contains("::video{id=1}\n</code>"), "{html}");
    assert!(html.contains("::video{id=2}\n</code>"), "{html}");
    assert!(html.contains(":kbd[x] ::y"), "{html}");
}

#[test]
fn problems_are_reported_where_the_call_is() {
    let md = "Intro :fail{x=1} and :ok{x=\"open}.\n\n:::note\nnever closed\n";
    let (html, analysis, _) = rendered(md);
    let at: Vec<(&str, &str)> = analysis
        .shortcodes
        .iter()
        .map(|p| (&md[p.offset..p.offset + 5], p.failure.message.as_str()))
        .collect();
    assert_eq!(
        at,
        [
            (":::no", "this shortcode's body is never closed"),
            (":fail", "no such shortcode"),
        ]
    );
    // What could not be rendered shows as written.
    assert!(html.contains(":fail{x=1}"), "{html}");
    assert!(html.contains(":::note"), "{html}");
}

#[test]
fn a_body_must_close_at_its_own_level() {
    let md = ":::note\n- item\n\n  :::\n";
    let (html, analysis, _) = rendered(md);
    assert_eq!(analysis.shortcodes.len(), 1, "{:?}", analysis.shortcodes);
    assert!(!html.contains("<div"), "{html}");
}

#[test]
fn github_alerts_are_callouts() {
    let html = html("> [!WARNING]\n> Do not *push*.\n\n> plain\n");
    assert_eq!(
        html,
        "<div class=\"callout\" data-args=\"type=warning\">\n<p>Do not <em>push</em>.</p>\n</div>\n<blockquote>\n<p>plain</p>\n</blockquote>\n"
    );
}

#[test]
fn without_shortcodes_calls_are_text() {
    let (out, analysis) = render(":a{b=1}\n", options(3, ""), &|_| None);
    assert_eq!(out.html, "<p>:a{b=1}</p>\n");
    assert!(analysis.shortcodes.is_empty());
}

#[test]
fn calls_lists_what_a_page_may_call() {
    let text = ":::note\n::video{a=1}\n:kbd[x] and `:b{}`\n> [!TIP]\n> x\n:::\n";
    let found: Vec<(&str, Vec<(String, String)>)> = calls(text);
    assert_eq!(
        found,
        [
            ("note", vec![]),
            ("video", vec![("a".to_string(), "1".to_string())]),
            ("kbd", vec![]),
            ("callout", vec![]),
        ]
    );
}

#[test]
fn characters_of_several_bytes_keep_every_offset() {
    let md = "Grüße :kbd[Strg+ü]{key=\"é\"} und [Link](#zürich).\n\n::figure{alt=\"Ü\"}\n\nEnde [x](#ende).\n";
    let (html, analysis, _) = rendered(md);
    assert_eq!(
        html,
        "<p>Grüße <span class=\"kbd\">key=éStrg+ü</span> und <a href=\"#z%C3%BCrich\">Link</a>.</p>\n<span class=\"figure\">alt=Ü</span>\n<p>Ende <a href=\"#ende\">x</a>.</p>\n"
    );
    let dests: Vec<&str> = analysis
        .links
        .iter()
        .map(|l| &md[l.offset..l.offset + l.dest.len()])
        .collect();
    assert_eq!(dests, ["#zürich", "#ende"]);
}
