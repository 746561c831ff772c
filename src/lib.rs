//! `handbook`: a company handbook in Markdown becomes a static site.
//!
//! The pipeline, in order:
//!
//! ```text
//! config::load ─▶ source::load ─▶ resolve ─▶ Site ─▶ render (parallel) ─▶ output (atomic swap)
//! ```

pub mod check;
pub mod config;
pub mod diagnostics;
pub mod git;
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
use site::Site;
use std::path::PathBuf;
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

/// Loads and resolves the site: every problem of the input, reported together. Also reads
/// when each page last changed from git ([`git::history::load`]), while the content is read.
pub fn load_site(options: &BuildOptions) -> Result<(Site, Templates, Diagnostics), BuildError> {
    // `git log` runs in its own process: it costs this one a thread that waits for it, not a
    // core. Scoped, so that it is waited for even when the configuration is broken.
    std::thread::scope(|scope| {
        let history = scope.spawn(|| git::history::load(&options.root));
        let (mut site, templates, diags) = load_and_resolve(options)?;
        // A panic while reading the log costs the dates, not the build.
        site.history = std::sync::Arc::new(history.join().unwrap_or_default());
        Ok((site, templates, diags))
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
    // Templates and content are independent: read them at the same time.
    let (templates, content) = rayon::join(
        || templates::load(root),
        || source::load(root, options.drafts, &config.front_matter.keys, &mut diags),
    );
    if let Ok(templates) = &templates {
        diags.extend(templates.warnings.iter().cloned());
    }
    if content
        .pages
        .iter()
        .any(|p| p.body.contains("```") || p.body.contains("~~~"))
    {
        markdown::highlight::load_syntaxes_in_background();
    }
    // A broken template must not hide the content's problems: resolve anyway, without
    // checking layouts, and report everything together.
    let layouts = templates.as_ref().ok().map(|t| &t.layouts);
    let mut site = site::resolve::resolve(config, content, layouts, &mut diags);
    site.deploy = std::sync::Arc::new(options.deploy.clone());
    if !diags.has_errors()
        && let Some(base) = netlify::review::Base::choose(options.base.as_deref(), &options.deploy)
    {
        site.review = Some(std::sync::Arc::new(compare_with(
            root, &site, &base, &mut diags,
        )));
    }
    match templates {
        Ok(templates) if !diags.has_errors() => Ok((site, templates, diags)),
        Ok(_) => Err(fail(diags)),
        Err(problems) => {
            diags.extend(problems);
            Err(fail(diags))
        }
    }
}

/// `handbook build`: load, resolve, render every page in parallel, and swap the new site in.
pub fn build(options: &BuildOptions) -> Result<BuildSummary, BuildError> {
    let started = Instant::now();
    let target = options.output_dir();
    output::check_target(&options.root, &target)
        .map_err(|message| fail_with(Diagnostic::error(target.display().to_string(), message)))?;
    let (site, templates, mut diags) = load_site(options)?;
    // A preview is built anyway; the changes page and the log say what moved without a
    // redirect (`handbook check --base` fails on it).
    for mut d in redirect_problems(&site) {
        d.severity = diagnostics::Severity::Warning;
        diags.push(d);
    }
    render::write_site(
        &site,
        &templates,
        &options.root,
        Some(&target),
        false,
        &mut diags,
    );
    if diags.has_errors() {
        return Err(fail(diags));
    }
    Ok(BuildSummary {
        pages: site.pages.len(),
        sections: site.section_count(),
        output_dir: target,
        elapsed: started.elapsed(),
        warnings: diags.into_sorted(),
    })
}

/// `handbook check --fix`: repairs mojibake in every page of `content/`, in place. Returns each
/// repaired file (as shown in messages) with how many stretches it repaired, and the files it
/// could not repair. Files are listed as a build lists them, so a link to a file outside the
/// handbook is never followed; the problems of the listing (that link, a named pipe) are left
/// to the check that follows, which reports them.
pub fn fix_mojibake(root: &std::path::Path) -> (Vec<(String, usize)>, Vec<Diagnostic>) {
    let files = source::list_files(root, source::CONTENT_DIR, &mut Diagnostics::default());
    let mut problems = Diagnostics::default();
    let mut repaired = Vec::new();
    for (rel, path) in files {
        if !rel.ends_with(".md") {
            continue;
        }
        let shown = format!("{}/{rel}", source::CONTENT_DIR);
        match source::mojibake::repair_resolved(&path) {
            Ok(0) => {}
            Ok(count) => repaired.push((shown, count)),
            Err(err) => problems.push(Diagnostic::error(
                shown,
                format!("cannot repair mojibake: {err}"),
            )),
        }
    }
    (repaired, problems.into_sorted())
}

/// `handbook check --fix`, after the mojibake: corrects the letter case of every link's
/// `#anchor` that names an id of its page in another case (`#Our-Values` for `#our-values`),
/// in the Markdown of each page, changing nothing else. Returns each changed file (as shown in
/// messages) with how many anchors it corrected, and the files it could not change. A site
/// that does not load is left alone: the check that follows reports why.
pub fn fix_anchor_case(options: &BuildOptions) -> (Vec<(String, usize)>, Vec<Diagnostic>) {
    use rayon::prelude::*;
    let Ok((site, _, _)) = load_site(options) else {
        return (Vec::new(), Vec::new());
    };
    let mut ignored = Diagnostics::default();
    let (_, outputs) = render::plan_outputs(&site, &options.root, &mut ignored);
    let table = site::links::LinkTable::new(&site, &outputs);
    let analyses: Vec<markdown::Analysis> = (0..site.pages.len())
        .into_par_iter()
        .map(|id| {
            let options = render::markdown_options(&site, id);
            markdown::render(&site.pages[id].source.body, options, &|_| None).1
        })
        .collect();
    let fixes = check::case_fixes(&site, &table, &analyses);
    // Where each file really is: a page that is a link inside the handbook is fixed in the
    // file it links to, and stays a link.
    let real: std::collections::HashMap<String, PathBuf> = source::list_files(
        &options.root,
        source::CONTENT_DIR,
        &mut Diagnostics::default(),
    )
    .into_iter()
    .collect();
    let mut fixed = Vec::new();
    let mut problems = Vec::new();
    for (id, page) in site.pages.iter().enumerate() {
        let mine: Vec<&check::CaseFix> = fixes.iter().filter(|f| f.page == id).collect();
        if mine.is_empty() || page.generated {
            continue;
        }
        let shown = page.source.display_path();
        let Some(path) = real.get(&page.source.rel_path) else {
            continue;
        };
        match fix_page_anchors(path, &page.source.body, &mine) {
            Ok(0) => {}
            Ok(count) => fixed.push((shown, count)),
            Err(err) => problems.push(Diagnostic::error(
                shown,
                format!("cannot correct the letter case of its anchors: {err}"),
            )),
        }
    }
    (fixed, problems)
}

/// Makes `fixes` in the file at `path`, whose Markdown after the front matter was `body`;
/// rewrites it atomically, keeping its permissions, byte order mark and line endings.
fn fix_page_anchors(
    path: &std::path::Path,
    body: &str,
    fixes: &[&check::CaseFix],
) -> std::io::Result<usize> {
    let changed = || std::io::Error::other("the file changed while it was being fixed");
    let text = String::from_utf8(source::walk::read(path)?).map_err(|_| changed())?;
    let (bom, text) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text.as_str()),
    };
    if !text.ends_with(body) {
        return Err(changed());
    }
    let body_start = text.len() - body.len();
    let edits = check::case_edits(body, fixes);
    if edits.is_empty() {
        return Ok(0);
    }
    let repaired = check::apply_edits(&text[body_start..], &edits);
    let whole = format!("{bom}{}{repaired}", &text[..body_start]);
    source::mojibake::write_atomically(path, whole.as_bytes())?;
    Ok(edits.len())
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
    let (site, templates, mut diags) = load_site(options)?;
    diags.extend(redirect_problems(&site));
    let external = render::write_site(
        &site,
        &templates,
        &options.root,
        None,
        checks.strict,
        &mut diags,
    );
    if checks.external {
        let mut settings = check::external::CheckOptions::new(
            site.config.external_links.clone(),
            Some(check::external::default_cache_path(&options.root)),
        );
        if let Some(seconds) = checks.external_deadline {
            settings.deadline = (seconds > 0).then(|| Duration::from_secs(seconds));
        }
        check::external_links(&site, &external, &settings, checks.strict, &mut diags);
    }
    if diags.has_errors() {
        return Err(fail(diags));
    }
    Ok(BuildSummary {
        pages: site.pages.len(),
        sections: site.section_count(),
        output_dir: PathBuf::new(),
        elapsed: started.elapsed(),
        warnings: diags.into_sorted(),
    })
}

/// The review of `site` against `base`. Netlify's deploys never fail for lack of history: the
/// changes page then says why it cannot tell, and so does a warning. A base given with `--base`
/// that does not exist is an error.
fn compare_with(
    root: &std::path::Path,
    site: &Site,
    base: &netlify::review::Base,
    diags: &mut Diagnostics,
) -> netlify::review::Review {
    let found = git::Repo::open(root)
        .ok_or_else(|| {
            "cannot tell what changed: the handbook is not in a git checkout (or git is not installed)".to_string()
        })
        .and_then(|repo| {
            let (label, commit) = netlify::review::find_base(&repo, base, site)?;
            netlify::review::compare(&repo, site, label, &commit)
                .map_err(|err| format!("cannot tell what changed: {err}"))
        });
    match found {
        Ok(review) => review,
        Err(why) => {
            diags.push(match base {
                netlify::review::Base::Rev(_) => Diagnostic::error("--base", why.clone()).help(
                    "pass a commit, branch or tag this clone has, like `--base main` or `--base HEAD~3`",
                ),
                netlify::review::Base::Netlify => Diagnostic::warning(config::CONFIG_FILE, why.clone()).help(
                    "the deploy goes on without the list of changes; `repository.branch` in handbook.yml names the branch merge requests go into",
                ),
            });
            netlify::review::Review::unknown(site, why)
        }
    }
}

fn redirect_problems(site: &Site) -> Vec<Diagnostic> {
    site.review
        .as_ref()
        .map(|review| review.redirect_problems())
        .unwrap_or_default()
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
