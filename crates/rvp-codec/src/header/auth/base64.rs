//! Strict base64 (RFC 4648 section 4, standard alphabet, padded), for NTLM messages
//! and Basic credentials.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Text that is not strict base64: a character outside the standard alphabet, missing
/// or misplaced `=` padding, or non-zero bits in the last character's unused bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid base64 at offset {offset}")]
pub struct InvalidBase64 {
    /// Offset of the offending character (the length of the text when it ends early).
    pub offset: usize,
}

/// Encodes `data` with padding.
pub(crate) fn encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let sextet = |shift: u32| char::from(ALPHABET[((n >> shift) & 0x3f) as usize]);
        out.push(sextet(18));
        out.push(sextet(12));
        out.push(if chunk.len() > 1 { sextet(6) } else { '=' });
        out.push(if chunk.len() > 2 { sextet(0) } else { '=' });
    }
    out
}

fn value(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// Decodes padded base64, rejecting anything not in canonical form.
pub(crate) fn decode(s: &[u8]) -> Result<Vec<u8>, InvalidBase64> {
    if !s.len().is_multiple_of(4) {
        // Point at the end: the text is cut short (or has stray characters, which the
        // per-character check below would find first if the length were right).
        if let Some(offset) = s.iter().position(|&c| value(c).is_none() && c != b'=') {
            return Err(InvalidBase64 { offset });
        }
        return Err(InvalidBase64 { offset: s.len() });
    }
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let quads = s.len() / 4;
    for (i, quad) in s.chunks_exact(4).enumerate() {
        let base = i * 4;
        let last = i + 1 == quads;
        let pad = quad.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            let first_pad = quad.iter().position(|&c| c == b'=').unwrap_or(0);
            return Err(InvalidBase64 {
                offset: base + first_pad,
            });
        }
        let mut n: u32 = 0;
        for (j, &c) in quad.iter().enumerate().take(4 - pad) {
            let v = value(c).ok_or(InvalidBase64 { offset: base + j })?;
            n |= v << (18 - 6 * j as u32);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        let keep = 3 - pad;
        // Unused low bits of the last character must be zero (canonical form).
        let unused_mask: u32 = match pad {
            1 => 0xff,
            2 => 0xffff,
            _ => 0,
        };
        if n & unused_mask != 0 {
            return Err(InvalidBase64 {
                offset: base + 3 - pad,
            });
        }
        out.extend_from_slice(bytes.get(..keep).unwrap_or_default());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rfc4648_vectors() {
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), enc);
            assert_eq!(decode(enc.as_bytes()).unwrap(), plain.as_bytes());
        }
    }

    #[test]
    fn librvp_ntlm_type1() {
        let t1 = b"TlRMTVNTUAABAAAABwIAAAcABwAxAAAACQAJACgAAAAIkwBQDwAAADEyNy4wLjAuMUVYQU1QTEU=";
        let bytes = decode(t1).unwrap();
        assert_eq!(&bytes[..8], b"NTLMSSP\0");
        assert_eq!(bytes[8], 1);
        assert!(bytes.ends_with(b"127.0.0.1EXAMPLE"));
        assert_eq!(encode(&bytes).as_bytes(), t1);
    }

    #[test]
    fn rejects_non_canonical() {
        for (s, offset) in [
            ("Zg=", 3),
            ("Zg", 2),
            ("Z===", 1),
            ("Zh==", 1),
            ("Zm9=", 2),
            ("Zg==Zg==", 2),
            ("Zm9v!A==", 4),
            ("Zm 9", 2),
            ("Zm-9", 2),
        ] {
            assert_eq!(decode(s.as_bytes()), Err(InvalidBase64 { offset }), "{s}");
        }
    }

    proptest! {
        #[test]
        fn round_trip(data in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(decode(encode(&data).as_bytes()).unwrap(), data);
        }

        #[test]
        fn never_panics(s in proptest::collection::vec(any::<u8>(), 0..24)) {
            let _ = decode(&s);
        }
    }
}
