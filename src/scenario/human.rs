//! Numbers and names for people in reports: thousands separators, units, percentages and
//! signed differences that never read `+0.000` or `-0`.

/// A number with `decimals` decimals and a thin space between thousands (`12 345.6`).
pub fn number(value: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, value.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(i, f)| (i, f));
    let mut grouped = String::with_capacity(int.len() + int.len() / 3 * 3);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('\u{202f}');
        }
        grouped.push(ch);
    }
    let zero = s.bytes().all(|b| b == b'0' || b == b'.');
    let sign = if value < 0.0 && !zero { "−" } else { "" };
    if frac.is_empty() { format!("{sign}{grouped}") } else { format!("{sign}{grouped}.{frac}") }
}

/// An optional number, `–` when absent.
pub fn maybe(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| "–".to_owned(), |v| number(v, decimals))
}

/// A share as a percentage with one decimal (`83.4 %`), `–` when absent.
pub fn percent(share: Option<f64>) -> String {
    share.map_or_else(|| "–".to_owned(), |s| format!("{} %", number(s * 100.0, 1)))
}

/// Minutes with one decimal (`7.5 min`), `–` when absent.
pub fn minutes(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |v| format!("{} min", number(v, 1)))
}

/// A signed difference with `decimals` decimals and a unit (`+1 234 €`, `−0.4 min`); `±0`
/// when it rounds to zero.
pub fn delta(value: f64, decimals: usize, unit: &str) -> String {
    let s = number(value, decimals);
    let body = if s.starts_with('−') || s.bytes().all(|b| b == b'0' || b == b'.') {
        if s.bytes().all(|b| b == b'0' || b == b'.') { "±0".to_owned() } else { s }
    } else {
        format!("+{s}")
    };
    if unit.is_empty() { body } else { format!("{body} {unit}") }
}

/// A difference of two shares in percentage points (`+2.5 pp`).
pub fn delta_points(difference: f64) -> String {
    delta(difference * 100.0, 1, "pp")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn for_people() {
        assert_eq!(number(1_234_567.891, 1), "1\u{202f}234\u{202f}567.9");
        assert_eq!(number(-0.0001, 2), "0.00");
        assert_eq!(number(-12.0, 0), "−12");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(percent(Some(0.8342)), "83.4 %");
        assert_eq!(delta(0.0004, 3, ""), "±0");
        assert_eq!(delta(-0.0, 1, "min"), "±0 min");
        assert_eq!(delta(1234.0, 0, "€"), "+1\u{202f}234 €");
        assert_eq!(delta(-0.42, 1, "min"), "−0.4 min");
        assert_eq!(delta_points(0.025), "+2.5 pp");
    }
}
