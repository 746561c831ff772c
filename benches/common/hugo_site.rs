//! The Hugo twin of a generated handbook, for `benches/hugo.rs`: the same Markdown files in a
//! Hugo site whose layouts (`benches/hugo-site/`) do the work of handbook's default templates:
//! a sidebar of the section's pages in weight order, breadcrumbs, a table of contents, heading
//! anchors and highlighted code on every page (see the Hugo section of `benches/README.md`).
//!
//! The twin is made once under `target/bench-sites/hugo-<site>/` and made again when its
//! marker changes: the handbook site's own marker, this file, the files of
//! `benches/hugo-site/` and of the theme, and Hugo's version.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const MARKER_FILE: &str = ".hugo-site-version";

/// The theme's files that the Hugo site fingerprints as handbook does (`assets/`), and the
/// one it copies as it is (`static/`): those of the repository's `static/` folder.
const ASSETS: [&str; 3] = ["theme.css", "theme.js", "search.js"];
const STATIC: [&str; 1] = ["favicon.svg"];

/// The Hugo twin of the generated handbook `site`, under `base`, made unless it is already
/// there and up to date. An outdated twin is moved into `trash`. `hugo_version` is the first
/// line of `hugo version`.
pub fn ensure_hugo_site(
    base: &Path,
    site: &Path,
    manifest_dir: &Path,
    hugo_version: &str,
    trash: &Path,
) -> PathBuf {
    let name = format!(
        "hugo-{}",
        site.file_name()
            .expect("the site has a folder name")
            .to_string_lossy()
    );
    let dir = base.join(&name);
    let layouts = manifest_dir.join("benches/hugo-site");
    let theme = manifest_dir.join("static");
    let marker = marker_text(site, &layouts, &theme, hugo_version);
    if fs::read_to_string(dir.join(MARKER_FILE)).ok().as_deref() == Some(marker.as_str()) {
        println!("Hugo site {}: up to date", dir.display());
        return dir;
    }
    let started = Instant::now();
    let tmp = base.join(format!("{name}.tmp"));
    let _ = fs::remove_dir_all(&tmp);
    let pages = make(site, &layouts, &theme, &tmp)
        .unwrap_or_else(|e| panic!("making the Hugo site {}: {e}", tmp.display()));
    fs::write(tmp.join(MARKER_FILE), &marker).expect("write the Hugo site's marker");
    if dir.exists() {
        fs::rename(&dir, trash.join(format!("old-{name}")))
            .expect("move the outdated Hugo site away");
    }
    fs::rename(&tmp, &dir).expect("move the Hugo site into place");
    println!(
        "Hugo site {}: made from {} ({pages} Markdown files) in {:.2} s",
        dir.display(),
        site.display(),
        started.elapsed().as_secs_f64()
    );
    dir
}

/// Writes the Hugo site of `site` into `dest`; returns the number of Markdown files.
fn make(site: &Path, layouts: &Path, theme: &Path, dest: &Path) -> std::io::Result<usize> {
    copy_tree(layouts, dest)?;
    // The site's settings go first: top-level TOML keys may not follow a table.
    let config: serde_yaml::Value =
        serde_yaml::from_str(&fs::read_to_string(site.join("handbook.yml"))?)
            .map_err(std::io::Error::other)?;
    let setting = |key: &str, default: &str| {
        config
            .get(key)
            .and_then(|v| v.as_str())
            .unwrap_or(default)
            .to_string()
    };
    let settings = format!(
        "baseURL = {:?}\ntitle = {:?}\nlanguageCode = {:?}\n\n",
        setting("base_url", "https://example.com/"),
        setting("title", "Handbook"),
        setting("language", "en"),
    );
    let toml = dest.join("hugo.toml");
    fs::write(&toml, settings + &fs::read_to_string(&toml)?)?;

    fs::create_dir_all(dest.join("assets"))?;
    fs::create_dir_all(dest.join("static"))?;
    for file in ASSETS {
        fs::copy(theme.join(file), dest.join("assets").join(file))?;
    }
    for file in STATIC {
        fs::copy(theme.join(file), dest.join("static").join(file))?;
    }
    // handbook generates its syntax.css from its highlighting themes; Hugo's from Chroma's.
    let css = Command::new("hugo")
        .args(["gen", "chromastyles", "--style=github"])
        .output()?;
    if !css.status.success() {
        return Err(std::io::Error::other("hugo gen chromastyles failed"));
    }
    fs::write(dest.join("assets/syntax.css"), css.stdout)?;

    convert_content(&site.join("content"), &dest.join("content"))
}

/// Copies the Markdown of `from` into `to`: a folder's `index.md` becomes Hugo's `_index.md`
/// (a section's own page), and the front matter loses what Hugo reads otherwise
/// ([`hugo_markdown`]). Returns the number of files.
fn convert_content(from: &Path, to: &Path) -> std::io::Result<usize> {
    fs::create_dir_all(to)?;
    let mut files = 0;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if entry.file_type()?.is_dir() {
            files += convert_content(&entry.path(), &to.join(&name))?;
            continue;
        }
        let name = if name == "index.md" {
            "_index.md".into()
        } else {
            name
        };
        let text = fs::read_to_string(entry.path())?;
        fs::write(to.join(name), hugo_markdown(&text))?;
        files += 1;
    }
    Ok(files)
}

/// A page's Markdown for Hugo: the front matter without `layout` (in Hugo a layout's name:
/// handbook's `layout: page` would ask for a layout that this site does not have) and without
/// `permalink` (handbook's; the generated ones are the folder's URL, which Hugo gives the
/// section anyway). Everything else is the same: `title`, `weight` and `description` mean the
/// same in Hugo; `subcategory`, `toc` and `sidebarDepth` are read by the layouts as `.Params`.
fn hugo_markdown(text: &str) -> String {
    let Some(rest) = text.strip_prefix("---\n") else {
        return text.to_string();
    };
    let Some(end) = rest.find("\n---\n") else {
        return text.to_string();
    };
    let (front, body) = rest.split_at(end + 1);
    let mut out = String::with_capacity(text.len());
    out.push_str("---\n");
    for line in front.lines() {
        if !line.starts_with("layout:") && !line.starts_with("permalink:") {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.push_str(body);
    out
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// What the twin is made of: the handbook site's marker, a hash of this file, of the files of
/// `layouts` and of the theme's files, and Hugo's version.
fn marker_text(site: &Path, layouts: &Path, theme: &Path, hugo_version: &str) -> String {
    let mut hash = Fnv::default();
    hash.add(include_str!("hugo_site.rs").as_bytes());
    hash_tree(layouts, &mut hash);
    for file in ASSETS.iter().chain(&STATIC) {
        hash.add(&fs::read(theme.join(file)).unwrap_or_default());
    }
    let site_marker = fs::read_to_string(site.join(".generator-version")).unwrap_or_default();
    format!("{site_marker}converter={:016x}\n{hugo_version}\n", hash.0)
}

/// The file names and contents under `dir`, in a stable order.
fn hash_tree(dir: &Path, hash: &mut Fnv) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    for path in entries {
        hash.add(path.file_name().unwrap_or_default().as_encoded_bytes());
        if path.is_dir() {
            hash_tree(&path, hash);
        } else {
            hash.add(&fs::read(&path).unwrap_or_default());
        }
    }
}

/// FNV-1a, as the generator's marker: no hashing crate for a cache key.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn add(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}
