//! Uniform random strings from the injected RNG.

use rand_core::CryptoRng;

/// `length` characters drawn uniformly from `alphabet` (at most 256 distinct ASCII bytes).
///
/// Uses rejection sampling: a byte is used only if it falls below the largest multiple of
/// the alphabet size, so `byte % size` has no modulo bias (a 10-digit alphabet would
/// otherwise favour 0–5 slightly).
pub(crate) fn random_string<R: CryptoRng + ?Sized>(
    rng: &mut R,
    alphabet: &[u8],
    length: usize,
) -> String {
    debug_assert!(!alphabet.is_empty() && alphabet.len() <= 256 && alphabet.is_ascii());
    let size = alphabet.len();
    let limit = 256 - (256 % size);
    let mut out = String::with_capacity(length);
    let mut buffer = [0u8; 64];
    while out.len() < length {
        rng.fill_bytes(&mut buffer);
        for byte in buffer {
            if out.len() == length {
                break;
            }
            let value = usize::from(byte);
            if value < limit {
                out.push(char::from(alphabet[value % size]));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn length_and_alphabet_are_respected() {
        let mut rng = ChaCha20Rng::seed_from_u64(9);
        for length in [0, 1, 6, 48, 200] {
            let text = random_string(&mut rng, b"abc", length);
            assert_eq!(text.len(), length);
            assert!(text.bytes().all(|byte| b"abc".contains(&byte)));
        }
    }

    #[test]
    fn digits_are_roughly_uniform() {
        let mut rng = ChaCha20Rng::seed_from_u64(10);
        let text = random_string(&mut rng, b"0123456789", 100_000);
        let mut counts = [0usize; 10];
        for byte in text.bytes() {
            counts[usize::from(byte - b'0')] += 1;
        }
        // Expected 10,000 each; 5 standard deviations is about ±475.
        for count in counts {
            assert!((9_500..=10_500).contains(&count), "{counts:?}");
        }
    }
}
