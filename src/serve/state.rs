//! The site `handbook serve` holds in memory, and how a change on disk becomes a new version of
//! it.
//!
//! A [`Generation`] is one immutable version of the site. Requests render its pages on demand
//! and cache them in it. The watcher thread owns the [`Workspace`], which turns a batch of
//! changed files into the next generation, doing only what the change needs:
//!
//! - a page's body (or a field only that page shows: `toc`, `layout`, unknown keys) changed:
//!   that page is re-read and its cached HTML dropped; every other page, sidebar and URL stays;
//! - a field the navigation shows changed (`title`, `weight`, `permalink`, `subcategory`,
//!   `draft`, `description`, `aliases`), or a file was added, removed or renamed: the site is
//!   re-resolved from the pages in memory (only the changed files are read);
//! - a template changed: the templates are parsed again, every cached page dropped;
//! - `handbook.yml` changed: everything is loaded again.
//!
//! A change that breaks something (front matter, a template, the configuration, two pages on
//! one URL) does not replace what works: the last good version of that file stays in use, and
//! the problem is reported until it is fixed.

use super::data::DataFiles;
use crate::config::{self, Config};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::extras::Extras;
use crate::markdown::Analysis;
use crate::markdown::highlight;
use crate::render::{self, Renderer};
use crate::site::links::{LinkIndex, LinkTable};
use crate::site::resolve;
use crate::site::{PageId, SidebarScope, Site};
use crate::source::data::Data;
use crate::source::{self, Asset, Content, FrontMatter, SourcePage};
use crate::templates::assets::Fingerprints;
use crate::templates::{self, Templates, shortcodes};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The analyses of pages' Markdown (links, anchors), by [`render::analysis_key`]: shared by
/// every generation, so that the link check only analyses pages that changed.
#[derive(Default)]
pub struct Analyses(Mutex<HashMap<u64, Arc<Analysis>>>);

impl Analyses {
    pub fn get(&self, key: u64) -> Option<Arc<Analysis>> {
        lock(&self.0).get(&key).cloned()
    }

    pub fn insert(&self, key: u64, analysis: Arc<Analysis>) {
        lock(&self.0).insert(key, analysis);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        lock(&self.0).len()
    }

    /// Drops the search text of the analyses no one else holds: once a version's search index
    /// is made, its entries stand for the text, and a page indexed anew is read again (about
    /// 25 MB at 10,000 pages). In place, so that nothing new is allocated among what is freed.
    pub fn forget_search_text(&self) {
        for analysis in lock(&self.0).values_mut() {
            if let Some(analysis) = Arc::get_mut(analysis) {
                analysis.search = Vec::new();
            }
        }
    }

    /// Forgets the analyses of texts no page has any more.
    fn retain(&self, keys: &BTreeSet<u64>) {
        lock(&self.0).retain(|key, _| keys.contains(key));
    }
}

/// A page's HTML as rendered from one generation (without the live-reload script), or why it
/// could not be rendered.
pub type Rendered = Arc<Result<String, Diagnostic>>;

/// A generated file (`404.html`, `syntax.css`, …), or why it could not be made.
pub type Made = Arc<Result<Vec<u8>, Diagnostic>>;

/// Rendered pages kept per generation; beyond this many the cache starts over (a contributor
/// looks at a few pages; a crawler must not make the server grow without end). The pages
/// cached are rendered again after a navigation change, before the browsers reload: 256 of
/// them take about 0.1 s at 10,000 pages. (It was 2,000: 60 MB of pages under load.)
const PAGE_CACHE_LIMIT: usize = 256;

/// One version of the site, as served.
pub struct Generation {
    /// Counts up with every change; pages carry it so that a browser that missed a change
    /// notices.
    pub version: u64,
    pub site: Site,
    /// Git history, and with `--base` the review of what changed: beside the site.
    pub extras: Arc<Extras>,
    pub templates: Arc<Templates>,
    /// Plain names: `handbook serve` does not fingerprint stylesheets and scripts.
    fingerprints: Fingerprints,
    /// Files served as they are (from `static/` and `content/`), by URL path without the
    /// leading `/`, with their source file.
    pub copies: Arc<BTreeMap<String, PathBuf>>,
    /// Every path the built site would have: what links may point at.
    pub outputs: Arc<BTreeSet<String>>,
    /// Pages by file and folder, for links: kept while no page moves.
    pub links: Arc<LinkIndex>,
    /// Rendered sidebars by navigation group: shared by the generations that have the same
    /// navigation and templates.
    sidebars: Arc<Mutex<HashMap<SidebarScope, Rendered>>>,
    pages: Mutex<HashMap<PageId, Rendered>>,
    generated: Mutex<HashMap<String, Made>>,
    analyses: Arc<Analyses>,
    /// The pages whose text this version changed, by URL, with the anchor of the first section
    /// that changed: where a browser showing the page lands after the reload.
    pub landings: Vec<(String, String)>,
}

impl Generation {
    /// The rendered page `id`, from the cache or rendered now (its analysis is kept for the
    /// link check).
    pub fn page(&self, id: PageId) -> Rendered {
        if let Some(done) = lock(&self.pages).get(&id) {
            return done.clone();
        }
        let rendered = self.render(id);
        let mut pages = lock(&self.pages);
        if pages.len() >= PAGE_CACHE_LIMIT {
            pages.clear();
        }
        pages.insert(id, rendered.clone());
        rendered
    }

    /// The rendered page `id` if it is in the cache: a lookup, cheap enough for the async side.
    pub fn cached(&self, id: PageId) -> Option<Rendered> {
        lock(&self.pages).get(&id).cloned()
    }

    fn render(&self, id: PageId) -> Rendered {
        let scope = self.site.sidebar_scope(id);
        let sidebar = self.sidebar(&scope);
        let sidebar = match &*sidebar {
            Ok(html) => html,
            Err(problem) => return Arc::new(Err(problem.clone())),
        };
        let table = self.link_table();
        let (html, mut analysis) = self.renderer(&table).render_page(sidebar, id);
        analysis.search = Vec::new();
        self.analyses
            .insert(self.analysis_key(id), Arc::new(analysis));
        Arc::new(html)
    }

    /// Drops the search text of the analyses kept ([`Analyses::forget_search_text`]).
    pub fn forget_search_text(&self) {
        self.analyses.forget_search_text();
    }

    /// What page `id`'s analysis depends on: its text, whether code is searchable (the other
    /// settings do not change it), and what its shortcode calls depend on.
    pub fn analysis_key(&self, id: PageId) -> u64 {
        let global =
            u128::from(self.site.config.search.code) | u128::from(self.dependencies(id)) << 1;
        render::analysis_key(global, &self.site.pages[id])
    }

    /// What page `id`'s shortcode calls depend on ([`shortcodes::dependencies`]).
    fn dependencies(&self, id: PageId) -> u64 {
        let calls = &self.site.pages[id].source.calls;
        shortcodes::dependencies(&self.templates, &self.site.data, calls)
    }

    /// What this version's pages are rendered with.
    pub fn renderer<'a>(&'a self, table: &'a LinkTable<'a>) -> Renderer<'a> {
        Renderer {
            site: &self.site,
            extras: &self.extras,
            templates: &self.templates,
            table,
            fingerprints: &self.fingerprints,
        }
    }

    /// What links of this version's pages reach.
    pub fn link_table(&self) -> LinkTable<'_> {
        LinkTable::with_index(&self.site, &self.outputs, &self.links)
    }

    /// The shared sidebar of a navigation group.
    pub fn sidebar(&self, scope: &SidebarScope) -> Rendered {
        if let Some(done) = lock(&self.sidebars).get(scope) {
            return done.clone();
        }
        let rendered = Arc::new(render::sidebar(
            &self.site,
            &self.extras,
            &self.templates,
            scope,
        ));
        lock(&self.sidebars).insert(scope.clone(), rendered.clone());
        rendered
    }

    /// A file handbook makes besides pages (`404.html`, `syntax.css`, `sitemap.xml`, the
    /// theme's assets), unless `static/` has one of that name.
    pub fn generated(&self, name: &str) -> Option<Made> {
        if self.copies.contains_key(name) {
            return None;
        }
        if let Some(done) = lock(&self.generated).get(name) {
            return Some(done.clone());
        }
        let root_sidebar = self.sidebar(&SidebarScope::of(self.site.root));
        let root_sidebar = root_sidebar.as_ref().as_ref().map_or("", String::as_str);
        let table = self.link_table();
        let made = Arc::new(render::generated::file(
            &self.renderer(&table),
            root_sidebar,
            name,
        )?);
        lock(&self.generated).insert(name.to_string(), made.clone());
        Some(made)
    }

    /// The analysis of every page, in page order: from the shared store, or made now. The
    /// store then forgets the analyses of texts this version does not have (earlier versions
    /// of edited pages, removed pages); a newer version's are made again if needed.
    pub fn analyses(&self) -> crate::site::PerPage<Arc<Analysis>> {
        let table = self.link_table();
        let renderer = self.renderer(&table);
        let mut keys = BTreeSet::new();
        let all = self
            .site
            .pages
            .ids()
            .map(|id| {
                let key = self.analysis_key(id);
                keys.insert(key);
                if let Some(known) = self.analyses.get(key) {
                    return known;
                }
                let analysis = Arc::new(renderer.analysis(id));
                self.analyses.insert(key, analysis.clone());
                analysis
            })
            .collect();
        self.analyses.retain(&keys);
        all
    }
}

/// What browsers showing the site should do after a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Reload the page.
    Reload,
    /// Only stylesheets changed: fetch them again, keep the page.
    Stylesheets,
}

/// What changed on disk since the last batch, by kind.
#[derive(Debug, Default)]
pub struct Batch {
    /// `handbook.yml` changed, or the watcher lost track: load everything again.
    pub everything: bool,
    pub templates: bool,
    /// Paths relative to `templates/`, when known.
    pub template_files: BTreeSet<String>,
    /// Paths relative to `data/`.
    pub data: BTreeSet<String>,
    /// Paths relative to `static/`.
    pub statics: BTreeSet<String>,
    /// Paths relative to `content/`.
    pub content: BTreeSet<String>,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        !self.everything
            && !self.templates
            && self.statics.is_empty()
            && self.content.is_empty()
            && self.data.is_empty()
    }

    /// How many files it names, to tell an editor's save from a burst (`git checkout`).
    pub fn len(&self) -> usize {
        usize::from(self.everything)
            + usize::from(self.templates)
            + self.statics.len()
            + self.content.len()
            + self.data.len()
    }

    /// What the batch is about, for the terminal: `content/a.md`, or `3 files`.
    pub fn describe(&self) -> String {
        if self.everything {
            return crate::layout::CONFIG_FILE.to_string();
        }
        let mut names = self
            .content
            .iter()
            .map(|rel| format!("{}/{rel}", crate::layout::CONTENT_DIR))
            .chain(self.statics.iter().map(|rel| format!("static/{rel}")))
            .chain(self.data.iter().map(|rel| format!("data/{rel}")));
        match (self.len(), names.next()) {
            (1, Some(name)) => name,
            (1, None) => crate::layout::TEMPLATES_DIR.to_string(),
            (n, _) => format!("{n} files"),
        }
    }
}

/// The watcher's side: the last good inputs, the problems of the others, and the current
/// generation.
pub struct Workspace {
    root: PathBuf,
    drafts: bool,
    base_url: String,
    /// `--base`: what the preview banner, the changes page and the marked sections compare
    /// with, as on a deploy preview.
    base: Option<String>,
    config: Arc<Config>,
    templates: Arc<Templates>,
    /// When each page last changed in git, read once at start.
    git: Arc<crate::git::Record>,
    /// Where the next version's edited pages land ([`Generation::landings`]).
    landings: Vec<(String, String)>,
    /// The last good version of each data file, and the data they make.
    data_files: DataFiles,
    data: Arc<Data>,
    /// The extras of the current generation.
    extras: Arc<Extras>,
    /// Problems by file (`content/…`, `templates/…`, `handbook.yml`), errors and warnings.
    problems: BTreeMap<String, Vec<Diagnostic>>,
    /// Problems of the site as a whole (two pages on one URL, …): from the last resolve.
    site_problems: Vec<Diagnostic>,
    /// Problems of telling what changed compared with `--base`.
    review_problems: Vec<Diagnostic>,
    /// The last change could not be resolved (two pages on one URL, …), so the site served
    /// is behind the files: the next change reads every page again.
    stale: bool,
    current: Arc<Generation>,
}

impl Workspace {
    /// Loads the site. Fails only when there is nothing to serve: the configuration cannot be
    /// read. Other problems are kept and shown, and the site is served as far as it goes.
    pub fn load(
        root: &Path,
        drafts: bool,
        base_url: &str,
        base: Option<&str>,
    ) -> Result<Workspace, Vec<Diagnostic>> {
        let history = std::thread::spawn({
            let root = root.to_path_buf();
            move || crate::git::Record::load(&root)
        });
        let config = Arc::new(config::load(root, Some(base_url)).map_err(|d| vec![d])?);
        let mut problems: BTreeMap<String, Vec<Diagnostic>> = BTreeMap::new();
        file_problems(&mut problems, config.warnings.clone());
        let (templates, ((sources, file_errors), assets)) = rayon::join(
            || templates::load(root),
            || {
                read_content(
                    root,
                    drafts,
                    &config.front_matter.keys,
                    &mut BTreeMap::new(),
                )
            },
        );
        problems.extend(file_errors);
        let templates = match templates {
            Ok(templates) => {
                file_problems(&mut problems, templates.warnings.clone());
                Arc::new(templates)
            }
            Err(errors) => {
                file_problems(&mut problems, errors);
                // Served with the built-in theme until the templates are fixed.
                Arc::new(templates::builtin())
            }
        };
        if sources
            .iter()
            .any(|p| p.body.contains("```") || p.body.contains("~~~"))
        {
            highlight::load_syntaxes_in_background();
        }
        let data_files = DataFiles::load(root, &mut problems);
        let data = Arc::new(data_files.assemble(&mut problems));
        let mut diags = Diagnostics::default();
        let mut site = resolve::resolve(
            (*config).clone(),
            Content {
                pages: sources,
                assets,
                data: Default::default(),
            },
            Some(&templates.layouts),
            &mut diags,
        );
        site.data = data.clone();
        let git = Arc::new(history.join().unwrap_or_default());
        let extras = Arc::new(Extras::gather(
            root,
            &site,
            Default::default(),
            base,
            git.clone(),
            &mut diags,
        ));
        // Kept apart: made again with the review at each change.
        let review_problems = extras.review_warnings();
        let (copies, outputs) = plan(&site, &extras, root, &mut diags);
        let links = Arc::new(LinkIndex::new(&site));
        let current = Arc::new(Generation {
            version: 1,
            links,
            site,
            extras: extras.clone(),
            templates: templates.clone(),
            fingerprints: plain_names(&config),
            copies,
            outputs,
            sidebars: Arc::default(),
            pages: Mutex::default(),
            generated: Mutex::default(),
            analyses: Arc::default(),
            landings: Vec::new(),
        });
        Ok(Workspace {
            root: root.to_path_buf(),
            drafts,
            base_url: base_url.to_string(),
            base: base.map(str::to_string),
            config,
            templates,
            git,
            landings: Vec::new(),
            data_files,
            data,
            extras,
            problems,
            site_problems: diags.into_sorted(),
            review_problems,
            stale: false,
            current,
        })
    }

    pub fn current(&self) -> Arc<Generation> {
        self.current.clone()
    }

    /// Every problem known now, sorted: the current site's, and those of the files whose last
    /// good version is in use.
    pub fn problems(&self) -> Vec<Diagnostic> {
        let mut all: Diagnostics = Diagnostics::default();
        all.extend(self.problems.values().flatten().cloned());
        all.extend(self.site_problems.iter().cloned());
        all.extend(self.review_problems.iter().cloned());
        all.into_sorted()
    }

    /// Applies a batch of changes. Returns what browsers should do, or `None` when the
    /// served site did not change (a broken file, a change to nothing served).
    /// Files of the batch that are neither on disk nor known (an editor's temporary file, gone
    /// by now) are dropped from it.
    pub fn apply(&mut self, batch: &mut Batch) -> Option<Action> {
        self.landings.clear();
        if batch.everything {
            return self.reload_everything();
        }
        let old_templates = self.templates.clone();
        let templates_changed = batch.templates && self.reload_templates();
        // Only shortcodes changed: pages that do not call them, and the sidebars, stay.
        let shortcodes_only =
            templates_changed && only_shortcodes_differ(&old_templates, &self.templates);
        let data_changed = !batch.data.is_empty() && self.reload_data(&batch.data);
        let content = self.read_changes(&batch.content);
        batch.content.retain(|rel| !content.unknown.contains(rel));
        if content.rescan || self.stale {
            return self.reload_content();
        }
        let layouts_changed =
            templates_changed && self.templates.layouts != self.current.templates.layouts;
        let old = self.current.clone();
        let in_place =
            content.removed.is_empty() && content.new_assets.is_empty() && !layouts_changed;
        let renavigated = match &content.moved[..] {
            [] => None,
            moved if in_place => self.renavigate(&old.site, moved),
            _ => None,
        };
        let (added, renavigated) = match renavigated {
            Some(Renavigated { site, added }) => (added, Some(site)),
            None => (Vec::new(), None),
        };
        if renavigated.is_none()
            && (!content.moved.is_empty()
                || !content.removed.is_empty()
                || !content.new_assets.is_empty()
                || layouts_changed)
        {
            let sources = self.sources_with(&content);
            let assets = self.assets_with(&content);
            return self.resolve_from(sources, assets).then_some(Action::Reload);
        }
        let navigation_changed = renavigated.is_some();
        let mut site = renavigated.unwrap_or_else(|| old.site.clone());
        site.data = self.data.clone();
        let mut patched = Vec::new();
        for (id, source) in content.patched {
            let mut page = resolve::new_page(source, &self.config, false);
            let mut diags = Diagnostics::default();
            resolve::check_layouts(
                std::slice::from_ref(&page),
                &self.templates.layouts,
                &mut diags,
            );
            if diags.has_errors() {
                // An unknown layout: the page stays as it was until it names one that exists.
                let path = page.source.display_path();
                self.problems.entry(path).or_default().extend(diags);
                continue;
            }
            let before = &old.site.pages[id];
            page.node = before.node;
            page.folder = before.folder.clone();
            page.redirect = before.redirect.clone();
            if let Some(anchor) =
                super::landing::changed_section(&before.source.body, &page.source.body, &page.title)
            {
                self.landings.push((page.href.clone(), anchor));
            }
            site.pages[id] = Arc::new(page);
            patched.push(id);
        }
        let statics = !batch.statics.is_empty();
        if !templates_changed
            && !navigation_changed
            && patched.is_empty()
            && !content.touched
            && !statics
            && !data_changed
        {
            return None;
        }
        let (copies, outputs) = if statics {
            let mut diags = Diagnostics::default();
            let planned = plan(&site, &self.extras, &self.root, &mut diags);
            self.site_problems = diags.into_sorted();
            planned
        } else if added.is_empty() {
            (old.copies.clone(), old.outputs.clone())
        } else {
            let mut outputs = (*old.outputs).clone();
            outputs.extend(added.iter().cloned());
            (old.copies.clone(), Arc::new(outputs))
        };
        // Pages are made of Markdown and templates: a static file changes none of them. A
        // title or weight shows in other pages' sidebars, breadcrumbs, cards and prev/next.
        // A shortcode or a data file changes only the pages whose calls use it (unless page
        // templates read the data).
        let pages_read_data = data_changed && self.templates.pages_use_data;
        let same =
            (!templates_changed || shortcodes_only) && !navigation_changed && !pages_read_data;
        let redone = match same && (shortcodes_only || data_changed) {
            true => self.calls_changed(&old, &site),
            false => BTreeSet::new(),
        };
        let places = match added.is_empty() {
            true => Places::Same(same.then(|| old.sidebars.clone())),
            false => Places::Added,
        };
        self.publish(site, copies, outputs, places, |id| {
            same && !patched.contains(&id) && !redone.contains(&id)
        });
        let css_only = batch.content.is_empty()
            && !batch.templates
            && statics
            && batch.statics.iter().all(|rel| rel.ends_with(".css"));
        Some(if css_only {
            Action::Stylesheets
        } else {
            Action::Reload
        })
    }

    /// Reads the data files `rels` again (a broken one keeps its last good version). Returns
    /// whether the data changed.
    fn reload_data(&mut self, rels: &BTreeSet<String>) -> bool {
        let dir = format!("{}/", crate::layout::DATA_DIR);
        let changed = self.data_files.update(&self.root, rels, &mut self.problems);
        if changed {
            // Two files on one key are said again if still so.
            self.problems.retain(|path, found| {
                !path.starts_with(&dir) || found.iter().all(|d| !d.message.contains("` are both `"))
            });
            self.data = Arc::new(self.data_files.assemble(&mut self.problems));
        }
        changed
    }

    /// The pages cached in `old` whose shortcode calls depend on a template or data file that
    /// differs in `site` (with the current templates).
    fn calls_changed(&self, old: &Generation, site: &Site) -> BTreeSet<PageId> {
        let cached: Vec<PageId> = lock(&old.pages).keys().copied().collect();
        cached
            .into_iter()
            .filter(|&id| {
                let calls = &site.pages[id].source.calls;
                old.dependencies(id) != shortcodes::dependencies(&self.templates, &site.data, calls)
            })
            .collect()
    }

    /// Parses the templates again; keeps the last good ones if they are broken. Returns whether
    /// they changed.
    fn reload_templates(&mut self) -> bool {
        let dir = format!("{}/", crate::layout::TEMPLATES_DIR);
        self.problems.retain(|path, _| !path.starts_with(&dir));
        match templates::reload(&self.root, &self.templates) {
            Ok(templates) => {
                file_problems(&mut self.problems, templates.warnings.clone());
                self.templates = Arc::new(templates);
                true
            }
            Err(errors) => {
                file_problems(&mut self.problems, errors);
                false
            }
        }
    }

    /// Makes the next generation current. Cached pages for which `keep` says yes are kept; the
    /// others that were cached (pages browsers are showing) are rendered again first, so that
    /// the reload finds them ready.
    fn publish(
        &mut self,
        site: Site,
        copies: Arc<BTreeMap<String, PathBuf>>,
        outputs: Arc<BTreeSet<String>>,
        places: Places,
        keep: impl Fn(PageId) -> bool,
    ) {
        // Same pages: the links are kept; pages added or moved: made again.
        let (same_pages, sidebars, links) = match places {
            Places::Same(sidebars) => (true, sidebars, self.current.links.clone()),
            Places::Added => (true, None, Arc::new(LinkIndex::new(&site))),
            Places::New => (false, None, Arc::new(LinkIndex::new(&site))),
        };
        // With `--base`, any change may change what the sidebar, the banner and every page say
        // of the review.
        let reviewed = self.base.is_some();
        if reviewed {
            let mut diags = Diagnostics::default();
            self.extras = Arc::new(Extras::gather(
                &self.root,
                &site,
                Default::default(),
                self.base.as_deref(),
                self.git.clone(),
                &mut diags,
            ));
            diags.extend(self.extras.review_warnings());
            self.review_problems = diags.into_sorted();
        }
        let sidebars = sidebars.filter(|_| !reviewed);
        let old = &self.current;
        let (kept, fresh): (Vec<_>, Vec<_>) = lock(&old.pages)
            .iter()
            .map(|(id, r)| (*id, r.clone()))
            .partition(|(id, _)| !reviewed && keep(*id));
        let generation = Generation {
            version: old.version + 1,
            links,
            site,
            extras: self.extras.clone(),
            fingerprints: plain_names(&self.config),
            templates: self.templates.clone(),
            copies,
            outputs,
            sidebars: sidebars.unwrap_or_default(),
            pages: Mutex::new(kept.into_iter().collect()),
            generated: Mutex::default(),
            analyses: old.analyses.clone(),
            landings: std::mem::take(&mut self.landings),
        };
        if same_pages {
            for (id, _) in fresh {
                generation.page(id);
            }
        }
        self.current = Arc::new(generation);
    }

    /// Re-reads `handbook.yml`, the templates and every page.
    fn reload_everything(&mut self) -> Option<Action> {
        let key = crate::layout::CONFIG_FILE.to_string();
        self.problems.remove(&key);
        match config::load(&self.root, Some(&self.base_url)) {
            Ok(config) => {
                file_problems(&mut self.problems, config.warnings.clone());
                self.config = Arc::new(config);
            }
            Err(problem) => {
                self.problems.insert(key, vec![problem]);
                return None;
            }
        }
        self.reload_templates();
        let dir = format!("{}/", crate::layout::DATA_DIR);
        self.problems.retain(|path, _| !path.starts_with(&dir));
        self.data_files = DataFiles::load(&self.root, &mut self.problems);
        self.data = Arc::new(self.data_files.assemble(&mut self.problems));
        self.reload_content()
    }

    /// Reads every file of `content/` again (a folder was added, removed or renamed).
    fn reload_content(&mut self) -> Option<Action> {
        let mut last_good: BTreeMap<String, Arc<SourcePage>> = self
            .current_sources()
            .into_iter()
            .map(|p| (p.rel_path.clone(), p))
            .collect();
        let content = format!("{}/", crate::layout::CONTENT_DIR);
        self.problems.retain(|path, _| !path.starts_with(&content));
        let ((sources, file_errors), assets) = read_content(
            &self.root,
            self.drafts,
            &self.config.front_matter.keys,
            &mut last_good,
        );
        self.problems.extend(file_errors);
        self.resolve_from(sources, assets).then_some(Action::Reload)
    }

    /// Resolves the site from these pages and files. On success it becomes the current
    /// generation; on failure the current one stays (and is stale), and this returns false.
    fn resolve_from(&mut self, sources: Vec<Arc<SourcePage>>, assets: Vec<Asset>) -> bool {
        let mut diags = Diagnostics::default();
        let mut site = resolve::resolve(
            (*self.config).clone(),
            Content {
                pages: sources,
                assets,
                data: Default::default(),
            },
            Some(&self.templates.layouts),
            &mut diags,
        );
        site.data = self.data.clone();
        let (copies, outputs) = plan(&site, &self.extras, &self.root, &mut diags);
        let failed = diags.has_errors();
        self.site_problems = diags.into_sorted();
        self.stale = failed;
        if failed {
            return false;
        }
        // The link check forgets the analyses of texts gone (Generation::analyses): hashing
        // every page here took ~9% of a navigation change at 10,000 pages.
        self.publish(site, copies, outputs, Places::New, |_| false);
        true
    }

    /// `site` with the pages of `moved` in their places, if each is a new entry of a folder or
    /// only changed what the navigation shows of it ([`resolve::add_page`],
    /// [`resolve::renavigate`]); `None` if the site must be resolved again.
    fn renavigate(&self, site: &Site, moved: &[Arc<SourcePage>]) -> Option<Renavigated> {
        let mut site = site.clone();
        let mut added = Vec::new();
        for source in moved {
            let page = resolve::new_page(source.clone(), &self.config, false);
            let mut diags = Diagnostics::default();
            resolve::check_layouts(
                std::slice::from_ref(&page),
                &self.templates.layouts,
                &mut diags,
            );
            if diags.has_errors() {
                return None;
            }
            let known = site
                .pages
                .iter_enumerated()
                .find(|(_, p)| !p.generated && p.source.rel_path == source.rel_path);
            site = match known {
                Some((id, _)) => resolve::renavigate(&site, id, page)?,
                None => {
                    let output = page.output_path();
                    let current = &self.current;
                    let clash = current.outputs.contains(&output)
                        || current.copies.contains_key(&output)
                        || added.contains(&output);
                    if clash {
                        return None;
                    }
                    added.push(output);
                    resolve::add_page(&site, page)?.0
                }
            };
        }
        Some(Renavigated { site, added })
    }

    fn current_sources(&self) -> Vec<Arc<SourcePage>> {
        self.current
            .site
            .pages
            .iter()
            .filter(|p| !p.generated)
            .map(|p| p.source.clone())
            .collect()
    }

    /// The current pages with the batch's changes applied.
    fn sources_with(&self, changes: &ContentChanges) -> Vec<Arc<SourcePage>> {
        let base = self.current_sources();
        let mut by_rel: BTreeMap<String, Arc<SourcePage>> =
            base.into_iter().map(|p| (p.rel_path.clone(), p)).collect();
        for rel in &changes.removed {
            by_rel.remove(rel);
        }
        for (_, source) in &changes.patched {
            by_rel.insert(source.rel_path.clone(), Arc::new(source.clone()));
        }
        for source in &changes.moved {
            by_rel.insert(source.rel_path.clone(), source.clone());
        }
        by_rel.into_values().collect()
    }

    fn assets_with(&self, changes: &ContentChanges) -> Vec<Asset> {
        let mut assets: BTreeMap<String, Asset> = self
            .current
            .site
            .assets
            .iter()
            .map(|a| (a.rel_path.clone(), a.clone()))
            .collect();
        for rel in &changes.removed {
            assets.remove(rel);
        }
        for asset in &changes.new_assets {
            assets.insert(asset.rel_path.clone(), asset.clone());
        }
        assets.into_values().collect()
    }

    /// Reads the changed files of `content/` and sorts the changes by what they need.
    fn read_changes(&mut self, rels: &BTreeSet<String>) -> ContentChanges {
        let mut changes = ContentChanges::default();
        let site = &self.current.site;
        let content = self.root.join(crate::layout::CONTENT_DIR);
        let scope = crate::source::walk::Scope::new(&self.root).ok();
        for rel in rels {
            if source::is_unpublished(rel) {
                // `_draft.md`, `_old/`: never part of the site.
                changes.unknown.insert(rel.clone());
                continue;
            }
            let shown = format!("{}/{rel}", crate::layout::CONTENT_DIR);
            let (path, exists) = look(
                &mut self.problems,
                scope.as_ref(),
                &content.join(rel),
                &shown,
            );
            let known_page = site
                .pages
                .iter_enumerated()
                .find(|(_, p)| !p.generated && p.source.rel_path == *rel)
                .map(|(id, _)| id);
            let known_asset = site.assets.iter().any(|a| a.rel_path == *rel);
            let folder = format!("{rel}/");
            let known_folder = site
                .pages
                .iter()
                .any(|p| p.source.rel_path.starts_with(&folder))
                || site.assets.iter().any(|a| a.rel_path.starts_with(&folder));
            if !exists && known_page.is_none() && !known_asset && !known_folder {
                changes.unknown.insert(rel.clone());
            }
            if path.is_dir() || (known_folder && !path.is_file()) {
                changes.rescan = true;
                continue;
            }
            if !source::is_markdown(rel) {
                match (path.is_file(), known_asset) {
                    (true, true) => changes.touched = true,
                    (true, false) => changes.new_assets.push(Asset {
                        rel_path: rel.clone(),
                        source: path,
                    }),
                    (false, true) => changes.removed.push(rel.clone()),
                    (false, false) => {}
                }
                continue;
            }
            if !path.is_file() {
                if known_page.is_some() {
                    changes.removed.push(rel.clone());
                }
                continue;
            }
            match source::read_page(rel.clone(), &path, &self.config.front_matter.keys) {
                Ok((page, warnings)) => {
                    self.problems.remove(&shown);
                    if !warnings.is_empty() {
                        self.problems.insert(shown, warnings);
                    }
                    if page.front.draft == Some(true) && !self.drafts {
                        if known_page.is_some() {
                            changes.removed.push(rel.clone());
                        }
                        continue;
                    }
                    match known_page {
                        Some(id) if same_navigation(&site.pages[id].source, &page) => {
                            changes.patched.push((id, page));
                        }
                        _ => changes.moved.push(Arc::new(page)),
                    }
                }
                Err(problems) => {
                    self.problems.insert(shown, problems);
                }
            }
        }
        changes
    }
}

/// What is at `path` now, with links resolved by the rules of a build: the path to read (empty
/// for a link handbook does not follow, or a pipe, whose problem is filed in `problems`), and
/// whether anything is there.
fn look(
    problems: &mut BTreeMap<String, Vec<Diagnostic>>,
    scope: Option<&crate::source::walk::Scope>,
    path: &Path,
    shown: &str,
) -> (PathBuf, bool) {
    use crate::source::walk::Entry;
    match scope.and_then(|scope| scope.inspect_within(shown, path)) {
        Some(Entry::File(real) | Entry::Folder(real)) => {
            problems.remove(shown);
            (real, true)
        }
        Some(Entry::Skipped(d) | Entry::Refused(d)) => {
            problems.insert(shown.to_string(), vec![d]);
            // Neither a file nor a folder: what was known there is gone.
            (PathBuf::new(), true)
        }
        None => {
            problems.remove(shown);
            (PathBuf::new(), false)
        }
    }
}

/// What a new generation keeps of the current one's places.
enum Places {
    /// The same pages at the same addresses: the links are kept, and the pages browsers show
    /// are rendered again before the reload. The sidebars too when given.
    Same(Option<Arc<Mutex<HashMap<SidebarScope, Rendered>>>>),
    /// Pages were added; the others kept their ids and places.
    Added,
    /// Pages were added, removed or moved.
    New,
}

/// A site with navigation changes applied in place, and the output paths of its new pages.
struct Renavigated {
    site: Site,
    added: Vec<String>,
}

/// The changes of one batch to `content/`, read.
#[derive(Default)]
struct ContentChanges {
    /// Pages whose navigation did not change, by id in the current site.
    patched: Vec<(PageId, SourcePage)>,
    /// New pages, and pages whose navigation changed.
    moved: Vec<Arc<SourcePage>>,
    /// Pages and files that are gone, by path relative to `content/`.
    removed: Vec<String>,
    new_assets: Vec<Asset>,
    /// A known file that is not a page changed: same site, browsers reload.
    touched: bool,
    /// A folder appeared, disappeared or moved: read everything again.
    rescan: bool,
    /// Paths that are not there and were not known: nothing changed for them.
    unknown: BTreeSet<String>,
}

/// Whether a new version of a page leaves everything outside the page as it was: its URL,
/// where it sits and what the navigation (sidebar, cards, breadcrumbs, prev/next) says of it.
fn same_navigation(old: &SourcePage, new: &SourcePage) -> bool {
    // Every field, so that a new one is sorted into one kind or the other.
    let FrontMatter {
        // What the navigation (sidebar, cards, breadcrumbs, prev/next) and URLs show.
        title,
        weight,
        permalink,
        subcategory,
        draft,
        description,
        aliases,
        redirect_to,
        // Only the page itself shows these.
        layout: _,
        toc: _,
        sidebar_depth: _,
        search: _,
        review_every: _,
        evergreen: _,
        // Anchors of the page itself: its analysis has them.
        anchor_aliases: _,
    } = &old.front;
    let b = &new.front;
    *title == b.title
        && *weight == b.weight
        && *permalink == b.permalink
        && *subcategory == b.subcategory
        && *draft == b.draft
        && *description == b.description
        && *aliases == b.aliases
        && *redirect_to == b.redirect_to
        && old.first_heading == new.first_heading
}

/// Every page of `content/` (in parallel) and every other file. A page that cannot be read
/// keeps its version in `last_good`, if any. Problems are returned by file (`content/…`).
#[allow(clippy::type_complexity)]
fn read_content(
    root: &Path,
    drafts: bool,
    declared: &[String],
    last_good: &mut BTreeMap<String, Arc<SourcePage>>,
) -> (
    (Vec<Arc<SourcePage>>, BTreeMap<String, Vec<Diagnostic>>),
    Vec<Asset>,
) {
    let mut listing = Diagnostics::default();
    let files = source::list_files(root, crate::layout::CONTENT_DIR, &mut listing);
    let mut problems: BTreeMap<String, Vec<Diagnostic>> = BTreeMap::new();
    for d in listing {
        problems.entry(d.path.clone()).or_default().push(d);
    }
    let (markdown, other): (Vec<_>, Vec<_>) = files
        .into_iter()
        .partition(|(rel, _)| source::is_markdown(rel));
    let assets = other
        .into_iter()
        .map(|(rel_path, source)| Asset { rel_path, source })
        .collect();
    let results: Vec<(String, source::PageResult)> = markdown
        .into_par_iter()
        .map(|(rel, path)| (rel.clone(), source::read_page(rel, &path, declared)))
        .collect();
    let mut pages = Vec::with_capacity(results.len());
    for (rel, result) in results {
        match result {
            Ok((page, warnings)) => {
                if !warnings.is_empty() {
                    problems.insert(format!("{}/{rel}", crate::layout::CONTENT_DIR), warnings);
                }
                if drafts || page.front.draft != Some(true) {
                    pages.push(Arc::new(page));
                }
            }
            Err(found) => {
                if let Some(good) = last_good.remove(&rel) {
                    pages.push(good);
                }
                problems.insert(format!("{}/{rel}", crate::layout::CONTENT_DIR), found);
            }
        }
    }
    ((pages, problems), assets)
}

/// The outputs of `site`: the files served as they are (by URL path without the leading `/`,
/// with their source file), and every path the built site would have. Clashes go to `diags`.
fn plan(
    site: &Site,
    extras: &Extras,
    root: &Path,
    diags: &mut Diagnostics,
) -> (Arc<BTreeMap<String, PathBuf>>, Arc<BTreeSet<String>>) {
    let generated = render::generated::generated_names(site, extras);
    let plan = crate::output::plan(site, root, &generated, diags);
    (Arc::new(plan.copied_files()), Arc::new(plan.outputs))
}

/// Stylesheets and scripts by their plain names, as `handbook serve` serves them.
fn plain_names(config: &Config) -> Fingerprints {
    Fingerprints::new(&config.base_url, config.base_path())
}

/// Files problems by their path.
fn file_problems(problems: &mut BTreeMap<String, Vec<Diagnostic>>, found: Vec<Diagnostic>) {
    for d in found {
        problems.entry(d.path.clone()).or_default().push(d);
    }
}

/// Whether the templates `a` and `b` differ only in shortcodes (`templates/shortcodes/`).
fn only_shortcodes_differ(a: &Templates, b: &Templates) -> bool {
    let names: BTreeSet<&String> = a.sources.keys().chain(b.sources.keys()).collect();
    names.into_iter().all(|name| {
        name.starts_with(shortcodes::FOLDER)
            || a.sources.get(name).map(|s| &s.1) == b.sources.get(name).map(|s| &s.1)
    })
}

/// Locks a mutex; a thread that panicked while holding it left nothing half-written that
/// matters here (caches are rebuilt on demand).
pub fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn changed(rels: &[&str]) -> Batch {
        Batch {
            content: rels.iter().map(|r| r.to_string()).collect(),
            ..Batch::default()
        }
    }

    fn urls(workspace: &Workspace) -> Vec<String> {
        let mut urls: Vec<String> = workspace
            .current()
            .site
            .pages
            .iter()
            .map(|p| p.url.clone())
            .collect();
        urls.sort();
        urls
    }

    /// The navigation of the current site as a reader sees it: each node (kind, title, weight,
    /// URL) indented by depth, then the pages in navigation order.
    fn navigation(site: &Site) -> Vec<String> {
        fn walk(site: &Site, node: crate::site::NodeId, depth: usize, out: &mut Vec<String>) {
            let n = &site.nodes[node];
            let url = n.page.map_or("", |p| site.pages[p].url.as_str());
            out.push(format!(
                "{}{:?} {} {:?} {url}",
                "  ".repeat(depth),
                n.kind,
                n.title,
                n.weight
            ));
            for (index, &child) in n.children.iter().enumerate() {
                assert_eq!(site.nodes[child].index, index);
                assert_eq!(site.nodes[child].parent, Some(node));
                walk(site, child, depth + 1, out);
            }
        }
        let mut out = Vec::new();
        walk(site, site.root, 0, &mut out);
        for (i, &page) in site.order.iter().enumerate() {
            assert_eq!(site.position[page], i);
            out.push(format!("{i}: {}", site.pages[page].url));
        }
        out
    }

    /// Templates broken at start: the site is served with the built-in theme and the problem
    /// shown, until the templates are fixed.
    #[test]
    fn broken_templates_at_start_fall_back_to_the_theme() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        guide_site(root);
        write(root, "templates/page.html", "{% block content %}");
        let workspace = Workspace::load(root, false, "http://127.0.0.1:1/", None).unwrap();
        let problems: Vec<String> = workspace.problems().iter().map(|d| d.to_string()).collect();
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("templates/page.html:")),
            "{problems:?}"
        );
        let current = workspace.current();
        let page = current.page(current.site.by_url["/guide/"]);
        assert!(page.as_ref().as_ref().unwrap().contains("G."));
    }

    /// A handbook at `root` with a home page and a `guide/` folder with its `index.md`.
    fn guide_site(root: &Path) {
        write(
            root,
            "handbook.yml",
            "title: T\nbase_url: https://example.com/\n",
        );
        write(root, "content/index.md", "---\ntitle: Home\n---\n\nHome.\n");
        write(
            root,
            "content/guide/index.md",
            "---\ntitle: Guide\n---\n\nG.\n",
        );
    }

    /// Titles and weights change the navigation in place; any change that may move a page
    /// resolves the site again. Either way the navigation is what a fresh start shows.
    #[test]
    fn navigation_changes_give_the_navigation_a_fresh_start_gives() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        guide_site(root);
        for (name, weight) in [("a", 1), ("b", 2), ("c", 3), ("d", 4)] {
            write(
                root,
                &format!("content/guide/{name}.md"),
                &format!("---\ntitle: {name}\nweight: {weight}\n---\n\n{name}.\n"),
            );
        }
        write(root, "content/tools/x.md", "---\ntitle: X\n---\n\nX.\n");
        let mut workspace = Workspace::load(root, false, "http://127.0.0.1:1/", None).unwrap();
        let edits: [(&str, &str, bool); 11] = [
            // In place: a weight, a title, a weight removed, a description.
            ("guide/c.md", "---\ntitle: c\nweight: 0\n---\n\nc.\n", true),
            (
                "guide/a.md",
                "---\ntitle: Zebra\nweight: 1\n---\n\na.\n",
                true,
            ),
            ("guide/b.md", "---\ntitle: b\n---\n\nb.\n", true),
            (
                "guide/d.md",
                "---\ntitle: d\nweight: 4\ndescription: D\n---\n\nd.\n",
                true,
            ),
            // Resolved again: into a group, a title naming a folder without index.md, a
            // permalink.
            (
                "guide/d.md",
                "---\ntitle: d\nsubcategory: More\n---\n\nd.\n",
                false,
            ),
            ("tools/x.md", "---\ntitle: Tools\n---\n\nX.\n", false),
            (
                "guide/b.md",
                "---\ntitle: b\npermalink: /bee/\n---\n\nb.\n",
                false,
            ),
            // New pages: in place in a folder with an index.md, first by weight; else resolved
            // (a folder without one, a page beside a folder).
            ("guide/e.md", "---\ntitle: e\nweight: -1\n---\n\ne.\n", true),
            (
                "guide/f.md",
                "---\ntitle: f\npermalink: /eff/\n---\n\nf.\n",
                true,
            ),
            ("tools/y.md", "---\ntitle: Y\n---\n\nY.\n", false),
            ("tools.md", "---\ntitle: Tool box\n---\n\nT.\n", false),
        ];
        for (rel, text, in_place) in edits {
            let before = workspace.current();
            write(root, &format!("content/{rel}"), text);
            assert_eq!(
                workspace.apply(&mut changed(&[rel])),
                Some(Action::Reload),
                "{rel}"
            );
            let after = workspace.current();
            assert_eq!(after.version, before.version + 1, "{rel}");
            // Resolving the site plans its output again.
            assert_eq!(
                Arc::ptr_eq(&before.copies, &after.copies),
                in_place,
                "{rel}: changed in place"
            );
            let fresh = Workspace::load(root, false, "http://127.0.0.1:1/", None).unwrap();
            assert_eq!(
                navigation(&after.site),
                navigation(&fresh.current().site),
                "after {rel}"
            );
        }
        let current = workspace.current();
        let shown = navigation(&current.site);
        for entry in ["    Page Zebra Some(1) /guide/a/", "    Page f None /eff/"] {
            assert!(shown.contains(&entry.to_string()), "{shown:#?}");
        }
        assert!(current.outputs.contains("eff/index.html"));
    }

    /// A new page on an address another page has is not added in place: the site is resolved
    /// and the clash reported, as a build reports it.
    #[test]
    fn a_new_page_on_a_taken_address_is_reported_not_added() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        guide_site(root);
        write(root, "content/guide/a.md", "---\ntitle: A\n---\n\nA.\n");
        let mut workspace = Workspace::load(root, false, "http://127.0.0.1:1/", None).unwrap();
        write(
            root,
            "content/guide/b.md",
            "---\ntitle: B\npermalink: /guide/a/\n---\n\nB.\n",
        );
        assert_eq!(workspace.apply(&mut changed(&["guide/b.md"])), None);
        assert_eq!(urls(&workspace), ["/", "/guide/", "/guide/a/"]);
        let problems = workspace.problems();
        assert!(
            problems
                .iter()
                .any(|d| d.is_error() && d.message.contains("two pages have the URL /guide/a/")),
            "{problems:?}"
        );
    }

    /// A change that cannot be resolved (two pages on one URL) keeps the last good site, and
    /// the next change starts from the pages of the failed one.
    #[test]
    fn a_change_that_cannot_be_resolved_waits_for_the_next_one() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(
            root,
            "handbook.yml",
            "title: T\nbase_url: https://example.com/\n",
        );
        write(root, "content/index.md", "---\ntitle: Home\n---\n\nHome.\n");
        write(root, "content/a.md", "---\ntitle: A\n---\n\nA.\n");
        let mut workspace = Workspace::load(root, false, "http://127.0.0.1:1/", None).unwrap();
        let before = urls(&workspace);
        assert_eq!(before, ["/", "/a/"]);

        // b.md takes a.md's URL: nothing changes, and the problem is reported.
        write(
            root,
            "content/b.md",
            "---\ntitle: B\npermalink: /a/\n---\n\nB.\n",
        );
        assert_eq!(workspace.apply(&mut changed(&["b.md"])), None);
        assert_eq!(urls(&workspace), before);
        assert!(workspace.problems().iter().any(|d| d.is_error()));
        assert_eq!(workspace.current().version, 1);

        // c.md is new; b.md still clashes: still the last good site.
        write(root, "content/c.md", "---\ntitle: C\n---\n\nC.\n");
        assert_eq!(workspace.apply(&mut changed(&["c.md"])), None);
        assert_eq!(urls(&workspace), before);

        // b.md moves to its own URL: the site has b and c (every page read again).
        write(
            root,
            "content/b.md",
            "---\ntitle: B\npermalink: /b/\n---\n\nB.\n",
        );
        assert_eq!(
            workspace.apply(&mut changed(&["b.md"])),
            Some(Action::Reload)
        );
        assert_eq!(urls(&workspace), ["/", "/a/", "/b/", "/c/"]);
        assert!(!workspace.problems().iter().any(|d| d.is_error()));
        assert_eq!(workspace.current().version, 2);

        // A weight: re-resolved from the current pages.
        write(
            root,
            "content/c.md",
            "---\ntitle: C\nweight: 1\n---\n\nC.\n",
        );
        assert_eq!(
            workspace.apply(&mut changed(&["c.md"])),
            Some(Action::Reload)
        );
        assert_eq!(urls(&workspace), ["/", "/a/", "/b/", "/c/"]);
        assert_eq!(workspace.current().version, 3);
    }

    /// The store of analyses keeps one per page: the texts of earlier versions are forgotten
    /// once a newer version is checked.
    #[test]
    fn analyses_of_edited_texts_are_forgotten() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(
            root,
            "handbook.yml",
            "title: T\nbase_url: https://example.com/\n",
        );
        write(root, "content/index.md", "---\ntitle: Home\n---\n\nHome.\n");
        write(root, "content/a.md", "---\ntitle: A\n---\n\nA.\n");
        let mut workspace = Workspace::load(root, false, "http://127.0.0.1:1/", None).unwrap();
        let pages = workspace.current().analyses().len();
        for i in 0..10 {
            write(
                root,
                "content/a.md",
                &format!("---\ntitle: A\n---\n\nEdit {i}.\n"),
            );
            assert_eq!(
                workspace.apply(&mut changed(&["a.md"])),
                Some(Action::Reload)
            );
            let current = workspace.current();
            // A browser shows the page: its analysis is stored when it is rendered.
            let id = current.site.by_url["/a/"];
            assert!(current.page(id).is_ok());
            current.analyses();
            assert_eq!(current.analyses.len(), pages, "after edit {i}");
        }
    }
}
