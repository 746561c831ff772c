//! The build's pass over every page, in parallel: each page is rendered and handed to the
//! [`Sink`] as soon as it is done, so that no more than a page per core is held in memory. A
//! page whose inputs did not change since the previous build is kept as it is, and with its
//! saved analysis not even parsed.

use super::{Renderer, Sidebars, analysis_key};
use crate::diagnostics::Diagnostic;
use crate::markdown::Analysis;
use crate::output::facts::{self, Known};
use crate::output::{Manifest, Sink, write_failure};
use crate::search::{self, Gathered, Indexer, PageEntry};
use crate::site::{Page, PageId, SidebarScope};
use crate::templates::{PageContext, Templates, hash_json};
use rayon::prelude::*;
use std::collections::HashMap;
use xxhash_rust::xxh3::Xxh3;

/// Every page of the site, rendered (or found current) and handed to the sink.
pub struct Pages {
    /// The analysis of each page, by id: what links are checked against and search indexes.
    pub analyses: crate::site::PerPage<Analysis>,
    /// The fingerprint of each page written or kept, by output path.
    pub manifest: Manifest,
    /// The pages whose analysis the next build may reuse ([`facts`]), with the key of their
    /// inputs.
    pub facts: Vec<(PageId, u64)>,
    /// Pages that could not be rendered or written; a broken template is said once.
    pub failures: Vec<Diagnostic>,
    /// What the pass gathered for the search index, when asked to index the pages: their files
    /// are written, the shards are made from this ([`crate::search::finish`]).
    pub search: Option<Gathered>,
}

/// Renders every page into `sink`; with `search`, also indexes each searchable page and writes
/// its file of the search index, in the same pass. The analyses come out without their search
/// text: what the index needs of it is in its entries. `sidebar_digests` name each sidebar
/// by what it was rendered from ([`super::sidebars`]): a page's fingerprint takes its
/// sidebar's digest.
pub fn render_all(
    renderer: &Renderer<'_>,
    sidebars: &Sidebars,
    sidebar_digests: &HashMap<SidebarScope, u128>,
    sink: &dyn Sink,
    search: bool,
) -> Pages {
    // Both read what the previous build saved: at the same time.
    let (known, gathered) = rayon::join(
        || facts::read(&sink.take_previous_facts()),
        || search.then(|| Gathered::start(renderer.site, &sink.take_previous_search())),
    );
    let pass = Pass {
        renderer,
        sidebars,
        sidebar_digests,
        sink,
        global: global_fingerprint(renderer),
        search: gathered.as_ref(),
    };
    let done: Vec<PageDone> = renderer
        .site
        .pages
        .par_ids()
        .map_init(
            || gathered.as_ref().map(|g| g.vocabulary.indexer()),
            |indexer, id| pass.page(&known, id, indexer.as_mut()),
        )
        .collect();
    let mut pages = Pages {
        analyses: crate::site::PerPage::with_capacity(done.len()),
        manifest: Manifest::new(),
        facts: Vec::new(),
        failures: Vec::new(),
        search: None,
    };
    let mut made = vec![None; gathered.as_ref().map_or(0, |g| g.numbering.len())];
    for (id, done) in renderer.site.pages.ids().zip(done) {
        match done.result {
            Ok(fingerprint) => {
                pages.facts.push((id, done.key));
                pages.manifest.insert(done.rel, fingerprint);
            }
            Err(d) => pages.failures.push(d),
        }
        match done.search {
            Some(Ok(indexed)) => {
                pages.manifest.insert(indexed.rel, indexed.fingerprint);
                made[indexed.n as usize] = indexed.made;
            }
            Some(Err(d)) => pages.failures.push(d),
            None => {}
        }
        pages.analyses.push(done.analysis);
    }
    pages.search = gathered.map(|gathered| Gathered { made, ..gathered });
    let target = sink.target().display().to_string();
    pages.failures = collapse_repeats(without_repeated(pages.failures, &target));
    pages
}

/// A rendered (or found current) page.
struct PageDone {
    rel: String,
    key: u64,
    /// Without its search text once indexed.
    analysis: Analysis,
    /// Whether `analysis` was made now, not read from the previous build's facts (which have
    /// no search text).
    analysed: bool,
    result: Result<u128, Diagnostic>,
    /// The page in the search index, if it is searchable and the pass indexes.
    search: Option<Result<Indexed, Diagnostic>>,
}

/// A page in the search index.
struct Indexed {
    n: u32,
    /// Its file of the index, written or kept, and that file's fingerprint.
    rel: String,
    fingerprint: u128,
    /// Its entry, if made by this pass (not the previous build's).
    made: Option<PageEntry>,
}

/// What every page of one pass is rendered with.
struct Pass<'a, 'r> {
    renderer: &'a Renderer<'r>,
    sidebars: &'a Sidebars,
    sidebar_digests: &'a HashMap<SidebarScope, u128>,
    sink: &'a dyn Sink,
    /// [`global_fingerprint`].
    global: u128,
    /// The search index, when the pass indexes the pages.
    search: Option<&'a Gathered>,
}

impl Pass<'_, '_> {
    /// Renders one page and writes it, unless the output already has it from the same inputs.
    /// `known` holds the analyses of the previous build: with one, an unchanged page is not
    /// even parsed.
    fn page(&self, known: &Known, id: PageId, indexer: Option<&mut Indexer<'_>>) -> PageDone {
        let mut done = self.render(known, id);
        if let (Some(gathered), Some(indexer)) = (self.search, indexer)
            && let Some(n) = gathered.numbering.of(id)
        {
            done.search = Some(self.index(&done, id, n, gathered, indexer));
        }
        done.analysis.search = Vec::new();
        done
    }

    /// Puts page `id` in the search index as number `n`: the previous build's entry and file if
    /// they were made from the same inputs, otherwise new ones.
    fn index(
        &self,
        done: &PageDone,
        id: PageId,
        n: u32,
        gathered: &Gathered,
        indexer: &mut Indexer<'_>,
    ) -> Result<Indexed, Diagnostic> {
        let site = self.renderer.site;
        let key = search::page_key(site, id, done.key);
        let rel = search::page_path(n);
        if let Some(entry) = gathered.previous_entry(&done.rel, key)
            && self.sink.keep(&rel, entry.file)
        {
            return Ok(Indexed {
                n,
                rel,
                fingerprint: entry.file,
                made: None,
            });
        }
        let (entry, file) = match done.analysed {
            true => search::index_page(site, id, &done.analysis, key, indexer),
            // The facts keep no search text: the page is read again for it.
            false => search::index_page(site, id, &self.renderer.analysis(id), key, indexer),
        };
        let fingerprint = entry.file;
        if !self.sink.keep(&rel, fingerprint) {
            self.sink.write(&rel, &file).map_err(|err| {
                write_failure(self.sink.target(), err, |err| {
                    let shown = site.pages[id].source.display_path();
                    Diagnostic::error(
                        shown,
                        format!("cannot write {rel} of the search index: {err}"),
                    )
                })
            })?;
        }
        Ok(Indexed {
            n,
            rel,
            fingerprint,
            made: Some(entry),
        })
    }

    /// The page, rendered and written, or kept as the output has it.
    fn render(&self, known: &Known, id: PageId) -> PageDone {
        let r = self.renderer;
        let page = &r.site.pages[id];
        let rel = page.output_path();
        let key = analysis_key(self.global, page);
        if page.redirect.is_some() {
            return self.redirect(rel, key, id);
        }
        let scope = r.site.sidebar_scope(id);
        let shared = self.sidebars.get(&scope).map_or("", String::as_str);
        let sidebar = self.sidebar_digests.get(&scope).copied().unwrap_or(0);
        let context = r.context(id);
        let fingerprint_of = |analysis: &Analysis| {
            let hrefs: Vec<Option<String>> = analysis
                .links
                .iter()
                .map(|l| r.table.rewrite(page, &l.dest))
                .collect();
            page_fingerprint(self.global, page, &hrefs, sidebar, &context)
        };
        if let Some((_, analysis)) = known.get(&rel).filter(|(k, _)| *k == key) {
            let fingerprint = fingerprint_of(analysis);
            if self.sink.keep(&rel, fingerprint) {
                let analysis = analysis.clone();
                return PageDone {
                    rel,
                    key,
                    analysis,
                    analysed: false,
                    result: Ok(fingerprint),
                    search: None,
                };
            }
        }
        let (html, analysis) = r.render_page(shared, id);
        let fingerprint = fingerprint_of(&analysis);
        let result = html.and_then(|html| {
            self.sink.write(&rel, html.as_bytes()).map_err(|err| {
                write_failure(self.sink.target(), err, |err| {
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
            analysed: true,
            result: result.map(|()| fingerprint),
            search: None,
        }
    }

    /// A page that only redirects (`redirect_to`, or a folder's address taken over by an
    /// alias): it has no analysis, links or headings of its own.
    fn redirect(&self, rel: String, key: u64, id: PageId) -> PageDone {
        let (html, analysis) = self.renderer.render_page("", id);
        let written = html.and_then(|html| {
            let fingerprint = xxhash_rust::xxh3::xxh3_128(html.as_bytes());
            self.sink
                .write_if_changed(&rel, html.as_bytes())
                .map(|()| fingerprint)
                .map_err(|err| {
                    write_failure(self.sink.target(), err, |err| {
                        let shown = self.renderer.site.pages[id].source.display_path();
                        Diagnostic::error(shown, format!("cannot write {rel}: {err}"))
                    })
                })
        });
        PageDone {
            rel,
            key,
            analysis,
            analysed: true,
            result: written,
            search: None,
        }
    }
}

/// What every page depends on: this very program, the templates, the configuration, the names
/// of the fingerprinted files and the data files.
fn global_fingerprint(renderer: &Renderer<'_>) -> u128 {
    let mut hasher = Xxh3::new();
    hasher.update(&program_fingerprint().to_le_bytes());
    let templates: &Templates = renderer.templates;
    hasher.update(&templates.fingerprint.to_le_bytes());
    hasher.update(&renderer.fingerprints.digest().to_le_bytes());
    hash_json(&mut hasher, &*renderer.site.config);
    for file in &renderer.site.data.files {
        hasher.update(file.path.as_bytes());
        hasher.update(&file.digest.to_le_bytes());
    }
    hasher.digest128()
}

/// This very program: another handbook binary may render the same input differently. Its
/// path, size and modification time identify it without reading it.
pub fn program_fingerprint() -> u128 {
    let mut hasher = Xxh3::new();
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
    hasher.digest128()
}

/// Everything a page is rendered from: its Markdown, its sidebar, and its whole template
/// context except what is rendered from that Markdown (`context` must not have it yet).
fn page_fingerprint(
    global: u128,
    page: &Page,
    hrefs: &[Option<String>],
    sidebar: u128,
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
    // The sidebar by the digest of what it was rendered from (its context, the templates, the
    // program): hashing the sidebar itself for every page of its group would cost more.
    hasher.update(&sidebar.to_le_bytes());
    hash_json(&mut hasher, context);
    hasher.digest128()
}

/// `failures` with the problem of a full disk (about the output folder, `target`) kept once:
/// it is the same for every page.
fn without_repeated(failures: Vec<Diagnostic>, target: &str) -> Vec<Diagnostic> {
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
        let key = (d.message.clone(), d.help.clone());
        match index.get(&key) {
            Some(&i) => seen[i].1 += 1,
            None => {
                index.insert(key, seen.len());
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
