//! Where a build is going: Netlify's build environment (production, a merge request's deploy
//! preview, a branch deploy), read once at the start of `handbook build`.
//!
//! `REPOSITORY_URL` is deliberately never read: on Netlify it can carry an access token, and
//! nothing from it may end up in a page.

use serde::Serialize;

/// Netlify's build context and what it says about the deploy. Outside Netlify every field is
/// empty and the build is treated as production, except that it is not told to be indexed or
/// not: a local build gets no `noindex`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Deploy {
    /// `production`, `deploy-preview`, `branch-deploy`, `dev`...; empty outside Netlify.
    pub context: String,
    /// The production URL (`URL`).
    #[serde(skip)]
    pub url: Option<String>,
    /// The address of this very deploy (`DEPLOY_PRIME_URL`): a preview's own host.
    #[serde(skip)]
    pub prime_url: Option<String>,
    /// The merge request's number (`REVIEW_ID`), on deploy previews.
    pub review_id: Option<String>,
    /// The branch built (`BRANCH`, else `HEAD`).
    pub branch: Option<String>,
    /// The commit built (`COMMIT_REF`).
    pub commit: Option<String>,
    /// The commit of the context's previous build (`CACHED_COMMIT_REF`).
    #[serde(skip)]
    pub cached_commit: Option<String>,
    /// Pages must not be indexed by search engines: any Netlify context but production
    /// (previews, branch deploys, `netlify dev`). A local build is not told either way.
    pub noindex: bool,
}

impl Deploy {
    /// Reads Netlify's variables from this process's environment.
    pub fn from_env() -> Deploy {
        Deploy::from_vars(|name| std::env::var(name).ok())
    }

    /// Reads Netlify's variables through `var`; empty values count as unset.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Deploy {
        let get = |name: &str| {
            var(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let context = get("CONTEXT").unwrap_or_default();
        Deploy {
            noindex: !context.is_empty() && context != "production",
            context,
            url: get("URL"),
            prime_url: get("DEPLOY_PRIME_URL"),
            review_id: get("REVIEW_ID"),
            branch: get("BRANCH").or_else(|| get("HEAD")),
            commit: get("COMMIT_REF"),
            cached_commit: get("CACHED_COMMIT_REF"),
        }
    }

    /// A build of work in progress: a merge request's deploy preview or a branch deploy. It
    /// shows the reviewer what changed (the banner, the changes page).
    pub fn is_preview(&self) -> bool {
        matches!(self.context.as_str(), "deploy-preview" | "branch-deploy")
    }

    /// The base URL Netlify's environment gives, if any: the deploy's own address on previews
    /// and branch deploys, the production URL in production. `--base-url` wins over it, and it
    /// wins over `handbook.yml`.
    pub fn base_url(&self) -> Option<&str> {
        match self.context.as_str() {
            "production" => self.url.as_deref(),
            "" => None,
            _ => self.prime_url.as_deref().or(self.url.as_deref()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn deploy(vars: &[(&str, &str)]) -> Deploy {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Deploy::from_vars(|name| vars.get(name).cloned())
    }

    #[test]
    fn base_url_follows_the_context() {
        let urls = [
            ("URL", "https://handbook.example.com"),
            (
                "DEPLOY_PRIME_URL",
                "https://deploy-preview-7--hb.netlify.app",
            ),
        ];
        let with = |context: &str| {
            let mut vars = urls.to_vec();
            vars.push(("CONTEXT", context));
            deploy(&vars)
        };
        assert_eq!(
            with("production").base_url(),
            Some("https://handbook.example.com")
        );
        assert_eq!(
            with("deploy-preview").base_url(),
            Some("https://deploy-preview-7--hb.netlify.app")
        );
        assert_eq!(
            with("branch-deploy").base_url(),
            Some("https://deploy-preview-7--hb.netlify.app")
        );
        assert_eq!(deploy(&urls).base_url(), None, "outside Netlify");
    }

    #[test]
    fn only_netlify_contexts_other_than_production_are_noindex() {
        assert!(!deploy(&[]).noindex);
        assert!(!deploy(&[("CONTEXT", "production")]).noindex);
        assert!(deploy(&[("CONTEXT", "deploy-preview")]).noindex);
        assert!(deploy(&[("CONTEXT", "branch-deploy")]).noindex);
    }

    #[test]
    fn empty_variables_are_unset() {
        let d = deploy(&[
            ("CONTEXT", "deploy-preview"),
            ("REVIEW_ID", " "),
            ("HEAD", "feature"),
            ("COMMIT_REF", "0123456789abcdef"),
        ]);
        assert_eq!(d.review_id, None);
        assert_eq!(d.branch.as_deref(), Some("feature"));
        assert_eq!(d.commit.as_deref(), Some("0123456789abcdef"));
    }
}
