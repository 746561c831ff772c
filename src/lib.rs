//! `handbook`: a company handbook in Markdown becomes a static site.
//!
//! The pipeline, in order:
//!
//! ```text
//! config::load ─▶ source::load ─▶ resolve ─▶ Site ─▶ render (parallel) ─▶ output (atomic swap)
//! ```

pub mod check;
pub mod config;
pub mod deploy;
pub mod diagnostics;
pub mod external;
pub mod fingerprint;
pub mod git;
pub mod headers;
pub mod headings;
pub mod highlight;
pub mod links;
pub mod markdown;
pub mod model;
pub mod mojibake;
pub mod output;
pub mod render;
pub mod resolve;
pub mod serve;
pub mod source;
pub mod templates;
pub mod theme;

use diagnostics::{BuildError, Diagnostic, Diagnostics};
use model::Site;
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
    /// Netlify's build context ([`deploy::Deploy::from_env`]); empty for a local build.
    pub deploy: deploy::Deploy,
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

/// Loads and resolves the site: every problem of the input, reported together.
pub fn load_site(options: &BuildOptions) -> Result<(Site, Templates, Diagnostics), BuildError> {
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
        || source::load(root, options.drafts, &mut diags),
    );
    if content
        .pages
        .iter()
        .any(|p| p.body.contains("```") || p.body.contains("~~~"))
    {
        highlight::load_syntaxes_in_background();
    }
    // A broken template must not hide the content's problems: resolve anyway, without
    // checking layouts, and report everything together.
    let layouts = templates.as_ref().ok().map(|t| &t.layouts);
    let mut site = resolve::resolve(config, content, layouts, &mut diags);
    site.deploy = std::sync::Arc::new(options.deploy.clone());
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
/// could not repair.
pub fn fix_mojibake(root: &std::path::Path) -> (Vec<(String, usize)>, Vec<Diagnostic>) {
    let mut problems = Diagnostics::default();
    let files = source::list_files(root, source::CONTENT_DIR, &mut problems);
    let mut repaired = Vec::new();
    for (rel, path) in files {
        if !rel.ends_with(".md") {
            continue;
        }
        let shown = format!("{}/{rel}", source::CONTENT_DIR);
        match mojibake::repair_file(&path) {
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

/// What `handbook check` checks beyond a build.
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckOptions {
    /// The checks that are off by default (equal weights), and network problems of external
    /// links count as errors.
    pub strict: bool,
    /// Also check `http(s)` links on the network.
    pub external: bool,
}

/// `handbook check`: everything a build does (every page rendered), without writing anything.
/// The summary's `output_dir` is empty.
pub fn check(options: &BuildOptions, checks: CheckOptions) -> Result<BuildSummary, BuildError> {
    let started = Instant::now();
    let (site, templates, mut diags) = load_site(options)?;
    let external = render::write_site(
        &site,
        &templates,
        &options.root,
        None,
        checks.strict,
        &mut diags,
    );
    if checks.external {
        let settings = external::CheckOptions::new(
            site.config.external_links.clone(),
            Some(external::default_cache_path(&options.root)),
        );
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
