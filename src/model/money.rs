//! Money as people read and type it. Amounts live in fen (integers) everywhere; pages show
//! yuan with two decimals and read what is typed exactly, digit by digit — never through a
//! float, which would turn 0.29 into 28 fen.

/// The most a typed amount may be (fen): a hundred million yuan, the most one order may come to.
pub const MAX_FEN: i64 = 10_000_000_000;

/// `1234` → `"12.34"`, `-5` → `"-0.05"`.
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// `"12.34"` → `1234`; also `"12"`, `"12.3"`, `"¥12.30"`, with spaces around. Refuses a
/// negative amount, a third decimal, anything but digits and one point, and more than
/// [`MAX_FEN`].
pub fn parse_yuan(text: &str) -> Result<i64, &'static str> {
    let text = text.trim().trim_start_matches(['¥', '￥']).trim();
    let (whole, part) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() && part.is_empty() {
        return Err("an amount like 12.34");
    }
    if !digits(whole) || !digits(part) {
        return Err("an amount like 12.34");
    }
    if part.len() > 2 {
        return Err("at most two decimals (fen)");
    }
    if whole.len() > 9 {
        return Err("too large");
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| "too large")? };
    let part: i64 = format!("{part:0<2}").parse().map_err(|_| "an amount like 12.34")?;
    let fen = whole * 100 + part;
    if fen > MAX_FEN {
        return Err("too large");
    }
    Ok(fen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_and_print_exactly() {
        assert_eq!(yuan(1234), "12.34");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(yuan(-5), "-0.05");
        assert_eq!(yuan(0), "0.00");
        assert_eq!(parse_yuan("12.34"), Ok(1234));
        assert_eq!(parse_yuan(" ¥0.29 "), Ok(29));
        assert_eq!(parse_yuan("12"), Ok(1200));
        assert_eq!(parse_yuan("12.3"), Ok(1230));
        assert_eq!(parse_yuan(".5"), Ok(50));
        assert_eq!(parse_yuan("100000000"), Ok(MAX_FEN));
        for bad in ["", ".", "-1", "1.234", "1,5", "abc", "1e3", "100000000.01", "1.2.3"] {
            assert!(parse_yuan(bad).is_err(), "{bad:?}");
        }
        for fen in [0, 1, 29, 99, 100, 123_456_789] {
            assert_eq!(parse_yuan(&yuan(fen)), Ok(fen));
        }
    }
}
