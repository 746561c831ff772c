//! Rendering the resolved site into the staging folder: pages in parallel, each sidebar once per
//! navigation group, then 404, sitemap, robots.txt, `_redirects`, `_headers`, the highlighting
//! stylesheet, and copies of `static/` and of the files beside pages in `content/`. Stylesheets
//! and scripts are written under fingerprinted names ([`crate::fingerprint`]), and every HTML
//! file refers to them by those names.

use crate::check::{self, ExternalLink};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::fingerprint::{self, Fingerprints};
use crate::links::LinkTable;
use crate::markdown::{self, MarkdownOptions};
use crate::model::{NodeId, Page, PageId, Site};
use crate::output::{self, Manifest, Staging};
use crate::templates::{self, NotFoundContext, PageContext, Templates};
use crate::{headers, highlight, theme};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::Xxh3;

pub const STATIC_DIR: &str = "static";

/// Where an output file comes from, to explain collisions.
#[derive(Clone)]
enum Origin {
    Page(String),
    /// The redirect page of an alias of this page.
    Alias(String),
    Generated,
    Static(PathBuf, String),
    Content(PathBuf, String),
}

impl Origin {
    fn describe(&self) -> String {
        match self {
            Origin::Page(path) => format!("the page {path}"),
            Origin::Alias(path) => format!("an alias of {path}"),
            Origin::Generated => "a file handbook generates".into(),
            Origin::Static(_, shown) | Origin::Content(_, shown) => shown.clone(),
        }
    }
}

/// Renders the whole site into a staging folder beside `target` and swaps it in; with no
/// `target`, renders everything and writes nothing (`handbook check`). Pages whose inputs did
/// not change since the build `target` holds are not rendered again, only linked. Problems go to
/// `diags`; the output folder changes only if there are none. `strict` adds the checks that
/// are off by default.
pub fn write_site(
    site: &Site,
    templates: &Templates,
    root: &Path,
    target: Option<&Path>,
    strict: bool,
    diags: &mut Diagnostics,
) -> Vec<ExternalLink> {
    let (files, outputs) = plan_files(site, root, diags);
    if diags.has_errors() {
        return Vec::new();
    }
    let assets = fingerprint_assets(site, &files, diags);
    // Links name files by their plain paths; the folder holds the fingerprinted ones.
    let written = assets.fingerprints.output_paths(&outputs);
    let table = LinkTable::new(site, &outputs);
    check::template_links(templates, site, &table, diags);
    if strict {
        check::equal_weights(site, diags);
    }
    let sidebars = render_sidebars(site, templates, diags);
    if diags.has_errors() {
        return Vec::new();
    }
    let prepared = match target.map(|target| {
        (
            target,
            Staging::new(target, &written, &[crate::search::INDEX_DIR]),
        )
    }) {
        None => None,
        Some((_, Ok(staging))) => Some(staging),
        Some((target, Err(err))) => {
            diags.push(write_failure(target, err, |err| {
                output_failure(target, "cannot prepare the output folder", err)
            }));
            return Vec::new();
        }
    };
    let staging = prepared.as_ref();
    let build = Build {
        site,
        templates,
        sidebars: &sidebars,
        table: &table,
        staging,
        global: global_fingerprint(site, templates, &assets.fingerprints),
        fingerprints: &assets.fingerprints,
    };
    let known = staging.map_or_else(HashMap::new, |s| read_facts(s.previous_facts()));
    let pages: Vec<PageDone> = (0..site.pages.len())
        .into_par_iter()
        .map(|id| {
            let rel = site.pages[id].output_path();
            build.write_page(known.get(&rel), id)
        })
        .collect();
    let mut manifest = Manifest::new();
    let mut failures = Vec::new();
    let mut analyses = Vec::with_capacity(pages.len());
    let mut facts = String::new();
    for done in pages {
        match done.result {
            Ok(fingerprint) => {
                facts.push_str(&facts_line(&done.rel, done.key, &done.analysis));
                manifest.insert(done.rel, fingerprint);
            }
            Err(d) => failures.push(d),
        }
        analyses.push(done.analysis);
    }
    diags.extend(collapse_repeats(without_repeated_full_disk(
        failures, target,
    )));
    let (linked, external) = check::links(site, &table, &analyses, diags);
    check::orphans(site, &sidebars, &linked, diags);
    build.write_generated(&files, &assets, &written, diags);
    let Some(staging) = prepared else {
        return external;
    };
    let index = if site.config.search.enabled {
        crate::search::index_files(site, &analyses).files
    } else {
        Vec::new()
    };
    let target = staging.target().to_path_buf();
    if let Err(err) = staging.sync_folder(crate::search::INDEX_DIR, &index) {
        diags.push(write_failure(&target, err, |err| {
            Diagnostic::error(
                crate::search::INDEX_DIR,
                format!("cannot write the search index: {err}"),
            )
        }));
    }
    for (rel, origin) in files {
        let result = match &origin {
            // Written under its fingerprinted name with the generated files.
            Origin::Static(..) if assets.fingerprints.get(&rel).is_some() => Ok(()),
            Origin::Static(source, _) | Origin::Content(source, _) => staging.copy(&rel, source),
            _ => Ok(()),
        };
        if let Err(err) = result {
            diags.push(write_failure(&target, err, |err| {
                Diagnostic::error(
                    origin.describe(),
                    format!("cannot copy to the output: {err}"),
                )
            }));
        }
    }
    if diags.has_errors() {
        return external;
    }
    if let Err(err) = staging.commit(&manifest, &facts) {
        diags.push(write_failure(&target, err, |err| {
            output_failure(&target, "cannot swap in the new site", err)
        }));
    }
    external
}

/// One line of the facts file: a page's analysis, and the key of the inputs it came from.
#[derive(Serialize, Deserialize)]
struct Facts<'a> {
    rel: std::borrow::Cow<'a, str>,
    key: u64,
    analysis: std::borrow::Cow<'a, markdown::Analysis>,
}

fn facts_line(rel: &str, key: u64, analysis: &markdown::Analysis) -> String {
    let facts = Facts {
        rel: rel.into(),
        key,
        analysis: std::borrow::Cow::Borrowed(analysis),
    };
    let mut line = serde_json::to_string(&facts).unwrap_or_default();
    line.push('\n');
    line
}

/// The analyses the previous build saved, by output path. Unreadable lines are skipped: the
/// page is then analysed again.
fn read_facts(text: &str) -> HashMap<String, (u64, markdown::Analysis)> {
    text.par_lines()
        .filter_map(|line| serde_json::from_str::<Facts<'_>>(line).ok())
        .map(|f| (f.rel.into_owned(), (f.key, f.analysis.into_owned())))
        .collect()
}

/// What the analysis of a page depends on: its Markdown, its title (a leading `#` heading that
/// repeats it is dropped), and the program.
pub fn analysis_key(global: u128, page: &Page) -> u64 {
    let mut hasher = Xxh3::new();
    hasher.update(&global.to_le_bytes());
    hasher.update(page.source.body.as_bytes());
    hasher.update(&[0]);
    hasher.update(page.title.as_bytes());
    hasher.digest()
}

/// A rendered (or found current) page.
struct PageDone {
    rel: String,
    key: u64,
    analysis: markdown::Analysis,
    result: Result<u128, Diagnostic>,
}

fn output_failure(target: &Path, what: &str, err: std::io::Error) -> Diagnostic {
    Diagnostic::error(target.display().to_string(), format!("{what}: {err}"))
}

/// The problem of a failed write into the output folder `target`: `otherwise(err)`, unless the
/// disk has no room for the site. Then it says so, in the same words for every file, so that it
/// is shown once.
fn write_failure(
    target: &Path,
    err: std::io::Error,
    otherwise: impl FnOnce(std::io::Error) -> Diagnostic,
) -> Diagnostic {
    use std::io::ErrorKind;
    if !output::is_out_of_space(&err) {
        return otherwise(err);
    }
    let elsewhere = "or build into a folder on another disk with --output-dir";
    let (what, help) = match err.kind() {
        ErrorKind::FileTooLarge => (
            "a file of the site is larger than this system allows",
            format!("raise the limit on the size of files (`ulimit -f`), {elsewhere}"),
        ),
        ErrorKind::QuotaExceeded => (
            "your disk quota is used up",
            format!("free some space on that disk, {elsewhere}"),
        ),
        _ => (
            "the disk is full",
            format!("free some space on that disk, {elsewhere}"),
        ),
    };
    Diagnostic::error(
        target.display().to_string(),
        format!("{what} ({err}): the new site was not written, and the previous one is unchanged"),
    )
    .help(help)
}

/// `failures` with the problem of a full disk ([`write_failure`]) kept once: it is the same for
/// every page.
fn without_repeated_full_disk(failures: Vec<Diagnostic>, target: Option<&Path>) -> Vec<Diagnostic> {
    let Some(target) = target.map(|t| t.display().to_string()) else {
        return failures;
    };
    let mut seen = false;
    failures
        .into_iter()
        .filter(|d| d.path != target || !std::mem::replace(&mut seen, true))
        .collect()
}

/// A broken template fails every page the same way: say it once, with how many pages it hit.
fn collapse_repeats(failures: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut seen: Vec<(Diagnostic, usize)> = Vec::new();
    let mut index: HashMap<(String, Option<String>), usize> = HashMap::new();
    for d in failures {
        match index.get(&(d.message.clone(), d.help.clone())) {
            Some(&i) => seen[i].1 += 1,
            None => {
                index.insert((d.message.clone(), d.help.clone()), seen.len());
                seen.push((d, 0));
            }
        }
    }
    seen.into_iter()
        .map(|(mut d, more)| {
            if more > 0 {
                let s = if more == 1 { "" } else { "s" };
                d.message
                    .push_str(&format!(" (and the same error on {more} more page{s})"));
            }
            d
        })
        .collect()
}

/// The files handbook writes besides pages (a site's `static/` may replace them): the search
/// page only when search is on.
pub fn generated_names(config: &crate::config::Config) -> Vec<String> {
    let mut names: Vec<String> = [
        "404.html",
        "sitemap.xml",
        "robots.txt",
        "_redirects",
        "_headers",
        &theme::HIGHLIGHT_STYLESHEET[1..],
    ]
    .map(String::from)
    .into();
    names.extend(theme::ASSETS.iter().map(|(name, _)| name.to_string()));
    if config.search.enabled {
        names.push(search_page_path());
    }
    names
}

/// The files to copy, by output path, checked against pages and each other; and every path
/// the new site will have.
fn plan_files(
    site: &Site,
    root: &Path,
    diags: &mut Diagnostics,
) -> (BTreeMap<String, Origin>, BTreeSet<String>) {
    let mut taken: BTreeMap<String, Origin> = BTreeMap::new();
    for page in &site.pages {
        taken.insert(page.output_path(), Origin::Page(page.source.display_path()));
    }
    for (alias, &page) in site.by_alias.iter() {
        let rel = crate::model::alias_output_path(alias);
        let origin = Origin::Alias(site.pages[page].source.display_path());
        if let Some(other) = taken.get(&rel) {
            diags.push(Diagnostic::error(
                origin.describe(),
                format!(
                    "alias {alias} would be written to {rel}, which is also the output of {}",
                    other.describe()
                ),
            ));
            continue;
        }
        taken.insert(rel, origin);
    }
    // An old `.html` address gives way to a file the site really has there.
    for alias in site.html_aliases.keys() {
        taken
            .entry(crate::model::alias_output_path(alias))
            .or_insert(Origin::Generated);
    }
    if site.config.search.enabled {
        let rel = search_page_path();
        if let Some(other) = taken.get(&rel) {
            let shown = match other {
                Origin::Page(shown) | Origin::Alias(shown) => shown.clone(),
                other => other.describe(),
            };
            diags.push(
                Diagnostic::error(
                    shown,
                    format!("would be written to {rel}, which is the search page"),
                )
                .help("give the page another permalink, or turn the search page off with `search: {enabled: false}` in handbook.yml"),
            );
        }
        // One of the index's files, for `_headers`; the rest are only known once pages are
        // rendered.
        taken.insert(
            format!("{}meta.json", crate::search::INDEX_DIR),
            Origin::Generated,
        );
    }
    for name in generated_names(&site.config) {
        taken.insert(name, Origin::Generated);
    }
    if site.review.is_some() {
        taken.insert(CHANGES_PAGE.to_string(), Origin::Generated);
    }
    let mut copies: BTreeMap<String, Origin> = BTreeMap::new();
    let statics = crate::source::list_files(root, STATIC_DIR, diags)
        .into_iter()
        .map(|(rel, path)| {
            (
                rel.clone(),
                Origin::Static(path, format!("{STATIC_DIR}/{rel}")),
            )
        });
    let assets = site.assets.iter().map(|a| {
        (
            a.rel_path.clone(),
            Origin::Content(
                a.source.clone(),
                format!("{}/{}", crate::source::CONTENT_DIR, a.rel_path),
            ),
        )
    });
    for (rel, origin) in statics.chain(assets) {
        let clash = copies.get(&rel).or_else(|| taken.get(&rel)).cloned();
        match clash {
            // A site's static file replaces a generated or built-in one of the same name.
            Some(Origin::Generated) | None => {
                copies.insert(rel, origin);
            }
            Some(other) => diags.push(
                Diagnostic::error(
                    origin.describe(),
                    format!(
                        "would be written to {rel}, which is also the output of {}",
                        other.describe()
                    ),
                )
                .help("rename or move one of them"),
            ),
        }
    }
    let outputs = taken.into_keys().chain(copies.keys().cloned()).collect();
    (copies, outputs)
}

/// One sidebar per navigation group, rendered in parallel.
fn render_sidebars(
    site: &Site,
    templates: &Templates,
    diags: &mut Diagnostics,
) -> HashMap<NodeId, String> {
    let scopes: BTreeSet<NodeId> = (0..site.pages.len())
        .map(|p| site.sidebar_scope(p))
        .chain([site.root])
        .collect();
    let rendered: Vec<(NodeId, Result<String, String>)> = scopes
        .into_par_iter()
        .map(|scope| (scope, templates::render_sidebar(site, templates, scope)))
        .collect();
    let mut sidebars = HashMap::with_capacity(rendered.len());
    for (scope, result) in rendered {
        match result {
            Ok(html) => {
                sidebars.insert(scope, html);
            }
            Err(err) => diags.push(template_failure("partials/sidebar.html", err)),
        }
    }
    sidebars
}

fn template_failure(template: &str, cause: String) -> Diagnostic {
    Diagnostic::error(format!("{}/{template}", templates::TEMPLATES_DIR), cause)
}

/// What every page depends on: this very program, the templates, the configuration and the
/// names of the fingerprinted files.
fn global_fingerprint(site: &Site, templates: &Templates, fingerprints: &Fingerprints) -> u128 {
    let mut hasher = Xxh3::new();
    // The program itself: another handbook binary may render the same input differently. Its
    // path, size and modification time identify it without reading it.
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    if let Ok(exe) = std::env::current_exe() {
        hasher.update(exe.as_os_str().as_encoded_bytes());
        if let Ok(meta) = std::fs::metadata(&exe) {
            hasher.update(&meta.len().to_le_bytes());
            if let Ok(age) = meta
                .modified()
                .map(|m| m.duration_since(std::time::UNIX_EPOCH))
            {
                hasher.update(&age.unwrap_or_default().as_nanos().to_le_bytes());
            }
        }
    }
    hasher.update(&templates.fingerprint.to_le_bytes());
    hasher.update(&fingerprints.digest().to_le_bytes());
    let _ = serde_json::to_writer(HashWriter(&mut hasher), &*site.config);
    hasher.digest128()
}

/// Feeds serialized bytes straight into a hash, without building them in memory.
struct HashWriter<'a>(&'a mut Xxh3);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Everything a page is rendered from: its Markdown, its sidebar, and its whole template
/// context except what is rendered from that Markdown (`context` must not have it yet).
fn page_fingerprint(
    global: u128,
    page: &Page,
    hrefs: &[Option<String>],
    sidebar: &str,
    context: &PageContext<'_>,
) -> u128 {
    let mut hasher = Xxh3::new();
    hasher.update(&global.to_le_bytes());
    hasher.update(page.source.body.as_bytes());
    hasher.update(&[page.toc_max_level]);
    // Where the page's links lead: another page's new URL changes this page's HTML.
    for href in hrefs {
        hasher.update(href.as_deref().unwrap_or("=").as_bytes());
        hasher.update(&[0]);
    }
    // The sidebar is hashed as it is: escaping it as JSON would cost more than rendering it.
    hasher.update(sidebar.as_bytes());
    let _ = serde_json::to_writer(HashWriter(&mut hasher), context);
    hasher.digest128()
}

/// What every file of one build is rendered with.
struct Build<'a> {
    site: &'a Site,
    templates: &'a Templates,
    sidebars: &'a HashMap<NodeId, String>,
    table: &'a LinkTable<'a>,
    /// `None` for `handbook check`: everything is rendered, nothing written.
    staging: Option<&'a Staging>,
    /// [`global_fingerprint`].
    global: u128,
    fingerprints: &'a Fingerprints,
}

impl Build<'_> {
    /// Renders one page and writes it, unless the output folder already has it from the same
    /// inputs (then keeps it; without a staging folder, renders it and drops it). `known` is the page's
    /// analysis from the previous build: with it, an unchanged page is not even parsed.
    fn write_page(&self, known: Option<&(u64, markdown::Analysis)>, id: PageId) -> PageDone {
        let (site, staging, global) = (self.site, self.staging, self.global);
        let page = &site.pages[id];
        let rel = page.output_path();
        let key = analysis_key(global, page);
        if page.redirect.is_some() {
            return self.write_redirect(rel, key, id);
        }
        let sidebar = page_sidebar(site, self.sidebars, id);
        let mut context = templates::page_context(site, id, "", &[], "");
        context.assets = templates::Assets::fingerprinted(self.fingerprints);
        let rewrite = |dest: &str| self.table.rewrite(page, dest);
        let hrefs_of = |analysis: &markdown::Analysis| -> Vec<Option<String>> {
            analysis.links.iter().map(|l| rewrite(&l.dest)).collect()
        };
        if let Some((_, analysis)) = known.filter(|(k, _)| *k == key) {
            let fingerprint =
                page_fingerprint(global, page, &hrefs_of(analysis), &sidebar, &context);
            if staging.is_some_and(|s| s.keep(&rel, fingerprint)) {
                return PageDone {
                    rel,
                    key,
                    analysis: analysis.clone(),
                    result: Ok(fingerprint),
                };
            }
        }
        let (rendered, analysis) =
            markdown::render(&page.source.body, markdown_options(self.site, id), &rewrite);
        let fingerprint = page_fingerprint(global, page, &hrefs_of(&analysis), &sidebar, &context);
        context.page.content = &rendered.html;
        context.page.toc = &rendered.toc;
        context.sidebar = &sidebar;
        let result = render_template(self.templates, page, &context).and_then(|html| {
            let Some(staging) = staging else {
                return Ok(fingerprint);
            };
            let html = self.fingerprints.rewrite_html(html);
            staging
                .write(&rel, html.as_bytes())
                .map(|()| fingerprint)
                .map_err(|err| {
                    write_failure(staging.target(), err, |err| {
                        Diagnostic::error(
                            page.source.display_path(),
                            format!("cannot write {rel}: {err}"),
                        )
                    })
                })
        });
        PageDone {
            rel,
            key,
            analysis,
            result,
        }
    }

    /// Writes the redirect page of a page that only redirects (`redirect_to`, or a folder's
    /// address taken over by an alias): it has no analysis, links or headings of its own.
    fn write_redirect(&self, rel: String, key: u64, id: PageId) -> PageDone {
        let html = self.fingerprints.rewrite_html(redirect_page(self.site, id));
        let mut hasher = Xxh3::new();
        hasher.update(html.as_bytes());
        let fingerprint = hasher.digest128();
        let written = match self.staging {
            Some(staging) => staging
                .write_if_changed(&rel, html.as_bytes())
                .map_err(|err| {
                    write_failure(staging.target(), err, |err| {
                        Diagnostic::error(
                            self.site.pages[id].source.display_path(),
                            format!("cannot write {rel}: {err}"),
                        )
                    })
                }),
            None => Ok(()),
        };
        PageDone {
            result: written.map(|()| fingerprint),
            rel,
            key,
            analysis: markdown::Analysis::default(),
        }
    }

    /// Writes the files handbook makes besides pages (those the site's `static/` does not
    /// replace, `copies`), the stylesheets and scripts under their fingerprinted names, and the
    /// redirect page of each alias. `written` is every path of the new output.
    fn write_generated(
        &self,
        copies: &BTreeMap<String, Origin>,
        assets: &FingerprintedFiles,
        written: &BTreeSet<String>,
        diags: &mut Diagnostics,
    ) {
        let site = self.site;
        let root_sidebar = self.sidebars.get(&site.root).map_or("", String::as_str);
        let mut files: Vec<(String, Result<Vec<u8>, Diagnostic>)> = generated_names(&site.config)
            .into_iter()
            // A file of the site's `static/` replaces the generated one of the same name.
            .filter(|name| !copies.contains_key(name) && self.fingerprints.get(name).is_none())
            .filter_map(|name| {
                let bytes = if name == "_redirects" {
                    Ok(netlify_redirects(site, &|rel| copies.contains_key(rel)).into_bytes())
                } else if name == "_headers" {
                    let immutable = assets.files.iter().map(|(rel, _)| rel.clone()).collect();
                    let text = headers::netlify_headers(
                        written,
                        &immutable,
                        site.config.base_path(),
                        site.deploy.noindex,
                    );
                    Ok(text.into_bytes())
                } else {
                    generate(site, self.templates, root_sidebar, &name, self.fingerprints)?
                };
                Some((name, bytes))
            })
            .collect();
        files.extend(self.alias_pages(copies));
        if let Some(review) = &site.review {
            files.push((
                CHANGES_PAGE.to_string(),
                changes_page(
                    site,
                    self.templates,
                    root_sidebar,
                    review,
                    self.fingerprints,
                ),
            ));
        }
        for (name, bytes) in files {
            match bytes {
                Ok(bytes) => self.write(&name, &bytes, diags),
                Err(d) => diags.push(d),
            }
        }
        for (name, bytes) in &assets.files {
            self.write(name, bytes, diags);
        }
    }

    /// The redirect page of every alias, and of every old `.html` address (`html_aliases`)
    /// where the site has no file of its own (`copies`).
    fn alias_pages(
        &self,
        copies: &BTreeMap<String, Origin>,
    ) -> Vec<(String, Result<Vec<u8>, Diagnostic>)> {
        let site = self.site;
        let html_aliases = site
            .html_aliases
            .iter()
            .filter(|(alias, _)| !copies.contains_key(&alias[1..]));
        site.by_alias
            .iter()
            .chain(html_aliases)
            .map(|(alias, &page)| {
                let html = self.fingerprints.rewrite_html(redirect_page(site, page));
                (
                    crate::model::alias_output_path(alias),
                    Ok(html.into_bytes()),
                )
            })
            .collect()
    }

    /// Writes `bytes` to `name` of the staging folder, if there is one (a link to the output
    /// folder's file if it holds the same bytes).
    fn write(&self, name: &str, bytes: &[u8], diags: &mut Diagnostics) {
        let Some(staging) = self.staging else {
            return;
        };
        if let Err(err) = staging.write_if_changed(name, bytes) {
            diags.push(write_failure(staging.target(), err, |err| {
                Diagnostic::error(name, format!("cannot write: {err}"))
            }));
        }
    }
}

/// The stylesheets and scripts of a build, each read or generated once: their fingerprinted
/// names, and their bytes by fingerprinted output path.
struct FingerprintedFiles {
    fingerprints: Fingerprints,
    files: Vec<(String, Vec<u8>)>,
}

/// Reads the stylesheets and scripts of `static/` (in `copies`) and generates the theme's that
/// it does not replace, and gives each its fingerprinted name. A stylesheet that `@import`s
/// another file of the site is a warning: that file is only written under its fingerprinted
/// name.
fn fingerprint_assets(
    site: &Site,
    copies: &BTreeMap<String, Origin>,
    diags: &mut Diagnostics,
) -> FingerprintedFiles {
    let mut made: Vec<(String, Result<Vec<u8>, Diagnostic>)> = generated_names(&site.config)
        .into_iter()
        .filter(|name| fingerprint::applies_to(name) && !copies.contains_key(name))
        .filter_map(|name| {
            let bytes = match theme_asset(&name) {
                Some(bytes) => Ok(bytes.to_vec()),
                None if name == theme::HIGHLIGHT_STYLESHEET[1..] => syntax_css(site),
                None => return None,
            };
            Some((name, bytes))
        })
        .collect();
    for (rel, origin) in copies {
        if let Origin::Static(path, shown) = origin
            && fingerprint::applies_to(rel)
        {
            let bytes = crate::files::read(path).map_err(|err| {
                Diagnostic::error(shown.clone(), format!("cannot read the file: {err}"))
            });
            if let Ok(css) = &bytes {
                diags.extend(fingerprint::local_imports(shown, css));
            }
            made.push((rel.clone(), bytes));
        }
    }
    let mut fingerprints = Fingerprints::new(&site.config.base_url, site.config.base_path());
    let mut files = Vec::new();
    for (rel, bytes) in made {
        match bytes {
            Ok(bytes) => files.push((fingerprints.insert(&rel, &bytes), bytes)),
            Err(d) => diags.push(d),
        }
    }
    FingerprintedFiles {
        fingerprints,
        files,
    }
}

/// The shared sidebar of the page's group, with the page's own link marked.
fn page_sidebar(site: &Site, sidebars: &HashMap<NodeId, String>, id: PageId) -> String {
    let shared = sidebars
        .get(&site.sidebar_scope(id))
        .map_or("", String::as_str);
    templates::mark_current(shared, &site.pages[id].href)
}

/// The full HTML of page `id`, and what its Markdown links to and defines. `sidebar` is the
/// shared sidebar of the page's group ([`templates::render_sidebar`] of its
/// [`Site::sidebar_scope`]).
pub fn render_page(
    site: &Site,
    templates: &Templates,
    sidebar: &str,
    table: &LinkTable<'_>,
    id: PageId,
) -> (Result<String, Diagnostic>, markdown::Analysis) {
    let page = &site.pages[id];
    if page.redirect.is_some() {
        return (Ok(redirect_page(site, id)), markdown::Analysis::default());
    }
    let sidebar = templates::mark_current(sidebar, &page.href);
    let (rendered, analysis) =
        markdown::render(&page.source.body, markdown_options(site, id), &|dest| {
            table.rewrite(page, dest)
        });
    let context = templates::page_context(site, id, &rendered.html, &rendered.toc, &sidebar);
    (render_template(templates, page, &context), analysis)
}

/// The files of `static/` and `content/` that are copied as they are, by output path (each
/// with its source file), and every path the output has. Clashes go to `diags`.
pub fn plan_outputs(
    site: &Site,
    root: &Path,
    diags: &mut Diagnostics,
) -> (BTreeMap<String, PathBuf>, BTreeSet<String>) {
    let (files, outputs) = plan_files(site, root, diags);
    let copies = files
        .into_iter()
        .filter_map(|(rel, origin)| match origin {
            Origin::Static(source, _) | Origin::Content(source, _) => Some((rel, source)),
            _ => None,
        })
        .collect();
    (copies, outputs)
}

pub(crate) fn markdown_options(site: &Site, id: PageId) -> MarkdownOptions<'_> {
    let page = &site.pages[id];
    MarkdownOptions {
        toc_max_level: page.toc_max_level,
        title: &page.title,
        // On a preview, the sections the merge request changed.
        marked: site
            .change_of(id)
            .map_or(&[], |mark| mark.sections.as_slice()),
        search_code: site.config.search.code,
    }
}

/// The page's layout template, filled with `context`.
fn render_template(
    templates: &Templates,
    page: &Page,
    context: &PageContext<'_>,
) -> Result<String, Diagnostic> {
    let template = crate::resolve::layout_template(&page.layout, &page.url, &templates.layouts);
    templates.render(&template, context).map_err(|cause| {
        Diagnostic::error(
            page.source.display_path(),
            format!("cannot render this page with templates/{template}: {cause}"),
        )
        .help("the problem is in the template, not in the page; template variables are listed in docs/templates.md")
    })
}

/// One of the files handbook makes besides pages ([`generated_names`]), by its path in the
/// output, as `handbook serve` serves it (plain asset names); `None` for any other path, and
/// for `_headers`, which only a build makes. `root_sidebar` is the sidebar of the home page,
/// which the 404 page shows.
pub fn generated_file(
    site: &Site,
    templates: &Templates,
    root_sidebar: &str,
    name: &str,
) -> Option<Result<Vec<u8>, Diagnostic>> {
    let plain = Fingerprints::new(&site.config.base_url, site.config.base_path());
    generate(site, templates, root_sidebar, name, &plain)
}

/// [`generated_file`], referring to stylesheets and scripts by their `fingerprints`.
fn generate(
    site: &Site,
    templates: &Templates,
    root_sidebar: &str,
    name: &str,
    fingerprints: &Fingerprints,
) -> Option<Result<Vec<u8>, Diagnostic>> {
    if let Some(bytes) = theme_asset(name) {
        return Some(Ok(bytes.to_vec()));
    }
    Some(match name {
        "404.html" => outside_page(site, templates, root_sidebar, "404.html", fingerprints),
        _ if site.config.search.enabled && name == search_page_path() => {
            outside_page(site, templates, root_sidebar, "search.html", fingerprints)
        }
        "sitemap.xml" => Ok(sitemap(site).into_bytes()),
        "robots.txt" => Ok(format!(
            "User-agent: *\nAllow: /\n\nSitemap: {}/sitemap.xml\n",
            site.config.base_url
        )
        .into_bytes()),
        "_redirects" => Ok(netlify_redirects(site, &|_| false).into_bytes()),
        _ if name == &theme::HIGHLIGHT_STYLESHEET[1..] => syntax_css(site),
        _ => return None,
    })
}

/// A file of the built-in theme's `static/`, by name.
fn theme_asset(name: &str) -> Option<&'static [u8]> {
    theme::ASSETS
        .iter()
        .find(|(asset, _)| *asset == name)
        .map(|(_, bytes)| *bytes)
}

/// The stylesheet of the highlighting themes of `handbook.yml`.
fn syntax_css(site: &Site) -> Result<Vec<u8>, Diagnostic> {
    highlight::stylesheet(
        &site.config.highlight.light_theme,
        &site.config.highlight.dark_theme,
    )
    .map(String::into_bytes)
    .map_err(|message| Diagnostic::error(crate::config::CONFIG_FILE, message))
}

/// The changes page of a preview, written at `_preview/index.html`.
pub const CHANGES_PAGE: &str = "_preview/index.html";

/// Where the search page is written: `search/index.html`.
pub fn search_page_path() -> String {
    format!("{}index.html", crate::search::PAGE_URL)
}

/// A page that is no page of the site, rendered from `template` with the home page's sidebar:
/// the 404 page, the search page (which the theme's script fills in).
fn outside_page(
    site: &Site,
    templates: &Templates,
    root_sidebar: &str,
    template: &str,
    fingerprints: &Fingerprints,
) -> Result<Vec<u8>, Diagnostic> {
    let context = NotFoundContext::new(site, root_sidebar, fingerprints);
    templates
        .render(template, &context)
        .map(|html| fingerprints.rewrite_html(html).into_bytes())
        .map_err(|e| template_failure(template, e))
}

/// The preview's list of what changed (`templates/changes.html`).
fn changes_page(
    site: &Site,
    templates: &Templates,
    root_sidebar: &str,
    review: &crate::review::Review,
    fingerprints: &Fingerprints,
) -> Result<Vec<u8>, Diagnostic> {
    let context = templates::ChangesContext {
        common: NotFoundContext::new(site, root_sidebar, fingerprints),
        changes: review,
    };
    templates
        .render("changes.html", &context)
        .map(|html| fingerprints.rewrite_html(html).into_bytes())
        .map_err(|e| template_failure("changes.html", e))
}

/// Netlify's `_redirects`: each alias to its page, each page that only redirects to where it
/// leads, and with `html_aliases` each page's `.html` address (unless `shadowed`: a file of the
/// site is there), all permanently. Forced (`!`), because the redirect page written at each
/// old address (for other hosts) would otherwise shadow the rule.
fn netlify_redirects(site: &Site, shadowed: &dyn Fn(&str) -> bool) -> String {
    let mut rules: Vec<(&str, &str)> = site
        .by_alias
        .iter()
        .chain(site.html_aliases.iter().filter(|(a, _)| !shadowed(&a[1..])))
        .map(|(alias, &page)| (alias.as_str(), site.destination(page)))
        .chain(
            site.pages
                .iter()
                .filter_map(|p| Some((p.url.as_str(), p.redirect.as_ref()?.href.as_str()))),
        )
        .collect();
    rules.sort();
    let mut text = String::from(
        "# Old URLs of pages (`aliases` in their front matter), made by handbook.
",
    );
    let base = site.config.base_path();
    for (from, to) in rules {
        text.push_str(&format!("{base}{from} {to} 301!\n"));
    }
    text
}

/// The page written at an old address of page `id` (an alias), or at the URL of a page that
/// only redirects, for hosts without `_redirects`: it sends the reader on at once, `#fragment`
/// included (`redirect.js` reads the target from `data-redirect-to`: a strict
/// Content-Security-Policy blocks inline scripts), falls back to `<meta http-equiv=refresh>`,
/// and tells search engines where the page is now.
fn redirect_page(site: &Site, id: PageId) -> String {
    let page = &site.pages[id];
    let target = page.redirect.as_ref();
    // The page the reader arrives at, if it is one of the site.
    let arrival = match target {
        Some(redirect) => redirect.page.map(|p| &*site.pages[p]),
        None => Some(&**page),
    };
    let to = site.destination(id);
    let mut href = String::new();
    highlight::escape_into(&mut href, to);
    let mut title = String::new();
    highlight::escape_into(&mut title, &arrival.unwrap_or(page).title);
    let absolute = match arrival {
        Some(p) => format!("{}{}", site.config.base_url, p.url),
        None if to.starts_with('/') => format!(
            "{}{}",
            site.config.base_url,
            &to[site.config.base_path().len()..]
        ),
        None => to.to_string(),
    };
    let mut canonical = String::new();
    highlight::escape_into(&mut canonical, &absolute);
    // Before the refresh, and not deferred: it runs first, and keeps the fragment.
    format!(
        "<!doctype html>\n<html lang=\"{lang}\" data-redirect-to=\"{href}\">\n<head>\n<meta charset=\"utf-8\">\n<title>Moved: {title}</title>\n<link rel=\"canonical\" href=\"{canonical}\">\n<meta name=\"robots\" content=\"noindex\">\n<script src=\"{base}{script}\"></script>\n<meta http-equiv=\"refresh\" content=\"0; url={href}\">\n</head>\n<body>\n<p>This page has moved to <a href=\"{href}\">{title}</a>.</p>\n</body>\n</html>\n",
        lang = site.config.language,
        base = site.config.base_path(),
        script = theme::REDIRECT_SCRIPT,
    )
}

/// Every built page, in navigation order, with its absolute URL.
fn sitemap(site: &Site) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for &id in site.order.iter() {
        xml.push_str("  <url><loc>");
        highlight::escape_into(
            &mut xml,
            &format!("{}{}", site.config.base_url, site.pages[id].url),
        );
        xml.push_str("</loc></url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}
