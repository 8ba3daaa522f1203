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

/// The bytes of `x` that end a URL or request target: controls, space, DEL and
/// non-ASCII bytes (marked as [`bytes_below`] marks them: the lowest mark is exact).
pub(crate) const fn invisible_bytes(x: u64) -> u64 {
    bytes_below(x, 0x21) | bytes_equal(x, 0x7f) | (x & HIGHS)
}

/// The bytes of `x` that `http` refuses somewhere in a URL or that start a fragment:
/// `#`, `<`, `>`, `` ` `` and `"` (marked as [`bytes_below`] marks them).
pub(crate) const fn url_special_bytes(x: u64) -> u64 {
    bytes_equal(x, b'#')
        | bytes_equal(x, b'<')
        | bytes_equal(x, b'>')
        | bytes_equal(x, b'`')
        | bytes_equal(x, b'"')
}

/// Below this many bytes `std`'s UTF-8 check is as fast as the SIMD one.
const SIMD_UTF8_MIN: usize = 64;

/// `std::str::from_utf8`, with the check of a long input done by `simdutf8` (vector
/// instructions, chosen at run time) and an invalid input checked again by `std` for the
/// position of its error.
pub(crate) fn from_utf8(bytes: &[u8]) -> Result<&str, std::str::Utf8Error> {
    if bytes.len() >= SIMD_UTF8_MIN
        && let Ok(text) = simdutf8::basic::from_utf8(bytes)
    {
        return Ok(text);
    }
    std::str::from_utf8(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SIMD check accepts and refuses what `std`'s does, with the same error.
    #[test]
    fn from_utf8_agrees_with_std() {
        let mut inputs: Vec<Vec<u8>> = Vec::new();
        for len in [0, 1, 63, 64, 65, 200] {
            let ascii = vec![b'a'; len];
            inputs.push(ascii.clone());
            for (at, bad) in [(0, &b"\xff"[..]), (len / 2, b"\xc3"), (len, b"\xe2\x82")] {
                let mut v = ascii.clone();
                v.splice(at..at, bad.iter().copied());
                inputs.push(v);
            }
            let mut mixed = "\u{e9}\u{4e2d}\u{1F600}".repeat(len / 9 + 1).into_bytes();
            inputs.push(mixed.clone());
            mixed.push(0xed);
            mixed.extend_from_slice(b"\xa0\x80"); // a surrogate
            inputs.push(mixed);
        }
        for input in inputs {
            assert_eq!(from_utf8(&input), std::str::from_utf8(&input), "{input:?}");
        }
    }

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
