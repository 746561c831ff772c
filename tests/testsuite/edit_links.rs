//! "Edit this page": the forge's edit address of each page's file, for GitHub and GitLab, and
//! for a handbook in a subfolder of its repository.

use crate::support;
use crate::support::{Fixture, pairs};

fn site_with(repository: &str) -> Fixture {
    Fixture::new()
        .file(
            "handbook.yml",
            format!("title: F\nbase_url: https://example.com/\nrepository:\n{repository}"),
        )
        .file("content/index.md", "# Home\n")
        .file("content/team/index.md", "# Team\n")
        .file("content/team/on call.md", "# On call\n")
        .file("content/legal/terms.md", "# Terms\n")
}

/// The edit link of every page that has one, by page URL.
fn edit_links(fixture: &Fixture) -> Vec<(String, String)> {
    fixture.build().hrefs_by_page("a.edit-link")
}

#[test]
fn github_repositories_get_github_edit_links() {
    let fixture = site_with("  url: https://github.com/acme/handbook/\n  branch: trunk\n");
    // `/legal/` is a landing page handbook made: no file to edit.
    assert_eq!(
        edit_links(&fixture),
        pairs(&[
            (
                "/",
                "https://github.com/acme/handbook/edit/trunk/content/index.md"
            ),
            (
                "/legal/terms/",
                "https://github.com/acme/handbook/edit/trunk/content/legal/terms.md"
            ),
            (
                "/team/",
                "https://github.com/acme/handbook/edit/trunk/content/team/index.md"
            ),
            (
                "/team/on-call/",
                "https://github.com/acme/handbook/edit/trunk/content/team/on%20call.md"
            ),
        ])
    );
}

#[test]
fn gitlab_repositories_get_gitlab_edit_links() {
    let fixture = site_with("  url: https://gitlab.com/acme/people/handbook\n");
    let links = edit_links(&fixture);
    assert_eq!(
        links[0].1,
        "https://gitlab.com/acme/people/handbook/-/edit/main/content/index.md"
    );
    // A self-hosted GitLab is guessed from its name...
    let fixture = site_with("  url: https://gitlab.acme.dev/people/handbook.git\n");
    assert_eq!(
        edit_links(&fixture)[0].1,
        "https://gitlab.acme.dev/people/handbook/-/edit/main/content/index.md"
    );
    // ... or told with `host`.
    let fixture = site_with("  url: https://code.acme.dev/people/handbook\n  host: gitlab\n");
    assert_eq!(
        edit_links(&fixture)[0].1,
        "https://code.acme.dev/people/handbook/-/edit/main/content/index.md"
    );
    let fixture = site_with("  url: https://gitlab.acme.dev/people/handbook\n  host: github\n");
    assert_eq!(
        edit_links(&fixture)[0].1,
        "https://gitlab.acme.dev/people/handbook/edit/main/content/index.md"
    );
}

#[test]
fn a_handbook_in_a_subfolder_links_to_its_files_in_the_repository() {
    let fixture = site_with("  url: https://github.com/acme/website\n  path: /docs/handbook\n");
    assert_eq!(
        edit_links(&fixture)[0].1,
        "https://github.com/acme/website/edit/main/docs/handbook/content/index.md"
    );
}

#[test]
fn the_subfolder_defaults_to_where_git_says_the_handbook_is() {
    let fixture = site_with("  url: https://github.com/acme/website\n");
    // The repository is the fixture's temporary folder, the handbook its `site/`.
    support::git::git(fixture.tmp(), &["init", "-q"]);
    assert_eq!(
        edit_links(&fixture)[0].1,
        "https://github.com/acme/website/edit/main/site/content/index.md"
    );
    // Said in handbook.yml, it wins.
    fixture.write(
        "handbook.yml",
        "title: F\nbase_url: https://example.com/\nrepository:\n  url: https://github.com/acme/website\n  path: ''\n",
    );
    assert_eq!(
        edit_links(&fixture)[0].1,
        "https://github.com/acme/website/edit/main/content/index.md"
    );
}

#[test]
fn no_repository_no_edit_links() {
    let fixture = Fixture::new().file("content/index.md", "# Home\n");
    assert_eq!(edit_links(&fixture), Vec::new());
}

#[test]
fn unknown_repository_settings_and_hosts_are_errors() {
    let fixture = site_with("  url: https://github.com/acme/handbook\n  brnch: trunk\n");
    assert_eq!(
        fixture.errors(),
        ["handbook.yml:5:3: unknown setting `repository.brnch`\n  help: did you mean `branch`?"]
    );
    let fixture = site_with("  url: https://github.com/acme/handbook\n  host: gitea\n");
    assert_eq!(
        fixture.errors(),
        ["handbook.yml:5:9: `repository.host` must be `github` or `gitlab`, found `gitea`"]
    );
}
