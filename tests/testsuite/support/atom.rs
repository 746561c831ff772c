//! Atom 1.0 feeds (RFC 4287) checked by a real validator: [`validate_atom`] runs `xmllint
//! --relaxng` with the RFC's own RELAX NG schema (`tests/support-files/atom/atom.rng`, from
//! RFC 4287 Appendix B: its README says how), then checks here the RFC's rules that the schema
//! leaves out or only states as Schematron, which xmllint does not run.
//!
//! ```ignore
//! #[test]
//! #[cfg_attr(not(has_xmllint), ignore = "needs xmllint: apt-get install libxml2-utils")]
//! fn the_feed_validates() {
//!     atom::validate_atom(&feed).unwrap_or_else(|problems| panic!("{problems}"));
//! }
//! ```
//!
//! Needs xmllint (`apt-get install libxml2-utils`; `.ci/run` installs it), or the path in
//! `XMLLINT`: `build.rs` sets `has_xmllint` when it is there (always on CI, where a missing
//! xmllint fails the test), so that elsewhere such a test shows as ignored, never as passed.
//! [`check_rfc4287_rules`], the checks of this file alone, needs nothing.

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

/// The RELAX NG schema of RFC 4287 Appendix B, in XML syntax.
pub const SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/support-files/atom/atom.rng"
);

const ATOM: &str = "http://www.w3.org/2005/Atom";
const XML: &str = "http://www.w3.org/XML/1998/namespace";

fn xmllint() -> PathBuf {
    std::env::var_os("XMLLINT").map_or_else(|| PathBuf::from("xmllint"), PathBuf::from)
}

/// Whether `xml` is a valid Atom 1.0 Feed Document: valid against the RELAX NG schema of RFC
/// 4287 (checked by xmllint), and keeping [`check_rfc4287_rules`]. The error says all that is
/// wrong: xmllint's output, then each broken rule.
pub fn validate_atom(xml: &str) -> Result<(), String> {
    let mut problems = Vec::new();
    if let Err(output) = run_xmllint(xml) {
        problems.push(output);
    }
    if let Err(broken) = check_rfc4287_rules(xml) {
        problems.push(broken);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// `xmllint --noout --relaxng atom.rng FILE` on `xml` written to a temporary file.
fn run_xmllint(xml: &str) -> Result<(), String> {
    let mut file = tempfile::Builder::new()
        .prefix("feed-")
        .suffix(".xml")
        .tempfile()
        .map_err(|error| format!("a temporary file for xmllint: {error}"))?;
    file.write_all(xml.as_bytes())
        .and_then(|()| file.flush())
        .map_err(|error| format!("writing the feed for xmllint: {error}"))?;
    let program = xmllint();
    let output = Command::new(&program)
        .args(["--noout", "--nonet", "--relaxng", SCHEMA])
        .arg(file.path())
        .output()
        .map_err(|error| {
            format!(
                "xmllint not installed ({}: {error}): `apt-get install libxml2-utils`, as `.ci/run` does",
                program.display()
            )
        })?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "xmllint --relaxng {SCHEMA} rejected the feed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    ))
}

/// The rules of RFC 4287 that its RELAX NG schema does not check (the RFC says the schema is
/// not normative: its text is). Checked on an Atom Feed Document, whose root is `atom:feed`:
///
/// - the feed, and each entry, has exactly one `atom:id`, `atom:title` and `atom:updated`
///   (sections 4.1.1, 4.1.2): the schema says so too, this says which is missing where;
/// - every `atom:id` is an IRI (4.2.6): absolute, with a scheme, and with no white space
///   (section 3);
/// - every `atom:link` `href` is absolute too. Stricter than the RFC, which allows an IRI
///   reference resolved against `xml:base` or the feed's own address: readers resolve them
///   unevenly, so a generated feed gives full addresses;
/// - every `atom:updated` and `atom:published` is an RFC 3339 `date-time` with an uppercase
///   `T` and `Z` (3.3): `YYYY-MM-DDTHH:MM:SS(.frac)?(Z|+HH:MM|-HH:MM)`, with real months, days
///   and hours, no white space. The schema's `xsd:dateTime` allows a missing time zone and
///   surrounding white space;
/// - the feed has an `atom:author`, or every entry has one, itself or in its `atom:source`
///   (4.1.1, 4.1.2);
/// - an entry without `atom:content` has an `atom:link` whose `rel` is `alternate`, or absent,
///   which means `alternate` (4.1.2, 4.2.7.2).
///
/// Reads the XML with a small parser of its own (elements, attributes, namespaces, text,
/// entities, CDATA and comments): enough for these rules, no substitute for xmllint, which
/// checks that the XML is well formed.
pub fn check_rfc4287_rules(xml: &str) -> Result<(), String> {
    let root = parse(xml).map_err(|error| format!("not XML that can be read: {error}"))?;
    if !root.is_atom("feed") {
        return Err(format!(
            "the root element is {}, not atom:feed ({{{ATOM}}}feed): not an Atom feed",
            root.qualified_name()
        ));
    }
    let mut broken = Vec::new();
    check_feed(&root, &mut broken);
    if broken.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "RFC 4287 rules broken:\n{}",
            broken
                .iter()
                .map(|rule| format!("- {rule}"))
                .collect::<Vec<_>>()
                .join("\n")
        ))
    }
}

fn check_feed(feed: &Element, broken: &mut Vec<String>) {
    let entries: Vec<&Element> = feed.atom_children("entry").collect();
    for name in ["id", "title", "updated"] {
        exactly_one(feed, name, "the feed", broken);
    }
    check_metadata(feed, "the feed", broken);
    if feed.atom_children("author").next().is_none() {
        for entry in &entries {
            let has_author = entry.atom_children("author").next().is_some()
                || entry
                    .atom_children("source")
                    .any(|source| source.atom_children("author").next().is_some());
            if !has_author {
                broken.push(format!(
                    "{}: no atom:author, and the feed has none either (RFC 4287 4.1.1)",
                    entry.describe()
                ));
            }
        }
    }
    for entry in entries {
        let what = entry.describe();
        for name in ["id", "title", "updated"] {
            exactly_one(entry, name, &what, broken);
        }
        check_metadata(entry, &what, broken);
        for source in entry.atom_children("source") {
            check_metadata(source, &format!("the atom:source of {what}"), broken);
        }
        let alternate = entry.atom_children("link").any(|link| {
            link.attribute("rel")
                .is_none_or(|rel| rel == "alternate" || rel == ATOM_ALTERNATE)
        });
        if entry.atom_children("content").next().is_none() && !alternate {
            broken.push(format!(
                "{what}: no atom:content and no atom:link with rel=\"alternate\" (RFC 4287 4.1.2)"
            ));
        }
    }
}

/// `alternate` as the IANA registry's full IRI (RFC 4287 4.2.7.2).
const ATOM_ALTERNATE: &str = "http://www.iana.org/assignments/relation/alternate";

fn exactly_one(parent: &Element, name: &str, what: &str, broken: &mut Vec<String>) {
    let count = parent.atom_children(name).count();
    if count != 1 {
        broken.push(format!(
            "{what} has {count} atom:{name}, not exactly one (RFC 4287 4.1)"
        ));
    }
}

/// The ids, dates and links of a feed, an entry or a source (its children, not its entries').
fn check_metadata(parent: &Element, what: &str, broken: &mut Vec<String>) {
    for id in parent.atom_children("id") {
        let value = id.text();
        if let Err(why) = absolute_iri(&value) {
            broken.push(format!(
                "{what}: atom:id {value:?} (line {}) is not an IRI: {why} (RFC 4287 4.2.6)",
                id.line
            ));
        }
    }
    for name in ["updated", "published"] {
        for date in parent.atom_children(name) {
            let value = date.text();
            if let Err(why) = rfc3339(&value) {
                broken.push(format!(
                    "{what}: atom:{name} {value:?} (line {}) is not an RFC 3339 date-time: {why} (RFC 4287 3.3)",
                    date.line
                ));
            }
        }
    }
    for link in parent.atom_children("link") {
        match link.attribute("href") {
            None => broken.push(format!(
                "{what}: atom:link (line {}) has no href (RFC 4287 4.2.7.1)",
                link.line
            )),
            Some(href) => {
                if let Err(why) = absolute_iri(href) {
                    broken.push(format!(
                        "{what}: atom:link href {href:?} (line {}) is not an absolute IRI: {why}",
                        link.line
                    ));
                }
            }
        }
    }
}

/// An absolute IRI: a scheme (`ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`) and `:`, and no
/// white space anywhere (RFC 3987 2.2, RFC 4287 3).
fn absolute_iri(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err("it is empty".into());
    }
    if value.chars().any(char::is_whitespace) {
        return Err("it has white space".into());
    }
    let Some((scheme, _)) = value.split_once(':') else {
        return Err("no scheme (a relative reference)".into());
    };
    let mut chars = scheme.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if !starts_with_letter
        || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return Err("no scheme (a relative reference)".into());
    }
    Ok(())
}

/// RFC 3339's `date-time`, with RFC 4287's uppercase `T` and `Z`:
/// `YYYY-MM-DDTHH:MM:SS(.frac)?(Z|+HH:MM|-HH:MM)`.
fn rfc3339(value: &str) -> Result<(), String> {
    let bytes = value.as_bytes();
    let digits = |from: usize, count: usize| -> Result<u32, String> {
        let part = bytes
            .get(from..from + count)
            .filter(|part| part.iter().all(u8::is_ascii_digit))
            .ok_or_else(|| format!("{count} digits expected at position {}", from + 1))?;
        Ok(part
            .iter()
            .fold(0, |number, digit| number * 10 + u32::from(digit - b'0')))
    };
    let expect = |at: usize, what: u8| -> Result<(), String> {
        if bytes.get(at) == Some(&what) {
            Ok(())
        } else {
            Err(format!(
                "{:?} expected at position {}",
                what as char,
                at + 1
            ))
        }
    };
    let year = digits(0, 4)?;
    expect(4, b'-')?;
    let month = digits(5, 2)?;
    expect(7, b'-')?;
    let day = digits(8, 2)?;
    expect(10, b'T')?;
    let hour = digits(11, 2)?;
    expect(13, b':')?;
    let minute = digits(14, 2)?;
    expect(16, b':')?;
    let second = digits(17, 2)?;
    let mut at = 19;
    if bytes.get(at) == Some(&b'.') {
        at += 1;
        let start = at;
        while bytes.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        if at == start {
            return Err("digits expected after the decimal point".into());
        }
    }
    match bytes.get(at) {
        Some(b'Z') => at += 1,
        Some(b'+' | b'-') => {
            let offset_hour = digits(at + 1, 2)?;
            expect(at + 3, b':')?;
            let offset_minute = digits(at + 4, 2)?;
            if offset_hour > 23 || offset_minute > 59 {
                return Err("the time zone offset is out of range".into());
            }
            at += 6;
        }
        _ => {
            return Err(format!(
                "a time zone (\"Z\", \"+HH:MM\" or \"-HH:MM\") expected at position {}",
                at + 1
            ));
        }
    }
    if at != bytes.len() {
        return Err(format!("unexpected text at position {}", at + 1));
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(format!("there is no month {month:02}")),
    };
    if day == 0 || day > days_in_month {
        return Err(format!("there is no day {day:02} in {year:04}-{month:02}"));
    }
    // 60: a leap second (RFC 3339 5.7).
    if hour > 23 || minute > 59 || second > 60 {
        return Err(format!(
            "there is no time {hour:02}:{minute:02}:{second:02}"
        ));
    }
    Ok(())
}

// A small XML reader, for the rules above.

#[derive(Debug)]
struct Element {
    /// The namespace's name, "" for none.
    namespace: String,
    local: String,
    /// (namespace, local name, value), the namespace "" for an unprefixed attribute.
    attributes: Vec<(String, String, String)>,
    children: Vec<Node>,
    line: usize,
}

#[derive(Debug)]
enum Node {
    Element(Element),
    Text(String),
}

impl Element {
    fn is_atom(&self, local: &str) -> bool {
        self.namespace == ATOM && self.local == local
    }

    fn atom_children<'a>(&'a self, local: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter_map(move |node| match node {
            Node::Element(child) if child.is_atom(local) => Some(child),
            _ => None,
        })
    }

    /// An unprefixed attribute's value.
    fn attribute(&self, local: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(namespace, name, _)| namespace.is_empty() && name == local)
            .map(|(_, _, value)| value.as_str())
    }

    /// The text of its text children, as it is (not trimmed).
    fn text(&self) -> String {
        self.children
            .iter()
            .filter_map(|node| match node {
                Node::Text(text) => Some(text.as_str()),
                Node::Element(_) => None,
            })
            .collect()
    }

    fn qualified_name(&self) -> String {
        if self.namespace.is_empty() {
            self.local.clone()
        } else {
            format!("{{{}}}{}", self.namespace, self.local)
        }
    }

    /// "the atom:entry of line N (atom:id ...)", for messages.
    fn describe(&self) -> String {
        match self.atom_children("id").next() {
            Some(id) => format!(
                "the atom:{} of line {} ({:?})",
                self.local,
                self.line,
                id.text()
            ),
            None => format!("the atom:{} of line {}", self.local, self.line),
        }
    }
}

/// An element being read: its prefixed name, attributes as written, and the namespaces it
/// declares.
struct Open {
    name: String,
    element: Element,
    declared: Vec<(String, String)>,
}

struct Reader<'a> {
    xml: &'a str,
    at: usize,
}

impl<'a> Reader<'a> {
    fn rest(&self) -> &'a str {
        &self.xml[self.at..]
    }

    fn line(&self) -> usize {
        1 + self.xml[..self.at].matches('\n').count()
    }

    fn error(&self, what: &str) -> String {
        format!("line {}: {what}", self.line())
    }

    /// Moves past `end`, returning what came before it.
    fn until(&mut self, end: &str, what: &str) -> Result<&'a str, String> {
        match self.rest().find(end) {
            Some(length) => {
                let before = &self.xml[self.at..self.at + length];
                self.at += length + end.len();
                Ok(before)
            }
            None => Err(self.error(&format!("{what} never ends (no {end:?})"))),
        }
    }

    fn skip_space(&mut self) {
        let trimmed = self.rest().trim_start_matches([' ', '\t', '\r', '\n']);
        self.at = self.xml.len() - trimmed.len();
    }

    fn name(&mut self) -> Result<String, String> {
        let length = self
            .rest()
            .find(|c: char| c.is_whitespace() || matches!(c, '/' | '>' | '=' | '<'))
            .unwrap_or(self.rest().len());
        if length == 0 {
            return Err(self.error("a name expected"));
        }
        let name = self.rest()[..length].to_string();
        self.at += length;
        Ok(name)
    }
}

fn parse(xml: &str) -> Result<Element, String> {
    let mut reader = Reader {
        xml: xml.strip_prefix('\u{feff}').unwrap_or(xml),
        at: 0,
    };
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Element> = None;
    while reader.at < reader.xml.len() {
        let rest = reader.rest();
        if rest.starts_with("<!--") {
            reader.at += 4;
            reader.until("-->", "a comment")?;
        } else if rest.starts_with("<?") {
            reader.until("?>", "a processing instruction")?;
        } else if rest.starts_with("<![CDATA[") {
            reader.at += 9;
            let text = reader.until("]]>", "a CDATA section")?.to_string();
            match stack.last_mut() {
                Some(open) => open.element.children.push(Node::Text(text)),
                None => return Err(reader.error("a CDATA section outside the root element")),
            }
        } else if rest.starts_with("<!DOCTYPE") {
            skip_doctype(&mut reader)?;
        } else if rest.starts_with("</") {
            reader.at += 2;
            let name = reader.name()?;
            reader.skip_space();
            if !reader.rest().starts_with('>') {
                return Err(reader.error(&format!("'>' expected after </{name}")));
            }
            reader.at += 1;
            let open = stack
                .pop()
                .ok_or_else(|| reader.error(&format!("</{name}> closes nothing")))?;
            if open.name != name {
                return Err(reader.error(&format!("</{name}> closes <{}>", open.name)));
            }
            close(open.element, &mut stack, &mut root, &reader)?;
        } else if rest.starts_with('<') {
            reader.at += 1;
            let line = reader.line();
            let (open, empty) = start_tag(&mut reader, line)?;
            let mut open = open;
            resolve(&mut open, &stack).map_err(|error| format!("line {line}: {error}"))?;
            if empty {
                close(open.element, &mut stack, &mut root, &reader)?;
            } else {
                stack.push(open);
            }
        } else {
            let length = rest.find('<').unwrap_or(rest.len());
            let raw = &rest[..length];
            let text = decode(raw).map_err(|error| reader.error(&error))?;
            reader.at += length;
            match stack.last_mut() {
                Some(open) => open.element.children.push(Node::Text(text)),
                None if raw.trim().is_empty() => {}
                None => return Err(reader.error("text outside the root element")),
            }
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!("<{}> is never closed", open.name));
    }
    root.ok_or_else(|| "no root element".into())
}

/// `<!DOCTYPE ...>`, with an internal subset in brackets.
fn skip_doctype(reader: &mut Reader) -> Result<(), String> {
    let mut depth = 0;
    for (offset, c) in reader.rest().char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            '>' if depth == 0 => {
                reader.at += offset + 1;
                return Ok(());
            }
            _ => {}
        }
    }
    Err(reader.error("the DOCTYPE never ends"))
}

/// Reads a start tag after its `<`: the element, and whether it was empty (`/>`).
fn start_tag(reader: &mut Reader, line: usize) -> Result<(Open, bool), String> {
    let name = reader.name()?;
    let mut written: Vec<(String, String)> = Vec::new();
    let empty = loop {
        reader.skip_space();
        let rest = reader.rest();
        if rest.starts_with("/>") {
            reader.at += 2;
            break true;
        }
        if rest.starts_with('>') {
            reader.at += 1;
            break false;
        }
        if rest.is_empty() {
            return Err(reader.error(&format!("<{name} never ends")));
        }
        let attribute = reader.name()?;
        reader.skip_space();
        if !reader.rest().starts_with('=') {
            return Err(reader.error(&format!("'=' expected after {attribute}")));
        }
        reader.at += 1;
        reader.skip_space();
        let quote = match reader.rest().chars().next() {
            Some(quote @ ('"' | '\'')) => quote,
            _ => return Err(reader.error(&format!("a quoted value expected for {attribute}"))),
        };
        reader.at += 1;
        let raw = reader.until(&quote.to_string(), "an attribute value")?;
        if raw.contains('<') {
            return Err(reader.error(&format!("'<' in the value of {attribute}")));
        }
        // Attribute-value normalization: each white space character becomes a space.
        let value = decode(raw)
            .map_err(|error| reader.error(&error))?
            .replace(['\t', '\n', '\r'], " ");
        if written.iter().any(|(other, _)| *other == attribute) {
            return Err(reader.error(&format!("{attribute} twice on <{name}>")));
        }
        written.push((attribute, value));
    };
    let mut declared = Vec::new();
    let mut attributes = Vec::new();
    for (attribute, value) in written {
        if attribute == "xmlns" {
            declared.push((String::new(), value));
        } else if let Some(prefix) = attribute.strip_prefix("xmlns:") {
            declared.push((prefix.to_string(), value));
        } else {
            // Resolved with the element's name, once its declarations are known.
            attributes.push((String::new(), attribute, value));
        }
    }
    let element = Element {
        namespace: String::new(),
        local: String::new(),
        attributes,
        children: Vec::new(),
        line,
    };
    Ok((
        Open {
            name,
            element,
            declared,
        },
        empty,
    ))
}

/// Sets the namespaces of an element just read and of its attributes, from its own
/// declarations and those of the elements it is in.
fn resolve(open: &mut Open, stack: &[Open]) -> Result<(), String> {
    let lookup = |prefix: &str| -> Option<String> {
        if prefix == "xml" {
            return Some(XML.to_string());
        }
        std::iter::once(&open.declared)
            .chain(stack.iter().rev().map(|outer| &outer.declared))
            .flat_map(|declared| declared.iter().rev())
            .find(|(declared, _)| declared == prefix)
            .map(|(_, namespace)| namespace.clone())
    };
    let (namespace, local) = match open.name.split_once(':') {
        Some((prefix, local)) => (
            lookup(prefix).ok_or_else(|| format!("undeclared prefix {prefix:?}"))?,
            local.to_string(),
        ),
        None => (lookup("").unwrap_or_default(), open.name.clone()),
    };
    open.element.namespace = namespace;
    open.element.local = local;
    for (namespace, name, _) in &mut open.element.attributes {
        if let Some((prefix, local)) = name.split_once(':') {
            *namespace = lookup(prefix).ok_or_else(|| format!("undeclared prefix {prefix:?}"))?;
            *name = local.to_string();
        }
    }
    Ok(())
}

/// An element read to its end: a child of the one it is in, or the root.
fn close(
    element: Element,
    stack: &mut [Open],
    root: &mut Option<Element>,
    reader: &Reader,
) -> Result<(), String> {
    match stack.last_mut() {
        Some(parent) => parent.element.children.push(Node::Element(element)),
        None if root.is_none() => *root = Some(element),
        None => return Err(reader.error("a second root element")),
    }
    Ok(())
}

/// Text with its references replaced: the five predefined entities and character references.
fn decode(raw: &str) -> Result<String, String> {
    let mut text = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(start) = rest.find('&') {
        text.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let end = after
            .find(';')
            .ok_or_else(|| format!("'&' without ';' in {raw:?}"))?;
        let reference = &after[..end];
        let c = match reference {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let number = if let Some(hex) = reference
                    .strip_prefix("#x")
                    .or_else(|| reference.strip_prefix("#X"))
                {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(decimal) = reference.strip_prefix('#') {
                    decimal.parse().ok()
                } else {
                    return Err(format!("unknown entity &{reference};"));
                };
                number
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("bad character reference &{reference};"))?
            }
        };
        text.push(c);
        rest = &after[end + 1..];
    }
    text.push_str(rest);
    Ok(text)
}
