//! What a build knows besides the site itself: Netlify's deploy context, when each page last
//! changed in git, and on a preview what the merge request changed. Kept beside the read-only
//! [`Site`], never inside it: the core stages (source, site, markdown) know nothing of them,
//! and `handbook serve` makes a new `Extras` only when one of them changes.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::git::Repo;
use crate::git::history::{History, Updated};
use crate::netlify::deploy::Deploy;
use crate::netlify::review::{self, Base, PageMark, Review};
use crate::site::{PageId, Site};
use std::path::Path;
use std::sync::Arc;

/// The extras of one version of the site.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// Where the build is going (Netlify's context); empty for `handbook serve` and local builds.
    pub deploy: Deploy,
    /// When each page's file last changed in git, by its path relative to `content/`; empty
    /// outside a git checkout.
    pub history: Arc<History>,
    /// What changed compared with the base of the merge request (deploy previews, branch
    /// deploys, `--base`); `None` otherwise.
    pub review: Option<Review>,
}

impl Extras {
    /// The extras of `site`: `history` (read while the site loaded), and the review against
    /// `--base` or Netlify's base, if there is one.
    pub fn gather(
        root: &Path,
        site: &Site,
        deploy: Deploy,
        base: Option<&str>,
        history: Arc<History>,
        diags: &mut Diagnostics,
    ) -> Extras {
        let review =
            Base::choose(base, &deploy).map(|base| compare_with(root, site, &deploy, &base, diags));
        Extras {
            deploy,
            history,
            review,
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
        self.history.get(&page.source.rel_path)
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
