//! Mojibake: UTF-8 text that was once read as Windows-1252, found and repaired.
//!
//! The handbook's pages went through an old export that decoded UTF-8 bytes as Windows-1252
//! (cp1252), so `’` (bytes `E2 80 99`) became the three characters `â€™`, `é` (`C3 A9`)
//! became `Ã©`, and so on. The damage is reversible: encode the damaged characters back to
//! cp1252 bytes and decode those bytes as UTF-8.
//!
//! How a stretch is found, and why it does not fire on ordinary text:
//!
//! 1. **Runs.** Every character of cp1252's upper half (bytes 80–FF) is a candidate:
//!    U+00A0–U+00FF, cp1252's 27 specials (`€ ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ
//!    ž Ÿ`) and the C1 controls U+0080–U+009F (what latin-1, or cp1252 for its five undefined
//!    bytes, makes of bytes 80–9F). A maximal run of such characters (and U+FFFD, see `â€`
//!    below) is cut out; ASCII always ends a run, since a multi-byte UTF-8 sequence contains
//!    no ASCII byte.
//! 2. **Sequences.** The run is encoded back to bytes (one byte per character) and scanned for
//!    valid multi-byte UTF-8 sequences (`std::str::from_utf8` is the judge: right lead byte,
//!    right number of continuation bytes, no overlong forms or surrogates). Bytes that form no
//!    sequence stay as they are, so legitimate `“…”` or `é` beside a damaged `Ã©` survive.
//! 3. **Plausibility.** A valid sequence is not enough: legitimate text can produce one by
//!    chance (`Úžasný` gives `DA 9E`, an Arabic letter; `Fuß“` gives `DF 93`, an N'Ko one).
//!    A sequence is repaired only where legitimate text practically never looks like it:
//!    - *certain on its own* (`certain_sequence`): `Â` or `Ã` + a symbol (NBSP, `©`, `é`,
//!      `ü`...), `â` + two symbols for U+2000–U+27FF (quotes, dashes, `€`, `™`, arrows,
//!      dingbats), `ã` + `€ ‚ ƒ` or a C1 control + a symbol (CJK punctuation, kana), `ð` +
//!      three symbols (emoji), the BOM `ï»¿` and `ï¿½`, and anything with a C1 control of
//!      the text in it;
//!    - *a word of them*: sequences side by side with two letters or more of one script
//!      (`Ð¿Ñ€Ð¸` → `при`, `æ—¥æœ¬` → `日本`);
//!    - *alone, where the letters around give it away* (`plausible_alone`): a Latin Extended
//!      letter inside a word (`mÄ…ka` → `mąka`), a one-letter Greek, Russian or Korean word,
//!      a Vietnamese letter next to a letter.
//! 4. **Repeated damage.** Text that went through the export twice (`Ã¢â‚¬â„¢` → `â€™` → `’`)
//!    is repaired by running the scan again over what the previous pass repaired, until
//!    nothing changes. A later pass only combines characters that an earlier pass produced,
//!    so it cannot pull legitimate neighbours into a repair. A pass may produce a C1 control
//!    (`Â\u{9d}`, the lost byte of a doubly encoded `”`) for the next pass to use; one that
//!    no pass takes in is undone, never reported as a repair.
//!
//! The right double quote `”` is `E2 80 9D`, and 9D is undefined in cp1252: exports show it
//! as `â€` + U+009D (repaired like any other sequence), as `â€` + U+FFFD, or as a bare `â€`.
//! The last two are repaired as `”` too, a best guess: `â€` never occurs in legitimate text,
//! and of the characters whose third byte cp1252 leaves undefined (U+2001, U+200D, U+200F,
//! U+2010, U+201D) the closing quote is by far the most common in prose.
//!
//! Checked against the 70 million characters of the Debian translations (`.mo` files) of a
//! development machine, 198 languages: no false positive; the 169 stretches found were all
//! real mojibake in Norwegian, Asturian, Welsh and Dutch translations. Garbled on purpose, the
//! lines come back exactly in more than 99.5 % of cases for Western European languages, more
//! than 99 % for Central European ones (Lithuanian 96 %), Greek and Russian, and 98 % for
//! Japanese, 97 % for Korean, 94 % for Vietnamese, 91 % for Chinese (the lone characters of the
//! limits below).
//!
//! Known limits:
//! - damage that lost bytes in other ways (`Ã` + an ordinary space for `à`, `â€?` for `”`)
//!   is left alone: it cannot be told from legitimate text;
//! - a lone damaged Chinese or Japanese character (`è¡Œ` for `行` between spaces), a lone
//!   Vietnamese letter at the end of a word, a Korean particle stuck to a Latin word, and
//!   a Latin Extended letter alone between non-letters are not repaired; words of them are;
//! - the rules weigh what prose looks like; a table of arbitrary characters (a code page
//!   listed in full) can still produce a false positive, and so can an upper-case Portuguese
//!   word ending in `Ã` right before a closing quote (`IRMÃ”`);
//! - a page that quotes mojibake on purpose (`Ã©` in a page about encodings) is reported like
//!   any other; the module knows nothing of Markdown, so code blocks are checked too.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// One stretch of mojibake in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mojibake {
    /// Byte offset of the stretch in the text.
    pub start: usize,
    /// Byte offset just past the stretch.
    pub end: usize,
    /// 1-based line of `start`.
    pub line: usize,
    /// 1-based column of `start`, counted in characters (Unicode scalar values), the convention
    /// of the project's diagnostics. A byte order mark at the start of the text is not counted:
    /// editors do not show it.
    pub column: usize,
    /// The text as it is, e.g. `â€™`.
    pub found: String,
    /// What it should be, e.g. `’`.
    pub repaired: String,
}

/// Every stretch of mojibake in `text`, in order, not overlapping.
///
/// Adjacent damaged characters form one stretch (`Ð¿Ñ€Ð¸Ð²ÐµÑ‚` → `привет`). Legitimate text
/// (`Café`, `naïve`, `São Paulo`, `Ångström`, `½`, `©`, a lone `Ã` or `Â`, European prose,
/// curly quotes, emoji, CJK) is never reported; see the module documentation for how.
pub fn find(text: &str) -> Vec<Mojibake> {
    if text.is_ascii() {
        return Vec::new();
    }
    let mut stretches = Vec::new();
    for run in runs(text) {
        repair_run(text, run, &mut stretches);
    }
    with_positions(text, stretches)
}

/// `text` with every stretch that [`find`] reports replaced by its repair, and nothing else
/// changed: line endings, byte order mark, tabs and trailing whitespace stay byte-identical.
/// `None` when there is nothing to repair.
pub fn repair(text: &str) -> Option<String> {
    let found = find(text);
    (!found.is_empty()).then(|| apply(text, &found))
}

/// Repairs the mojibake of the file at `path` in place and returns how many stretches it
/// repaired.
///
/// The new text goes to a temporary file in the same folder, with the original's permissions,
/// is flushed to disk, and is renamed over the original: an interrupted run leaves either the
/// old file or the new one, never half of each. A symbolic link is followed, so the file it
/// points to is repaired and the link stays a link. With nothing to repair (0) the file is not
/// touched at all, not even rewritten. A file that is not valid UTF-8 is an
/// [`io::ErrorKind::InvalidData`] error and stays as it is.
///
/// Not kept: the owner (when another user owns the file), extended attributes and hard links
/// (other names of the file keep the old text), as with any rename-based save. A change made
/// to the file by someone else between the read and the rename is lost.
pub fn repair_file(path: &Path) -> io::Result<usize> {
    // Through a symbolic link to the real file: renaming over the link would replace the link.
    repair_resolved(&fs::canonicalize(path)?)
}

/// [`repair_file`] for a path without any symbolic link in it, as [`crate::source::walk::list`] gives
/// them (`handbook check --fix`): the file is read as [`crate::source::walk::read`] does, never
/// through a link, and the repair is renamed over that same path. So a link put in its place
/// meanwhile is replaced, and what it points to is never written.
pub fn repair_resolved(path: &Path) -> io::Result<usize> {
    let bytes = crate::source::walk::read(path)?;
    let text = String::from_utf8(bytes).map_err(|error| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{}: not valid UTF-8 (byte offset {}), so mojibake cannot be repaired safely",
                path.display(),
                error.utf8_error().valid_up_to()
            ),
        )
    })?;
    let found = find(&text);
    if found.is_empty() {
        return Ok(0);
    }
    write_atomically(path, apply(&text, &found).as_bytes())?;
    Ok(found.len())
}

/// Writes `bytes` to a temporary file beside `path` and renames it over `path`.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let target = path;
    let permissions = fs::metadata(target)?.permissions();
    let dir = target.parent().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{}: has no parent folder", target.display()),
        )
    })?;
    let name = target
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    // A dot name, so that a temporary left by a killed process is hidden and is not a page.
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().set_permissions(permissions)?;
    temp.as_file().sync_all()?;
    temp.persist(target).map_err(|error| error.error)?;
    // Makes the rename itself durable. Some file systems refuse to sync a folder; the file is
    // already replaced by then, so that is not worth an error.
    if let Ok(folder) = fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}

/// `text` with each stretch of `found` (in order, not overlapping) replaced by its repair.
fn apply(text: &str, found: &[Mojibake]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for m in found {
        out.push_str(&text[copied..m.start]);
        out.push_str(&m.repaired);
        copied = m.end;
    }
    out.push_str(&text[copied..]);
    out
}

/// cp1252's bytes 80–9F. The five bytes cp1252 leaves undefined (81, 8D, 8F, 90, 9D) hold the
/// C1 control of the same number, as the WHATWG decoder (and so every browser) produces them.
///
/// Written out rather than taken from `encoding_rs`: these 32 entries are all of cp1252 that
/// differs from latin-1, they are fixed forever, and `encoding_rs` would add a large crate and
/// its compile time to every build for them (and, being a string-to-bytes encoder, would not
/// answer the one question asked here: is this character a cp1252 byte, and which).
const CP1252_80_9F: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

/// The byte 80–FF that `c` is in cp1252's upper half, if any.
///
/// Every C1 control (U+0080–U+009F) counts as its own byte, not only the five cp1252 leaves
/// undefined: they never occur in legitimate text, and this also repairs text that was read
/// as latin-1 (`â\u{80}\u{99}` for `’`).
fn cp1252_byte(c: char) -> Option<u8> {
    match u32::from(c) {
        code @ 0x80..=0xFF => u8::try_from(code).ok(),
        _ => CP1252_80_9F
            .iter()
            .position(|&special| special == c)
            .and_then(|i| u8::try_from(0x80 + i).ok()),
    }
}

/// U+FFFD, what some exports put in place of the undefined 9D of `”`.
const REPLACEMENT: char = '\u{FFFD}';

/// A maximal stretch (byte range) of `text` made of cp1252 upper-half characters and U+FFFD.
#[derive(Debug, Clone, Copy)]
struct Run {
    start: usize,
    end: usize,
}

/// The runs of `text`, in order.
fn runs(text: &str) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut current: Option<Run> = None;
    for (i, c) in text.char_indices() {
        if cp1252_byte(c).is_some() || c == REPLACEMENT {
            let run = current.get_or_insert(Run { start: i, end: i });
            run.end = i + c.len_utf8();
        } else if let Some(run) = current.take() {
            runs.push(run);
        }
    }
    runs.extend(current);
    runs
}

/// One character of a run as the passes see it: at first one character of the text, after a
/// repair the character that several of them stood for.
#[derive(Debug, Clone)]
struct Piece {
    /// Byte range in the text that this piece replaces.
    start: usize,
    end: usize,
    ch: char,
    /// The pieces a repair made this one of; empty for a character of the text.
    parts: Vec<Piece>,
}

impl Piece {
    /// Made by a repair (and so stands for two or more characters of the text).
    fn repaired(&self) -> bool {
        !self.parts.is_empty()
    }
}

/// `pieces` with every repair that gave a control character (`Â€` read as U+0080, or the
/// U+009D of a doubly encoded `”` that no later pass took in) undone: a control character is
/// no repair, so its parts stay as they were.
fn undo_controls(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out = Vec::with_capacity(pieces.len());
    for piece in pieces {
        if piece.repaired() && piece.ch.is_control() {
            out.extend(undo_controls(piece.parts));
        } else {
            out.push(piece);
        }
    }
    out
}

/// A valid UTF-8 sequence found among the pieces: `len` pieces from `at` stand for `ch`.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    at: usize,
    len: usize,
    ch: char,
    /// Certain on its own, whatever is around it.
    certain: bool,
}

/// Repairs one run, pass after pass, and pushes its stretches as `(start, end, repaired)`.
fn repair_run(text: &str, run: Run, stretches: &mut Vec<(usize, usize, String)>) {
    let mut pieces: Vec<Piece> = text[run.start..run.end]
        .char_indices()
        .map(|(i, ch)| Piece {
            start: run.start + i,
            end: run.start + i + ch.len_utf8(),
            ch,
            parts: Vec::new(),
        })
        .collect();
    let before = text[..run.start].chars().next_back();
    let after = text[run.end..].chars().next();
    let mut first = true;
    // Each pass that repairs something merges pieces, so this ends after a handful at most.
    while decode_pass(&mut pieces, before, after, first) {
        first = false;
    }
    // Adjacent repaired pieces make one stretch.
    let pieces = undo_controls(pieces);
    let mut i = 0;
    while i < pieces.len() {
        if !pieces[i].repaired() {
            i += 1;
            continue;
        }
        let start = pieces[i].start;
        let mut repaired = String::new();
        let mut end = start;
        while let Some(piece) = pieces.get(i).filter(|p| p.repaired()) {
            repaired.push(piece.ch);
            end = piece.end;
            i += 1;
        }
        stretches.push((start, end, repaired));
    }
}

/// One pass over the pieces: finds the candidates, keeps the plausible ones and merges their
/// pieces. Returns whether anything was repaired.
///
/// After the first pass only repaired pieces take part (the others are barriers): doubly
/// encoded text is made entirely of the output of the first pass.
fn decode_pass(
    pieces: &mut Vec<Piece>,
    before: Option<char>,
    after: Option<char>,
    first: bool,
) -> bool {
    let bytes: Vec<Option<u8>> = pieces
        .iter()
        .map(|p| (first || p.repaired()).then(|| cp1252_byte(p.ch)).flatten())
        .collect();
    let candidates = candidates(&bytes, pieces);
    let mut accepted = Vec::new();
    // Candidates side by side (no character between them) form a word: `Ð¿Ñ€Ð¸` is `при`,
    // `æ—¥æœ¬ï¼Œ` is `日本，`.
    for word in candidates.chunk_by(|a, b| a.at + a.len == b.at) {
        let mut keep = kept_by_script(word);
        keep_by_neighbours(word, &mut keep, pieces, before, after);
        accepted.extend(word.iter().zip(&keep).filter(|(_, k)| **k).map(|(c, _)| *c));
    }
    if accepted.is_empty() {
        return false;
    }
    merge_accepted(pieces, accepted);
    true
}

/// Which candidates of `word` are certain, alone or by their script. Two letters or more of
/// one script make the word certain, its letters of that script and its punctuation;
/// legitimate text does not put two such stretches side by side. Letters of different
/// scripts side by side (an IPA letter from `É` + a no-break space beside an Arabic one from
/// `Ú’`) are what chance looks like.
fn kept_by_script(word: &[Candidate]) -> Vec<bool> {
    let mut letters = [0usize; Script::COUNT];
    for script in word.iter().filter_map(|c| Script::of(c.ch)) {
        letters[script as usize] += 1;
    }
    let most = letters.iter().copied().max().unwrap_or(0);
    word.iter()
        .map(|c| {
            let supported = match Script::of(c.ch) {
                Some(script) => letters[script as usize] >= 2,
                None => !c.ch.is_alphabetic() && most >= 2,
            };
            c.certain || supported
        })
        .collect()
}

/// Keeps the other candidates of `word` that are plausible by the characters around them,
/// as those read once the kept neighbours are repaired (`Ã³á»‡t` is `óệt`); each one kept
/// can help the next. Only a letter of a script alone in its word can be kept here, so this
/// loops a few times at most.
fn keep_by_neighbours(
    word: &[Candidate],
    keep: &mut [bool],
    pieces: &[Piece],
    before: Option<char>,
    after: Option<char>,
) {
    while let Some(k) = (0..word.len()).find(|&k| {
        let c = &word[k];
        let neighbour = |j: Option<usize>| {
            j.filter(|&j| keep.get(j) == Some(&true))
                .map(|j| word[j].ch)
        };
        let prev = neighbour(k.checked_sub(1)).or_else(|| match c.at.checked_sub(1) {
            Some(j) => pieces.get(j).map(|p| p.ch),
            None => before,
        });
        let next = neighbour(Some(k + 1))
            .or_else(|| pieces.get(c.at + c.len).map_or(after, |p| Some(p.ch)));
        !keep[k] && plausible_alone(c, pieces, prev, next)
    }) {
        keep[k] = true;
    }
}

/// Replaces the pieces of each of `accepted` (in order) by one repaired piece made of them.
fn merge_accepted(pieces: &mut Vec<Piece>, accepted: Vec<Candidate>) {
    let mut rest = std::mem::take(pieces).into_iter();
    let mut accepted = accepted.into_iter().peekable();
    let mut i = 0;
    while let Some(piece) = rest.next() {
        match accepted.next_if(|c| c.at == i) {
            Some(c) => {
                let start = piece.start;
                let mut parts = vec![piece];
                parts.extend(rest.by_ref().take(c.len - 1));
                pieces.push(Piece {
                    start,
                    end: parts.last().map_or(start, |p| p.end),
                    ch: c.ch,
                    parts,
                });
                i += c.len;
            }
            None => {
                pieces.push(piece);
                i += 1;
            }
        }
    }
}

/// The scripts whose letters, two side by side, make a word of mojibake certain. Coarse
/// ranges, enough to tell one script from another; a letter of no script here needs other
/// evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Greek,
    Cyrillic,
    Hebrew,
    Arabic,
    Indic,
    Thai,
    Cjk,
    Hangul,
}

impl Script {
    const COUNT: usize = 9;

    fn of(c: char) -> Option<Script> {
        if !c.is_alphabetic() {
            return None;
        }
        Some(match u32::from(c) {
            0x00C0..=0x024F | 0x1E00..=0x1EFF => Script::Latin,
            0x0370..=0x03FF | 0x1F00..=0x1FFF => Script::Greek,
            0x0400..=0x052F => Script::Cyrillic,
            0x0590..=0x05FF => Script::Hebrew,
            0x0600..=0x06FF | 0x0750..=0x077F => Script::Arabic,
            0x0900..=0x0DFF => Script::Indic,
            0x0E00..=0x0E7F => Script::Thai,
            0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF => Script::Cjk,
            0x1100..=0x11FF | 0xAC00..=0xD7AF => Script::Hangul,
            _ => return None,
        })
    }
}

/// The valid UTF-8 sequences among `bytes` (one per piece, `None` for a barrier), scanning left
/// to right: UTF-8 resynchronises at every lead byte, so greedy is exact.
fn candidates(bytes: &[Option<u8>], pieces: &[Piece]) -> Vec<Candidate> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        let candidate = if let Some((len, ch)) = sequence_at(rest) {
            // A C1 control of the text is evidence; one that a repair made (`Â\u{94}` from
            // legitimate `Â”`) is not.
            let has_c1 = pieces[i..i + len]
                .iter()
                .any(|p| !p.repaired() && p.ch.is_control());
            Some(Candidate {
                at: i,
                len,
                ch,
                certain: has_c1 || certain_sequence(rest, len),
            })
        } else {
            truncated_right_quote(rest).map(|len| {
                // Swallows the U+FFFD that stands for the lost byte, if there is one.
                let len = if pieces.get(i + len).is_some_and(|p| p.ch == REPLACEMENT) {
                    len + 1
                } else {
                    len
                };
                Candidate {
                    at: i,
                    len,
                    ch: '”',
                    certain: true,
                }
            })
        };
        match candidate {
            Some(c) => {
                i += c.len;
                found.push(c);
            }
            None => i += 1,
        }
    }
    found
}

/// The length and character of the valid multi-byte UTF-8 sequence at the start of `bytes`.
///
/// The character may be a C1 control (`Â\u{9d}` is `C2 9D`, U+009D): no repair on its own,
/// but in doubly encoded text it is the lost byte of `”` that the next pass needs. A control
/// that no later pass takes in is left out of the stretches (see [`repair_run`]).
fn sequence_at(bytes: &[Option<u8>]) -> Option<(usize, char)> {
    let len = match bytes.first().copied().flatten()? {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return None,
    };
    let mut buf = [0u8; 4];
    for (slot, byte) in buf.iter_mut().zip(bytes.get(..len)?) {
        *slot = (*byte)?;
    }
    let ch = std::str::from_utf8(&buf[..len]).ok()?.chars().next()?;
    Some((len, ch))
}

/// `â€` whose third byte is missing (end of the run, or no continuation byte next): the length
/// (2) when `bytes` starts with one. See the module documentation for why it stands for `”`.
fn truncated_right_quote(bytes: &[Option<u8>]) -> Option<usize> {
    let starts = bytes.get(..2) == Some(&[Some(0xE2), Some(0x80)]);
    let continued = matches!(bytes.get(2), Some(Some(0x80..=0xBF)));
    (starts && !continued).then_some(2)
}

/// Whether the valid sequence of `len` bytes at the start of `bytes` is mojibake whatever is
/// around it, because legitimate text practically never has these characters side by side:
///
/// - `Â` or `Ã` followed by a cp1252 symbol: Latin-1 punctuation and accented letters
///   (`Â ` NBSP, `Â©`, `Ã©` é, `Ã¼` ü...), the bulk of the damage;
/// - `â` followed by a character of cp1252's 80–9F and one more symbol: U+2000–U+27FF,
///   punctuation, currency, letterlike symbols, arrows, dingbats (`â€™` ’, `â€œ` “, `â€”` —,
///   `â‚¬` €, `â„¢` ™, `âœ“` ✓...). Not `â` + `A0`–`BF` (Braille, CJK radicals...): legitimate
///   `â` + a no-break space or `«` would give those;
/// - `ã` followed by `€`, a C1 control, `‚` or `ƒ`, then a symbol: CJK punctuation, hiragana
///   and katakana (`ã€‚` 。, `ã‚’` を, `ãƒ†` テ); a currency sign or a low quote right after a
///   letter is no prose;
/// - `ð` followed by three symbols: emoji and the other supplementary characters;
/// - `ï»¿` and `ï¿½`: a byte order mark and U+FFFD, common leftovers of earlier conversions.
fn certain_sequence(bytes: &[Option<u8>], len: usize) -> bool {
    let byte = |i: usize| bytes.get(i).copied().flatten();
    match (byte(0), len) {
        (Some(0xC2 | 0xC3), 2) | (Some(0xF0), 4) => true,
        (Some(0xE2), 3) => matches!(byte(1), Some(0x80..=0x9F)),
        (Some(0xE3), 3) => matches!(byte(1), Some(0x80..=0x83)),
        (Some(0xEF), 3) => matches!(
            (byte(1), byte(2)),
            (Some(0xBB), Some(0xBF)) | (Some(0xBF), Some(0xBD))
        ),
        _ => false,
    }
}

/// Whether an uncertain candidate with no damaged neighbour is still mojibake, judged by what
/// it decodes to and the characters around it, `prev` and `next`. The same bytes from
/// legitimate text decode to other blocks (Czech `Úž` to Arabic, `Fuß“` to N'Ko, `CAFÉ’s` to
/// IPA, `café…` + a no-break space to CJK), so only these are taken:
///
/// - Latin Extended-A and -B and `ə`, two characters (`Ä…` ą, `Å›` ś, `Å‚` ł, `ÄŸ` ğ, `È™` ș,
///   `Æ°` ư, `É™` ə), after a lower-case letter (`mÄ…ka` for `mąka`) or before any letter
///   (`Å›wiat` for `świat`, `BÄ—jus` for `Bėjus`, `Å»ADNEJ` for `ŻADNEJ`); not a letter's
///   possessive (`Å’s` about the letter Å), nor a letter then a no-break space before a word
///   (`PÅ` + a no-break space + `väg`);
/// - a one-letter word of Greek (`Î¿` ο) or Russian and Ukrainian (`Ð¸` и, `Ñ–` і) between
///   non-letters: `Î`, `Ï` and `Ð` are no words of their own; `Ñ` is, in Spanish
///   (`la «Ñ»`), so not before a closing quote;
/// - a one-syllable Korean word (`ìˆ˜` 수) between non-letters: `ì`, `í`, `ê` or `ë` followed
///   by two symbols is no word;
/// - Latin Extended Additional, three characters (`á»‡` ệ, `á¸¨` Ḩ), next to a letter
///   (`Viá»‡t`, `Há»“`), but with `»` only where Spanish or French prose would not have the
///   closing guillemet (`está»…`).
///
/// Other scripts (Chinese, Japanese kanji, Arabic...) come in words of two letters or more,
/// which [`decode_pass`] takes together.
fn plausible_alone(
    c: &Candidate,
    pieces: &[Piece],
    prev: Option<char>,
    next: Option<char>,
) -> bool {
    let is = |ch: Option<char>, test: fn(char) -> bool| ch.is_some_and(test);
    let piece = |i: usize| pieces.get(i).map(|p| p.ch);
    let (lead, second, third) = (piece(c.at), piece(c.at + 1), piece(c.at + 2));
    let alone = !is(prev, char::is_alphabetic) && !is(next, char::is_alphabetic);
    match (c.len, c.ch) {
        (2, '\u{100}'..='\u{24f}' | 'ə') => {
            // Legitimate text has a letter, then an apostrophe or a no-break space, then a
            // letter: `Å’s` about the letter Å, `PÅ` + a no-break space + `väg`.
            let possessive = second == Some('’') && matches!(next, Some('s' | 'S'));
            let gap = matches!(second, Some('’' | '\u{a0}')) && is(prev, char::is_alphabetic);
            !possessive && !gap && (is(prev, char::is_lowercase) || is(next, char::is_alphabetic))
        }
        (2, '\u{370}'..='\u{3ff}') => alone && matches!(lead, Some('Î' | 'Ï')),
        (2, '\u{400}'..='\u{4ff}') => {
            let basic = lead == Some('Ð')
                || (lead == Some('Ñ') && !matches!(second, Some('»' | '”' | '’' | '…')));
            alone && basic
        }
        (3, '\u{ac00}'..='\u{d7a3}') => alone,
        (3, '\u{1e00}'..='\u{1eff}') if second == Some('»') => {
            let guillemet = matches!(third, Some('…' | '”' | '’' | '\u{a0}' | '–' | '—'));
            is(prev, char::is_alphabetic)
                && (is(next, char::is_lowercase) || (!is(next, char::is_alphabetic) && !guillemet))
        }
        (3, '\u{1e00}'..='\u{1eff}') => {
            is(prev, char::is_alphabetic) || is(next, char::is_alphabetic)
        }
        _ => false,
    }
}

/// Adds line and column to the stretches (in order), walking the text once.
fn with_positions(text: &str, stretches: Vec<(usize, usize, String)>) -> Vec<Mojibake> {
    let (mut line, mut column) = (1, 1);
    // A byte order mark is not a column: editors do not show it.
    let mut walked = if text.starts_with('\u{feff}') { 3 } else { 0 };
    stretches
        .into_iter()
        .map(|(start, end, repaired)| {
            for c in text[walked.min(start)..start].chars() {
                if c == '\n' {
                    line += 1;
                    column = 1;
                } else {
                    column += 1;
                }
            }
            walked = start;
            Mojibake {
                start,
                end,
                line,
                column,
                found: text[start..end].to_string(),
                repaired,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The character cp1252 reads byte `b` (80–FF) as; a C1 control for its undefined bytes.
    fn cp1252_char(b: u8) -> char {
        match b {
            0x80..=0x9F => CP1252_80_9F[usize::from(b - 0x80)],
            _ => char::from(b),
        }
    }

    /// What the old export did: the UTF-8 bytes of `text`, each read as a cp1252 character.
    fn garble(text: &str) -> String {
        text.bytes().map(cp1252_char).collect()
    }

    /// The stretches of `text` as (found, repaired) pairs.
    fn pairs(text: &str) -> Vec<(String, String)> {
        find(text)
            .into_iter()
            .map(|m| (m.found, m.repaired))
            .collect()
    }

    /// `pairs` written the short way, for comparisons.
    fn expect(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|&(found, repaired)| (found.to_string(), repaired.to_string()))
            .collect()
    }

    #[test]
    fn the_table_is_windows_1252() {
        // The 27 defined characters of bytes 80–9F, as Python's and the WHATWG's cp1252 give them.
        let defined: String = CP1252_80_9F.iter().filter(|c| !c.is_control()).collect();
        assert_eq!(defined, "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ");
        let undefined: Vec<usize> = (0..32)
            .filter(|&i| CP1252_80_9F[i].is_control())
            .map(|i| 0x80 + i)
            .collect();
        assert_eq!(undefined, [0x81, 0x8D, 0x8F, 0x90, 0x9D]);
        // Every byte 80–FF comes back from the character cp1252 reads it as.
        for b in 0x80..=0xFFu8 {
            assert_eq!(cp1252_byte(cp1252_char(b)), Some(b), "{b:#x}");
        }
        // Latin-1's reading of 80–9F comes back too; ASCII and everything else is no cp1252 byte.
        assert_eq!(cp1252_byte('\u{80}'), Some(0x80));
        assert_eq!(cp1252_byte('\u{99}'), Some(0x99));
        for c in ['a', '\n', '\u{100}', 'ł', '✓', '😀', '\u{feff}', '\u{fffd}'] {
            assert_eq!(cp1252_byte(c), None, "{c:?}");
        }
    }

    #[test]
    fn repairs_each_common_pattern() {
        let cases = [
            ("â€™", "’"),
            ("â€˜", "‘"),
            ("â€œ", "“"),
            ("â€\u{9d}", "”"),
            ("â€“", "–"),
            ("â€”", "—"),
            ("â€¦", "…"),
            ("â€¢", "•"),
            ("Ã©", "é"),
            ("Ã¨", "è"),
            ("Ã\u{a0}", "à"),
            ("Ã§", "ç"),
            ("Ã¼", "ü"),
            ("Ã¶", "ö"),
            ("ÃŸ", "ß"),
            ("Ã±", "ñ"),
            ("Ã\u{ad}", "í"),
            ("Ã‰", "É"),
            ("Ãœ", "Ü"),
            ("Â\u{a0}", "\u{a0}"),
            ("Â©", "©"),
            ("Â°", "°"),
            ("Â½", "½"),
            ("â‚¬", "€"),
            ("â„¢", "™"),
            ("ï»¿", "\u{feff}"),
            ("ï¿½", "\u{fffd}"),
            ("ðŸ˜€", "😀"),
        ];
        for (found, expected) in cases {
            assert_eq!(garble(expected), found, "the test's own table");
            for text in [
                found.to_string(),
                format!("x{found}y"),
                format!("word {found} word"),
                format!("{found}\n"),
            ] {
                let ms = find(&text);
                assert_eq!(ms.len(), 1, "{text:?}: {ms:?}");
                assert_eq!(ms[0].found, found, "{text:?}");
                assert_eq!(ms[0].repaired, expected, "{text:?}");
                assert_eq!(repair(&text), Some(text.replace(found, expected)));
            }
        }
    }

    #[test]
    fn repairs_sentences() {
        let cases = [
            ("donâ€™t", "don’t"),
            ("â€œquotedâ€\u{9d}", "“quoted”"),
            ("a â€” b â€“ c", "a — b – c"),
            (
                "CafÃ© naÃ¯ve SÃ£o Paulo Ã…ngstrÃ¶m",
                "Café naïve São Paulo Ångström",
            ),
            (
                "crÃ¨me brÃ»lÃ©e Ã\u{a0} la carte",
                "crème brûlée à la carte",
            ),
            ("Â½ cup, 30Â°C, Â©Â\u{a0}2024", "½ cup, 30°C, ©\u{a0}2024"),
            ("costs 5â‚¬, Brandâ„¢â€¦", "costs 5€, Brand™…"),
            (
                "StraÃŸe, MÃ¼nchen, seÃ±or, garÃ§on",
                "Straße, München, señor, garçon",
            ),
        ];
        for (damaged, repaired) in cases {
            assert_eq!(repair(damaged).as_deref(), Some(repaired), "{damaged:?}");
            assert_eq!(repair(repaired), None, "{repaired:?} is clean");
        }
    }

    #[test]
    fn real_snippets_from_the_old_handbook() {
        // shared/seeds/002: a GitLab quick action inside a code block.
        let text = "      /milestone %â€œBacklog\" or %<next milestone>\n";
        let ms = find(text);
        assert_eq!(ms.len(), 1);
        assert_eq!((ms[0].line, ms[0].column), (1, 19));
        assert_eq!(
            (ms[0].found.as_str(), ms[0].repaired.as_str()),
            ("â€œ", "“")
        );
        // shared/seeds/004.
        let text = "10. Given the above, whatâ€™s the recommendation? (go or no-go)";
        assert_eq!(
            repair(text).as_deref(),
            Some("10. Given the above, what’s the recommendation? (go or no-go)")
        );
        // shared/seeds/003 was exported correctly: its curly quotes, ellipsis and bullets stay.
        let clean = "  • Be aware that the owner’s view layout (gallery or otherwise) also changes \
                     the view for others.\n    1. From the “More” or “…” menu, select “Live on \
                     Youtube”.\n    5. Wait on this screen until the designated meeting time and \
                     you are ready to hit ‘Go Live!’\n";
        assert_eq!(find(clean), []);
    }

    #[test]
    fn the_right_double_quote_without_its_last_byte() {
        // 9D is undefined in cp1252: it arrives as U+009D, as U+FFFD or not at all.
        assert_eq!(
            pairs("say â€œhiâ€\u{9d} now"),
            expect(&[("â€œ", "“"), ("â€\u{9d}", "”")])
        );
        assert_eq!(
            pairs("say â€œhiâ€\u{fffd} now"),
            expect(&[("â€œ", "“"), ("â€\u{fffd}", "”")])
        );
        assert_eq!(
            pairs("say â€œhiâ€ now"),
            expect(&[("â€œ", "“"), ("â€", "”")])
        );
        assert_eq!(pairs("â€œhiâ€"), expect(&[("â€œ", "“"), ("â€", "”")]));
        // A bare one before other damage: the quote, then the no-break space.
        assert_eq!(
            pairs("hiâ€Â\u{a0}there"),
            expect(&[("â€Â\u{a0}", "”\u{a0}")])
        );
        // A lone U+FFFD is not ours to guess.
        assert_eq!(find("a \u{fffd} b"), []);
    }

    #[test]
    fn doubly_encoded_text_is_repaired_to_the_end() {
        assert_eq!(pairs("donÃ¢â‚¬â„¢t"), expect(&[("Ã¢â‚¬â„¢", "’")]));
        let original = "“Café” — naïve…";
        let twice = garble(&garble(original));
        assert_eq!(repair(&twice).as_deref(), Some(original));
        let thrice = garble(&twice);
        assert_eq!(repair(&thrice).as_deref(), Some(original));
    }

    #[test]
    fn legitimate_neighbours_stay_out_of_a_repair() {
        // Legitimate cp1252 characters in the same run as the damage.
        assert_eq!(pairs("“Ã©”"), expect(&[("Ã©", "é")]));
        assert_eq!(pairs("éâ€™s"), expect(&[("â€™", "’")]));
        assert_eq!(pairs("Ãâ€™"), expect(&[("â€™", "’")]));
        assert_eq!(pairs("«Ã©»"), expect(&[("Ã©", "é")]));
        // A second pass does not combine a repair with a legitimate neighbour: `é` + `’` + `”`
        // would be a valid sequence, but `’` and `”` were never damaged.
        assert_eq!(pairs("cafÃ©’”"), expect(&[("Ã©", "é")]));
    }

    #[test]
    fn adjacent_damage_is_one_stretch() {
        let ms = find("Ã©Ã¨ and â€œÃ©â€\u{9d}");
        let got: Vec<(&str, &str)> = ms
            .iter()
            .map(|m| (m.found.as_str(), m.repaired.as_str()))
            .collect();
        assert_eq!(got, [("Ã©Ã¨", "éè"), ("â€œÃ©â€\u{9d}", "“é”")]);
    }

    #[test]
    fn other_scripts() {
        for original in [
            "привет, мир",
            "日本語のテキスト",
            "Καλημέρα",
            "mąka, świat, Łódź, żółw",
            "Việt Nam",
            "İstanbul'da güzel",
            "👍 done 🎉",
            "Crème brûlée — déjà vu, “naïve” façade",
            // Letters alone, where the letters around give them away.
            "Škoda, Břeclav, Mělník, Bėjus, Ağdam, știință, Babək, ŻADNEJ GWARANCJI",
            "кошка и собака, ο άνθρωπος, 수 없음, Hồ Chí Minh, Nguyễn",
            "日本語。「カタカナ」を",
        ] {
            assert_eq!(
                repair(&garble(original)).as_deref(),
                Some(original),
                "{original}"
            );
        }
    }

    #[test]
    fn no_false_positives_on_legitimate_text() {
        let prose = "\
Café, naïve, São Paulo, Ångström, ½, ©, Ã, Â, Ã and Â alone, ÃÂ, 5×½, 30 °C, £10, 1º, nº 3.
Le garçon a dit « déjà vu » à l’hôtel ; c’est très français… L’ÉTÉ, ÇA VA, CAFÉ’s menu.
¿Qué pasa? ¡Ñoño! El niño comió piñas en la montaña. «ÑOÑO» y MAÑANA.
Der Fuß „Gruß“, die STRAßE… Grüße aus München, Äpfel und Öl, Übergröße.
A maçã e o pão, coração, São João; AMANHÃ, IRMÃ e MAÇÃ são palavras.
Úžasný den, Šťastný, ÚŽASNÝ. Œuvre, cœur, sœur, Ÿ. Zürich – Genève — Bâle.
“Quoted” ‘single’ • bullet … ellipsis ™ ® ° ± µ ¶ § ¤ ¦ ¨ ¯ ´ ¸ ¹ ² ³ ¼ ¾ ¿ × ÷.
Emoji 😀👍🏽🎉, CJK 日本語 中文 한국어, Ελληνικά, Русский текст, עברית, العربية.
Æther, Ðe, Þorn, ØRESUND, Ørsted, Ñandú, Ìle, Îlot, Ïle, Ôte, Õ.
The É’s accent, the Å’s ring, la letra «Ñ», PÅ\u{a0}väg, «Ya está»… Ele disse: “é…”
Welkom in België…” Così…” Å gjøre, CAFÉ™ and PÅ…, Fuß“, 5\u{a0}€, «\u{a0}à\u{a0}»\u{a0}!
";
        assert_eq!(find(prose), []);
        assert_eq!(repair(prose), None);
    }

    #[test]
    fn positions_count_characters_and_lines() {
        let text = "line one\nnaïve façade: donâ€™t\r\nnext\r\n日本 Ã©\r\n";
        let ms = find(text);
        assert_eq!(ms.len(), 2);
        // `naïve façade: don` is 17 characters (19 bytes): the column is 18, in characters.
        assert_eq!((ms[0].line, ms[0].column), (2, 18));
        assert_eq!(&text[ms[0].start..ms[0].end], "â€™");
        assert_eq!((ms[1].line, ms[1].column), (4, 4));
        // A byte order mark is not a column.
        let ms = find("\u{feff}Ã© and Ã©");
        assert_eq!(
            ms.iter().map(|m| (m.line, m.column)).collect::<Vec<_>>(),
            [(1, 1), (1, 8)]
        );
        // Damage at the very start.
        assert_eq!((find("Ã©")[0].line, find("Ã©")[0].column), (1, 1));
    }

    #[test]
    fn repair_changes_nothing_else() {
        let text =
            "\u{feff}---\r\ntitle: CafÃ©\t \r\n---\r\n\r\n\tdonâ€™t  \r\nend\u{a0}\r\nno newline";
        let expected =
            "\u{feff}---\r\ntitle: Café\t \r\n---\r\n\r\n\tdon’t  \r\nend\u{a0}\r\nno newline";
        assert_eq!(repair(text).as_deref(), Some(expected));
        assert_eq!(repair(expected), None);
        assert_eq!(repair(""), None);
        assert_eq!(repair("plain ASCII\r\n"), None);
    }

    #[test]
    fn long_runs_take_linear_time() {
        // One run of 270,000 characters with no ASCII to end it, certain and uncertain
        // sequences mixed: quadratic work would not finish in time. (`assert!`, not
        // `assert_eq!`: a failure must not print megabytes.)
        let original = "éиą’α日本".repeat(30_000);
        let damaged = garble(&original);
        let started = std::time::Instant::now();
        let repaired = repair(&damaged);
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        assert!(repaired == Some(original));
        let legitimate = "“é…”ß“Ñ»".repeat(30_000);
        assert!(repair(&legitimate).is_none());
    }

    /// A small deterministic generator, so the fuzz test needs no crate and always sees the
    /// same strings.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            usize::try_from(self.next() % n as u64).unwrap_or(0)
        }
    }

    /// Random strings heavy in the characters this module looks at.
    fn random_text(rng: &mut XorShift, alphabet: &[char]) -> String {
        let len = rng.below(40);
        (0..len)
            .map(|_| match rng.below(4) {
                0 => char::from_u32(0x80 + u32::try_from(rng.below(0x80)).unwrap_or(0))
                    .unwrap_or('x'),
                1 => char::from_u32(u32::try_from(rng.below(0x11_0000)).unwrap_or(0))
                    .unwrap_or('\u{fffd}'),
                _ => alphabet[rng.below(alphabet.len())],
            })
            .collect()
    }

    #[test]
    fn never_panics_and_stretches_are_consistent() {
        let alphabet: Vec<char> = concat!(
            "aZ \n\r\t€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸÂÃâãäåæçèéêëìíîïðñòóôÄÅÐÑÎÏ×ß",
            "\u{81}\u{8d}\u{8f}\u{90}\u{9d}\u{a0}\u{ad}©»«\u{fffd}\u{feff}日😀",
        )
        .chars()
        .collect();
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..20_000 {
            let text = random_text(&mut rng, &alphabet);
            let ms = find(&text);
            let mut last_end = 0;
            for m in &ms {
                assert!(m.start >= last_end && m.start < m.end, "{text:?}: {ms:?}");
                assert_eq!(text.get(m.start..m.end), Some(m.found.as_str()));
                assert!(
                    !m.repaired.is_empty() && m.repaired.chars().count() < m.found.chars().count()
                );
                // Line and column, counted the slow way.
                let before = text[..m.start]
                    .strip_prefix('\u{feff}')
                    .unwrap_or(&text[..m.start]);
                let line_start = before.rfind('\n').map_or(0, |i| i + 1);
                assert_eq!(m.line, before.matches('\n').count() + 1);
                assert_eq!(m.column, before[line_start..].chars().count() + 1);
                last_end = m.end;
            }
            let repaired = repair(&text);
            assert_eq!(repaired.is_some(), !ms.is_empty());
            if let Some(repaired) = repaired {
                assert!(repaired.len() < text.len());
            }
        }
    }

    /// A random sentence of the kind the handbook has: words of Western European letters in
    /// lower, capitalised or upper case, or lower-case words of Central European letters, with
    /// quotes, dashes and symbols where prose puts them.
    fn random_prose(rng: &mut XorShift) -> String {
        // Latin-1 letters are repaired wherever they are.
        const WESTERN: &[&str] = &[
            "a", "e", "n", "t", "s", "r", "é", "è", "à", "ç", "ü", "ö", "ß", "ñ", "í", "á", "ó",
            "ú", "ï", "ê", "â", "ø", "å",
        ];
        // The others only where the letters around them give them away: inside lower-case
        // words here, after an ASCII letter (and, for the three-byte `ệ`, before one).
        const CENTRAL: &[&str] = &[
            "a", "e", "n", "z", "ó", "ą", "ł", "ś", "ż", "ž", "č", "ğ", "ı", "œ", "ș", "ő", "ệt",
        ];
        const OPENING: &[&str] = &["", "", "", "“", "‘", "«\u{a0}", "¿", "¡", "(", "„"];
        const CLOSING: &[&str] = &[
            "", "", "", "”", "’", "’s", "…", ",", ".", "\u{a0}»", "™", "®", "“", ")", ":",
        ];
        const BETWEEN: &[&str] = &[" ", " ", " ", "\n", "\r\n", " — ", " – ", "\u{a0}", "\t"];
        const SYMBOLS: &[&str] = &[
            "½",
            "30°C",
            "5\u{a0}€",
            "© 2024",
            "×2",
            "§3",
            "😀",
            "日本",
            "±1",
        ];
        let pick = |rng: &mut XorShift, from: &[&'static str]| from[rng.below(from.len())];
        let mut out = String::new();
        for _ in 0..rng.below(12) {
            if rng.below(8) == 0 {
                out.push_str(pick(rng, SYMBOLS));
                out.push_str(pick(rng, BETWEEN));
                continue;
            }
            let len = 1 + rng.below(8);
            let word: String = if rng.below(3) == 0 {
                let letters: String = (0..len).map(|_| pick(rng, CENTRAL)).collect();
                format!("n{letters}")
            } else {
                // Two letters at least: made-up one-letter words beside no-break spaces and
                // symbols (`Å\u{a0}x` is `Šx`) are what legitimate text does not have.
                let mut word: String = (0..len + 1).map(|_| pick(rng, WESTERN)).collect();
                // No language ends a word in `â`, and `Â` + a no-break space is exactly how a
                // no-break space is damaged.
                if word.ends_with('â') {
                    word.push('t');
                }
                match rng.below(4) {
                    0 => word.to_uppercase(),
                    1 => {
                        let mut chars = word.chars();
                        chars
                            .next()
                            .map(|c| c.to_uppercase().chain(chars).collect())
                            .unwrap_or_default()
                    }
                    _ => word,
                }
            };
            out.push_str(pick(rng, OPENING));
            out.push_str(&word);
            out.push_str(pick(rng, CLOSING));
            out.push_str(pick(rng, BETWEEN));
        }
        out
    }

    #[test]
    fn prose_round_trips() {
        let mut rng = XorShift(42);
        for _ in 0..20_000 {
            let original = random_prose(&mut rng);
            assert_eq!(repair(&original), None, "{original:?} is clean");
            let damaged = garble(&original);
            let expected = (damaged != original).then(|| original.clone());
            assert_eq!(
                repair(&damaged),
                expected,
                "{original:?} garbled as {damaged:?}"
            );
        }
    }
}
