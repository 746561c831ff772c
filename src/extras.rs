//! What a build knows besides the site itself: Netlify's deploy context, when each page last
//! changed in git, and on a preview what the merge request changed. Kept beside the read-only
//! [`Site`], never inside it: the core stages (source, site, markdown) know nothing of them,
//! and `handbook serve` makes a new `Extras` only when one of them changes.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::git::history::Updated;
use crate::git::{Record, Repo};
use crate::netlify::deploy::Deploy;
use crate::netlify::review::{self, Base, PageMark, Review};
use crate::site::{PageId, Site};
use crate::source::Interval;
use std::path::Path;
use std::sync::Arc;

/// The extras of one version of the site.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// Where the build is going (Netlify's context); empty for `handbook serve` and local builds.
    pub deploy: Deploy,
    /// What git tells: when each page's file last changed, the recent changes, `CODEOWNERS`;
    /// empty outside a git checkout.
    pub git: Arc<Record>,
    /// What changed compared with the base of the merge request (deploy previews, branch
    /// deploys, `--base`); `None` otherwise.
    pub review: Option<Review>,
    /// The day of the build (days since 1970-01-01, UTC): what "due for review" is counted from.
    pub today: i64,
    /// `recent_changes.enabled` of `handbook.yml`.
    pub recent_changes: bool,
}

/// How a page stands with its review interval.
#[derive(Debug, Clone, Copy)]
pub struct Age<'a> {
    /// Its latest change; `None` when git cannot tell.
    pub updated: Option<&'a Updated>,
    /// Days since then.
    pub days: Option<i64>,
    /// How long it may go without a change; `None` for `evergreen: true`.
    pub every: Option<&'a Interval>,
    /// Dated, not evergreen, and older than `every`.
    pub stale: bool,
}

impl Extras {
    /// The extras of `site`: `git` (read while the site loaded), and the review against
    /// `--base` or Netlify's base, if there is one.
    pub fn gather(
        root: &Path,
        site: &Site,
        deploy: Deploy,
        base: Option<&str>,
        git: Arc<Record>,
        diags: &mut Diagnostics,
    ) -> Extras {
        if let Some(owners) = &git.owners {
            diags.extend(owners.warnings());
        }
        let review =
            Base::choose(base, &deploy).map(|base| compare_with(root, site, &deploy, &base, diags));
        Extras {
            deploy,
            git,
            review,
            today: crate::git::history::today(),
            recent_changes: site.config.recent_changes.enabled,
        }
    }

    /// How page `id` differs from the base of the merge request, on a preview.
    pub fn change_of(&self, id: PageId) -> Option<&PageMark> {
        self.review.as_ref()?.by_page.get(&id)
    }

    /// When page `id` last changed, if git knows; never for a generated landing page.
    pub fn updated(&self, site: &Site, id: PageId) -> Option<&Updated> {
        let page = &site.pages[id];
        if page.generated {
            return None;
        }
        self.git.history.get(&page.source.rel_path)
    }

    /// The owners `CODEOWNERS` gives page `id`'s file; empty without one, and for a landing
    /// page handbook made (it has no file).
    pub fn owners(&self, site: &Site, id: PageId) -> Vec<&str> {
        let page = &site.pages[id];
        match (&self.git.owners, page.generated) {
            (Some(owners), false) => owners.of(&page.source.display_path()),
            _ => Vec::new(),
        }
    }

    /// How page `id` stands with its review interval on day `on` (see [`Extras::today`]).
    pub fn age<'a>(&'a self, site: &'a Site, id: PageId, on: i64) -> Age<'a> {
        let page = &site.pages[id];
        let front = &page.source.front;
        let updated = self.updated(site, id);
        let days = updated
            .and_then(|u| crate::git::history::day_number(&u.date))
            .map(|day| on - day);
        let every = match front.evergreen {
            Some(true) => None,
            _ => Some(
                front
                    .review_every
                    .as_ref()
                    .unwrap_or(&site.config.freshness.review_every),
            ),
        };
        let stale = match (days, every) {
            (Some(days), Some(every)) => days > i64::from(every.days),
            _ => false,
        };
        Age {
            updated,
            days,
            every,
            stale,
        }
    }

    /// With `CODEOWNERS`, a warning for each page it gives no owner (`handbook check --strict`).
    pub fn unowned_pages(&self, site: &Site) -> Vec<Diagnostic> {
        let Some(owners) = &self.git.owners else {
            return Vec::new();
        };
        site.pages
            .iter_enumerated()
            .filter(|(id, page)| !page.generated && self.owners(site, *id).is_empty())
            .map(|(_, page)| {
                let path = page.source.display_path();
                let folder = path.rsplit_once('/').map_or("", |(dir, _)| dir);
                Diagnostic::warning(
                    path.clone(),
                    format!(
                        "no one owns this page: no line of {} gives it an owner",
                        owners.file
                    ),
                )
                .help(format!(
                    "add a line for it or its folder to {}, like `/{}{folder}/ @your-team`",
                    owners.file,
                    owners.prefix(),
                ))
            })
            .collect()
    }

    /// Whether git knows of changes to pages, for the "Recent changes" page and its feed.
    pub fn has_recent_changes(&self) -> bool {
        self.recent_changes
            && self
                .git
                .changes
                .as_ref()
                .is_some_and(|c| !c.entries.is_empty())
    }

    /// What a preview tells of the changes, as warnings (`handbook build`, `handbook serve
    /// --base`): pages moved without a redirect, and heading ids the pages lost. `handbook
    /// check --base` makes the first errors.
    pub fn review_warnings(&self) -> Vec<Diagnostic> {
        let mut warnings = self.redirect_problems();
        for d in &mut warnings {
            d.severity = crate::diagnostics::Severity::Warning;
        }
        warnings.extend(self.anchor_problems());
        warnings
    }

    /// Heading ids of the base that pages no longer have, compared with the base.
    pub fn anchor_problems(&self) -> Vec<Diagnostic> {
        self.review
            .as_ref()
            .map(Review::anchor_problems)
            .unwrap_or_default()
    }

    /// Pages whose old URL leads nowhere now, compared with the base.
    pub fn redirect_problems(&self) -> Vec<Diagnostic> {
        self.review
            .as_ref()
            .map(Review::redirect_problems)
            .unwrap_or_default()
    }
}

/// The review of `site` against `base`. Netlify's deploys never fail for lack of history: the
/// changes page then says why it cannot tell, and so does a warning. A base given with `--base`
/// that does not exist is an error.
fn compare_with(
    root: &Path,
    site: &Site,
    deploy: &Deploy,
    base: &Base,
    diags: &mut Diagnostics,
) -> Review {
    let found = Repo::open(root)
        .ok_or_else(|| {
            "cannot tell what changed: the handbook is not in a git checkout (or git is not installed)".to_string()
        })
        .and_then(|repo| {
            let (label, commit) = review::find_base(&repo, base, site, deploy)?;
            review::compare(&repo, site, label, &commit)
                .map_err(|err| format!("cannot tell what changed: {err}"))
        });
    match found {
        Ok(review) => review,
        Err(why) => {
            diags.push(match base {
                Base::Rev(_) => Diagnostic::error("--base", why.clone()).help(
                    "pass a commit, branch or tag this clone has, like `--base main` or `--base HEAD~3`",
                ),
                Base::Netlify => Diagnostic::warning(crate::layout::CONFIG_FILE, why.clone()).help(
                    "the deploy goes on without the list of changes; `repository.branch` in handbook.yml names the branch merge requests go into",
                ),
            });
            Review::unknown(site, why)
        }
    }
}
