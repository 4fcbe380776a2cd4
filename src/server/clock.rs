//! Time as the database keeps it (epoch milliseconds) and as the API shows it (ISO 8601 UTC
//! with milliseconds, e.g. `2015-10-09T08:15:40.843Z`).

use time::{format_description::well_known::Rfc3339, macros::format_description, OffsetDateTime};

/// Now, in epoch milliseconds.
pub fn now_ms() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Microseconds since the epoch, for ordering events closer together than a millisecond.
pub fn now_us() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000) as i64
}

/// Epoch milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn iso(ms: i64) -> String {
    let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

/// Epoch milliseconds as `YYYY-MM-DDTHH:MM:SSZ`, the `/api` form (seed 003 §1.3).
pub fn iso_seconds(ms: i64) -> String {
    seconds_only(&iso(ms))
}

/// An ISO time of [`iso`] cut to whole seconds (`….843Z` → `…Z`); other text as it is.
pub fn seconds_only(iso: &str) -> String {
    match (iso.rfind('.'), iso.strip_suffix('Z')) {
        (Some(dot), Some(_)) => format!("{}Z", &iso[..dot]),
        _ => iso.to_owned(),
    }
}

pub fn iso_opt(ms: Option<i64>) -> Option<String> {
    ms.map(iso)
}

/// Parses an ISO 8601 / RFC 3339 time (a date alone means its midnight UTC) to epoch ms.
pub fn parse_iso(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some((t.unix_timestamp_nanos() / 1_000_000) as i64);
    }
    let date = time::Date::parse(text, format_description!("[year]-[month]-[day]")).ok()?;
    Some(date.midnight().assume_utc().unix_timestamp() * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_milliseconds() {
        let ms = parse_iso("2015-10-09T08:15:40.843Z").unwrap();
        assert_eq!(iso(ms), "2015-10-09T08:15:40.843Z");
        assert_eq!(iso(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_seconds(ms), "2015-10-09T08:15:40Z");
    }

    #[test]
    fn accepts_dates_and_offsets_rejects_garbage() {
        assert_eq!(parse_iso("2024-01-01"), parse_iso("2024-01-01T00:00:00.000Z"));
        assert_eq!(parse_iso("2024-01-01T08:00:00+08:00"), parse_iso("2024-01-01T00:00:00Z"));
        assert_eq!(parse_iso("yesterday"), None);
        assert_eq!(parse_iso("2024-13-01"), None);
    }
}

pub const DAY_MS: i64 = 86_400_000;

/// A `yyyy-MM-dd` day (UTC) as the epoch day number.
pub fn parse_day(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.len() != 10 {
        return None;
    }
    parse_iso(text).filter(|ms| ms % DAY_MS == 0).map(|ms| ms / DAY_MS)
}

/// An epoch day number as `yyyy-MM-dd`.
pub fn day(epoch_day: i64) -> String {
    iso(epoch_day * DAY_MS)[..10].to_owned()
}

/// The first instant (epoch ms) of the UTC month `ms` falls in.
pub fn month_start(ms: i64) -> i64 {
    OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| t.replace_day(1).ok())
        .map(|t| t.date().midnight().assume_utc().unix_timestamp() * 1000)
        .unwrap_or(0)
}

#[cfg(test)]
mod day_tests {
    use super::*;

    #[test]
    fn days_and_months() {
        let d = parse_day("2016-12-01").unwrap();
        assert_eq!(day(d), "2016-12-01");
        assert_eq!(parse_day("2016-12-1"), None);
        assert_eq!(parse_day("2016-13-01"), None);
        let mid = parse_iso("2026-11-17T13:45:00Z").unwrap();
        assert_eq!(iso(month_start(mid)), "2026-11-01T00:00:00.000Z");
    }
}
