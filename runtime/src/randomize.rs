//! Randomized response on the device: the field values a schema declares
//! `privacy: { randomized_response: { epsilon } }` for are replaced here, in the encoder, before
//! the event is queued, so the true value never reaches the queue, the spool or the wire.
//!
//! The rule (keep the true value with `p`, else report one of the other `k − 1` uniformly) is
//! `candor_core::randomized_response::DeviceRule`, computed by the derive at compile time; this
//! module only supplies its random draws and maps a field's value to and from its category
//! index.
//!
//! The draws come from ChaCha12 (the `chacha20` crate), one generator per thread, seeded from
//! the operating system's generator (`getrandom`) on first use and reseeded from it after every
//! 8,192 draws (64 KiB of output, as `rand`'s `ThreadRng` does). A ChaCha key is 256 bits of
//! OS randomness, so the draws of one person's device cannot be predicted from any number of
//! its reports. If the operating system has no randomness to give, the event is refused
//! ([`EncodeError::NoRandomness`]) rather than sent with a value that was not randomised.

use std::cell::RefCell;

use candor_core::randomized_response::DeviceRule;
use chacha20::ChaCha12Rng;
use rand_core::{Rng, SeedableRng};

use crate::encode::EncodeError;

/// Draws between reseeds from the operating system.
const RESEED_AFTER: u32 = 8_192;

struct ThreadGenerator {
    rng: ChaCha12Rng,
    left: u32,
}

thread_local! {
    static GENERATOR: RefCell<Option<ThreadGenerator>> = const { RefCell::new(None) };
}

/// A fresh generator keyed by the operating system.
fn seeded() -> Option<ThreadGenerator> {
    let mut seed = [0u8; 32];
    crate::ids::random_bytes(&mut seed).ok()?;
    let rng = ChaCha12Rng::from_seed(seed);
    seed.fill(0);
    Some(ThreadGenerator {
        rng,
        left: RESEED_AFTER,
    })
}

/// One uniform 64-bit draw from this thread's generator; `None` when the operating system
/// cannot seed it.
fn draw() -> Option<u64> {
    GENERATOR.with(|cell| {
        let mut slot = cell.try_borrow_mut().ok()?;
        if slot.as_ref().is_none_or(|g| g.left == 0) {
            *slot = Some(seeded()?);
        }
        let g = slot.as_mut()?;
        g.left -= 1;
        Some(g.rng.next_u64())
    })
}

/// The category index to report for `true_index` under `rule`.
pub fn randomize_index(
    field: &str,
    true_index: u32,
    rule: &DeviceRule,
) -> Result<u32, EncodeError> {
    let no_randomness = || EncodeError::NoRandomness {
        field: field.to_owned(),
    };
    let keep = draw().ok_or_else(no_randomness)?;
    // The second draw is taken only when the value is not kept; should it fail, report the
    // failure, never the true value.
    let mut failed = false;
    let index = rule.choose(true_index, keep, || {
        draw().unwrap_or_else(|| {
            failed = true;
            0
        })
    });
    if failed {
        return Err(no_randomness());
    }
    Ok(index)
}

/// A `bool` field (`false` is category 0, `true` category 1).
#[inline]
pub fn rr_bool(field: &str, v: bool, rule: &DeviceRule) -> Result<bool, EncodeError> {
    Ok(randomize_index(field, u32::from(v), rule)? == 1)
}

/// A value out of a closed list (an `enum`, or a `string` with `values`), in the schema's
/// order. A value not in the list is refused, as the string check would refuse it.
#[inline]
pub fn rr_value<'v>(
    field: &str,
    v: &'v str,
    values: &'static [&'static str],
    rule: &DeviceRule,
) -> Result<&'v str, EncodeError> {
    let Some(i) = values.iter().position(|x| *x == v) else {
        return Err(EncodeError::PatternMismatch {
            field: field.to_owned(),
        });
    };
    Ok(values[randomize_index(field, i as u32, rule)? as usize])
}

/// A bucketed number, already rounded down to one of `bounds` (the categories, in order). A
/// value that is not a bound (only NaN can be one, which the float writer refuses) is left as
/// it is.
#[inline]
pub fn rr_bucket<T: PartialEq + Copy>(
    field: &str,
    v: T,
    bounds: &[T],
    rule: &DeviceRule,
) -> Result<T, EncodeError> {
    match bounds.iter().position(|b| *b == v) {
        Some(i) => Ok(bounds[randomize_index(field, i as u32, rule)? as usize]),
        None => Ok(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candor_core::randomized_response::RandomizedResponse;

    #[test]
    fn draws_differ_and_survive_reseeding() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..(RESEED_AFTER as usize * 2 + 10) {
            seen.insert(draw().expect("the OS has randomness"));
        }
        assert!(
            seen.len() > RESEED_AFTER as usize * 2,
            "64-bit draws do not repeat"
        );
    }

    #[test]
    fn a_value_outside_the_list_is_refused_and_bounds_map_back_to_bounds() {
        let rule = RandomizedResponse::new(1.0, 3).unwrap().device_rule();
        assert!(matches!(
            rr_value("f", "zzz", &["a", "b", "c"], &rule),
            Err(EncodeError::PatternMismatch { .. })
        ));
        for _ in 0..200 {
            let v = rr_value("f", "b", &["a", "b", "c"], &rule).unwrap();
            assert!(["a", "b", "c"].contains(&v));
            let b = rr_bucket("f", 1000u64, &[0, 1000, 5000], &rule).unwrap();
            assert!([0, 1000, 5000].contains(&b));
        }
        assert!(rr_bucket("f", f64::NAN, &[0.0, 1.0, 2.0], &rule)
            .unwrap()
            .is_nan());
    }

    #[test]
    fn every_category_is_reported_and_the_truth_most_often() {
        let rule = RandomizedResponse::new(1.0, 4).unwrap().device_rule();
        let mut counts = [0u32; 4];
        for _ in 0..4_000 {
            counts[randomize_index("f", 2, &rule).unwrap() as usize] += 1;
        }
        // p = e/(e+3) ≈ 0.475, q ≈ 0.175: 1,900 and 700 expected, so these bounds are more
        // than ten standard deviations wide.
        assert!(counts.iter().all(|&c| c > 400), "{counts:?}");
        assert!(counts[2] > 1_500 && counts[2] < 2_300, "{counts:?}");
    }
}
