//! The memo of highlighted lines, shared by all threads: handbooks repeat lines (`git fetch
//! origin`, `fi`, `}`) across pages, and parsing them is most of highlighting's time.

use super::{Palette, syntaxes};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use syntect::parsing::{ParseState, ScopeStack, SyntaxReference};

/// Styled lines, by palette, syntax, the parser's state and scopes before the line, and the
/// line. The HTML is a pure function of those, so a hit gives exactly what parsing would.
/// Shared by all threads: a line one thread styled is a hit for the others.
///
/// Two generations, so that memory stays bounded and the lines a handbook repeats stay: new
/// lines go into `young`; when it is full it becomes `old` (the previous `old` is dropped),
/// and a line found in `old` is brought back into `young`.
#[derive(Default)]
struct LineCache {
    young: Generation,
    old: Generation,
}

#[derive(Default)]
struct Generation {
    by_line: HashMap<u64, Vec<Arc<StyledLine>>>,
    len: usize,
}

/// Where a line starts: what its HTML depends on besides its text.
struct Start {
    palette: usize,
    syntax: usize,
    state: ParseState,
    scopes: ScopeStack,
}

/// A borrowed [`Start`], to look a line up without copying its state.
#[derive(Clone, Copy)]
struct StartRef<'a> {
    palette: usize,
    syntax: usize,
    state: &'a ParseState,
    scopes: &'a ScopeStack,
}

impl StartRef<'_> {
    fn is(&self, start: &Start) -> bool {
        self.palette == start.palette
            && self.syntax == start.syntax
            && *self.state == start.state
            && *self.scopes == start.scopes
    }

    fn to_owned(self) -> Start {
        Start {
            palette: self.palette,
            syntax: self.syntax,
            state: self.state.clone(),
            scopes: self.scopes.clone(),
        }
    }
}

impl Generation {
    fn find(&self, key: u64, line: &str, start: StartRef<'_>) -> Option<Arc<StyledLine>> {
        let entries = self.by_line.get(&key)?;
        entries
            .iter()
            .find(|e| e.line == line && start.is(&e.before))
            .cloned()
    }
}

impl LineCache {
    fn find(&mut self, key: u64, line: &str, start: StartRef<'_>) -> Option<Arc<StyledLine>> {
        if let Some(hit) = self.young.find(key, line, start) {
            return Some(hit);
        }
        let hit = self.old.find(key, line, start)?;
        self.insert(key, Arc::clone(&hit));
        Some(hit)
    }

    fn insert(&mut self, key: u64, entry: Arc<StyledLine>) {
        if self.young.len >= LINES_PER_GENERATION {
            self.old = std::mem::take(&mut self.young);
        }
        self.young.len += 1;
        self.young.by_line.entry(key).or_default().push(entry);
    }
}

pub(super) struct StyledLine {
    line: String,
    before: Start,
    after_state: ParseState,
    after_scopes: ScopeStack,
    pub(super) html: String,
}

// SAFETY: a `ParseState` is not `Send`/`Sync` only because a state that captured a regex group
// (a heredoc's delimiter, say) holds an Oniguruma `Region`: two heap arrays of offsets behind raw
// pointers, with no tie to the thread that made them. A `StyledLine` is never changed after it
// is built; other threads only compare and clone it (which reads those arrays), and it is freed
// only once no thread holds it (`Arc`).
unsafe impl Send for StyledLine {}
unsafe impl Sync for StyledLine {}

/// Lines in each of the cache's two generations: about 1 KB each, so at most ~16 MB in all.
const LINES_PER_GENERATION: usize = 8_192;

fn line_cache() -> &'static Mutex<LineCache> {
    static CACHE: OnceLock<Mutex<LineCache>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

/// `line` styled from `state` and `scopes`, advancing both past it. The lock is held only to
/// look up and to insert, never while parsing.
pub(super) fn style_line(
    palette: &Palette,
    syntax: &SyntaxReference,
    state: &mut ParseState,
    scopes: &mut ScopeStack,
    line: &str,
) -> Option<Arc<StyledLine>> {
    // The syntax set and the palettes live for the whole program: addresses identify them.
    let syntax_id = std::ptr::from_ref(syntax) as usize;
    let key = xxhash_rust::xxh3::xxh3_64_with_seed(line.as_bytes(), syntax_id as u64);
    let start = StartRef {
        palette: std::ptr::from_ref(palette) as usize,
        syntax: syntax_id,
        state,
        scopes,
    };
    let hit = {
        // A poisoned lock only means another thread panicked mid-insert: the map is intact.
        let mut cache = line_cache().lock().unwrap_or_else(|p| p.into_inner());
        cache.find(key, line, start)
    };
    if let Some(entry) = hit {
        state.clone_from(&entry.after_state);
        scopes.clone_from(&entry.after_scopes);
        return Some(entry);
    }
    let before = start.to_owned();
    let ops = state.parse_line(line, syntaxes()).ok()?;
    let html = palette.line_html(line, &ops, scopes)?;
    let entry = Arc::new(StyledLine {
        line: line.to_string(),
        before,
        after_state: state.clone(),
        after_scopes: scopes.clone(),
        html,
    });
    let mut cache = line_cache().lock().unwrap_or_else(|p| p.into_inner());
    cache.insert(key, Arc::clone(&entry));
    Some(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memo_keeps_repeated_lines_and_bounded_size_across_generations() {
        let mut cache = LineCache::default();
        let set = syntaxes();
        let syntax = set.find_syntax_by_token("rust").unwrap();
        let state = ParseState::new(syntax);
        let scopes = ScopeStack::new();
        let start = StartRef {
            palette: 2,
            syntax: 1,
            state: &state,
            scopes: &scopes,
        };
        let entry = |line: &str| {
            Arc::new(StyledLine {
                line: line.to_string(),
                before: start.to_owned(),
                after_state: state.clone(),
                after_scopes: scopes.clone(),
                html: String::new(),
            })
        };
        let (kept, key) = ("fi\n", 7);
        cache.insert(key, entry(kept));
        for n in 0..3 * LINES_PER_GENERATION {
            // The repeated line is looked up now and then, as a handbook repeats it.
            if n % (LINES_PER_GENERATION / 2) == 0 {
                assert!(cache.find(key, kept, start).is_some(), "after {n} lines");
            }
            let line = format!("let x{n} = {n};\n");
            cache.insert(1000 + n as u64, entry(&line));
        }
        assert!(
            cache.find(key, kept, start).is_some(),
            "a repeated line stays"
        );
        assert!(
            cache.find(1000, "let x0 = 0;\n", start).is_none(),
            "an old one goes"
        );
        let held = cache.young.len + cache.old.len;
        assert!(held <= 2 * LINES_PER_GENERATION, "{held} lines held");
    }
}
