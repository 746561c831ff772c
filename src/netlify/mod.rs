//! What only a deploy needs: Netlify's build context, its `_headers` and `_redirects` rules, and
//! the review of a merge request (what changed against its base). Optional: the core stages
//! (source, site, markdown) never import it.

pub mod deploy;
pub mod headers;
pub mod review;
