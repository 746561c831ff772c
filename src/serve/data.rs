//! The data files `handbook serve` holds: the last good version of each, so that a data file
//! saved with a mistake keeps its last good content in use while the problem is shown.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::layout::DATA_DIR;
use crate::source::data::{self, Data, DataFile};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each data file's last good version, by path relative to `data/`.
#[derive(Default)]
pub struct DataFiles {
    files: BTreeMap<String, (DataFile, Value)>,
}

/// Problems by file, as the workspace keeps them.
type Problems = BTreeMap<String, Vec<Diagnostic>>;

impl DataFiles {
    /// Reads every data file; problems go into `problems` by file.
    pub fn load(root: &Path, problems: &mut Problems) -> DataFiles {
        let mut listing = Diagnostics::default();
        let mut files = BTreeMap::new();
        for (rel, path) in crate::source::list_files(root, DATA_DIR, &mut listing) {
            match data::read(&rel, &path) {
                Some(Ok(file)) => {
                    files.insert(rel, file);
                }
                Some(Err(problem)) => listing.push(problem),
                None => {}
            }
        }
        for d in listing {
            problems.entry(d.path.clone()).or_default().push(d);
        }
        DataFiles { files }
    }

    /// Reads the files `rels` (relative to `data/`) again: a file gone is dropped, a file with
    /// a problem keeps its last good version. Returns whether the data changed.
    pub fn update(
        &mut self,
        root: &Path,
        rels: &BTreeSet<String>,
        problems: &mut Problems,
    ) -> bool {
        let mut changed = false;
        for rel in rels {
            let shown = format!("{DATA_DIR}/{rel}");
            problems.remove(&shown);
            let path = root.join(DATA_DIR).join(rel);
            if std::fs::symlink_metadata(&path).is_err() {
                changed |= self.files.remove(rel).is_some();
                continue;
            }
            match data::read(rel, &path) {
                Some(Ok(file)) => {
                    let same = self
                        .files
                        .get(rel)
                        .is_some_and(|(old, _)| old.digest == file.0.digest);
                    changed |= !same;
                    self.files.insert(rel.clone(), file);
                }
                Some(Err(problem)) => problems.entry(shown).or_default().push(problem),
                None => {}
            }
        }
        changed
    }

    /// The data templates see; two files on one key go into `problems`.
    pub fn assemble(&self, problems: &mut Problems) -> Data {
        let mut diags = Diagnostics::default();
        let data = data::assemble(self.files.values().cloned().collect(), &mut diags);
        for d in diags {
            problems.entry(d.path.clone()).or_default().push(d);
        }
        data
    }
}

#[cfg(test)]
mod tests {
    use crate::serve::state::{Action, Batch, Workspace};
    use crate::site::PageId;
    use std::path::Path;
    use std::sync::Arc;

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// A home page without calls, a team page calling `people` (which reads `data.team`), a
    /// tools page calling the built-in `table` on `data/tools.csv`, and a page with a callout.
    fn site(root: &Path) {
        write(
            root,
            "handbook.yml",
            "title: T\nbase_url: https://example.com/\n",
        );
        write(root, "content/index.md", "---\ntitle: Home\n---\n\nHome.\n");
        write(
            root,
            "content/team.md",
            "---\ntitle: Team\n---\n\n::people\n",
        );
        write(
            root,
            "content/tools.md",
            "---\ntitle: Tools\n---\n\n::table{data=\"tools\"}\n",
        );
        write(
            root,
            "content/note.md",
            "---\ntitle: Note\n---\n\n:::note\nMind it.\n:::\n",
        );
        write(root, "data/team.yml", "- name: Ada\n");
        write(root, "data/tools.csv", "name\nSlack\n");
        write(
            root,
            "templates/shortcodes/people.html",
            "{#- shortcode\n  body: none\n-#}\n<ul>{% for p in data.team %}<li>{{ p.name }}</li>{% endfor %}</ul>",
        );
    }

    fn id(workspace: &Workspace, url: &str) -> PageId {
        workspace.current().site.by_url[url]
    }

    /// Renders every page, so that each is in the current generation's cache.
    fn render_all(workspace: &Workspace) -> Vec<(String, crate::serve::state::Rendered)> {
        let current = workspace.current();
        ["/", "/team/", "/tools/", "/note/"]
            .into_iter()
            .map(|url| (url.to_string(), current.page(current.site.by_url[url])))
            .collect()
    }

    /// The pages whose rendered HTML is no longer the cached one after `batch`.
    fn redone(workspace: &mut Workspace, mut batch: Batch) -> Vec<String> {
        let before = render_all(workspace);
        let action = workspace.apply(&mut batch);
        assert_eq!(action, Some(Action::Reload));
        let current = workspace.current();
        before
            .into_iter()
            .filter(|(url, old)| {
                let now = current.cached(id(workspace, url));
                !now.is_some_and(|now| Arc::ptr_eq(&now, old))
            })
            .map(|(url, _)| url)
            .collect()
    }

    fn html(workspace: &Workspace, url: &str) -> String {
        let current = workspace.current();
        current.page(id(workspace, url)).as_ref().clone().unwrap()
    }

    #[test]
    fn a_data_file_or_shortcode_change_renders_only_the_pages_that_use_it() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        site(root);
        let mut workspace = Workspace::load(root, false, "http://127.0.0.1:1/", None).unwrap();
        assert!(html(&workspace, "/team/").contains("<li>Ada</li>"));

        write(root, "data/team.yml", "- name: Ada\n- name: Grace\n");
        let batch = Batch {
            data: ["team.yml".to_string()].into(),
            ..Batch::default()
        };
        assert_eq!(redone(&mut workspace, batch), ["/team/"]);
        assert!(html(&workspace, "/team/").contains("<li>Grace</li>"));

        write(root, "data/tools.csv", "name\nSlack\nZoom\n");
        let batch = Batch {
            data: ["tools.csv".to_string()].into(),
            ..Batch::default()
        };
        assert_eq!(redone(&mut workspace, batch), ["/tools/"]);
        assert!(html(&workspace, "/tools/").contains("<td>Zoom</td>"));

        write(
            root,
            "templates/shortcodes/people.html",
            "{#- shortcode\n  body: none\n-#}\n<ol>{% for p in data.team %}<li>{{ p.name }}</li>{% endfor %}</ol>",
        );
        let batch = Batch {
            templates: true,
            ..Batch::default()
        };
        assert_eq!(redone(&mut workspace, batch), ["/team/"]);
        assert!(html(&workspace, "/team/").contains("<ol>"));

        // The callout's template: the note page, which calls it.
        let callout = crate::templates::theme::TEMPLATES
            .iter()
            .find(|(name, _)| *name == "shortcodes/callout.html")
            .unwrap()
            .1
            .replace("class=\"callout ", "class=\"callout mine ");
        write(root, "templates/shortcodes/callout.html", &callout);
        let batch = Batch {
            templates: true,
            ..Batch::default()
        };
        assert_eq!(redone(&mut workspace, batch), ["/note/"]);
        assert!(html(&workspace, "/note/").contains("callout mine"));
        assert!(
            workspace.problems().is_empty(),
            "{:?}",
            workspace.problems()
        );
    }

    #[test]
    fn a_broken_data_file_keeps_its_last_good_version_until_fixed() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        site(root);
        let mut workspace = Workspace::load(root, false, "http://127.0.0.1:1/", None).unwrap();
        write(root, "data/team.yml", "- name: [Grace\n");
        let mut batch = Batch {
            data: ["team.yml".to_string()].into(),
            ..Batch::default()
        };
        assert_eq!(workspace.apply(&mut batch), None, "nothing served changed");
        let problems: Vec<String> = workspace.problems().iter().map(|d| d.to_string()).collect();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("data/team.yml:2:1: "),
            "{problems:?}"
        );
        assert!(html(&workspace, "/team/").contains("<li>Ada</li>"));

        write(root, "data/team.yml", "- name: Grace\n");
        let mut batch = Batch {
            data: ["team.yml".to_string()].into(),
            ..Batch::default()
        };
        assert_eq!(workspace.apply(&mut batch), Some(Action::Reload));
        assert!(workspace.problems().is_empty());
        assert!(html(&workspace, "/team/").contains("<li>Grace</li>"));
        // A data file removed is gone from the data.
        std::fs::remove_file(root.join("data/team.yml")).unwrap();
        let mut batch = Batch {
            data: ["team.yml".to_string()].into(),
            ..Batch::default()
        };
        assert_eq!(workspace.apply(&mut batch), Some(Action::Reload));
        let team = html(&workspace, "/team/");
        assert!(!team.contains("<li>Grace</li>"), "{team}");
    }
}
