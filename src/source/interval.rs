//! A span of time as a person writes it, for review intervals (`review_every:` in front matter
//! and `freshness.review_every` in `handbook.yml`).

use serde::{Deserialize, Serialize};

/// A span of time as a person writes it: `90 days`, `6 weeks`, `3 months` (of 30 days),
/// `1 year` (365 days), or a number of days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub struct Interval {
    pub days: u32,
    /// As written.
    pub text: String,
}

impl Interval {
    /// `3 months`, `1 year`, `90 days`, `6 weeks`, `45`: the interval, or what is wrong.
    pub fn parse(text: &str) -> Result<Interval, String> {
        let written = text.trim();
        let (number, unit) = match written.split_once(char::is_whitespace) {
            Some((n, unit)) => (n, unit.trim().to_ascii_lowercase()),
            None => (written, "days".to_string()),
        };
        let not_a_span = || {
            format!(
                "`{written}` is not a span of time: write it like `90 days`, `6 weeks`, `3 months` or `1 year`"
            )
        };
        let unit_days = match unit.trim_end_matches('s') {
            "day" => 1,
            "week" => 7,
            "month" => 30,
            "year" => 365,
            _ => return Err(not_a_span()),
        };
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(not_a_span());
        }
        let days = number
            .parse::<u32>()
            .ok()
            .and_then(|n| n.checked_mul(unit_days))
            .filter(|&d| d > 0)
            .ok_or_else(|| {
                format!("`{written}` is not a span of time: the number must be above 0 (and below a million years), like `3 months`")
            })?;
        Ok(Interval {
            days,
            text: written.to_string(),
        })
    }
}

impl<'de> Deserialize<'de> for Interval {
    /// From text or a number of days. A mistake is serde's "invalid value" at the value, so
    /// that `handbook.yml` and front matter report it at its key and line.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Interval, D::Error> {
        struct Visitor;
        const EXPECTED: &str = "a span of time, like `3 months`";
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Interval;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(EXPECTED)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Interval, E> {
                Interval::parse(v)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Str(v), &EXPECTED))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Interval, E> {
                Interval::parse(&v.to_string())
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(v), &EXPECTED))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Interval, E> {
                Interval::parse(&v.to_string())
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(v), &EXPECTED))
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl From<Interval> for String {
    fn from(interval: Interval) -> String {
        interval.text
    }
}
