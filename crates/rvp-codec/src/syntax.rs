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

/// Bytes `0x01` repeated in a word, for scans eight bytes at a time.
const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every byte of a word.
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `x` that is below `n` (`n` at most `0x80`), and
/// possibly of bytes above such a byte (a borrow runs upwards): the lowest bit set
/// always marks the first byte below `n`.
pub(crate) const fn bytes_below(x: u64, n: u8) -> u64 {
    x.wrapping_sub(ONES * n as u64) & !x & HIGHS
}

/// Like [`bytes_below`], for the bytes of `x` equal to `b`.
pub(crate) const fn bytes_equal(x: u64, b: u8) -> u64 {
    bytes_below(x ^ (ONES * b as u64), 1)
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
