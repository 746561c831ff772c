//! Finding shortcode calls in a page's Markdown, before it is parsed: a line scan that skips
//! fenced code and code spans. What it finds is checked against the parse afterwards
//! ([`super::prepare`]), so a call it takes for one by mistake (in an HTML block, an indented
//! code block) stays text.

use std::ops::Range;

/// How a call is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `:name[label]{args}` in text.
    Inline,
    /// `::name[label]{args}` alone on its line.
    Leaf,
    /// `:::name[label]{args}` on its line, a Markdown body, and a line of as many colons.
    Open(usize),
    /// The line of colons that ends a body.
    Close(usize),
}

/// A call (or the end of a body) as found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub form: Form,
    /// What is replaced by a placeholder: the call, or the line from its first colon.
    pub range: Range<usize>,
    pub name: Range<usize>,
    /// Inside the brackets.
    pub label: Option<Range<usize>>,
    /// Inside the braces.
    pub args: Option<Range<usize>>,
    /// On an opening line, text after the name (`::: tip Read this first`): the label.
    pub trailing: Option<Range<usize>>,
}

/// Every call of `text`, in order. Cheap when the text has no `:` followed by a letter.
pub fn find(text: &str) -> Vec<Found> {
    let mut found = Vec::new();
    if !might_call(text) {
        return found;
    }
    let mut fence: Option<(u8, usize)> = None;
    let mut start = 0;
    while start < text.len() {
        let end =
            memchr::memchr(b'\n', &text.as_bytes()[start..]).map_or(text.len(), |i| start + i);
        let line = &text[start..end];
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        let body = &line[indent..];
        match (fence, fence_of(body)) {
            (Some((ch, n)), Some((c, m, rest))) if c == ch && m >= n && rest.trim().is_empty() => {
                fence = None
            }
            (Some(_), _) => {}
            (None, Some((c, m, _))) => fence = Some((c, m)),
            (None, None) => line_calls(text, start + indent, end, &mut found),
        }
        start = end + 1;
    }
    found
}

/// Whether `text` has a `:` followed by a letter or a colon: a page without is not scanned.
fn might_call(text: &str) -> bool {
    memchr::memchr_iter(b':', text.as_bytes()).any(|i| {
        text.as_bytes()
            .get(i + 1)
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b':')
    })
}

/// A line that opens or closes fenced code: its character, length and what follows.
fn fence_of(line: &str) -> Option<(u8, usize, &str)> {
    let c = *line.as_bytes().first()?;
    if c != b'`' && c != b'~' {
        return None;
    }
    let n = line.bytes().take_while(|b| *b == c).count();
    (n >= 3).then(|| (c, n, &line[n..]))
}

/// The calls on the line `text[start..end]` (`start` after its indentation).
fn line_calls(text: &str, start: usize, end: usize, found: &mut Vec<Found>) {
    let line = &text[start..end];
    let colons = line.bytes().take_while(|b| *b == b':').count();
    if colons >= 2
        && let Some(call) = block_call(text, start, end, colons)
    {
        found.push(call);
        return;
    }
    inline_calls(text, start, end, found);
}

/// `::name…` or `:::name…` or a line of colons.
fn block_call(text: &str, start: usize, end: usize, colons: usize) -> Option<Found> {
    let line_end = if text[..end].ends_with('\r') {
        end - 1
    } else {
        end
    };
    let after = start + colons;
    let rest = &text[after..line_end];
    if colons >= 3 && rest.trim().is_empty() {
        return Some(Found {
            form: Form::Close(colons),
            range: start..line_end,
            name: after..after,
            label: None,
            args: None,
            trailing: None,
        });
    }
    // `::: tip`, as VitePress writes it, for bodies only.
    let spaces = rest.len() - rest.trim_start().len();
    if colons == 2 && spaces > 0 {
        return None;
    }
    let (name, label, args, next) = call_parts(text, after + spaces, line_end)?;
    let tail = &text[next..line_end];
    let form = if colons == 2 {
        Form::Leaf
    } else {
        Form::Open(colons)
    };
    let trailing = match (form, tail.trim()) {
        (_, "") => None,
        (Form::Open(_), t) if label.is_none() && args.is_none() => {
            let from = next + (tail.len() - tail.trim_start().len());
            Some(from..from + t.len())
        }
        _ => return None,
    };
    Some(Found {
        form,
        range: start..line_end,
        name,
        label,
        args,
        trailing,
    })
}

/// `name[label]{args}` from `at`: the ranges of each part and where the call ends. A name
/// alone is a call only on its own line; in text it needs a label or arguments.
#[allow(clippy::type_complexity)]
fn call_parts(
    text: &str,
    at: usize,
    limit: usize,
) -> Option<(
    Range<usize>,
    Option<Range<usize>>,
    Option<Range<usize>>,
    usize,
)> {
    let bytes = &text.as_bytes()[..limit];
    if !bytes.get(at)?.is_ascii_alphabetic() {
        return None;
    }
    let mut i = at;
    while i < limit && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'-' || bytes[i] == b'_') {
        i += 1;
    }
    let name = at..i;
    let mut label = None;
    if bytes.get(i) == Some(&b'[') {
        let close = closing(bytes, i, b'[', b']')?;
        label = Some(i + 1..close);
        i = close + 1;
    }
    let mut args = None;
    if bytes.get(i) == Some(&b'{') {
        let close = closing(bytes, i, b'{', b'}')?;
        args = Some(i + 1..close);
        i = close + 1;
    }
    Some((name, label, args, i))
}

/// The index of the bracket that closes the one at `open`, skipping backslash escapes and, in
/// braces, quoted strings; nested brackets count.
fn closing(bytes: &[u8], open: usize, left: u8, right: u8) -> Option<usize> {
    let mut depth = 0;
    let mut quote = None;
    let mut i = open;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) if b == b'\\' => i += 1,
            Some(_) => {}
            None if b == b'\\' => i += 1,
            None if left == b'{' && (b == b'"' || b == b'\'') => quote = Some(b),
            None if b == left => depth += 1,
            None if b == right => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            None if b == b'\n' => return None,
            None => {}
        }
        i += 1;
    }
    None
}

/// `:name[label]{args}` calls in a line of text, outside code spans. The colon must not follow
/// a letter, a digit, a colon or a backslash (`\:name{}` is the way to write one as text).
fn inline_calls(text: &str, start: usize, end: usize, found: &mut Vec<Found>) {
    let bytes = text.as_bytes();
    let mut i = start;
    // From one colon or backtick to the next: most of a line is neither.
    while let Some(at) = memchr::memchr2(b':', b'`', &bytes[i..end]) {
        i += at;
        if bytes[i] == b'`' {
            let run = bytes[i..end].iter().take_while(|b| **b == b'`').count();
            i = code_span_end(bytes, i + run, end, run).unwrap_or(i + run);
            continue;
        }
        if (i == start || !joins(bytes[i - 1]))
            && let Some((name, label, args, next)) = call_parts(text, i + 1, end)
            && (label.is_some() || args.is_some())
        {
            found.push(Found {
                form: Form::Inline,
                range: i..next,
                name,
                label,
                args,
                trailing: None,
            });
            i = next;
            continue;
        }
        i += 1;
    }
}

/// Characters after which a colon is part of a word (`std::vec[0]`, `10:30{`), or escaped.
fn joins(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b':' || b == b'\\' || b == b'_' || b >= 0x80
}

/// The end of a code span whose opening run of `run` backticks ends at `from`, on this line.
fn code_span_end(bytes: &[u8], from: usize, end: usize, run: usize) -> Option<usize> {
    let mut i = from;
    while let Some(at) = memchr::memchr(b'`', &bytes[i..end]) {
        i += at;
        let n = bytes[i..end].iter().take_while(|b| **b == b'`').count();
        if n == run {
            return Some(i + n);
        }
        i += n;
    }
    None
}

/// The arguments written in braces: `key="value"`, `key='value'` or `key=value`, separated by
/// spaces. A value's backslash escapes a quote or a backslash.
pub fn arguments(text: &str) -> Result<Vec<(String, String)>, (usize, String)> {
    let bytes = text.as_bytes();
    let mut args = Vec::new();
    let mut i = 0;
    loop {
        while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t' || bytes[i] == b',') {
            i += 1;
        }
        if i == bytes.len() {
            return Ok(args);
        }
        let key_start = i;
        while i < bytes.len()
            && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'-')
        {
            i += 1;
        }
        if i == key_start {
            return Err((
                i,
                "expected an argument's name, such as `title=\"…\"`".into(),
            ));
        }
        let key = text[key_start..i].to_string();
        if bytes.get(i) != Some(&b'=') {
            return Err((
                i,
                format!("expected `=` and a value after `{key}`, such as `{key}=\"…\"`"),
            ));
        }
        i += 1;
        let (value, next) = value(text, i)?;
        args.push((key, value));
        i = next;
    }
}

/// A quoted or bare value at `i`, and where it ends.
fn value(text: &str, i: usize) -> Result<(String, usize), (usize, String)> {
    let bytes = text.as_bytes();
    match bytes.get(i) {
        Some(&q) if q == b'"' || q == b'\'' => {
            let mut out = String::new();
            let j = i + 1;
            let mut chars = text[j..].char_indices();
            while let Some((k, c)) = chars.next() {
                match c {
                    c if c as u32 == q as u32 => return Ok((out, j + k + 1)),
                    '\\' => match chars.next() {
                        Some((_, c)) => out.push(c),
                        None => break,
                    },
                    c => out.push(c),
                }
            }
            Err((i, format!("this value's {} is never closed", q as char)))
        }
        _ => {
            let end = text[i..]
                .find([' ', '\t', ','])
                .map_or(text.len(), |k| i + k);
            if end == i {
                return Err((i, "expected a value after `=`".into()));
            }
            Ok((text[i..end].to_string(), end))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forms(text: &str) -> Vec<(Form, &str)> {
        find(text)
            .into_iter()
            .map(|f| (f.form, &text[f.range]))
            .collect()
    }

    #[test]
    fn finds_each_form_and_skips_code() {
        let text = "Ask :slack{channel=\"help\"} or `:not{x}` here.\n\n::video{id=1}\n:::note[Read me]\nBody `::x`\n:::\n```\n:::note\n```\n";
        assert_eq!(
            forms(text),
            [
                (Form::Inline, ":slack{channel=\"help\"}"),
                (Form::Leaf, "::video{id=1}"),
                (Form::Open(3), ":::note[Read me]"),
                (Form::Close(3), ":::"),
            ]
        );
    }

    #[test]
    fn text_that_is_not_a_call_is_left_alone() {
        for text in [
            "std::vec[0] and a::b{c}",
            "at 10:30{ and :smile: and :name alone",
            "\\:escaped{x} and \\::leaf{x}",
            "::: 3 things\n:: two spaced",
            ":unclosed{x and :open[label",
            "https://example.com:8080[x]",
        ] {
            assert_eq!(forms(text), [], "{text}");
        }
    }

    #[test]
    fn an_opening_line_may_have_a_title_after_the_name() {
        let text = "::: tip Read this first\n";
        let found = &find(text)[0];
        assert_eq!(found.form, Form::Open(3));
        assert_eq!(&text[found.trailing.clone().unwrap()], "Read this first");
    }

    #[test]
    fn reads_arguments() {
        assert_eq!(
            arguments(r#"a="x y" b='it\'s' c=3, d=true"#).unwrap(),
            [
                ("a".into(), "x y".into()),
                ("b".into(), "it's".into()),
                ("c".into(), "3".into()),
                ("d".into(), "true".into())
            ]
        );
        assert_eq!(arguments("").unwrap(), []);
        assert!(arguments("a").unwrap_err().1.contains("`=`"));
        assert!(arguments("=x").unwrap_err().1.contains("name"));
        assert!(arguments("a=\"x").unwrap_err().1.contains("never closed"));
    }
}
