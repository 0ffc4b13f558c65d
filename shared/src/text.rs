//! Text hygiene for everything people type. Lengths count Unicode scalar values, so a limit
//! means the same in Arabic, Chinese or English.

use crate::error::{reject, ErrorCode, Rejection};

/// A single line (names, titles): trimmed, 1..=max characters, no control characters.
pub fn clean_line(input: &str, what: &str, max: usize) -> Result<String, Rejection> {
    let s = input.trim();
    if s.is_empty() {
        return reject(ErrorCode::TooShort, format!("the {what} is empty"));
    }
    if s.chars().any(char::is_control) {
        return reject(
            ErrorCode::Invalid,
            format!("the {what} contains control characters"),
        );
    }
    check_len(s, what, 1, max)?;
    Ok(s.to_owned())
}

/// Free text (ideas, descriptions): trimmed, line breaks and tabs allowed, `\r\n` folded to
/// `\n`, other control characters refused.
pub fn clean_text(input: &str, what: &str, min: usize, max: usize) -> Result<String, Rejection> {
    let s = input.trim().replace("\r\n", "\n");
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return reject(
            ErrorCode::Invalid,
            format!("the {what} contains control characters"),
        );
    }
    check_len(&s, what, min, max)?;
    Ok(s)
}

fn check_len(s: &str, what: &str, min: usize, max: usize) -> Result<(), Rejection> {
    let n = s.chars().count();
    if n < min {
        return reject(
            ErrorCode::TooShort,
            if min == 1 {
                format!("the {what} is empty")
            } else {
                format!("the {what} needs at least {min} characters")
            },
        );
    }
    if n > max {
        return reject(
            ErrorCode::TooLong,
            format!("the {what} has {n} characters; the limit is {max}"),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        assert_eq!(clean_line("  Ana  ", "name", 40).unwrap(), "Ana");
        assert_eq!(
            clean_line("   ", "name", 40).unwrap_err().code,
            ErrorCode::TooShort
        );
        assert_eq!(
            clean_line("a\u{7}b", "name", 40).unwrap_err().code,
            ErrorCode::Invalid
        );
        assert_eq!(
            clean_line("a\nb", "name", 40).unwrap_err().code,
            ErrorCode::Invalid
        );
        assert_eq!(
            clean_line(&"x".repeat(41), "name", 40).unwrap_err().code,
            ErrorCode::TooLong
        );
        // 40 Arabic letters are 80 bytes but 40 characters.
        assert!(clean_line(&"ب".repeat(40), "name", 40).is_ok());
    }

    #[test]
    fn texts() {
        assert_eq!(clean_text(" a\r\nb ", "idea", 1, 500).unwrap(), "a\nb");
        assert!(clean_text("a\tb", "idea", 1, 500).is_ok());
        assert_eq!(
            clean_text("a\u{0}b", "idea", 1, 500).unwrap_err().code,
            ErrorCode::Invalid
        );
        assert_eq!(
            clean_text("", "idea", 1, 500).unwrap_err().code,
            ErrorCode::TooShort
        );
        assert_eq!(clean_text("", "description", 0, 500).unwrap(), "");
    }
}
