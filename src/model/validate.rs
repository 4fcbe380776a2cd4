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
}
