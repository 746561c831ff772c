//! Figures for the benches' tables: `benches/build.rs` and `benches/serve.rs` include this
//! file with `#[path]`.

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
