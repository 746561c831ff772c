//! The Atom validator of the tests (`support::atom`) checked itself: a good feed passes, and
//! each kind of bad feed fails, for the right reason, so that a test using it can fail. The
//! tests through xmllint are skipped where it is missing and `CI` is unset (saying so); on CI
//! they fail without it. The checks of `support::atom` alone run everywhere.

use crate::support::atom::{check_rfc4287_rules, validate_atom};

/// A minimal valid Atom feed: RFC 4287's first example, with a self link and a second entry
/// that has its content and no link, with an extension element.
const GOOD: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Example Feed</title>
  <link href="http://example.org/"/>
  <link rel="self" href="http://example.org/feed.xml"/>
  <updated>2003-12-13T18:30:02Z</updated>
  <author>
    <name>John Doe</name>
  </author>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <entry>
    <title>Atom-Powered Robots Run Amok</title>
    <link href="http://example.org/2003/12/13/atom03"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <updated>2003-12-13T18:30:02Z</updated>
    <summary>Some text &amp; more.</summary>
  </entry>
  <entry>
    <title type="html">&lt;b&gt;Second&lt;/b&gt;</title>
    <id>tag:example.org,2003:3.2397</id>
    <updated>2005-07-31T12:29:29.25-04:00</updated>
    <published>2004-02-29T23:59:59+14:00</published>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hi</p></div></content>
    <dc:subject xmlns:dc="http://purl.org/dc/elements/1.1/">robots</dc:subject>
  </entry>
</feed>
"#;

/// [`GOOD`] with `from` replaced by `to`, which must be there.
fn good_with(from: &str, to: &str) -> String {
    assert!(GOOD.contains(from), "the good feed has no {from:?}");
    GOOD.replacen(from, to, 1)
}

/// The error of validating `xml`, which must fail; with xmllint or, where it is missing (see
/// `build.rs`), with the checks of `support::atom` alone.
fn rejected(xml: &str) -> String {
    let result = if cfg!(has_xmllint) {
        validate_atom(xml)
    } else {
        check_rfc4287_rules(xml)
    };
    match result {
        Ok(()) => panic!("the validator accepted a bad feed:\n{xml}"),
        Err(error) => error,
    }
}

fn assert_mentions(error: &str, expected: &str) {
    assert!(
        error.contains(expected),
        "the error does not say {expected:?}:\n{error}"
    );
}

#[test]
fn a_minimal_valid_feed_keeps_the_rules() {
    check_rfc4287_rules(GOOD).unwrap_or_else(|error| panic!("{error}"));
}

#[test]
#[cfg_attr(
    not(has_xmllint),
    ignore = "needs xmllint: apt-get install libxml2-utils"
)]
fn a_minimal_valid_feed_validates() {
    validate_atom(GOOD).unwrap_or_else(|error| panic!("{error}"));
}

#[test]
fn a_feed_whose_entries_all_have_authors_needs_none_itself() {
    let xml = good_with("  <author>\n    <name>John Doe</name>\n  </author>\n", "")
        .replace("<summary>", "<author><name>A</name></author><summary>")
        .replace(
            "<content type=\"xhtml\">",
            "<source><author><name>B</name></author></source><content type=\"xhtml\">",
        );
    check_rfc4287_rules(&xml).unwrap_or_else(|error| panic!("{error}"));
    if cfg!(has_xmllint) {
        validate_atom(&xml).unwrap_or_else(|error| panic!("{error}"));
    }
}

#[test]
fn a_feed_without_an_id_is_rejected() {
    let error = rejected(&good_with(
        "<id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>",
        "",
    ));
    assert_mentions(&error, "the feed has 0 atom:id, not exactly one");
}

#[test]
fn an_entry_without_an_id_or_with_two_titles_is_rejected() {
    let error = rejected(&good_with(
        "<id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>",
        "<title>Again</title>",
    ));
    assert_mentions(&error, "has 0 atom:id, not exactly one");
    assert_mentions(&error, "has 2 atom:title, not exactly one");
}

#[test]
fn an_id_that_is_not_an_absolute_iri_is_rejected() {
    let error = rejected(&good_with(
        "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a",
        "/robots-run-amok",
    ));
    assert_mentions(&error, "atom:id \"/robots-run-amok\"");
    let error = rejected(&good_with(
        "tag:example.org,2003:3.2397",
        " tag:example.org,2003:3.2397",
    ));
    assert_mentions(&error, "it has white space");
}

#[test]
fn bad_dates_are_rejected() {
    for (date, why) in [
        // Not even xsd:dateTime: the schema rejects them too.
        ("13 Dec 2003 18:30:02 GMT", "digits expected at position 1"),
        ("2003-13-13T18:30:02Z", "there is no month 13"),
        ("2003-02-29T18:30:02Z", "there is no day 29 in 2003-02"),
        ("2003-12-13T24:30:02Z", "there is no time 24:30:02"),
        // xsd:dateTime, not RFC 3339 as RFC 4287 says: only the checks in Rust see them.
        ("2003-12-13T18:30:02", "a time zone"),
        ("2003-12-13t18:30:02z", "'T' expected"),
        ("2003-12-13T18:30:02+0100", "':' expected"),
        (
            "\n  2003-12-13T18:30:02Z\n",
            "digits expected at position 1",
        ),
    ] {
        let xml = good_with(
            "<updated>2003-12-13T18:30:02Z</updated>",
            &format!("<updated>{date}</updated>"),
        );
        let error = rejected(&xml);
        assert_mentions(&error, "is not an RFC 3339 date-time");
        assert_mentions(&error, why);
    }
    let error = rejected(&good_with("2004-02-29T23:59:59+14:00", "2004-02-29"));
    assert_mentions(&error, "atom:published \"2004-02-29\"");
}

#[test]
fn a_relative_link_is_rejected() {
    for href in ["/2003/12/13/atom03", "atom03", "//example.org/atom03", ""] {
        let error = rejected(&good_with("http://example.org/2003/12/13/atom03", href));
        assert_mentions(&error, &format!("atom:link href {href:?}"));
        assert_mentions(&error, "is not an absolute IRI");
    }
}

#[test]
fn entries_without_an_author_where_the_feed_has_none_are_rejected() {
    let error = rejected(&good_with(
        "  <author>\n    <name>John Doe</name>\n  </author>\n",
        "",
    ));
    assert_mentions(&error, "no atom:author, and the feed has none either");
}

#[test]
fn an_entry_with_neither_content_nor_an_alternate_link_is_rejected() {
    let error = rejected(&good_with(
        "<link href=\"http://example.org/2003/12/13/atom03\"/>",
        "<link rel=\"related\" href=\"http://example.org/2003/12/13/atom03\"/>",
    ));
    assert_mentions(
        &error,
        "no atom:content and no atom:link with rel=\"alternate\"",
    );
}

#[test]
fn what_is_not_an_atom_feed_is_rejected() {
    let rss = r#"<?xml version="1.0"?>
<rss version="2.0"><channel><title>News</title><link>http://example.org/</link>
<description>An RSS feed</description></channel></rss>
"#;
    assert_mentions(&rejected(rss), "the root element is rss, not atom:feed");
    // Atom's element names in no namespace, or in Atom 0.3's.
    let no_namespace = good_with(" xmlns=\"http://www.w3.org/2005/Atom\"", "");
    assert_mentions(
        &rejected(&no_namespace),
        "the root element is feed, not atom:feed",
    );
    let atom_03 = good_with("http://www.w3.org/2005/Atom", "http://purl.org/atom/ns#");
    assert_mentions(&rejected(&atom_03), "{http://purl.org/atom/ns#}feed");
    assert_mentions(&rejected("Not XML at all <"), "not XML that can be read");
    assert_mentions(
        &rejected(&GOOD.replace("</feed>", "")),
        "<feed> is never closed",
    );
}

/// Proves that xmllint runs, and with the schema: what only the schema knows is rejected.
#[test]
#[cfg_attr(
    not(has_xmllint),
    ignore = "needs xmllint: apt-get install libxml2-utils"
)]
fn xmllint_rejects_what_only_the_schema_knows() {
    for (bad, expected) in [
        // Not a type of a Text construct.
        ("<title type=\"html\">", "<title type=\"markdown\">"),
        // No such element in the Atom namespace.
        ("<summary>", "<subtitle>Not in an entry</subtitle><summary>"),
        // An entry before the feed's own metadata ends.
        (
            "  <entry>",
            "  <entry><title>t</title><id>urn:x:y</id><updated>2003-12-13T18:30:02Z</updated><content/></entry>\n  <icon>http://example.org/i.png</icon>\n  <entry>",
        ),
    ] {
        let xml = good_with(bad, expected);
        check_rfc4287_rules(&xml).unwrap_or_else(|error| {
            panic!("the Rust checks should leave this to the schema: {error}")
        });
        let error = validate_atom(&xml).expect_err(&format!("xmllint accepted:\n{xml}"));
        assert_mentions(&error, "xmllint --relaxng");
        assert_mentions(&error, "Relax-NG validity error");
    }
}
