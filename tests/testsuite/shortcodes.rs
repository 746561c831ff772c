//! Data files and shortcodes on real fixture sites: what the built pages show, what the table of
//! contents, the search index and the link checker make of a shortcode's headings and links,
//! every kind of mistake reported at its place, and 18F's Jekyll `_data` read as `data/`.

use crate::support::{Fixture, page, select, select_attrs, select_texts};
use std::path::Path;

/// A site with a data file in each format, a shortcode of its own that makes headings from
/// `data.team`, and pages calling the built-in shortcodes.
fn site() -> Fixture {
    Fixture::new()
        .file("content/index.md", page("Home", "Welcome."))
        .file(
            "data/team.yml",
            "# The team\n- id: ada\n  name: Ada Lovelace\n  role: Engine lead\n  page: /engines/\n- id: grace\n  name: Grace Hopper\n  role: Compilers\n",
        )
        .file("data/tools.csv", "name,owner,url\nSlack,IT,https://slack.com\nThe engines,Ada,/engines/\n")
        .file("data/ops/oncall.json", "{\"rota\": [{\"week\": 1, \"who\": \"ada\"}]}")
        .file("data/settings.toml", "[slack]\nchannel = \"#help\"\n")
        .file(
            "templates/shortcodes/people.html",
            "{#- shortcode\n  body: none\n-#}\n<div class=\"people\">\n{%- for p in data.team %}\n<h2 id=\"{{ p.id }}\">{{ p.name }}</h2>\n<p>{{ p.role }}{% if p.page %} (<a href=\"{{ p.page }}\">pages</a>){% endif %}</p>\n{%- endfor %}\n</div>\n",
        )
        .file(
            "templates/shortcodes/slack.html",
            "{#- shortcode\n  channel: text, default help\n  label: text, optional\n-#}\n<a class=\"slack\" href=\"https://example.slack.com/channels/{{ channel }}\">{% if label %}{{ label }}{% else %}#{{ channel }}{% endif %}</a>",
        )
        .file(
            "content/team.md",
            page(
                "Team",
                "Who we are; on call this week: {{oncall}}.\n\n::people\n\n## Tools\n\n::table{data=\"tools\" id=\"name\" columns=\"Tool:name, owner, url\"}\n",
            ),
        )
        .file(
            "content/engines.md",
            page(
                "Engines",
                "Ask [Ada](/team/#ada) or :slack[the engine room]{channel=\"engines\"}.\n\n:::warning[Before you *start* the engine]\nRead [the tools](/team/#tools) and the [rota](/team/#the-engines).\n\n### Inside a callout\n:::\n\n> [!TIP]\n> Grace knows.\n\n::video[Our demo day]{youtube=\"dQw4w9WgXcQ\" title=\"Demo day\"}\n\n::figure[The *engine*]{src=\"https://example.com/engine.png\" alt=\"An engine\"}\n\nWritten as text: \\:slack{channel=\"x\"} and `::people`.\n",
            ),
        )
}

#[test]
fn data_files_and_shortcodes_make_the_pages() {
    let built = site().build();
    let team = built.page("/team/");
    assert_eq!(
        select_texts(&team, ".people h2"),
        ["Ada Lovelace#", "Grace Hopper#"]
    );
    assert_eq!(select_attrs(&team, ".people h2", "id"), ["ada", "grace"]);
    assert_eq!(
        select_texts(&team, ".data-table th"),
        ["Tool", "Owner", "Url"]
    );
    assert_eq!(
        select_attrs(&team, ".data-table tbody tr", "id"),
        ["slack", "the-engines"]
    );
    assert_eq!(
        select_attrs(&team, ".data-table a", "href"),
        ["https://slack.com", "/engines/"]
    );
    let engines = built.page("/engines/");
    assert_eq!(
        select_attrs(&engines, "a.slack", "href"),
        ["https://example.slack.com/channels/engines"]
    );
    assert_eq!(select_texts(&engines, "a.slack"), ["the engine room"]);
    let callouts = select(&engines, ".callout");
    assert_eq!(callouts.len(), 2);
    assert_eq!(
        select_texts(&engines, ".callout-title"),
        ["Before you start the engine", "Tip"]
    );
    assert_eq!(
        select_attrs(&engines, ".callout", "class"),
        ["callout callout-warning", "callout callout-tip"]
    );
    assert_eq!(
        select_attrs(&engines, ".video-play", "href"),
        ["https://www.youtube.com/watch?v=dQw4w9WgXcQ"]
    );
    // Nothing is loaded from YouTube until the link is clicked.
    assert!(select(&engines, "iframe").is_empty());
    assert_eq!(select_texts(&engines, ".figure figcaption"), ["The engine"]);
    assert_eq!(select_attrs(&engines, ".figure img", "alt"), ["An engine"]);
    let text = select_texts(&engines, ".prose p").join("\n");
    assert!(
        text.contains("Written as text: :slack{channel=“x”} and ::people."),
        "{text}"
    );
}

#[test]
fn a_shortcodes_headings_are_in_the_table_of_contents_and_the_search_index() {
    let built = site().build();
    let team = built.page("/team/");
    assert_eq!(
        select_attrs(&team, ".toc a", "href"),
        ["#ada", "#grace", "#tools"]
    );
    let engines = built.page("/engines/");
    assert_eq!(
        select_attrs(&engines, ".toc a", "href"),
        ["#inside-a-callout"]
    );
    // The search index has a record for each person, with the text under them.
    let records = search_records(&built.out.join("_search"), "/team/");
    assert!(
        records.contains(&(
            "ada".into(),
            "Ada Lovelace".into(),
            "Engine lead (pages)".into()
        )),
        "{records:?}"
    );
}

/// The records (anchor, heading, text) of the page at `url` in the search index at `dir`.
fn search_records(dir: &Path, url: &str) -> Vec<(String, String, String)> {
    for entry in std::fs::read_dir(dir.join("p")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let file: serde_json::Value = serde_json::from_str(&text).unwrap();
        if file["u"] == url {
            return file["r"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let s = |i: usize| r[i].as_str().unwrap_or_default().to_string();
                    (s(0), s(1), s(2))
                })
                .collect();
        }
    }
    panic!("no page {url} in the search index");
}

#[test]
fn links_to_a_shortcodes_anchors_and_links_in_data_files_are_checked() {
    let fixture = site();
    fixture.write(
        "content/engines.md",
        page("Engines", "[Ada](/team/#ada), [nobody](/team/#nobody)."),
    );
    fixture.write(
        "data/team.yml",
        "- id: ada\n  name: Ada\n  role: R\n  page: /engins/\n  profile_url: /team/#nobody\n",
    );
    let errors = fixture.errors();
    assert_eq!(
        errors,
        [
            "content/engines.md:5:29: broken link /team/#nobody: /team/ has no heading #nobody",
            "content/team.md:7:1: broken link /engins/: no page at /engins/ (did you mean /engines/?)",
            "data/team.yml:4:9: broken link /engins/: no page at /engins/ (did you mean /engines/?)\n  help: a link in a data file is read from the handbook's home page: write it from the root, as `/engineering/onboarding/` or `/engineering/onboarding.md`",
            "data/team.yml:5:16: broken link /team/#nobody: /team/ has no heading #nobody\n  help: a link in a data file is read from the handbook's home page: write it from the root, as `/engineering/onboarding/` or `/engineering/onboarding.md`",
        ],
        "{errors:#?}"
    );
}

/// The build's problems once `content/a.md` is `body`, with the site's shortcodes.
fn errors_of(body: &str) -> Vec<String> {
    let fixture = site();
    fixture.write("content/a.md", page("A", body));
    fixture.errors()
}

#[test]
fn mistakes_in_calls_are_reported_where_they_are_with_the_signature() {
    let usage = "help: `figure` is called as ::figure[label?]{src: text, alt: text, caption: text?, width: number?, height: number?}";
    assert_eq!(
        errors_of("Text.\n\n::figur{src=\"x.png\"}\n"),
        [
            "content/a.md:7:1: there is no shortcode `figur`\n  help: did you mean `figure`? the shortcodes are callout, caution, danger, figure, important, note, people, slack, table, tip, video, warning; a new one is a template `templates/shortcodes/figur.html`. To write the call as text, put a backslash before its first colon"
        ]
    );
    assert_eq!(
        errors_of("::figure{src=\"x.png\"}\n"),
        [format!(
            "content/a.md:5:1: `figure` needs the argument `alt`\n  {usage}"
        )]
    );
    assert_eq!(
        errors_of("::figure{src=\"x.png\" alt=\"X\" width=wide}\n"),
        [format!(
            "content/a.md:5:1: `width` of `figure` must be a number, not `wide`\n  {usage}"
        )]
    );
    assert_eq!(
        errors_of("::figure{src=\"x.png\" alt=\"X\" size=3}\n"),
        [format!(
            "content/a.md:5:1: `figure` has no argument `size`\n  {usage}"
        )]
    );
    assert_eq!(
        errors_of(":::figure{src=\"x.png\" alt=\"X\"}\nbody\n:::\n"),
        [format!(
            "content/a.md:5:1: `figure` takes no body: write it on one line, `::figure{{…}}`\n  {usage}"
        )]
    );
    assert_eq!(
        errors_of("Intro.\n\n:::note\nNever closed.\n"),
        [
            "content/a.md:7:1: this shortcode's body is never closed\n  help: end its body with a line of 3 colons, `:::`, at the same indentation"
        ]
    );
    assert_eq!(
        errors_of("::table{data=\"tols\"}\n"),
        [
            "content/a.md:5:1: `data` of `table` names the data file `tols`, which does not exist (the data files are ops.oncall, settings, team, tools)\n  help: `table` is called as ::table[label?]{data: data file, columns: text?, id: text?, caption: text?}"
        ]
    );
    assert_eq!(
        errors_of("::video{title=\"x\"}\n"),
        [
            "content/a.md:5:1: ::video needs one of the arguments youtube, vimeo or src, such as ::video{youtube='ID'}\n  help: see how `video` is called in docs/shortcodes.md"
        ]
    );
    assert_eq!(
        errors_of("Go to :slack{channel}.\n"),
        [
            "content/a.md:5:21: cannot read this shortcode's arguments: expected `=` and a value after `channel`, such as `channel=\"…\"`\n  help: write arguments as `{key=\"value\" other=\"value\"}`"
        ]
    );
    // An unclosed brace or quote is no call: text, as written.
    let fixture = site();
    fixture.write("content/a.md", page("A", "Go :slack{channel=\"x}.\n"));
    let built = fixture.build();
    assert_eq!(
        select_texts(&built.page("/a/"), ".prose p"),
        ["Go :slack{channel=“x}."]
    );
}

#[test]
fn a_broken_shortcode_template_is_reported_at_its_line() {
    let fixture = site();
    fixture.write(
        "templates/shortcodes/people.html",
        "{#- shortcode\n  body: none\n-#}\n<ul>\n{% for p in data.team %}<li>{{ p.name | nope }}</li>{% endfor %}\n</ul>\n",
    );
    let errors = fixture.errors();
    assert!(
        errors.iter().any(|e| e.starts_with("templates/shortcodes/people.html:5:1: the shortcode's template failed: Failed to render 'shortcodes/people.html': Filter 'nope' not found (called from content/team.md:7:1)")),
        "{errors:#?}"
    );
    fixture.write(
        "templates/shortcodes/people.html",
        "{#- shortcode\n  body: none\n-#}\n<ul>\n{% for p in data.team %}<li>{{ p.nme }}</li>{% endfor %}\n</ul>\n",
    );
    let errors = fixture.errors();
    assert!(
        errors.contains(&"templates/shortcodes/people.html:5:1: the shortcode's template failed: Failed to render 'shortcodes/people.html': Variable `p.nme` not found in context while rendering 'shortcodes/people.html' (called from content/team.md:7:1)\n  help: fix the template, or the call's arguments if the template needs another one".to_string()),
        "{errors:#?}"
    );
    fixture.write(
        "templates/shortcodes/people.html",
        "{#- shortcode\n  who: person\n-#}\nx\n",
    );
    assert_eq!(
        fixture.errors(),
        [
            "templates/shortcodes/people.html:2:1: unknown type `person` for `who`: use text, number, boolean, data or `a | b | c`\n  help: a signature is one line per argument after `{#- shortcode`: `name: text`, `number`, `boolean`, `data` or `a | b | c`, then `, optional` or `, default VALUE`; and `body:` or `label:` as `none`, `markdown` or `markdown, optional` (see docs/shortcodes.md)"
        ]
    );
}

#[test]
fn a_malformed_data_file_is_an_error_at_its_line_and_column() {
    for (file, text, expected) in [
        (
            "data/team.yml",
            "- id: ada\n  name: [unclosed\n",
            "data/team.yml:3:1:",
        ),
        (
            "data/tools.csv",
            "name,url\n\"Slack,x\n",
            "data/tools.csv:2:1:",
        ),
        (
            "data/ops/oncall.json",
            "{\"rota\": [1,]}",
            "data/ops/oncall.json:1:13:",
        ),
        (
            "data/settings.toml",
            "[slack]\nchannel = \n",
            "data/settings.toml:2:11:",
        ),
    ] {
        let fixture = site();
        fixture.write(file, text);
        let errors = fixture.errors();
        assert_eq!(errors.len(), 1, "{file}: {errors:#?}");
        assert!(errors[0].starts_with(expected), "{file}: {errors:#?}");
    }
}

/// 18F's handbook keeps its navigation and lists in Jekyll's `_data/`: as `data/`, all six
/// files are read, and the links of its navigation, anchors included, are checked at their
/// line.
#[test]
fn the_18f_handbooks_jekyll_data_reads_as_data_and_its_links_are_checked() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpora/18f-handbook");
    let fixture = Fixture::new()
        .file(
            "handbook.yml",
            "title: 18F Handbook\nbase_url: https://handbook.tts.gsa.gov/\nlinks: warn\n",
        )
        .folder("content", &corpus.join("pages"))
        .folder("data", &corpus.join("_data"))
        .file(
            "templates/shortcodes/offices.html",
            "{#- shortcode\n  body: none\n-#}\n<ul class=\"offices\">{% for item in data.navigation.primary %}<li>{{ item.text }}</li>{% endfor %}</ul>\n",
        )
        .file("content/offices.md", page("Offices", "::offices\n"));
    let built = fixture.build();
    let items = select_texts(&built.page("/offices/"), ".offices li");
    assert!(items.len() > 5 && items[0] == "About TTS", "{items:?}");
    let data_warnings: Vec<String> = built
        .warnings()
        .into_iter()
        .filter(|w| w.starts_with("data/"))
        .collect();
    // Its one broken page link, and the home page's sections that its Eleventy template made
    // from this very file (`href: /#about-tts`): a template of this handbook would have to
    // make them again.
    let help = "\n  help: a link in a data file is read from the handbook's home page: write it from the root, as `/engineering/onboarding/` or `/engineering/onboarding.md`";
    assert_eq!(data_warnings.len(), 11, "{data_warnings:#?}");
    for expected in [
        "data/navigation.yml:290:18: warning: broken link general-information-and-resources/psychological-safety/: no page or file at content/general-information-and-resources/psychological-safety/",
        "data/navigation.yml:3:11: warning: broken link /#about-tts: / has no heading #about-tts",
    ] {
        assert!(
            data_warnings.contains(&format!("{expected}{help}")),
            "no {expected:?} in {data_warnings:#?}"
        );
    }
}

/// A page template that reads `data` gets it; the default theme's do not (they read no data).
#[test]
fn a_layout_that_reads_data_gets_it() {
    let fixture = site()
        .file(
            "templates/contact.html",
            "{% extends \"base.html\" %}{% block content %}<p class=\"channel\">{{ data.settings.slack.channel }}</p>{% endblock %}",
        )
        .file(
            "content/contact.md",
            "---\ntitle: Contact\nlayout: contact\n---\n\nAsk.\n",
        );
    let built = fixture.build();
    assert_eq!(
        select_texts(&built.page("/contact/"), ".channel"),
        ["#help"]
    );
}
