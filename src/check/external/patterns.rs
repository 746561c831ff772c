//! `external_links.ignore`: which links are never requested. A pattern is a prefix of the
//! link, or with `*` a glob matching all of it.

pub use crate::config::ExternalConfig;

impl ExternalConfig {
    /// Whether `url` matches one of the `ignore` patterns.
    pub fn is_ignored(&self, url: &str) -> bool {
        self.ignore
            .iter()
            .any(|pattern| pattern_matches(pattern, url))
    }
}

/// `pattern` is a prefix of `url`, or, with a `*`, a glob matching all of it.
fn pattern_matches(pattern: &str, url: &str) -> bool {
    if !pattern.contains('*') {
        return !pattern.is_empty() && url.starts_with(pattern);
    }
    glob_matches(pattern.as_bytes(), url.as_bytes())
}

/// Glob matching where `*` is any run of bytes: the classic greedy algorithm with one
/// backtracking point, linear in practice and never exponential.
fn glob_matches(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    // Where the last `*` was, and the text position it currently swallows up to.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((star_p, star_t)) = star {
            // Let the last `*` swallow one more byte and try again from there.
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, t));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_patterns() {
        let config = ExternalConfig {
            ignore: vec![
                "https://example.com/private/".into(),
                "https://*.internal.example.com/*".into(),
                "*://localhost*".into(),
                String::new(),
            ],
            ..ExternalConfig::default()
        };
        for url in [
            "https://example.com/private/",
            "https://example.com/private/doc#x",
            "https://wiki.internal.example.com/page",
            "https://a.b.internal.example.com/",
            "http://localhost:8080/",
        ] {
            assert!(config.is_ignored(url), "{url}");
        }
        for url in [
            "https://example.com/privat",
            "https://example.com/public/",
            "https://internal.example.com/page",
            "https://wiki.internal.example.com",
            "http://example.com/?next=localhost",
        ] {
            assert!(!config.is_ignored(url), "{url}");
        }
    }

    #[test]
    fn glob_edge_cases() {
        assert!(glob_matches(b"*", b""));
        assert!(glob_matches(b"**a**", b"xxaxx"));
        assert!(glob_matches(b"a*b*c", b"aXbYbZc"));
        assert!(!glob_matches(b"a*b*c", b"aXbYbZ"));
        assert!(!glob_matches(b"", b"a"));
        // Many stars on a long text stays fast.
        let text = "a".repeat(10_000);
        assert!(!glob_matches(b"*a*a*a*a*a*b", text.as_bytes()));
    }
}
