//! Tera templates: loading (the built-in theme, overridden by `templates/`), the typed contexts
//! pages are rendered with (in `context.rs`), and rendering. Contexts borrow from the [`Site`];
//! nothing here reads values back out of a Tera context.

pub mod assets;
mod context;
pub mod recent;
pub mod shortcodes;
pub mod theme;

pub use context::{
    AnnouncementView, Assets, ChangesContext, Link, NavItem, NotFoundContext, PageContext,
    PageView, RecentContext, ReviewBanner, SearchView, SiteView, UpdatedView, age_text, nav_item,
    page_context,
};

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::extras::Extras;
use crate::layout::TEMPLATES_DIR;
use crate::site::{NodeId, SidebarScope, Site};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use tera::{Context, Tera};

pub struct Templates {
    tera: Tera,
    /// Changes whenever any template's text changes.
    pub fingerprint: u128,
    /// Names usable as `layout:` (top-level templates, without `.html`).
    pub layouts: BTreeSet<String>,
    /// What the listing of `templates/` warns about (a named pipe, skipped).
    pub warnings: Vec<Diagnostic>,
    /// Each template's text, by name, with the path shown in messages.
    pub sources: BTreeMap<String, (String, String)>,
    /// The shortcodes (`templates/shortcodes/`), by name.
    pub shortcodes: BTreeMap<String, shortcodes::Shortcode>,
    /// Whether a template other than a shortcode's reads `data`: then pages get it too.
    pub pages_use_data: bool,
}

/// Loads the built-in theme, then every file of `root/templates` over it.
pub fn load(root: &Path) -> Result<Templates, Vec<Diagnostic>> {
    load_after(root, None)
}

/// [`load`], after `previous` was loaded from the same folder: when the same templates are
/// there, only those whose text changed are parsed again (`handbook serve`: parsing every
/// template took most of the time of a shortcode's edit).
pub fn reload(root: &Path, previous: &Templates) -> Result<Templates, Vec<Diagnostic>> {
    load_after(root, Some(previous))
}

fn load_after(root: &Path, previous: Option<&Templates>) -> Result<Templates, Vec<Diagnostic>> {
    let (sources, warnings, problems) = read_sources(root);
    from_sources(root, sources, warnings, problems, previous)
}

/// The templates of `sources` (by name), with the warnings and problems of reading them.
fn from_sources(
    root: &Path,
    sources: BTreeMap<String, String>,
    warnings: Vec<Diagnostic>,
    mut problems: Vec<Diagnostic>,
    previous: Option<&Templates>,
) -> Result<Templates, Vec<Diagnostic>> {
    problems.extend(reference_cycles(root, &sources));
    let (shortcodes, signature_problems) =
        shortcodes::shortcodes(&sources, &|name| template_path(root, name));
    problems.extend(signature_problems);
    let pages_use_data = sources.iter().any(|(name, text)| {
        !name.starts_with(shortcodes::FOLDER)
            && shortcodes::data_read(text).is_none_or(|read| !read.is_empty())
    });
    if !problems.is_empty() {
        problems.extend(warnings);
        return Err(problems);
    }
    let tera = match previous {
        Some(previous) => recompile(root, previous, &sources),
        None => compile(root, &sources),
    };
    let tera = match tera {
        Ok(tera) => tera,
        Err(problem) => {
            let mut problems = vec![problem];
            problems.extend(warnings);
            return Err(problems);
        }
    };
    let fingerprint = fingerprint(&sources);
    let layouts = layouts(&sources);
    let sources = sources
        .into_iter()
        .map(|(name, text)| {
            let shown = template_path(root, &name);
            (name, (shown, text))
        })
        .collect();
    Ok(Templates {
        tera,
        fingerprint,
        layouts,
        warnings,
        sources,
        shortcodes,
        pages_use_data,
    })
}

/// The text of each template by name: the built-in theme's, replaced or added to by the files
/// of `root/templates`; with the warnings and the problems of listing and reading them.
fn read_sources(root: &Path) -> (BTreeMap<String, String>, Vec<Diagnostic>, Vec<Diagnostic>) {
    let mut sources = theme_sources();
    let mut found = crate::diagnostics::Diagnostics::default();
    let files = crate::source::list_files(root, TEMPLATES_DIR, &mut found);
    let (warnings, mut problems): (Vec<Diagnostic>, Vec<Diagnostic>) =
        found.into_iter().partition(|d| !d.is_error());
    for (name, path) in files {
        match crate::source::walk::read_to_string(&path) {
            Ok(text) => {
                sources.insert(name, text);
            }
            Err(err) => problems.push(Diagnostic::error(
                format!("{TEMPLATES_DIR}/{name}"),
                format!("cannot read the template: {err}"),
            )),
        }
    }
    (sources, warnings, problems)
}

/// A hash of every template's name and text, which changes whenever any of them does.
fn fingerprint(sources: &BTreeMap<String, String>) -> u128 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    for (name, text) in sources {
        hasher.update(name.as_bytes());
        hasher.update(&[0]);
        hasher.update(text.as_bytes());
        hasher.update(&[0]);
    }
    hasher.digest128()
}

/// Tera with every template parsed, escaping HTML; `Err` is the first syntax error.
fn compile(root: &Path, sources: &BTreeMap<String, String>) -> Result<Tera, Diagnostic> {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html"]);
    // Tera's default escaper also escapes `/`, which makes every URL unreadable and hides the
    // sidebar's links from `mark_current`. `& < > " '` are all HTML needs.
    tera.set_escape_fn(escape_html);
    // Tera's own versions come with its `builtins` feature and its dependencies.
    tera.register_filter("slugify", slugify_filter);
    tera.register_filter("urlencode_strict", urlencode_filter);
    tera.add_raw_templates(sources.iter().map(|(n, t)| (n.as_str(), t.as_str())))
        .map_err(|err| template_error(root, &err))?;
    Ok(tera)
}

/// [`compile`], from `previous`'s parsed templates when `sources` has the same names: only the
/// templates whose text changed are parsed.
fn recompile(
    root: &Path,
    previous: &Templates,
    sources: &BTreeMap<String, String>,
) -> Result<Tera, Diagnostic> {
    let same_names = previous.sources.len() == sources.len()
        && previous
            .sources
            .keys()
            .zip(sources.keys())
            .all(|(a, b)| a == b);
    if !same_names {
        return compile(root, sources);
    }
    let changed: Vec<(&str, &str)> = sources
        .iter()
        .filter(|(name, text)| previous.sources.get(*name).map(|s| &s.1) != Some(*text))
        .map(|(name, text)| (name.as_str(), text.as_str()))
        .collect();
    let mut tera = previous.tera.clone();
    if !changed.is_empty() {
        tera.add_raw_templates(changed)
            .map_err(|err| template_error(root, &err))?;
    }
    Ok(tera)
}

/// Names usable as `layout:`: the top-level `.html` templates but those of special pages.
fn layouts(sources: &BTreeMap<String, String>) -> BTreeSet<String> {
    sources
        .keys()
        .filter(|name| !name.contains('/') && name.ends_with(".html"))
        .filter(|name| {
            !matches!(
                name.as_str(),
                "base.html" | "404.html" | "changes.html" | "search.html" | "recent-changes.html"
            )
        })
        .map(|name| name.trim_end_matches(".html").to_string())
        .collect()
}

/// The built-in theme alone: what `handbook serve` falls back to while a site's templates are
/// broken.
pub fn builtin() -> Templates {
    // From the theme alone, without reading any folder: the site's may be what is broken.
    from_sources(Path::new(""), theme_sources(), Vec::new(), Vec::new(), None)
        .expect("the built-in theme's templates are valid (a test loads them)")
}

/// The built-in theme's templates, by name.
fn theme_sources() -> BTreeMap<String, String> {
    theme::TEMPLATES
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect()
}

/// A filter's value as text: a string as it is, anything else as JSON.
fn filter_text(value: &tera::Value) -> std::borrow::Cow<'_, str> {
    match value {
        tera::Value::String(s) => s.as_str().into(),
        other => other.to_string().into(),
    }
}

/// `{{ name | slugify }}`: the id a heading of that text would get.
fn slugify_filter(
    value: &tera::Value,
    _: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let text = filter_text(value);
    Ok(tera::Value::String(crate::markdown::headings::slugify(
        &text,
    )))
}

/// `{{ id | urlencode_strict }}`: every character but letters, digits and `-._~` escaped.
fn urlencode_filter(
    value: &tera::Value,
    _: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let text = filter_text(value);
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    Ok(tera::Value::String(
        percent_encoding::utf8_percent_encode(&text, SET).to_string(),
    ))
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    crate::markdown::highlight::escape_into(&mut out, text);
    out
}

/// Templates that include, import or extend themselves, directly or through others: Tera would
/// recurse until the program's stack overflows, so they are refused before Tera sees them.
fn reference_cycles(root: &Path, sources: &BTreeMap<String, String>) -> Vec<Diagnostic> {
    let references: BTreeMap<&str, Vec<String>> = sources
        .iter()
        .map(|(name, text)| (name.as_str(), referenced_templates(text)))
        .collect();
    let mut problems = Vec::new();
    for start in references.keys() {
        // Depth-first from `start`, looking for a way back to it.
        let mut stack: Vec<(&str, Vec<&str>)> = vec![(start, vec![start])];
        let mut seen = BTreeSet::new();
        while let Some((name, path)) = stack.pop() {
            for next in references.get(name).into_iter().flatten() {
                if next == start {
                    let mut chain = path.clone();
                    chain.push(next);
                    problems.push(
                        Diagnostic::error(template_path(root, start), format!("this template uses itself: {}", chain.join(" → ")))
                            .help("a template may not include, import or extend itself, directly or through other templates"),
                    );
                    stack.clear();
                    break;
                }
                if seen.insert(next.as_str()) {
                    let mut longer = path.clone();
                    longer.push(next);
                    stack.push((next, longer));
                }
            }
        }
    }
    problems
}

/// The names in `{% include "x" %}`, `{% import "x" as y %}` and `{% extends "x" %}`.
fn referenced_templates(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for keyword in ["include", "import", "extends"] {
        for (i, _) in text.match_indices(keyword) {
            let rest = text[i + keyword.len()..].trim_start();
            let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            if let Some(name) = rest[1..].split(quote).next() {
                names.push(name.to_string());
            }
        }
    }
    names
}

fn template_path(root: &Path, name: &str) -> String {
    if root.join(TEMPLATES_DIR).join(name).is_file() {
        format!("{TEMPLATES_DIR}/{name}")
    } else {
        format!("{TEMPLATES_DIR}/{name} (built-in theme)")
    }
}

/// A parse error, at the template and line Tera names when it names them.
fn template_error(root: &Path, err: &tera::Error) -> Diagnostic {
    let chain = cause_chain(err);
    let name = chain
        .split('\'')
        .nth(1)
        .or_else(|| chain.split('"').nth(1))
        .unwrap_or("");
    let path = template_path(root, name);
    // Tera's first line names the template; pest's `= expected ...` line says what is wrong.
    let what = chain
        .lines()
        .filter_map(|l| l.trim().strip_prefix("= "))
        .next()
        .map(str::to_string)
        .unwrap_or_else(|| chain.lines().next().unwrap_or("").to_string());
    let mut d = Diagnostic::error(path, format!("template syntax error: {what}"))
        .help("see https://keats.github.io/tera/docs/ for the template syntax");
    if let Some((line, col)) = pest_position(&chain) {
        d = d.at(line, col);
    }
    d
}

/// `--> 3:15` in a pest error message.
fn pest_position(text: &str) -> Option<(usize, usize)> {
    let rest = text.split("--> ").nth(1)?;
    let (line, rest) = rest.split_once(':')?;
    let col: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((line.trim().parse().ok()?, col.parse().ok()?))
}

/// Tera keeps the useful part of an error in its sources: print all of them.
pub fn cause_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl Templates {
    pub fn render(&self, name: &str, context: &impl Serialize) -> Result<String, String> {
        let context = Context::from_serialize(context).map_err(|e| cause_chain(&e))?;
        self.tera
            .render(name, &context)
            .map_err(|e| cause_chain(&e))
    }
}

/// What `partials/sidebar.html` is rendered from for one navigation group.
#[derive(Serialize)]
pub struct SidebarContext<'a> {
    site: SiteView<'a>,
    nav: Vec<NavItem<'a>>,
    config: &'a Config,
}

impl SidebarContext<'_> {
    /// A digest of this context and `salt` (the templates and the program): equal digests,
    /// equal sidebars.
    pub fn digest(&self, salt: u128) -> u128 {
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        hasher.update(&salt.to_le_bytes());
        hash_json(&mut hasher, self);
        hasher.digest128()
    }
}

/// Feeds `value` as JSON into `hasher`. It is written into a buffer of the thread first: the
/// serializer writes a few bytes at a time, and a hasher fed a few bytes at a time is several
/// times slower than one fed the whole.
pub fn hash_json(hasher: &mut xxhash_rust::xxh3::Xxh3, value: &impl Serialize) {
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUFFER.with_borrow_mut(|buffer| {
        buffer.clear();
        if serde_json::to_writer(&mut *buffer, value).is_ok() {
            hasher.update(buffer);
        }
        // A buffer grown large once (a huge configuration) is not kept.
        if buffer.capacity() > 1 << 20 {
            *buffer = Vec::new();
        }
    });
}

/// The context of the sidebar of one navigation group (`scope`): every top-level entry, with
/// the scope and its ancestors expanded.
pub fn sidebar_context<'a>(
    site: &'a Site,
    extras: &'a Extras,
    scope: &SidebarScope,
) -> SidebarContext<'a> {
    let active: HashSet<NodeId> = site
        .ancestry(scope.node)
        .into_iter()
        .filter(|&n| n != site.root)
        .collect();
    let nav = site.nodes[site.root]
        .children
        .iter()
        .map(|&c| nav_item(site, extras, c, &active, Some(scope)))
        .collect();
    SidebarContext {
        site: SiteView::new(site, extras),
        nav,
        config: &site.config,
    }
}

/// The sidebar of one navigation group (`scope`).
pub fn render_sidebar(
    site: &Site,
    extras: &Extras,
    templates: &Templates,
    scope: &SidebarScope,
) -> Result<String, String> {
    templates.render(
        "partials/sidebar.html",
        &sidebar_context(site, extras, scope),
    )
}

/// Marks the link to the current page in a shared sidebar: the last one, the deepest entry (a
/// folder whose address redirects to the page links there too).
pub fn mark_current(sidebar: &str, url: &str) -> String {
    let needle = format!("href=\"{url}\"");
    match memchr::memmem::rfind(sidebar.as_bytes(), needle.as_bytes()) {
        Some(i) => {
            let end = i + needle.len();
            let mut out = String::with_capacity(sidebar.len() + 24);
            out.push_str(&sidebar[..end]);
            out.push_str(" aria-current=\"page\"");
            out.push_str(&sidebar[end..]);
            out
        }
        None => sidebar.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_only_the_exact_current_link() {
        let html = r#"<a href="/a/b/">B</a><a href="/a/">A</a>"#;
        assert_eq!(
            mark_current(html, "/a/"),
            r#"<a href="/a/b/">B</a><a href="/a/" aria-current="page">A</a>"#
        );
        assert_eq!(mark_current(html, "/zzz/"), html);
    }

    #[test]
    fn refuses_templates_that_use_themselves() {
        let sources = BTreeMap::from([
            ("a.html".to_string(), "{% include \"b.html\" %}".to_string()),
            (
                "b.html".to_string(),
                "{%- import 'a.html' as a -%}".to_string(),
            ),
            (
                "c.html".to_string(),
                "{% extends \"base.html\" %}".to_string(),
            ),
        ]);
        let problems: Vec<String> = reference_cycles(Path::new("/nonexistent"), &sources)
            .iter()
            .map(|d| d.to_string())
            .collect();
        assert_eq!(
            problems,
            [
                "templates/a.html (built-in theme): this template uses itself: a.html → b.html → a.html\n  help: a template may not include, import or extend itself, directly or through other templates",
                "templates/b.html (built-in theme): this template uses itself: b.html → a.html → b.html\n  help: a template may not include, import or extend itself, directly or through other templates",
            ]
        );
    }

    /// A reload parses only what changed, and gives what a fresh load gives: the new text of a
    /// changed template, a new one, and the same error for a broken one.
    #[test]
    fn a_reload_renders_what_a_fresh_load_renders() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let write = |name: &str, text: &str| {
            let path = root.join(TEMPLATES_DIR).join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        let render =
            |t: &Templates, name: &str| t.render(name, &serde_json::json!({"who": "Ada"})).unwrap();
        write("shortcodes/hi.html", "Hi {{ who }}");
        let first = load(root).unwrap();
        write("shortcodes/hi.html", "Hello {{ who }}");
        let again = reload(root, &first).unwrap();
        assert_eq!(render(&again, "shortcodes/hi.html"), "Hello Ada");
        assert_eq!(again.fingerprint, load(root).unwrap().fingerprint);
        write("shortcodes/bye.html", "Bye {{ who }}");
        let added = reload(root, &again).unwrap();
        assert_eq!(render(&added, "shortcodes/bye.html"), "Bye Ada");
        assert!(added.shortcodes.contains_key("bye"));
        write("shortcodes/hi.html", "Hello {{ who ");
        let broken = |r: Result<Templates, Vec<Diagnostic>>| -> Vec<String> {
            r.err().unwrap().iter().map(|d| d.to_string()).collect()
        };
        assert_eq!(broken(reload(root, &added)), broken(load(root)));
    }

    /// What `handbook serve` falls back to while the site's templates are broken: the theme,
    /// read from no folder.
    #[test]
    fn the_builtin_theme_loads_from_no_folder() {
        let theme = builtin();
        assert!(theme.layouts.contains("page"));
        assert!(theme.shortcodes.contains_key("callout"));
        assert_eq!(theme.sources.len(), theme::TEMPLATES.len());
    }

    #[test]
    fn finds_pest_positions() {
        assert_eq!(
            pest_position("Failed to parse 'x.html':  --> 3:15\n  |"),
            Some((3, 15))
        );
        assert_eq!(pest_position("no position"), None);
    }
}
