//! Fixture sites: a handbook in a temporary folder, made from `tests/fixtures/<name>/`, from
//! this repository's own handbook, or file by file, then built (with `handbook::build`, or by
//! the binary: [`Fixture::handbook`]) and its output read back ([`BuiltSite`]).
//!
//! ```ignore
//! let fixture = Fixture::new().file("content/index.md", page("Home", "Welcome."));
//! let site = fixture.build();
//! assert_eq!(select_texts(&site.page("/"), "h1"), ["Home"]);
//! ```
//!
//! Layout of every fixture: the site in `<tmp>/site`, the output in `<tmp>/public`, so that a
//! snapshot of `<tmp>` shows anything a build wrote outside its output folder.

use super::alone;
use super::cmd::Handbook;
use handbook::diagnostics::BuildError;
use handbook::{BuildOptions, BuildSummary};
use scraper::Html;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// The `handbook.yml` of every fixture.
pub const CONFIG: &str = "title: Fixture\nbase_url: https://example.com/\n";

/// A page with a title: its front matter, a blank line, `body` and a line end.
pub fn page(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\n---\n\n{body}\n")
}

pub struct Fixture {
    /// Shared with the [`BuiltSite`]s, so that `Fixture::copy("x").build()` keeps its output.
    tmp: Rc<tempfile::TempDir>,
}

impl Default for Fixture {
    fn default() -> Self {
        Fixture::new()
    }
}

impl Fixture {
    /// A site with only `handbook.yml` ([`CONFIG`]); add files with [`Fixture::file`].
    pub fn new() -> Fixture {
        let fixture = Fixture::empty();
        fixture.write("handbook.yml", CONFIG);
        fixture
    }

    /// A copy of `tests/fixtures/<name>/`.
    pub fn copy(name: &str) -> Fixture {
        let source = repository().join("tests/fixtures").join(name);
        assert!(source.is_dir(), "no fixture {}", source.display());
        let fixture = Fixture::empty();
        copy_dir(&source, &fixture.root());
        fixture
    }

    /// A copy of this repository's own handbook: `handbook.yml`, `content/`, `data/`,
    /// `static/` and `templates/`.
    pub fn this_handbook() -> Fixture {
        let repo = repository();
        let mut fixture = Fixture::empty().file(
            "handbook.yml",
            std::fs::read(repo.join("handbook.yml")).unwrap(),
        );
        for folder in ["content", "static", "templates", "data"] {
            if repo.join(folder).is_dir() {
                fixture = fixture.folder(folder, &repo.join(folder));
            }
        }
        fixture
    }

    fn empty() -> Fixture {
        Fixture {
            tmp: Rc::new(tempfile::tempdir().unwrap()),
        }
    }

    /// Adds (or replaces) a file of the site, for building a fixture inline.
    pub fn file(self, path: &str, contents: impl AsRef<[u8]>) -> Fixture {
        self.write(path, contents);
        self
    }

    /// Adds a copy of the folder `from` (a corpus of `tests/corpora/`, say) as `path`.
    pub fn folder(self, path: &str, from: &Path) -> Fixture {
        copy_dir(from, &self.root().join(path));
        self
    }

    /// Writes a file of the site, creating its folders.
    pub fn write(&self, path: &str, contents: impl AsRef<[u8]>) {
        let _busy = alone::busy();
        let path = self.root().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }

    /// Writes a file as editors save: into a hidden temporary file beside it, renamed over it,
    /// so that a watcher never sees it half-written (a plain write truncates first: a
    /// half-written template is a valid, empty one for a moment).
    pub fn save(&self, path: &str, text: &str) {
        let _busy = alone::busy();
        let target = self.root().join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        let name = target.file_name().unwrap().to_string_lossy();
        let temporary = target.with_file_name(format!(".{name}.saving"));
        std::fs::write(&temporary, text).unwrap();
        std::fs::rename(&temporary, &target).unwrap();
    }

    pub fn remove(&self, path: &str) {
        std::fs::remove_file(self.root().join(path)).unwrap();
    }

    /// Makes `path` of the site a symbolic link to `target`, creating its folders.
    pub fn link(&self, path: &str, target: impl AsRef<Path>) {
        let path = self.root().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, path).unwrap();
    }

    /// The temporary folder holding the site and its output.
    pub fn tmp(&self) -> &Path {
        self.tmp.path()
    }

    /// The site's folder, the one with `handbook.yml`.
    pub fn root(&self) -> PathBuf {
        self.tmp.path().join("site")
    }

    /// Where [`Fixture::build`] writes the site.
    pub fn output(&self) -> PathBuf {
        self.tmp.path().join("public")
    }

    /// `handbook ARGS --root ROOT`, to run ([`Handbook::run`]).
    pub fn handbook(&self, args: &[&str]) -> Handbook {
        Handbook::new(args).arg("--root").arg(self.root())
    }

    pub fn options(&self) -> BuildOptions {
        BuildOptions {
            root: self.root(),
            output_dir: Some(self.output()),
            ..BuildOptions::default()
        }
    }

    fn try_build_with(
        &self,
        change: impl FnOnce(&mut BuildOptions),
    ) -> Result<BuiltSite, BuildError> {
        let mut options = self.options();
        change(&mut options);
        let summary = {
            let _busy = alone::busy();
            handbook::build(&options)?
        };
        Ok(BuiltSite {
            out: options.output_dir(),
            summary,
            _tmp: Some(Rc::clone(&self.tmp)),
        })
    }

    /// Builds the site; panics with the diagnostics if the build fails.
    pub fn build(&self) -> BuiltSite {
        self.build_with(|_| {})
    }

    pub fn build_with(&self, change: impl FnOnce(&mut BuildOptions)) -> BuiltSite {
        match self.try_build_with(change) {
            Ok(site) => site,
            Err(err) => panic!("the build failed:\n{err}"),
        }
    }

    /// Builds the site, which must fail: every diagnostic, as the CLI prints it.
    pub fn errors(&self) -> Vec<String> {
        self.errors_with(|_| {})
    }

    pub fn errors_with(&self, change: impl FnOnce(&mut BuildOptions)) -> Vec<String> {
        match self.try_build_with(change) {
            Ok(site) => panic!(
                "the build succeeded with {} pages; warnings: {:?}",
                site.summary.pages,
                site.warnings()
            ),
            Err(err) => err.diagnostics.iter().map(ToString::to_string).collect(),
        }
    }
}

/// This repository: its handbook, `tests/fixtures/`.
fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The output of a successful build.
pub struct BuiltSite {
    pub out: PathBuf,
    pub summary: BuildSummary,
    /// The fixture's folder, kept alive as long as its output is read.
    pub _tmp: Option<Rc<tempfile::TempDir>>,
}

impl BuiltSite {
    /// The output folder `out` of a build made another way (by the `handbook` binary), to read
    /// it; its summary is empty.
    pub fn at(out: PathBuf) -> BuiltSite {
        BuiltSite {
            summary: BuildSummary {
                pages: 0,
                sections: 0,
                output_dir: out.clone(),
                elapsed: std::time::Duration::ZERO,
                warnings: Vec::new(),
            },
            out,
            _tmp: None,
        }
    }

    /// The page at the site URL `url` (`/engineering/`), parsed.
    pub fn page(&self, url: &str) -> Html {
        assert!(
            url.starts_with('/') && url.ends_with('/'),
            "page URLs start and end with `/`: {url}"
        );
        self.html(&format!("{}index.html", &url[1..]))
    }

    /// Any HTML file of the output (`404.html`), parsed.
    pub fn html(&self, path: &str) -> Html {
        Html::parse_document(&self.file(path))
    }

    pub fn file(&self, path: &str) -> String {
        String::from_utf8(self.bytes(path)).unwrap()
    }

    pub fn bytes(&self, path: &str) -> Vec<u8> {
        std::fs::read(self.out.join(path)).unwrap_or_else(|err| {
            panic!(
                "cannot read {path} of the output ({err}); the pages are {:?}",
                self.page_urls()
            )
        })
    }

    pub fn exists(&self, path: &str) -> bool {
        self.out.join(path).exists()
    }

    /// The output path of a stylesheet or script, given its plain path (`css/site.css`): the
    /// one file of its folder named `site.<8 hex digits>.css`.
    pub fn asset(&self, plain: &str) -> String {
        let (folder, name) = plain.rsplit_once('/').unwrap_or(("", plain));
        let (stem, ext) = name.rsplit_once('.').expect("an extension");
        let found: Vec<String> = std::fs::read_dir(self.out.join(folder))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|file| {
                file.strip_prefix(&format!("{stem}."))
                    .and_then(|rest| rest.strip_suffix(&format!(".{ext}")))
                    .is_some_and(|hash| {
                        hash.len() == 8 && hash.bytes().all(|b| b.is_ascii_hexdigit())
                    })
            })
            .collect();
        assert_eq!(found.len(), 1, "one fingerprinted {plain}, found {found:?}");
        match folder {
            "" => found[0].clone(),
            _ => format!("{folder}/{}", found[0]),
        }
    }

    /// The URL of every `index.html` of the output, sorted.
    /// The URL of every page of the content (not the search and recent changes pages handbook
    /// adds).
    pub fn page_urls(&self) -> Vec<String> {
        let mut urls: Vec<String> = snapshot(&self.out)
            .into_keys()
            .filter_map(|path| {
                let dir = path.strip_suffix("index.html")?;
                (dir.is_empty() || dir.ends_with('/')).then(|| format!("/{dir}"))
            })
            .filter(|url| url != "/search/" && url != "/recent-changes/")
            .collect();
        urls.sort();
        urls
    }

    /// The `href` of every element `css` (a link) of every page, with the page's URL, in
    /// page order: `[("/engineering/", "https://github.com/…/edit/…")]`.
    pub fn hrefs_by_page(&self, css: &str) -> Vec<(String, String)> {
        self.page_urls()
            .into_iter()
            .flat_map(|url| {
                super::select_attrs(&self.page(&url), css, "href")
                    .into_iter()
                    .map(move |href| (url.clone(), href))
            })
            .collect()
    }

    pub fn warnings(&self) -> Vec<String> {
        self.summary
            .warnings
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    /// Every HTML file of the output (path, text), sorted by path.
    pub fn html_files(&self) -> Vec<(String, String)> {
        snapshot(&self.out)
            .into_iter()
            .filter(|(path, _)| path.ends_with(".html"))
            .filter_map(|(path, bytes)| Some((path, String::from_utf8(bytes?).unwrap())))
            .collect()
    }

    /// The `<loc>`s of `sitemap.xml`, in order.
    pub fn sitemap(&self) -> Vec<String> {
        self.file("sitemap.xml")
            .split("<loc>")
            .skip(1)
            .map(|rest| rest.split("</loc>").next().unwrap().to_string())
            .collect()
    }
}

/// Files (with their bytes) and folders (`None`, path ending in `/`) by `/`-separated path.
pub type Tree = BTreeMap<String, Option<Vec<u8>>>;

/// Every file and folder under `dir`.
pub fn snapshot(dir: &Path) -> Tree {
    let mut tree = BTreeMap::new();
    if dir.exists() {
        snapshot_into(dir, dir, &mut tree);
    }
    tree
}

fn snapshot_into(base: &Path, dir: &Path, tree: &mut Tree) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let rel = path
            .strip_prefix(base)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if path.is_dir() {
            tree.insert(format!("{rel}/"), None);
            snapshot_into(base, &path, tree);
        } else {
            tree.insert(rel, Some(std::fs::read(&path).unwrap()));
        }
    }
}

/// Asserts two snapshots are the same, naming the paths that differ.
pub fn assert_same_tree(before: &Tree, after: &Tree) {
    let added: Vec<&String> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    let removed: Vec<&String> = before.keys().filter(|k| !after.contains_key(*k)).collect();
    let changed: Vec<&String> = before
        .iter()
        .filter(|(k, v)| after.get(*k).is_some_and(|w| w != *v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        added.is_empty() && removed.is_empty() && changed.is_empty(),
        "files differ: added {added:?}, removed {removed:?}, changed {changed:?}"
    );
    assert!(!before.is_empty(), "nothing to compare");
}

/// The names directly in `dir`, folders with a trailing `/`.
pub fn top_level(dir: &Path) -> Vec<String> {
    snapshot(dir)
        .into_keys()
        .filter(|k| !k.trim_end_matches('/').contains('/'))
        .collect()
}

/// Copies the folder `from` to `to` (files and folders; a link is copied as what it leads to).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
