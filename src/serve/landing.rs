//! Where a save lands: the section of a page that an edit changed, so that the browser showing
//! that page scrolls to it after the reload instead of staying where it was.

use crate::markdown::sections;

/// The anchor of the first section of `new` that `old` does not have as it is (`""` for the
/// introduction); `None` when no section is new or changed (an edit that only removed one).
pub fn changed_section(old: &str, new: &str, title: &str) -> Option<String> {
    let before = sections(old, title);
    sections(new, title)
        .into_iter()
        .find(|s| {
            !before
                .iter()
                .any(|b| b.anchor == s.anchor && b.fingerprint == s.fingerprint)
        })
        .map(|s| s.anchor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_section_that_differs_is_where_the_edit_lands() {
        let old = "Intro.\n\n## Setup\n\nInstall it.\n\n## Use\n\nRun it.\n";
        assert_eq!(
            changed_section(old, &old.replace("Run it.", "Run it twice."), "T").as_deref(),
            Some("use")
        );
        assert_eq!(
            changed_section(old, &old.replace("Intro.", "Intro, edited."), "T").as_deref(),
            Some("")
        );
        assert_eq!(
            changed_section(old, &format!("{old}\n## New\n\nText.\n"), "T").as_deref(),
            Some("new")
        );
        assert_eq!(changed_section(old, old, "T"), None);
    }
}
