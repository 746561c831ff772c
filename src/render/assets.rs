//! The stylesheets and scripts of a build, each read or generated once and given its
//! fingerprinted name ([`crate::templates::assets`]): those of `static/`, and the theme's that
//! `static/` does not replace.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::output::{Origin, Plan};
use crate::site::Site;
use crate::templates::assets::{self, Fingerprints};
use crate::templates::theme;

/// The stylesheets and scripts of a build: their fingerprinted names, and their bytes by
/// fingerprinted output path.
pub struct AssetFiles {
    pub fingerprints: Fingerprints,
    pub files: Vec<(String, Vec<u8>)>,
}

/// Reads the stylesheets and scripts of `static/` and generates the theme's (of `generated`)
/// that it does not replace, and gives each its fingerprinted name. A stylesheet that
/// `@import`s another file of the site is a warning: that file is only written under its
/// fingerprinted name.
pub fn collect(
    site: &Site,
    plan: &Plan,
    generated: &[String],
    diags: &mut Diagnostics,
) -> AssetFiles {
    let mut made: Vec<(String, Result<Vec<u8>, Diagnostic>)> = generated
        .iter()
        .filter(|name| assets::applies_to(name) && !plan.copies.contains_key(*name))
        .filter_map(|name| Some((name.clone(), theme::builtin_file(name, &site.config)?)))
        .collect();
    for (rel, origin) in &plan.copies {
        if let Origin::Static(path, shown) = origin
            && assets::applies_to(rel)
        {
            let bytes = crate::source::walk::read(path).map_err(|err| {
                Diagnostic::error(shown.clone(), format!("cannot read the file: {err}"))
            });
            if let Ok(css) = &bytes {
                diags.extend(assets::local_imports(shown, css));
            }
            made.push((rel.clone(), bytes));
        }
    }
    let mut fingerprints = Fingerprints::new(&site.config.base_url, site.config.base_path());
    let mut files = Vec::new();
    for (rel, bytes) in made {
        match bytes {
            Ok(bytes) => files.push((fingerprints.insert(&rel, &bytes), bytes)),
            Err(d) => diags.push(d),
        }
    }
    AssetFiles {
        fingerprints,
        files,
    }
}
