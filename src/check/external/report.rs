//! The results of the external link checker as problems of the site: each broken link reported
//! at every place it is written, and the links there was no time for.

use crate::check::ExternalLink;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::site::Site;
use std::collections::{HashMap, HashSet};

/// Checks the `http(s)` links on the network and reports each broken one at every place it is
/// written. Only a definite "not there" (404, 410, ...) is an error; timeouts, server errors and
/// sites that refuse robots are warnings, and errors with `strict`.
pub fn external_links(
    site: &Site,
    links: &[ExternalLink],
    options: &crate::check::external::CheckOptions,
    strict: bool,
    diags: &mut Diagnostics,
) {
    use crate::check::external::Outcome as Net;
    let urls: Vec<String> = links.iter().map(|l| l.url.clone()).collect();
    let report = crate::check::external::check(&urls, options);
    if let Some(problem) = &report.cache_error {
        diags.push(Diagnostic::warning(
            crate::check::external::CACHE_FILE,
            format!("cannot save the results of this check for the next one: {problem}"),
        ));
    }
    let outcomes: HashMap<&str, &crate::check::external::LinkReport> =
        report.links.iter().map(|r| (r.url.as_str(), r)).collect();
    let mut late = HashSet::new();
    for link in links {
        let Some(result) = outcomes.get(link.url.as_str()) else {
            continue;
        };
        let (path, line, col) = link.at.position(site);
        let d = match &result.outcome {
            Net::Ok { .. } | Net::Ignored => continue,
            // Once, where the link is first written.
            Net::NotChecked { .. } if !late.insert(link.url.as_str()) => continue,
            Net::Broken { .. } => {
                let outcome = result.outcome.to_string();
                let status = outcome.strip_prefix("broken: ").unwrap_or(&outcome);
                Diagnostic::error(
                    path,
                    format!("broken link {}: the server answers {status}", link.url),
                )
            }
            other => {
                let message = format!("could not check {}: {other}", link.url);
                if other.fails(strict) {
                    Diagnostic::error(path, message)
                } else {
                    Diagnostic::warning(path, message)
                }
            }
        };
        diags.push(d.at(line, col));
    }
    if let Some(seconds) = options.deadline.map(|d| d.as_secs())
        && !late.is_empty()
    {
        diags.push(deadline_passed(late.len(), seconds, strict));
    }
}

/// The summary of the links `handbook check --external` had no time for.
fn deadline_passed(count: usize, seconds: u64, strict: bool) -> Diagnostic {
    let links = if count == 1 { "link" } else { "links" };
    let message = format!(
        "{count} external {links} not checked: the check stops after {seconds} s (external_links.deadline_seconds)"
    );
    let d = if strict {
        Diagnostic::error(crate::layout::CONFIG_FILE, message)
    } else {
        Diagnostic::warning(crate::layout::CONFIG_FILE, message)
    };
    d.help("what was checked is remembered, so the next check goes on with the rest; allow more time with `deadline_seconds` or `handbook check --external-deadline SECONDS`")
}
