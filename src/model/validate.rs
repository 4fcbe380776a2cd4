//! Field checks: each answers 4001001 (4001002 for an empty required field) naming the field.
//! Shared, so the portal's inline validation applies exactly the rules the services enforce.

use crate::model::error::ApiError;

/// A required text field: trimmed, non-empty, at most `max` characters.
pub fn text(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ApiError::missing(field));
    }
    if v.chars().count() > max {
        return Err(ApiError::invalid(field, &format!("at most {max} characters")));
    }
    Ok(v.to_owned())
}

/// An optional text field: trimmed, possibly empty, at most `max` characters.
pub fn optional_text(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    let v = value.trim();
    if v.chars().count() > max {
        return Err(ApiError::invalid(field, &format!("at most {max} characters")));
    }
    Ok(v.to_owned())
}

/// A text field an edit may leave out (`None` stays `None`), checked as [`optional_text`].
pub fn given_text(field: &str, value: &Option<String>, max: usize) -> Result<Option<String>, ApiError> {
    value.as_deref().map(|v| optional_text(field, v, max)).transpose()
}

/// A device MAC: 12 hexadecimal digits, answered in upper case. The `:` and `-` separators people
/// copy from labels ("aa:bb:cc:dd:ee:ff") are dropped first.
pub fn mac(field: &str, value: &str) -> Result<String, ApiError> {
    let digits: String = value.trim().chars().filter(|c| !matches!(c, ':' | '-')).collect();
    if digits.is_empty() {
        return Err(ApiError::missing(field));
    }
    if digits.len() != 12 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(ApiError::invalid(field, "a MAC is 12 hexadecimal characters"));
    }
    Ok(digits.to_ascii_uppercase())
}

/// Device tags: at most 20, each 1–32 characters without commas (they are stored joined).
pub fn tags(field: &str, values: &[String]) -> Result<Vec<String>, ApiError> {
    if values.len() > 20 {
        return Err(ApiError::invalid(field, "at most 20 tags"));
    }
    let mut tags: Vec<String> = Vec::with_capacity(values.len());
    for (i, tag) in values.iter().enumerate() {
        let tag = text(&format!("{field}[{i}]"), tag, 32)?;
        if tag.contains(',') {
            return Err(ApiError::invalid(&format!("{field}[{i}]"), "a tag cannot contain a comma"));
        }
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    Ok(tags)
}

/// An email address: one `@`, a dotted domain, no spaces; kept in lower case.
pub fn email(field: &str, value: &str) -> Result<String, ApiError> {
    let v = text(field, value, 64)?.to_lowercase();
    let ok = match v.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !v.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if !ok {
        return Err(ApiError::invalid(field, "not an email address"));
    }
    Ok(v)
}

/// A phone number: digits with an optional leading `+`, 5 to 20 of them.
pub fn phone(field: &str, value: &str) -> Result<String, ApiError> {
    let v = text(field, value, 21)?;
    let digits = v.strip_prefix('+').unwrap_or(&v);
    if !(5..=20).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(ApiError::invalid(field, "not a phone number"));
    }
    Ok(v)
}

/// Corp members: 6–16 characters.
pub fn member_password(field: &str, password: &str) -> Result<(), ApiError> {
    let n = password.chars().count();
    if !(6..=16).contains(&n) {
        return Err(ApiError::invalid(field, "must be 6-16 characters"));
    }
    Ok(())
}

/// Dealers, heavy buyers and organization users: 9–16 characters with an upper-case letter, a
/// lower-case letter and a digit.
pub fn strong_password(field: &str, p: &str) -> Result<(), ApiError> {
    let n = p.chars().count();
    let ok = (9..=16).contains(&n)
        && p.chars().any(|c| c.is_ascii_uppercase())
        && p.chars().any(|c| c.is_ascii_lowercase())
        && p.chars().any(|c| c.is_ascii_digit());
    if !ok {
        return Err(ApiError::invalid(field, "must be 9-16 characters with upper case, lower case and a digit"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(email("email", " A@B.cn ").unwrap(), "a@b.cn");
        for bad in ["", "a", "a@b", "@b.cn", "a@.cn", "a@b.cn.", "a b@c.cn", "a@b@c.cn"] {
            assert!(email("email", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phones() {
        assert!(phone("phone", "13800138000").is_ok());
        assert!(phone("phone", "+8613800138000").is_ok());
        for bad in ["", "1234", "138-0013", "abc12345", "+"] {
            assert!(phone("phone", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn macs() {
        assert_eq!(mac("mac", "aabbccddeeff").unwrap(), "AABBCCDDEEFF");
        assert_eq!(mac("mac", " aa:bb:cc:dd:ee:0f ").unwrap(), "AABBCCDDEE0F");
        assert_eq!(mac("mac", "AA-BB-CC-DD-EE-FF").unwrap(), "AABBCCDDEEFF");
        assert_eq!(mac("mac", "").unwrap_err().code, crate::model::error::codes::MISSING_FIELD);
        for bad in ["AABBCCDDEEF", "AABBCCDDEEFFA", "GABBCCDDEEFF", "AABBCC DDEEFF", "ＡＡBBCCDDEEFF"] {
            assert_eq!(mac("mac", bad).unwrap_err().code, crate::model::error::codes::INVALID_FIELD, "{bad}");
        }
    }

    #[test]
    fn tag_lists() {
        let tags_of = |v: &[&str]| tags("tags", &v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(tags_of(&[" a ", "b", "a"]).unwrap(), ["a", "b"]);
        assert!(tags_of(&["a,b"]).is_err());
        assert!(tags_of(&[""]).is_err());
        assert!(tags_of(&["x"; 21]).is_err());
    }
}
