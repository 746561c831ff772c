//! A small scanner of raw HTML: the start tags of a piece of HTML written in Markdown, with
//! their attributes and where they are. Enough to find links, ids and inline code in raw HTML,
//! and to rewrite `href`s and `src`s; not an HTML parser.

use std::ops::Range;

/// One attribute of a tag in raw HTML: `href="/x"`, with where its value is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlAttribute<'a> {
    pub name: String,
    pub value: &'a str,
    /// Byte range of the value (without quotes) in the scanned text.
    pub value_range: Range<usize>,
}

/// One start tag in raw HTML: `<img src="x.png" alt="...">`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlTag<'a> {
    /// Lower-cased (`img`).
    pub name: String,
    /// Byte offset of its `<` in the scanned text.
    pub start: usize,
    pub attributes: Vec<HtmlAttribute<'a>>,
}

/// The attributes of every start tag in a piece of raw HTML, in order (see [`html_tags`]).
pub fn html_attributes(html: &str) -> Vec<HtmlAttribute<'_>> {
    html_tags(html)
        .into_iter()
        .flat_map(|tag| tag.attributes)
        .collect()
}

/// Every start tag of a piece of raw HTML, in order. Comments are skipped; tag and attribute
/// names are lower-cased. Entity references in values are left as they are (`&amp;`).
pub fn html_tags(html: &str) -> Vec<HtmlTag<'_>> {
    let bytes = html.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while let Some(lt) = memchr::memchr(b'<', &bytes[i..]) {
        i += lt + 1;
        if html[i..].starts_with("!--") {
            i = html[i..].find("-->").map_or(bytes.len(), |end| i + end + 3);
            continue;
        }
        if !bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let start = i - 1;
        let name_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'>' | b'/')
        {
            i += 1;
        }
        let mut tag = HtmlTag {
            name: html[name_start..i].to_ascii_lowercase(),
            start,
            attributes: Vec::new(),
        };
        // Attributes until `>`.
        loop {
            while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
                i += 1;
            }
            if i >= bytes.len() || bytes[i] == b'>' {
                break;
            }
            if let Some(attribute) = attribute(html, &mut i) {
                tag.attributes.push(attribute);
            }
        }
        tags.push(tag);
    }
    tags
}

/// The attribute that starts at `*i` (after a tag's name or an earlier attribute), moving `*i`
/// past it; `None` for a name without a value (`alt` in `<img alt>`), which is skipped.
fn attribute<'a>(html: &'a str, i: &mut usize) -> Option<HtmlAttribute<'a>> {
    let bytes = html.as_bytes();
    let name_start = *i;
    while *i < bytes.len()
        && !bytes[*i].is_ascii_whitespace()
        && !matches!(bytes[*i], b'=' | b'>' | b'/')
    {
        *i += 1;
    }
    let name = html[name_start..*i].to_ascii_lowercase();
    while *i < bytes.len() && bytes[*i].is_ascii_whitespace() {
        *i += 1;
    }
    if bytes.get(*i) != Some(&b'=') {
        if *i == name_start {
            *i += 1;
        }
        return None;
    }
    *i += 1;
    while *i < bytes.len() && bytes[*i].is_ascii_whitespace() {
        *i += 1;
    }
    let value = value_range(bytes, i);
    Some(HtmlAttribute {
        name,
        value: &html[value.clone()],
        value_range: value,
    })
}

/// The range of the attribute value that starts at `*i` (quoted or not, without its quotes),
/// moving `*i` past it.
fn value_range(bytes: &[u8], i: &mut usize) -> Range<usize> {
    match bytes.get(*i) {
        Some(&q @ (b'"' | b'\'')) => {
            let start = *i + 1;
            let end = memchr::memchr(q, &bytes[start..]).map_or(bytes.len(), |e| start + e);
            *i = (end + 1).min(bytes.len());
            start..end
        }
        _ => {
            let start = *i;
            while *i < bytes.len() && !bytes[*i].is_ascii_whitespace() && bytes[*i] != b'>' {
                *i += 1;
            }
            start..*i
        }
    }
}

/// Elements that sit inside a line of text: their tags do not separate words
/// (`<em>x</em>y` reads `xy`), unlike `<br>` or a block's tags.
const PHRASING: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "i", "ins", "kbd",
    "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
];

/// Whether `html` is only start and end tags of [`PHRASING`] elements, nothing between them.
pub fn only_phrasing_tags(html: &str) -> bool {
    let mut rest = html;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let Some(tag) = rest.strip_prefix('<') else {
            return false;
        };
        let Some(end) = tag.find('>') else {
            return false;
        };
        let inside = &tag[..end];
        let name: String = inside
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if !PHRASING.contains(&name.as_str())
            || inside.contains(['"', '\'']) && inside.contains('<')
        {
            return false;
        }
        rest = &tag[end + 1..];
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_attributes_in_raw_html() {
        let html = r#"<!-- <a href="/no"> --><a class=x href="/a/"><img src='b.png' alt>x</a><br/><p id=top>"#;
        let attrs: Vec<(String, &str)> = html_attributes(html)
            .into_iter()
            .map(|a| (a.name, a.value))
            .collect();
        assert_eq!(
            attrs,
            [
                ("class".to_string(), "x"),
                ("href".into(), "/a/"),
                ("src".into(), "b.png"),
                ("id".into(), "top"),
            ]
        );
        let a = &html_attributes(r#"<a HREF = "x y">"#)[0];
        assert_eq!((a.name.as_str(), a.value), ("href", "x y"));
        assert_eq!(&r#"<a HREF = "x y">"#[a.value_range.clone()], "x y");
        let tags: Vec<(String, usize)> = html_tags("<!-- <img> --><IMG src=a.png><br/>")
            .into_iter()
            .map(|t| (t.name, t.start))
            .collect();
        assert_eq!(tags, [("img".to_string(), 14), ("br".into(), 29)]);
        // Never panics on broken markup.
        for text in [
            "<",
            "<a",
            "<a href",
            "<a href=",
            "<a href=\"x",
            "<a =x>",
            "<!--",
        ] {
            html_attributes(text);
        }
    }
}
