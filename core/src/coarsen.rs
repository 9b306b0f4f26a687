//! Coarsening of numbers before they leave the device: clamping into a field's `min`/`max`,
//! then rounding down to one of its `buckets`.
//!
//! The rule, as the schema language documents it and the JSON Schema emitter encodes it (a
//! bucketed number is an `enum` of its bounds): `buckets` are strictly increasing bounds, and
//! a value is sent as the largest bound not above it; a value below the first bound is sent as
//! the first bound. Generated code calls these functions (through the runtime), so the bytes
//! on the wire follow this one definition.

/// Rounds `v` down to the largest bound `<= v`; values below the first bound become the first
/// bound. `bounds` must be ascending; empty bounds leave `v` unchanged.
#[inline]
pub fn bucket_u64(v: u64, bounds: &[u64]) -> u64 {
    match bounds.partition_point(|&b| b <= v) {
        0 => bounds.first().copied().unwrap_or(v),
        i => bounds[i - 1],
    }
}

/// Signed variant of [`bucket_u64`].
#[inline]
pub fn bucket_i64(v: i64, bounds: &[i64]) -> i64 {
    match bounds.partition_point(|&b| b <= v) {
        0 => bounds.first().copied().unwrap_or(v),
        i => bounds[i - 1],
    }
}

/// Float variant of [`bucket_u64`]. NaN stays NaN, so that the encoder refuses it rather than
/// inventing a bucket.
#[inline]
pub fn bucket_f64(v: f64, bounds: &[f64]) -> f64 {
    if v.is_nan() {
        return v;
    }
    match bounds.partition_point(|&b| b <= v) {
        0 => bounds.first().copied().unwrap_or(v),
        i => bounds[i - 1],
    }
}

/// Clamps `v` into `[min, max]`, each side optional.
#[inline]
pub fn clamp_i64(v: i64, min: Option<i64>, max: Option<i64>) -> i64 {
    let v = min.map_or(v, |m| v.max(m));
    max.map_or(v, |m| v.min(m))
}

/// Clamps `v` into `[min, max]`, each side optional.
#[inline]
pub fn clamp_u64(v: u64, min: Option<u64>, max: Option<u64>) -> u64 {
    let v = min.map_or(v, |m| v.max(m));
    max.map_or(v, |m| v.min(m))
}

/// Clamps `v` into `[min, max]`, each side optional; NaN stays NaN.
#[inline]
pub fn clamp_f64(v: f64, min: Option<f64>, max: Option<f64>) -> f64 {
    let v = min.map_or(v, |m| if v < m { m } else { v });
    max.map_or(v, |m| if v > m { m } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn buckets_and_clamps() {
        let b = [10, 100, 1000];
        assert_eq!(bucket_u64(0, &b), 10);
        assert_eq!(bucket_u64(10, &b), 10);
        assert_eq!(bucket_u64(99, &b), 10);
        assert_eq!(bucket_u64(100, &b), 100);
        assert_eq!(bucket_u64(u64::MAX, &b), 1000);
        assert_eq!(bucket_u64(7, &[]), 7);
        assert_eq!(bucket_i64(-50, &[-10, 0, 10]), -10);
        assert_eq!(bucket_i64(5, &[-10, 0, 10]), 0);
        assert_eq!(bucket_f64(2.5, &[0.5, 1.0, 2.0]), 2.0);
        assert_eq!(bucket_f64(0.1, &[0.5, 1.0, 2.0]), 0.5);
        assert!(bucket_f64(f64::NAN, &[0.5]).is_nan());
        assert_eq!(clamp_i64(-5, Some(0), Some(10)), 0);
        assert_eq!(clamp_i64(50, Some(0), Some(10)), 10);
        assert_eq!(clamp_i64(5, None, None), 5);
        assert_eq!(clamp_u64(50, None, Some(10)), 10);
        assert_eq!(clamp_f64(-1.0, Some(0.0), None), 0.0);
        assert!(clamp_f64(f64::NAN, Some(0.0), Some(1.0)).is_nan());
    }

    proptest! {
        /// The result is always one of the bounds, the largest one not above the value, or
        /// the first bound for values below it.
        #[test]
        fn a_bucketed_value_is_the_largest_bound_not_above_it(
            v in any::<i64>(),
            mut bounds in proptest::collection::btree_set(any::<i64>(), 1..8),
        ) {
            let bounds: Vec<i64> = std::mem::take(&mut bounds).into_iter().collect();
            let got = bucket_i64(v, &bounds);
            prop_assert!(bounds.contains(&got));
            match bounds.iter().rev().find(|&&b| b <= v) {
                Some(&largest) => prop_assert_eq!(got, largest),
                None => prop_assert_eq!(got, bounds[0]),
            }
        }

        #[test]
        fn clamping_stays_inside_and_keeps_what_is_inside(v in any::<u64>(), a in any::<u64>(), b in any::<u64>()) {
            let (lo, hi) = (a.min(b), a.max(b));
            let got = clamp_u64(v, Some(lo), Some(hi));
            prop_assert!(lo <= got && got <= hi);
            if lo <= v && v <= hi {
                prop_assert_eq!(got, v);
            }
        }
    }
}
