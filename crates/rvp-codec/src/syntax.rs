//! Character classes shared by every layer.

/// RFC 9110 `tchar` by byte: visible ASCII except the delimiters `"(),/:;<=>?@[\]{}`.
static TCHAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = matches!(b as u8,
            b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_'
            | b'`' | b'|' | b'~' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z');
        b += 1;
    }
    table
};

/// Whether `b` may appear in an RFC 9110 token (method, header name, parameter name).
#[inline]
pub(crate) const fn is_tchar(b: u8) -> bool {
    TCHAR[b as usize]
}

/// Whether `s` is a non-empty RFC 9110 token.
#[inline]
pub(crate) fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tchar_table() {
        let delimiters = b"\"(),/:;<=>?@[\\]{}";
        for b in 0u8..=255 {
            let expected = b.is_ascii_graphic() && !delimiters.contains(&b);
            assert_eq!(is_tchar(b), expected, "{b:#x}");
        }
        assert!(is_token(b"SUBSCRIBE"));
        assert!(!is_token(b""));
        assert!(!is_token(b"a b"));
    }
}
