//! Reading `content/`: every Markdown file becomes a [`SourcePage`] (front matter parsed, body
//! kept as text, its shortcode calls listed), every other file an [`Asset`] to copy; and
//! `data/`, the data files ([`data`]).
//!
//! Nothing here knows about URLs or navigation. Positions are kept so that every problem can be
//! reported at its line in the file.

pub mod data;
mod interval;
pub mod mojibake;
pub mod walk;

pub use interval::Interval;

use crate::diagnostics::{Diagnostic, Diagnostics, suggest, yaml_message};
use crate::layout::CONTENT_DIR;
use rayon::prelude::*;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The front matter keys handbook understands.
pub const KNOWN_KEYS: &[&str] = &[
    "title",
    "weight",
    "permalink",
    "layout",
    "subcategory",
    "toc",
    "sidebarDepth",
    "description",
    "draft",
    "aliases",
    "redirect_from",
    "redirect_to",
    "search",
    "review_every",
    "evergreen",
    "anchor_aliases",
];

/// [`KNOWN_KEYS`] mirrors [`FrontMatter`]: a field added to it does not compile until it is
/// named here, and so listed there (the test `every_known_key_is_a_field` checks the names).
const _: fn(FrontMatter) = |front| {
    let FrontMatter {
        title: _,
        weight: _,
        permalink: _,
        layout: _,
        subcategory: _,
        toc: _,
        sidebar_depth: _,
        description: _,
        draft: _,
        aliases: _,
        search: _,
        redirect_to: _,
        review_every: _,
        evergreen: _,
        anchor_aliases: _,
    } = front;
};

/// The typed front matter. Every key is optional.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct FrontMatter {
    #[serde(default, deserialize_with = "scalar_text")]
    pub title: Option<String>,
    pub weight: Option<i64>,
    #[serde(default, deserialize_with = "scalar_text")]
    pub permalink: Option<String>,
    #[serde(default, deserialize_with = "scalar_text")]
    pub layout: Option<String>,
    #[serde(default, deserialize_with = "scalar_text")]
    pub subcategory: Option<String>,
    pub toc: Option<bool>,
    #[serde(rename = "sidebarDepth")]
    pub sidebar_depth: Option<u8>,
    #[serde(default, deserialize_with = "scalar_text")]
    pub description: Option<String>,
    pub draft: Option<bool>,
    /// Old URLs of the page, which redirect to it. `redirect_from` is the Jekyll plugin's name.
    #[serde(default, alias = "redirect_from", deserialize_with = "text_list")]
    pub aliases: Vec<String>,
    /// `search: false` keeps the page out of the search index.
    pub search: Option<bool>,
    /// The page only redirects there (jekyll-redirect-from): a site path or an http(s) URL.
    #[serde(default, deserialize_with = "scalar_text")]
    pub redirect_to: Option<String>,
    /// How long the page may go unchanged before `handbook stale` lists it, instead of
    /// `freshness.review_every` of `handbook.yml`: `3 months`.
    pub review_every: Option<Interval>,
    /// `evergreen: true`: the page never goes stale (a glossary, the company's values).
    pub evergreen: Option<bool>,
    /// Old `#anchors` of the page that still lead to a heading: `{old-id: new-id}`. Links to
    /// an old one keep working after its heading is reworded.
    #[serde(default)]
    pub anchor_aliases: std::collections::BTreeMap<String, String>,
}

/// A Markdown file of `content/`, read and split, not yet placed in the site.
#[derive(Debug, Clone)]
pub struct SourcePage {
    /// Path relative to `content/`, `/`-separated (`engineering/triage.md`).
    pub rel_path: String,
    pub front: FrontMatter,
    /// Front matter line of each key, for errors about its value.
    pub key_lines: Vec<(String, usize)>,
    /// Keys handbook does not know, with their values (`page.extra`).
    pub extra: serde_yaml::Mapping,
    /// The Markdown after the front matter. Shared: `handbook serve` copies pages often.
    pub body: std::sync::Arc<str>,
    /// 1-based line of the file where `body` starts.
    pub body_line: usize,
    /// The text of the first `#` heading, if the body starts with one.
    pub first_heading: Option<String>,
    /// The shortcodes the body calls, with their arguments: what it depends on beside itself
    /// ([`crate::markdown::shortcodes::calls`]).
    pub calls: Vec<(String, Vec<(String, String)>)>,
}

impl SourcePage {
    /// The path as shown in messages: relative to the site root.
    pub fn display_path(&self) -> String {
        format!("{CONTENT_DIR}/{}", self.rel_path)
    }

    /// File name without extension (`triage`).
    pub fn stem(&self) -> &str {
        let name = self.rel_path.rsplit('/').next().unwrap_or(&self.rel_path);
        name.rsplit_once('.').map_or(name, |(stem, _)| stem)
    }

    /// Folder of the page relative to `content/` (`engineering`, or `` at the top).
    pub fn dir(&self) -> &str {
        self.rel_path.rsplit_once('/').map_or("", |(dir, _)| dir)
    }

    /// `index.md` or `_index.md`: the landing page of its folder.
    pub fn is_index(&self) -> bool {
        matches!(self.stem(), "index" | "_index")
    }

    pub fn key_line(&self, key: &str) -> Option<usize> {
        self.key_lines
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, line)| *line)
    }
}

/// A file of `content/` that is not Markdown: copied as it is.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Path relative to `content/`, `/`-separated.
    pub rel_path: String,
    pub source: PathBuf,
}

/// Everything found in `content/`.
#[derive(Debug, Default)]
pub struct Content {
    pub pages: Vec<std::sync::Arc<SourcePage>>,
    pub assets: Vec<Asset>,
    /// The data files of `data/`.
    pub data: data::Data,
}

impl Content {
    /// Whether any page has a fenced code block: then the highlighter is worth loading early.
    pub fn has_code_blocks(&self) -> bool {
        self.pages
            .iter()
            .any(|p| p.body.contains("```") || p.body.contains("~~~"))
    }
}

/// Walks `root/content` and reads every page, in parallel. Drafts are dropped unless `drafts`.
/// `declared` are the site's own front matter keys (`front_matter.keys` of `handbook.yml`).
pub fn load(root: &Path, drafts: bool, declared: &[String], diags: &mut Diagnostics) -> Content {
    let dir = root.join(CONTENT_DIR);
    if !dir.is_dir() {
        diags.push(
            Diagnostic::error(CONTENT_DIR, "there is no content folder")
                .help("create `content/` with an `index.md` for the home page"),
        );
        return Content::default();
    }
    let mut markdown = Vec::new();
    let mut content = Content::default();
    for (rel_path, source) in list_files(root, CONTENT_DIR, diags) {
        if is_markdown(&rel_path) {
            markdown.push((rel_path, source));
        } else {
            content.assets.push(Asset { rel_path, source });
        }
    }
    let results: Vec<PageResult> = markdown
        .into_par_iter()
        .map(|(rel, path)| read_page(rel, &path, declared))
        .collect();
    for result in results {
        match result {
            Ok((page, warnings)) => {
                diags.extend(warnings);
                if drafts || page.front.draft != Some(true) {
                    content.pages.push(std::sync::Arc::new(page));
                }
            }
            Err(problems) => diags.extend(problems),
        }
    }
    content.data = data::load(root, diags);
    content
}

/// A page and its warnings, or its problems (an error, with the warnings found before it).
pub type PageResult = Result<(SourcePage, Vec<Diagnostic>), Vec<Diagnostic>>;

/// Dot files, editor swap and backup files: never content.
pub use crate::source::walk::is_ignored;

pub fn is_markdown(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".md") || lower.ends_with(".markdown")
}

/// Every file under `root/folder`, sorted, as (path relative to the folder, `/`-separated;
/// resolved path to read). Dot files and editor files are skipped, and so are dot folders; in
/// `content/`, so are files and folders whose name starts with `_` ([`is_unpublished`]).
/// Symbolic links, pipes, unreadable entries and names that are not UTF-8 are reported as
/// [`crate::source::walk`] says. Nothing when the folder does not exist.
pub fn list_files(root: &Path, folder: &str, diags: &mut Diagnostics) -> Vec<(String, PathBuf)> {
    if folder == CONTENT_DIR {
        crate::source::walk::list(root, folder, &is_unpublished, diags)
    } else {
        crate::source::walk::list(root, folder, &|_| false, diags)
    }
}

/// A file or folder of `content/` whose name (or a folder's on its path) starts with `_`, other
/// than `_index.md`: drafts, old copies, includes and data, as in Jekyll. Not published.
pub fn is_unpublished(rel: &str) -> bool {
    let mut names = rel.split('/').peekable();
    while let Some(name) = names.next() {
        let last = names.peek().is_none();
        if name.starts_with('_') && !(last && is_index_name(name)) {
            return true;
        }
    }
    false
}

/// `_index.md` (or `.markdown`, any case of the extension): a folder's landing page.
fn is_index_name(name: &str) -> bool {
    name.rsplit_once('.')
        .is_some_and(|(stem, _)| stem == "_index" && is_markdown(name))
}

/// Reads and parses one page. `declared` are the site's own front matter keys
/// (`front_matter.keys` of `handbook.yml`).
pub fn read_page(rel_path: String, path: &Path, declared: &[String]) -> PageResult {
    let shown = format!("{CONTENT_DIR}/{rel_path}");
    let bytes = crate::source::walk::read(path).map_err(|err| {
        vec![Diagnostic::error(
            &shown,
            format!("cannot read the file: {err}"),
        )]
    })?;
    let text = decode(&shown, bytes).map_err(|d| vec![d])?;
    parse_page(rel_path, &text, declared)
}

/// UTF-8 with an optional BOM; anything else is reported at the first bad byte.
fn decode(shown: &str, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    let text = String::from_utf8(bytes).map_err(|err| {
        let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
        let (line, col) = crate::diagnostics::position_after(valid);
        let binary = err.as_bytes().iter().take(8000).any(|&b| b == 0);
        let message = if binary {
            "this looks like a binary file, not Markdown"
        } else {
            "the file is not valid UTF-8 text"
        };
        Diagnostic::error(shown, message)
            .at(line, col)
            .help(if binary {
                "give it another extension than .md, or move it out of content/"
            } else {
                "save the file with UTF-8 encoding"
            })
    })?;
    if text.contains('\0') {
        let (line, col) =
            crate::diagnostics::position_after(&text.as_bytes()[..text.find('\0').unwrap_or(0)]);
        return Err(
            Diagnostic::error(shown, "this looks like a binary file, not Markdown")
                .at(line, col)
                .help("give it another extension than .md, or move it out of content/"),
        );
    }
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// Splits and parses one page's text. Returns the page and its warnings, or its error with
/// the warnings found before it.
pub fn parse_page(rel_path: String, text: &str, declared: &[String]) -> PageResult {
    let shown = format!("{CONTENT_DIR}/{rel_path}");
    let split = split_front_matter(text).map_err(|d| {
        vec![Diagnostic {
            path: shown.clone(),
            ..d
        }]
    })?;
    let mut warnings: Vec<Diagnostic> = crate::source::mojibake::find(text)
        .into_iter()
        .map(|m| {
            Diagnostic::warning(
                shown.clone(),
                format!(
                    "mojibake: `{}` should read `{}` (UTF-8 text that was once read as Windows-1252)",
                    m.found, m.repaired
                ),
            )
            .at(m.line, m.column)
            .help("`handbook check --fix` repairs it in every page, changing nothing else")
        })
        .collect();
    let (front, key_lines, extra) = match split.yaml {
        Some(yaml) => match parse_front_matter(&shown, yaml, declared, &mut warnings) {
            Ok(parsed) => parsed,
            Err(error) => {
                warnings.push(error);
                return Err(warnings);
            }
        },
        None => Default::default(),
    };
    let body: std::sync::Arc<str> = split.body.into();
    // Only a page without a `title` needs its heading as the title.
    let first_heading = match front.title {
        Some(_) => None,
        None => crate::markdown::leading_h1(&body),
    };
    let calls = crate::markdown::shortcodes::calls(&body)
        .into_iter()
        .map(|(name, args)| (name.to_string(), args))
        .collect();
    let page = SourcePage {
        rel_path,
        front,
        key_lines,
        extra,
        body,
        body_line: split.body_line,
        first_heading,
        calls,
    };
    Ok((page, warnings))
}

struct Split<'a> {
    yaml: Option<&'a str>,
    body: &'a str,
    body_line: usize,
}

/// Front matter is YAML between a first line `---` and the next line that is `---` (or `...`).
fn split_front_matter(text: &str) -> Result<Split<'_>, Diagnostic> {
    let no_front = Split {
        yaml: None,
        body: text,
        body_line: 1,
    };
    let first_line = text.split('\n').next().unwrap_or("");
    if first_line.trim_end() != "---" {
        return Ok(no_front);
    }
    let yaml_start = first_line.len() + 1;
    let mut offset = yaml_start.min(text.len());
    for (line_no, line) in (2..).zip(text[offset..].split_inclusive('\n')) {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            return Ok(Split {
                yaml: Some(&text[yaml_start.min(offset)..offset]),
                body: &text[offset + line.len()..],
                body_line: line_no + 1,
            });
        }
        offset += line.len();
    }
    Err(Diagnostic::error("", "front matter is not closed: `---` on line 1 has no closing `---` line")
        .at(1, 1)
        .help("add a line `---` after the last front matter line, or remove the first line if this page has no front matter"))
}

type Parsed = (FrontMatter, Vec<(String, usize)>, serde_yaml::Mapping);

fn parse_front_matter(
    shown: &str,
    yaml: &str,
    declared: &[String],
    warnings: &mut Vec<Diagnostic>,
) -> Result<Parsed, Diagnostic> {
    // The YAML starts on line 2 of the file.
    const LINE_SHIFT: usize = 1;
    let key_lines = top_level_keys(yaml, LINE_SHIFT + 1);
    if key_lines.is_empty()
        && yaml
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Ok((FrontMatter::default(), key_lines, Default::default()));
    }
    let unknown: Vec<&(String, usize)> = key_lines
        .iter()
        .filter(|(k, _)| !KNOWN_KEYS.contains(&k.as_str()))
        .collect();
    // Warnings first: a typo'd key is worth knowing about even when another line is wrong.
    warnings.extend(
        unknown
            .iter()
            .filter_map(|(key, line)| misspelt_key(shown, key, *line, declared)),
    );
    let front: FrontMatter = serde_yaml::from_str(yaml).map_err(|err| {
        let (line, col) = err
            .location()
            .map_or((2, 1), |l| (l.line() + LINE_SHIFT, l.column()));
        front_matter_error(shown, &err, line, col, &key_lines)
    })?;
    let mut extra = serde_yaml::Mapping::new();
    // Only pages with unknown keys pay for a second, untyped parse.
    if !unknown.is_empty()
        && let Ok(serde_yaml::Value::Mapping(map)) = serde_yaml::from_str(yaml)
    {
        extra = map
            .into_iter()
            .filter(|(k, _)| k.as_str().is_some_and(|k| !KNOWN_KEYS.contains(&k)))
            .collect();
    }
    Ok((front, key_lines, extra))
}

/// A warning for a key handbook does not know that looks like a misspelling of one it knows
/// (`wieght`, `Title`) or of one of the site's own (`front_matter.keys` in `handbook.yml`).
/// Any other key is the site's own business: real handbooks carry `keywords`, `questions`,
/// `subtitle`... on purpose, and hundreds of warnings about them would hide the real ones.
fn misspelt_key(shown: &str, key: &str, line: usize, declared: &[String]) -> Option<Diagnostic> {
    if declared.iter().any(|d| d == key) {
        return None;
    }
    let candidates = KNOWN_KEYS
        .iter()
        .copied()
        .chain(declared.iter().map(String::as_str));
    let near = suggest(key, candidates)?;
    // Two letters off a three-letter key is another word (`tag` is not `toc`).
    let distance = strsim::damerau_levenshtein(&key.to_lowercase(), &near.to_lowercase());
    if near.len() <= 4 && distance > 1 {
        return None;
    }
    Some(
        Diagnostic::warning(shown, format!("unknown front matter key `{key}`"))
            .at(line, 1)
            .help(format!(
                "did you mean `{near}`? If `{key}` is one of your own keys, declare it in \
                 handbook.yml as `front_matter: {{keys: [{key}]}}`; templates read its value as \
                 `page.extra.{key}`"
            )),
    )
}

/// `key:` lines at the start of a line, with their file line numbers.
fn top_level_keys(yaml: &str, first_line: usize) -> Vec<(String, usize)> {
    yaml.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let first = line.chars().next()?;
            if first.is_whitespace() || matches!(first, '#' | '-' | '[' | '{' | '"' | '\'') {
                return None;
            }
            let (key, _) = line.split_once(':')?;
            let key = key.trim_end();
            (!key.is_empty()).then(|| (key.to_string(), first_line + i))
        })
        .collect()
}

/// Turns serde_yaml's wording into a contributor's: which key, what it must be, what was found.
fn front_matter_error(
    shown: &str,
    err: &serde_yaml::Error,
    line: usize,
    col: usize,
    key_lines: &[(String, usize)],
) -> Diagnostic {
    let message = yaml_message(err);
    // serde_yaml prefixes most value errors with the key; otherwise it is the key on the line.
    let (key, problem) = match message.split_once(": ") {
        Some((key, rest)) if KNOWN_KEYS.contains(&key) => (Some(key), rest),
        _ => (
            key_lines
                .iter()
                .rev()
                .find(|(_, l)| *l <= line)
                .map(|(k, _)| k.as_str()),
            message.as_str(),
        ),
    };
    let found = problem
        .strip_prefix("invalid type: ")
        .or_else(|| problem.strip_prefix("invalid value: "))
        .map(|rest| rest.split(", expected").next().unwrap_or(rest));
    match (key, found) {
        (Some(key), Some(found)) if KNOWN_KEYS.contains(&key) => {
            let (expected, example) = expectation(key);
            let line = key_lines
                .iter()
                .find(|(k, _)| k == key)
                .map_or(line, |(_, l)| *l);
            Diagnostic::error(shown, format!("`{key}` must be {expected}, found {found}"))
                .at(line, col)
                .help(format!("write it like `{key}: {example}`"))
        }
        (_, Some(_)) => Diagnostic::error(shown, "front matter must be `key: value` lines")
            .at(line, col)
            .help("write each setting on its own line, like `title: Release process`"),
        _ => {
            let (what, help) = yaml_syntax_problem(&message);
            Diagnostic::error(shown, format!("front matter is not valid YAML: {what}"))
                .at(line, col)
                .help(help)
        }
    }
}

/// libyaml's wording for the common mistakes, said the way a contributor would understand it.
fn yaml_syntax_problem(message: &str) -> (String, &'static str) {
    if message.contains("unexpected end of stream") {
        return (
            "the front matter ends inside a quoted value or a list".into(),
            "a closing quote (`\"` or `'`) or bracket is missing above this line",
        );
    }
    if message.contains("cannot start any token") {
        return (
            "a line starts with a character YAML does not accept there".into(),
            "indent with spaces, not tabs, and put values that start with `@`, `%` or a backtick in quotes",
        );
    }
    if message.contains("mapping values are not allowed") {
        return (
            "a value contains `: `".into(),
            "put the whole value in quotes, like `title: \"Setup: the basics\"`",
        );
    }
    if let Some(key) = message.strip_prefix("duplicate field ") {
        return (format!("{key} is set twice"), "keep one of the two lines");
    }
    (
        message.to_string(),
        "check the quoting and indentation of this line; text with `: ` or `#` in it needs quotes",
    )
}

fn expectation(key: &str) -> (&'static str, &'static str) {
    match key {
        "weight" => ("a whole number", "10"),
        "toc" | "draft" => ("true or false", "false"),
        "sidebarDepth" => ("a whole number from 0 to 6", "2"),
        "evergreen" => ("true or false", "true"),
        "review_every" => ("a span of time (days, weeks, months or years)", "3 months"),
        "anchor_aliases" => ("old ids and the ids they lead to", "{old-id: new-id}"),
        _ => ("text", "Some text"),
    }
}

/// Accepts any scalar as text (`title: 2024` is the title "2024"); lists and maps are errors.
/// One text or a list of texts (`aliases: /old/` or `aliases: [/old/, /older/]`).
fn text_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    use serde::de::Error;
    let text = |value: serde_yaml::Value| match value {
        serde_yaml::Value::String(s) => Ok(s),
        serde_yaml::Value::Number(n) => Ok(n.to_string()),
        _ => Err(D::Error::invalid_type(
            serde::de::Unexpected::Other("a list or a map inside the list"),
            &"a URL",
        )),
    };
    match Option::<serde_yaml::Value>::deserialize(d)? {
        None | Some(serde_yaml::Value::Null) => Ok(Vec::new()),
        Some(serde_yaml::Value::Sequence(items)) => items.into_iter().map(text).collect(),
        Some(serde_yaml::Value::Mapping(_)) => Err(D::Error::invalid_type(
            serde::de::Unexpected::Map,
            &"a URL or a list of URLs",
        )),
        Some(other) => Ok(vec![text(other)?]),
    }
}

fn scalar_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    use serde::de::Error;
    match Option::<serde_yaml::Value>::deserialize(d)? {
        None | Some(serde_yaml::Value::Null) => Ok(None),
        Some(serde_yaml::Value::String(s)) => Ok(Some(s)),
        Some(serde_yaml::Value::Number(n)) => Ok(Some(n.to_string())),
        Some(serde_yaml::Value::Bool(b)) => Ok(Some(b.to_string())),
        Some(_) => Err(D::Error::invalid_type(
            serde::de::Unexpected::Other("a list or a map"),
            &"text",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_key_is_a_field() {
        for key in KNOWN_KEYS {
            let value = match *key {
                "weight" => "3",
                "toc" | "draft" | "search" | "evergreen" => "true",
                "sidebarDepth" => "2",
                "review_every" => "3 months",
                "anchor_aliases" => "{old: new}",
                _ => "x",
            };
            let front: FrontMatter = serde_yaml::from_str(&format!("{key}: {value}")).unwrap();
            assert_ne!(
                front,
                FrontMatter::default(),
                "`{key}` is not a key of FrontMatter"
            );
        }
    }

    /// The page and its warnings, or the page's error (its warnings dropped).
    fn parse(text: &str) -> Result<(SourcePage, Vec<Diagnostic>), Diagnostic> {
        parse_page("a.md".into(), text, &[]).map_err(|problems| {
            problems
                .into_iter()
                .find(Diagnostic::is_error)
                .expect("an error among the problems")
        })
    }

    #[test]
    fn splits_front_matter_and_keeps_body_line() {
        let (page, warnings) = parse("---\ntitle: T\nweight: 3\n---\n\nBody\n").unwrap();
        assert!(warnings.is_empty());
        assert_eq!(page.front.title.as_deref(), Some("T"));
        assert_eq!(page.front.weight, Some(3));
        assert_eq!(&*page.body, "\nBody\n");
        assert_eq!(page.body_line, 5);
    }

    #[test]
    fn a_page_without_front_matter_is_a_page() {
        let (page, _) = parse("# Hello\n\ntext").unwrap();
        assert!(page.front.title.is_none());
        assert_eq!(page.first_heading.as_deref(), Some("Hello"));
    }

    #[test]
    fn wrong_types_are_errors_at_the_key() {
        let err = parse("---\ntitle: T\nweight: first\n---\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "content/a.md:3:9: `weight` must be a whole number, found string \"first\"\n  help: write it like `weight: 10`"
        );
    }

    #[test]
    fn only_keys_that_look_like_typos_warn_and_all_land_in_extra() {
        let (page, warnings) =
            parse("---\nwieght: 2\nauthor: Ann\nTitle: X\ntag: a\nkeywords: [a]\n---\n").unwrap();
        let shown: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "content/a.md:2:1: warning: unknown front matter key `wieght`\n  help: did you mean `weight`? If `wieght` is one of your own keys, declare it in handbook.yml as `front_matter: {keys: [wieght]}`; templates read its value as `page.extra.wieght`",
                "content/a.md:4:1: warning: unknown front matter key `Title`\n  help: did you mean `title`? If `Title` is one of your own keys, declare it in handbook.yml as `front_matter: {keys: [Title]}`; templates read its value as `page.extra.Title`",
            ]
        );
        assert_eq!(page.extra.len(), 5);
    }

    #[test]
    fn declared_keys_never_warn_and_their_typos_do() {
        let declared = ["questions".to_string(), "wieght".to_string()];
        let (_, warnings) = parse_page(
            "a.md".into(),
            "---\nwieght: 2\nquestion: [a]\nquestions: [b]\n---\n",
            &declared,
        )
        .unwrap();
        let shown: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 1, "{shown:?}");
        assert!(
            shown[0].starts_with("content/a.md:3:1: warning: unknown front matter key `question`\n  help: did you mean `questions`?"),
            "{shown:?}"
        );
    }

    #[test]
    fn a_page_with_an_error_keeps_its_warnings() {
        let problems =
            parse_page("a.md".into(), "---\nwieght: 1\ntitle: \"open\n---\n", &[]).unwrap_err();
        let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 2);
        assert!(
            shown[0].starts_with("content/a.md:2:1: warning: unknown front matter key `wieght`")
        );
        assert_eq!(
            shown[1],
            "content/a.md:4:1: front matter is not valid YAML: the front matter ends inside a quoted value or a list\n  help: a closing quote (`\"` or `'`) or bracket is missing above this line"
        );
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        let err = parse("---\ntitle: x\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("content/a.md:1:1: front matter is not closed")
        );
    }

    #[test]
    fn empty_and_odd_inputs_do_not_panic() {
        for text in [
            "",
            "---",
            "---\n",
            "---\n---",
            "---\n---\n",
            "\u{feff}",
            "---\n- a\n---\n",
            "---\n: :\n---\n",
            "---\ntitle: [1\n---\n",
        ] {
            let _ = parse(text);
        }
    }

    #[test]
    fn names_starting_with_an_underscore_are_unpublished_but_index_pages() {
        for rel in [
            "_draft.md",
            "_old/page.md",
            "guide/_include.md",
            "_data/a.png",
            "_drafts/_index.md",
        ] {
            assert!(is_unpublished(rel), "{rel}");
        }
        for rel in [
            "_index.md",
            "guide/_index.md",
            "guide/_index.markdown",
            "a_b.md",
            "guide/x_.png",
        ] {
            assert!(!is_unpublished(rel), "{rel}");
        }
    }

    #[test]
    fn reports_invalid_utf8_at_its_position() {
        let err = decode("content/a.md", b"ok\nab\xff".to_vec()).unwrap_err();
        assert_eq!(err.position, Some((2, 3)));
    }
}
