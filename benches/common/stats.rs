//! Figures for the benches' tables: `benches/build.rs`, `benches/serve.rs`, `benches/search.rs`
//! and `benches/hugo.rs` include this file with `#[path]`.

use std::time::Duration;

/// The middle value (the upper one of an even count).
pub fn median<T: Copy + Ord>(v: &[T]) -> T {
    let mut s = v.to_vec();
    s.sort();
    s[s.len() / 2]
}

/// `12.3 ms`, or `2.45 s` from a second on.
pub fn fmt_dur(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else {
        format!("{ms:.1} ms")
    }
}

/// The median of the ratios a / b of paired measurements (the upper middle one of an even
/// count): a drift of the machine's speed during a bench hits both sides of a pair alike.
#[allow(dead_code)] // only the benches that pair runs use it
pub fn median_ratio(pairs: &[(Duration, Duration)]) -> f64 {
    let mut ratios: Vec<f64> = pairs
        .iter()
        .map(|(a, b)| a.as_secs_f64() / b.as_secs_f64().max(1e-9))
        .collect();
    ratios.sort_by(f64::total_cmp);
    ratios[ratios.len() / 2]
}
