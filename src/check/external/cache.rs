//! The cache between runs (`.handbook-cache/external-links.json`): good results are trusted
//! for `cache_hours`, anything else is asked again, and the file is written atomically.

use super::{Checked, Outcome};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::Write;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// Bumped when the cache file's format changes; a cache of another version is ignored.
const CACHE_VERSION: u32 = 1;

/// The cache file: the last result of every link, with when it was checked.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct Cache {
    version: u32,
    pub(super) entries: BTreeMap<String, CacheEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct CacheEntry {
    outcome: Outcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    redirected_to: Option<String>,
    /// Unix seconds.
    checked_at: u64,
}

impl CacheEntry {
    /// A good result younger than `cache_hours`. A time in the future (a clock set back) is
    /// not trusted.
    pub(super) fn is_fresh(&self, now: u64, cache_hours: u64) -> bool {
        let max_age = cache_hours.saturating_mul(3600);
        self.outcome.is_ok() && now >= self.checked_at && now - self.checked_at < max_age
    }

    pub(super) fn result(&self) -> Checked {
        Checked {
            outcome: self.outcome.clone(),
            redirected_to: self.redirected_to.clone(),
        }
    }
}

impl Cache {
    /// Records this run's new results and forgets what is of no more use: entries that are
    /// neither fresh nor from this run.
    pub(super) fn update(
        &mut self,
        results: &HashMap<String, (Checked, bool)>,
        now: u64,
        cache_hours: u64,
    ) {
        self.version = CACHE_VERSION;
        for (key, (result, from_cache)) in results {
            if !from_cache {
                let entry = CacheEntry {
                    outcome: result.outcome.clone(),
                    redirected_to: result.redirected_to.clone(),
                    checked_at: now,
                };
                self.entries.insert(key.clone(), entry);
            }
        }
        self.entries.retain(|key, entry| {
            entry.is_fresh(now, cache_hours)
                || results.get(key).is_some_and(|(_, from_cache)| !from_cache)
        });
    }
}

/// The cache at `path`; an empty one when it is missing, unreadable, corrupt or of another
/// version: the cache only saves time, it must never stop a check.
pub(super) fn load_cache(path: &Path) -> Cache {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_json::from_str::<Cache>(&text).ok())
        .filter(|cache| cache.version == CACHE_VERSION)
        .unwrap_or_default()
}

/// Writes the cache atomically: a temporary file beside it, renamed over it, so that an
/// interrupted run never leaves half a file.
pub(super) fn save_cache(path: &Path, cache: &Cache) -> Result<(), String> {
    let fail = |err: &dyn fmt::Display| format!("cannot write {}: {err}", path.display());
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(folder).map_err(|err| fail(&err))?;
    let json = serde_json::to_vec_pretty(cache).map_err(|err| fail(&err))?;
    let mut file = tempfile::NamedTempFile::new_in(folder).map_err(|err| fail(&err))?;
    file.write_all(&json).map_err(|err| fail(&err))?;
    file.persist(path).map_err(|err| fail(&err.error))?;
    Ok(())
}

pub(super) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freshness() {
        let entry = |outcome, checked_at| CacheEntry {
            outcome,
            redirected_to: None,
            checked_at,
        };
        let ok = Outcome::Ok { status: 200 };
        let now = 1_000_000;
        assert!(entry(ok.clone(), now - 3599).is_fresh(now, 1));
        assert!(!entry(ok.clone(), now - 3600).is_fresh(now, 1));
        assert!(!entry(ok.clone(), now + 10).is_fresh(now, 1));
        assert!(!entry(ok, now).is_fresh(now, 0));
        assert!(!entry(Outcome::Broken { status: 404 }, now).is_fresh(now, 24));
    }
}
