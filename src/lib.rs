//! `handbook`: a company handbook in Markdown becomes a static site.
//!
//! One pipeline of stages, each taking values and returning one, shared by `build`, `check`
//! and `serve` (which calls the same stages for what changed):
//!
//! ```text
//! load (config, content, templates) ─▶ resolve ─▶ Site (read-only) ─▶ extras (deploy, history, review)
//!     ─▶ plan outputs ─▶ render pages ─▶ checks ─▶ search index ─▶ write | keep in memory
//! ```
//!
//! The modules, in pipeline order. `markdown` is a leaf that any stage may use; `git` and
//! `netlify` are the optional features that `extras` gathers, which the core stages (`source`,
//! `site`, `markdown`) never import. ARCHITECTURE.md draws the whole house.

// Linked in whether or not a program makes it the global allocator (`main.rs` does): `serve`
// asks it to give freed memory back (`mi_collect`).
extern crate mimalloc as _;

pub mod check;
pub mod config;
pub mod diagnostics;
pub mod extras;
pub mod git;
pub mod layout;
pub mod markdown;
pub mod netlify;
pub mod output;
pub mod render;
pub mod search;
pub mod serve;
pub mod site;
pub mod source;
pub mod templates;

use diagnostics::{BuildError, Diagnostic, Diagnostics};
use extras::Extras;
use output::{Nowhere, Plan, Sink, Staging};
use render::Renderer;
use site::Site;
use site::links::LinkTable;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use templates::Templates;

/// What `handbook build` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The handbook's folder: the one with `handbook.yml`.
    pub root: PathBuf,
    /// Where the site goes; `root/public` when not set.
    pub output_dir: Option<PathBuf>,
    /// Overrides `base_url` of `handbook.yml`.
    pub base_url: Option<String>,
    /// Include `draft: true` pages.
    pub drafts: bool,
    /// Netlify's build context ([`netlify::deploy::Deploy::from_env`]); empty for a local build.
    pub deploy: netlify::deploy::Deploy,
    /// Compare the site with this commit, branch or tag (`--base`): the changes page, the
    /// banner, and the pages that moved without a redirect. On Netlify's previews and branch
    /// deploys the base is found without it.
    pub base: Option<String>,
}

impl BuildOptions {
    pub fn output_dir(&self) -> PathBuf {
        match &self.output_dir {
            Some(dir) => dir.clone(),
            // `public`, not `./public`, when the root is the current folder.
            None if self.root == std::path::Path::new(".") => PathBuf::from("public"),
            None => self.root.join("public"),
        }
    }
}

/// A finished build.
#[derive(Debug)]
pub struct BuildSummary {
    pub pages: usize,
    pub sections: usize,
    pub output_dir: PathBuf,
    pub elapsed: Duration,
    pub warnings: Vec<Diagnostic>,
}

/// Stages 1 to 3: the configuration, content and templates, resolved into the read-only site,
/// with its extras beside it. Every problem of the input is reported together.
pub struct Loaded {
    pub site: Site,
    pub templates: Templates,
    pub extras: Extras,
    pub diags: Diagnostics,
}

/// Loads, resolves and gathers the extras. What git tells ([`git::Record::load`]) is read
/// while the content is read.
pub fn load(options: &BuildOptions) -> Result<Loaded, BuildError> {
    // `git log` runs in its own process: it costs this one a thread that waits for it, not a
    // core. Scoped, so that it is waited for even when the configuration is broken.
    std::thread::scope(|scope| {
        let git = scope.spawn(|| git::Record::load(&options.root));
        let (site, templates, mut diags) = load_and_resolve(options)?;
        // A panic while reading the log costs the dates, not the build.
        let git = std::sync::Arc::new(git.join().unwrap_or_default());
        let (deploy, base) = (options.deploy.clone(), options.base.as_deref());
        let extras = Extras::gather(&options.root, &site, deploy, base, git, &mut diags);
        if diags.has_errors() {
            return Err(fail(diags));
        }
        Ok(Loaded {
            site,
            templates,
            extras,
            diags,
        })
    })
}

/// The configuration, templates and content, read and resolved into the site.
fn load_and_resolve(options: &BuildOptions) -> Result<(Site, Templates, Diagnostics), BuildError> {
    let root = &options.root;
    let mut diags = Diagnostics::default();
    // `--base-url` first, then the address Netlify gives this deploy, then `handbook.yml`.
    let base_url = options
        .base_url
        .as_deref()
        .or_else(|| options.deploy.base_url());
    let config = config::load(root, base_url).map_err(fail_with)?;
    diags.extend(config.warnings.iter().cloned());
    // Templates and content are independent: read them at the same time.
    let (templates, content) = rayon::join(
        || templates::load(root),
        || source::load(root, options.drafts, &config.front_matter.keys, &mut diags),
    );
    if let Ok(templates) = &templates {
        diags.extend(templates.warnings.iter().cloned());
    }
    if content.has_code_blocks() {
        markdown::highlight::load_syntaxes_in_background();
    }
    // A broken template must not hide the content's problems: resolve anyway, without
    // checking layouts, and report everything together.
    let layouts = templates.as_ref().ok().map(|t| &t.layouts);
    let site = site::resolve::resolve(config, content, layouts, &mut diags);
    match templates {
        Ok(templates) if !diags.has_errors() => Ok((site, templates, diags)),
        Ok(_) => Err(fail(diags)),
        Err(problems) => {
            diags.extend(problems);
            Err(fail(diags))
        }
    }
}

/// What the stages shared by `build` and `check` made, for the last step.
pub struct Rendered {
    pub plan: Plan,
    /// The fingerprinted names of the stylesheets and scripts.
    pub fingerprints: templates::assets::Fingerprints,
    pub pages: render::pages::Pages,
    /// The links that leave the site, for `check --external`.
    pub external: Vec<check::ExternalLink>,
    /// The sidebars, saved for the next build ([`render::save_sidebars`]).
    pub sidebars: Vec<u8>,
}

/// Stages 4 to 6, shared by `build` and `check`: plan every output, fingerprint the stylesheets
/// and scripts, render every page and generated file into the sink that `open` makes for the
/// planned outputs (with `search`, each page's file of the search index too, and what the
/// index's shards are made of), and run the site-wide checks. `None` when a problem stops it
/// before the pages are rendered (two files on one path, a broken sidebar, an output folder
/// that cannot be written); the problems are in `diags`.
pub fn render<S: Sink>(
    loaded: &Loaded,
    root: &Path,
    checks: check::Settings,
    search: bool,
    open: impl FnOnce(&BTreeSet<String>) -> Result<S, Diagnostic>,
    diags: &mut Diagnostics,
) -> Option<(S, Rendered)> {
    let Loaded {
        site,
        templates,
        extras,
        ..
    } = loaded;
    let generated = render::generated::generated_names(site, extras);
    let plan = output::plan(site, root, &generated, diags);
    if diags.has_errors() {
        return None;
    }
    let assets = render::assets::collect(site, &plan, &generated, diags);
    // Links name files by their plain paths; the folder holds the fingerprinted ones.
    let sink = open(&assets.fingerprints.output_paths(&plan.outputs))
        .map_err(|d| diags.push(d))
        .ok()?;
    let previous = render::read_sidebars(&sink.take_previous_sidebars());
    let (sidebars, digests) = render::sidebars(site, extras, templates, &previous, diags);
    drop(previous);
    if diags.has_errors() {
        return None;
    }
    let table = LinkTable::new(site, &plan.outputs);
    let renderer = Renderer {
        site,
        extras,
        templates,
        table: &table,
        fingerprints: &assets.fingerprints,
    };
    let mut pages = render::pages::render_all(&renderer, &sidebars, &digests, &sink, search);
    diags.extend(std::mem::take(&mut pages.failures));
    let inputs = check::Inputs {
        site,
        templates,
        table: &table,
        sidebars: &sidebars,
        analyses: &pages.analyses,
    };
    let external = check::all(&inputs, checks, diags);
    let root_sidebar = sidebars
        .get(&site::SidebarScope::of(site.root))
        .map_or("", String::as_str);
    render::generated::write_all(&renderer, root_sidebar, &plan, &assets, &sink, diags);
    let fingerprints = assets.fingerprints;
    let sidebars = render::save_sidebars(&sidebars, &digests);
    Some((
        sink,
        Rendered {
            plan,
            fingerprints,
            pages,
            external,
            sidebars,
        },
    ))
}

/// `handbook build`: the pipeline, then the search index and the copied files, and the new site
/// swapped in. The output folder changes only if there is no error.
pub fn build(options: &BuildOptions) -> Result<BuildSummary, BuildError> {
    let started = Instant::now();
    let target = options.output_dir();
    output::check_target(&options.root, &target)
        .map_err(|message| fail_with(Diagnostic::error(target.display().to_string(), message)))?;
    let mut loaded = load(options)?;
    let mut diags = std::mem::take(&mut loaded.diags);
    // A preview is built anyway; the changes page and the log say what moved without a
    // redirect (`handbook check --base` fails on it).
    diags.extend(loaded.extras.review_warnings());
    let search = loaded.site.config.search.enabled;
    let open = |outputs: &BTreeSet<String>| {
        // The pages' files of the search index are written with the pages.
        let folders = match search {
            true => search::index_folders(&loaded.site).into_iter().collect(),
            false => Default::default(),
        };
        Staging::new(&target, outputs, &[layout::SEARCH_INDEX_DIR])
            .and_then(|staging| {
                staging.begin_folder(layout::SEARCH_INDEX_DIR, folders)?;
                Ok(staging)
            })
            .map_err(|err| {
                output::write_failure(&target, err, |err| {
                    output::sink::output_failure(&target, "cannot prepare the output folder", err)
                })
            })
    };
    let rendered = render(
        &loaded,
        &options.root,
        check::Settings::default(),
        search,
        open,
        &mut diags,
    );
    let rendered = match rendered {
        Some((staging, mut rendered)) if !diags.has_errors() => {
            write(&loaded.site, staging, &mut rendered, &mut diags);
            Some(rendered)
        }
        rendered => rendered.map(|(_, rendered)| rendered),
    };
    let summary = summary(&loaded.site, target, started, diags);
    drop_aside((loaded, rendered));
    summary
}

/// Drops `values` on a thread of its own: freeing the site, its pages and their analyses takes
/// tens of milliseconds at 10,000 pages, which `handbook build` need not wait for (the
/// process ends without waiting for that thread).
fn drop_aside<T: Send + 'static>(values: T) {
    if std::thread::Builder::new()
        .name("drop".into())
        .spawn(move || drop(values))
        .is_err()
    {
        // No thread to be had: dropped here, as ever.
    }
}

/// The last step of a build: the search index's shards and the copied files into the staging
/// folder, which then becomes the output folder.
fn write(site: &Site, staging: Staging, rendered: &mut Rendered, diags: &mut Diagnostics) {
    let target = staging.target().to_path_buf();
    let failure = |err, what: &str, message: &str| {
        output::write_failure(&target, err, |err| {
            Diagnostic::error(what, format!("{message}: {err}"))
        })
    };
    let index = match rendered.pages.search.take() {
        Some(gathered) => search::finish(site, gathered, &staging).map(Some),
        None => Ok(None),
    };
    let saved = match index {
        Ok(finished) => finished.map(|finished| {
            rendered.pages.manifest.extend(finished.files);
            finished.saved
        }),
        Err(err) => {
            let what = layout::SEARCH_INDEX_DIR;
            diags.push(failure(err, what, "cannot write the search index"));
            None
        }
    };
    for (rel, origin) in &rendered.plan.copies {
        let Some(source) = origin.source() else {
            continue;
        };
        // Written under its fingerprinted name with the generated files.
        if matches!(origin, output::Origin::Static(..)) && rendered.fingerprints.get(rel).is_some()
        {
            continue;
        }
        if let Err(err) = staging.copy(rel, source) {
            diags.push(failure(
                err,
                &origin.describe(),
                "cannot copy to the output",
            ));
        }
    }
    if diags.has_errors() {
        return;
    }
    let pages = &rendered.pages;
    let facts = |out: &mut dyn std::io::Write| {
        output::facts::write(out, site, &pages.analyses, &pages.facts)
    };
    let search = |out: &mut dyn std::io::Write| match &saved {
        Some(saved) => saved.write(out),
        None => Ok(()),
    };
    staging.save_sidebars(std::mem::take(&mut rendered.sidebars));
    if let Err(err) = staging.commit(&pages.manifest, facts, search) {
        diags.push(output::write_failure(&target, err, |err| {
            output::sink::output_failure(&target, "cannot swap in the new site", err)
        }));
    }
    drop_aside(saved);
}

/// What `handbook check` checks beyond a build.
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckOptions {
    /// The checks that are off by default (equal weights), and network problems of external
    /// links count as errors.
    pub strict: bool,
    /// Also check `http(s)` links on the network.
    pub external: bool,
    /// How long checking them may take, in seconds, instead of
    /// `external_links.deadline_seconds` (0: no deadline).
    pub external_deadline: Option<u64>,
}

/// `handbook check`: everything a build does (every page rendered), without writing anything.
/// The summary's `output_dir` is empty.
pub fn check(options: &BuildOptions, checks: CheckOptions) -> Result<BuildSummary, BuildError> {
    let started = Instant::now();
    let mut loaded = load(options)?;
    let mut diags = std::mem::take(&mut loaded.diags);
    diags.extend(loaded.extras.redirect_problems());
    diags.extend(loaded.extras.anchor_problems());
    if checks.strict {
        diags.extend(loaded.extras.unowned_pages(&loaded.site));
    }
    let settings = check::Settings {
        equal_weights: checks.strict,
    };
    let rendered = render(
        &loaded,
        &options.root,
        settings,
        false,
        |_| Ok(Nowhere),
        &mut diags,
    );
    if let Some((_, rendered)) = rendered
        && checks.external
    {
        let site = &loaded.site;
        let mut settings = check::external::CheckOptions::new(
            site.config.external_links.clone(),
            Some(check::external::default_cache_path(&options.root)),
        );
        if let Some(seconds) = checks.external_deadline {
            settings.deadline = (seconds > 0).then(|| Duration::from_secs(seconds));
        }
        check::external_links(
            site,
            &rendered.external,
            &settings,
            checks.strict,
            &mut diags,
        );
    }
    summary(&loaded.site, PathBuf::new(), started, diags)
}

/// `handbook check --fix`, first: repairs mojibake in every page of `content/`, in place.
pub fn fix_mojibake(root: &Path) -> check::fix::Fixed {
    check::fix::mojibake(root)
}

/// `handbook stale`: the pages due for review on day `on` (`2027-03-31`; today without it),
/// and the warnings of loading the site.
pub fn stale(
    options: &BuildOptions,
    on: Option<&str>,
) -> Result<(check::stale::Stale, Vec<Diagnostic>), BuildError> {
    let on = match on {
        None => git::history::today(),
        Some(date) => (date.len() == 10)
            .then(|| git::history::day_number(date))
            .flatten()
            .ok_or_else(|| {
                fail_with(
                    Diagnostic::error("--on", format!("`{date}` is not a date"))
                        .help("write it as year-month-day, like `--on 2027-03-31`"),
                )
            })?,
    };
    let loaded = load(options)?;
    let report = check::stale::report(&loaded.site, &loaded.extras, on);
    Ok((report, loaded.diags.into_sorted()))
}

/// `handbook check --fix`, after the mojibake: corrects the letter case of every link's
/// `#anchor` that names an id of its page in another case. A site that does not load is left
/// alone: the check that follows reports why.
pub fn fix_anchor_case(options: &BuildOptions) -> check::fix::Fixed {
    let Ok(Loaded {
        site,
        extras,
        templates,
        ..
    }) = load(options)
    else {
        return (Vec::new(), Vec::new());
    };
    let generated = render::generated::generated_names(&site, &extras);
    let plan = output::plan(
        &site,
        &options.root,
        &generated,
        &mut Diagnostics::default(),
    );
    let analyses = render::analyses(&site, &extras, &templates);
    check::fix::anchor_case(&options.root, &site, &analyses, &plan.outputs)
}

/// The end of `build` and `check`: the summary, or every problem found.
fn summary(
    site: &Site,
    output_dir: PathBuf,
    started: Instant,
    diags: Diagnostics,
) -> Result<BuildSummary, BuildError> {
    if diags.has_errors() {
        return Err(fail(diags));
    }
    Ok(BuildSummary {
        pages: site.pages.len(),
        sections: site.section_count(),
        output_dir,
        elapsed: started.elapsed(),
        warnings: diags.into_sorted(),
    })
}

fn fail(diags: Diagnostics) -> BuildError {
    BuildError {
        diagnostics: diags.into_sorted(),
    }
}

fn fail_with(diagnostic: Diagnostic) -> BuildError {
    BuildError {
        diagnostics: vec![diagnostic],
    }
}
