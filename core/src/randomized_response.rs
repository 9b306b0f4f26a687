//! k-ary randomized response: the local differential privacy a schema field declares with
//! `privacy: { randomized_response: { epsilon: E } }`, written once for every side that needs it.
//!
//! - The schema compiler checks ε against [`MIN_EPSILON`]/[`MAX_EPSILON`] and lints it with
//!   [`RandomizedResponse::protects_little`].
//! - The derive computes a field's [`DeviceRule`] at compile time and the runtime applies it on
//!   the device with [`DeviceRule::choose`], fed by its cryptographically secure generator.
//! - The transparency page says how often the device answers at random
//!   ([`RandomizedResponse::random_answer_one_in`]).
//! - The public report turns the randomised counts a collector stored back into unbiased
//!   estimates of the true counts with [`RandomizedResponse::estimate`], each with its standard
//!   error and a confidence interval ([`Estimate::interval`]).
//!
//! # The mechanism
//!
//! A field has `k` possible values (`false`/`true`, an enum's values, a bucketed number's
//! buckets). The device keeps the true value with probability
//! `p = e^ε / (e^ε + k − 1)` and otherwise reports one of the other `k − 1` values, each with
//! probability `q = 1 / (e^ε + k − 1)`. For any two true values `a`, `b` and any report `r`,
//! `P(r | a) / P(r | b) ≤ p / q = e^ε`: that is ε-local differential privacy, for one report.
//!
//! # The estimator
//!
//! Of `n` reports, `C_v` say `v`. With `n_v` the true number of `v`,
//! `E[C_v] = n_v·p + (n − n_v)·q`, so `ĉ_v = (C_v − n·q) / (p − q)` is unbiased. `C_v` is a sum
//! of independent Bernoulli trials, so
//! `Var[ĉ_v] = n·q(1 − q)/(p − q)² + n_v·(1 − p − q)/(p − q)`; the standard error plugs the
//! estimate (clamped to `0..=n`) in for `n_v`. Intervals are `ĉ ± z·SE` (normal approximation:
//! good for the thousands of reports a published count is built from; see the coverage tests).

use std::fmt;

/// The smallest ε a schema may declare is any number above this (ε = 0 would make every
/// report pure noise, and nothing could be learned).
pub const MIN_EPSILON: f64 = 0.0;

/// The largest ε a schema may declare. At ε = 10 the true value is kept 22,026 times out of
/// 22,027 for a yes/no field: anything above protects no one, so it is refused outright.
pub const MAX_EPSILON: f64 = 10.0;

/// A report is "the true answer with near certainty" when the device keeps it with at least
/// this probability: fewer than one report in a hundred is then randomised, and a reader of one
/// report learns the truth with 99 % confidence. The schema compiler's `weak-randomization`
/// lint fires above it.
pub const LINT_KEEP_PROBABILITY: f64 = 0.99;

/// `z` of a two-sided 95 % normal confidence interval (the 97.5th percentile of the standard
/// normal distribution).
pub const Z_95: f64 = 1.959_963_984_540_054;

/// Why a mechanism cannot be built.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ParamError {
    /// ε is not a finite number in `(MIN_EPSILON, MAX_EPSILON]`.
    Epsilon(f64),
    /// Fewer than two values: there is nothing to randomise between.
    TooFewValues(u32),
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamError::Epsilon(e) => write!(
                f,
                "epsilon must be above {MIN_EPSILON} and at most {MAX_EPSILON}, found {e}"
            ),
            ParamError::TooFewValues(k) => write!(
                f,
                "randomized response needs at least two possible values, found {k}"
            ),
        }
    }
}

impl std::error::Error for ParamError {}

/// k-ary randomized response with privacy parameter ε over `k` values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RandomizedResponse {
    epsilon: f64,
    k: u32,
}

impl RandomizedResponse {
    /// The mechanism for a field of `k` values with privacy parameter `epsilon`.
    pub fn new(epsilon: f64, k: u32) -> Result<Self, ParamError> {
        if !(epsilon.is_finite() && epsilon > MIN_EPSILON && epsilon <= MAX_EPSILON) {
            return Err(ParamError::Epsilon(epsilon));
        }
        if k < 2 {
            return Err(ParamError::TooFewValues(k));
        }
        Ok(RandomizedResponse { epsilon, k })
    }

    /// ε, as declared.
    pub fn epsilon(&self) -> f64 {
        self.epsilon
    }

    /// The number of values a report is drawn from.
    pub fn k(&self) -> u32 {
        self.k
    }

    /// `e^ε + k − 1`, the common denominator of `p` and `q`.
    fn denominator(&self) -> f64 {
        self.epsilon.exp() + f64::from(self.k - 1)
    }

    /// `p = e^ε / (e^ε + k − 1)`: the probability that the device reports the true value.
    pub fn keep_probability(&self) -> f64 {
        self.epsilon.exp() / self.denominator()
    }

    /// `q = 1 / (e^ε + k − 1)`: the probability that the device reports one particular value
    /// other than the true one.
    pub fn other_probability(&self) -> f64 {
        1.0 / self.denominator()
    }

    /// `N` such that "one time in `N`, the device reports another value, chosen at random,
    /// instead of the true one": `1 / (1 − p) = (e^ε + k − 1) / (k − 1)`.
    pub fn random_answer_one_in(&self) -> f64 {
        self.denominator() / f64::from(self.k - 1)
    }

    /// Whether ε is so large for this `k` that a single report is the true value with
    /// probability above [`LINT_KEEP_PROBABILITY`], i.e. `ε > ln(99·(k − 1))`.
    pub fn protects_little(&self) -> bool {
        self.keep_probability() > LINT_KEEP_PROBABILITY
    }

    /// The largest ε that [`protects_little`](Self::protects_little) accepts for `k` values:
    /// `ln(p/(1 − p)·(k − 1))` at `p =` [`LINT_KEEP_PROBABILITY`].
    pub fn lint_threshold(k: u32) -> f64 {
        let p = LINT_KEEP_PROBABILITY;
        (p / (1.0 - p) * f64::from(k.max(2) - 1)).ln()
    }

    /// The rule the device applies, with `p` as a threshold on a uniform 64-bit draw.
    pub fn device_rule(&self) -> DeviceRule {
        // 2^64 · p rounded down; p < 1, so the product is below 2^64 and the cast exact to
        // within f64's 53 bits (an error under 10^-15 in p).
        let keep_below = (self.keep_probability() * 18_446_744_073_709_551_616.0) as u64;
        DeviceRule {
            k: self.k,
            keep_below,
        }
    }

    /// Unbiased estimates of the true counts from the counts of reported values:
    /// `reported[v]` reports said value `v` (in the field's value order). The estimates sum to
    /// `n`; a single one may be negative or above `n` when the noise says so (clamp for
    /// display, never before summing).
    ///
    /// # Panics
    ///
    /// If `reported.len()` is not `k`: the counts must cover every value, zeros included.
    pub fn estimate(&self, reported: &[u64]) -> Vec<Estimate> {
        assert_eq!(
            reported.len(),
            self.k as usize,
            "one reported count per value of the field"
        );
        let n: u64 = reported.iter().sum();
        let nf = n as f64;
        let (p, q) = (self.keep_probability(), self.other_probability());
        let gap = p - q;
        // The part of the variance that does not depend on the true count, and the slope of
        // the part that does (zero for k = 2, where 1 − p − q = 0).
        let base = nf * q * (1.0 - q) / (gap * gap);
        let slope = (1.0 - p - q) / gap;
        reported
            .iter()
            .map(|&c| {
                let count = (c as f64 - nf * q) / gap;
                let plugged = count.clamp(0.0, nf);
                let variance = (base + plugged * slope).max(0.0);
                Estimate {
                    reported: c,
                    count,
                    std_error: variance.sqrt(),
                }
            })
            .collect()
    }
}

/// The estimate of one value's true count.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// How many reports said this value (randomised: never publish it as a true count).
    pub reported: u64,
    /// `ĉ = (C − n·q)/(p − q)`: the unbiased estimate of how many reports were truly this value.
    pub count: f64,
    /// The estimate's standard error.
    pub std_error: f64,
}

impl Estimate {
    /// `(ĉ − z·SE, ĉ + z·SE)`; `z =` [`Z_95`] for a 95 % interval. Not clamped: clamp to
    /// `0..=n` for display if wanted (the coverage is then unchanged or better).
    pub fn interval(&self, z: f64) -> (f64, f64) {
        (
            self.count - z * self.std_error,
            self.count + z * self.std_error,
        )
    }
}

/// What the device needs at run time, computed once (by the derive, at compile time) from
/// [`RandomizedResponse::device_rule`]: no floating point, no `exp` on the hot path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceRule {
    /// The number of values.
    pub k: u32,
    /// The true value is kept when a uniform 64-bit draw is below this (`⌊p·2^64⌋`).
    pub keep_below: u64,
}

impl DeviceRule {
    /// The value index to report for the true value index `true_index` (`< k`), from two
    /// independent uniform 64-bit draws: `keep` decides whether to keep it; `other`, consulted
    /// only when not, picks one of the other `k − 1` values uniformly (by a 64×64-bit multiply,
    /// whose bias is below `k / 2^64`).
    #[inline]
    pub fn choose(&self, true_index: u32, keep: u64, other: impl FnOnce() -> u64) -> u32 {
        if keep < self.keep_below || self.k < 2 {
            return true_index;
        }
        let pick = ((u128::from(other()) * u128::from(self.k - 1)) >> 64) as u32;
        // The k − 1 values other than the true one, in order, skipping it.
        if pick >= true_index {
            pick + 1
        } else {
            pick
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities_match_the_formulas() {
        let rr = RandomizedResponse::new(1.0, 2).unwrap();
        let e = 1f64.exp();
        assert!((rr.keep_probability() - e / (e + 1.0)).abs() < 1e-15);
        assert!((rr.other_probability() - 1.0 / (e + 1.0)).abs() < 1e-15);
        let rr = RandomizedResponse::new(2.0, 5).unwrap();
        let (p, q) = (rr.keep_probability(), rr.other_probability());
        assert!((p + 4.0 * q - 1.0).abs() < 1e-15, "p + (k−1)q = 1");
        assert!((p / q - 2f64.exp()).abs() < 1e-12, "p/q = e^ε");
        assert!((rr.random_answer_one_in() - 1.0 / (1.0 - p)).abs() < 1e-12);
    }

    #[test]
    fn parameters_outside_the_bounds_are_refused() {
        for e in [0.0, -1.0, 10.000_001, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                RandomizedResponse::new(e, 2),
                Err(ParamError::Epsilon(_))
            ));
        }
        assert!(RandomizedResponse::new(MAX_EPSILON, 2).is_ok());
        assert_eq!(
            RandomizedResponse::new(1.0, 1),
            Err(ParamError::TooFewValues(1))
        );
    }

    #[test]
    fn the_lint_threshold_is_where_p_crosses_099() {
        for k in [2, 3, 10, 200] {
            let t = RandomizedResponse::lint_threshold(k);
            assert!((t - (99.0 * f64::from(k - 1)).ln()).abs() < 1e-9);
            if t <= MAX_EPSILON {
                let below = RandomizedResponse::new(t - 1e-6, k).unwrap();
                let above = RandomizedResponse::new((t + 1e-6).min(MAX_EPSILON), k).unwrap();
                assert!(!below.protects_little());
                assert!(above.protects_little() || t + 1e-6 > MAX_EPSILON);
            }
        }
    }

    #[test]
    fn the_device_rule_keeps_below_its_threshold_and_never_picks_the_truth_otherwise() {
        let rule = RandomizedResponse::new(1.0, 4).unwrap().device_rule();
        assert_eq!(rule.choose(2, 0, || unreachable!()), 2);
        assert_eq!(rule.choose(2, rule.keep_below - 1, || unreachable!()), 2);
        // Not kept: the draw spreads over the three other values in order, never the truth.
        let others: Vec<u32> = [0, u64::MAX / 3 + 1, u64::MAX / 3 * 2 + 1, u64::MAX]
            .into_iter()
            .map(|d| rule.choose(2, rule.keep_below, || d))
            .collect();
        assert_eq!(others, [0, 1, 3, 3]);
        for t in 0..4 {
            for d in [0, u64::MAX / 2, u64::MAX] {
                let r = rule.choose(t, u64::MAX, || d);
                assert!(r < 4 && r != t);
            }
        }
    }

    #[test]
    fn estimates_invert_the_expected_counts_exactly() {
        let rr = RandomizedResponse::new(1.5, 3).unwrap();
        let truth = [6_000.0, 3_000.0, 1_000.0];
        let n: f64 = truth.iter().sum();
        let (p, q) = (rr.keep_probability(), rr.other_probability());
        let expected: Vec<u64> = truth
            .iter()
            .map(|t| (t * p + (n - t) * q).round() as u64)
            .collect();
        let est = rr.estimate(&expected);
        for (e, t) in est.iter().zip(truth) {
            assert!((e.count - t).abs() < 2.0 / (p - q), "{} vs {t}", e.count);
            assert!(e.std_error > 0.0);
            let (lo, hi) = e.interval(Z_95);
            assert!(lo < e.count && e.count < hi);
        }
        let total: f64 = est.iter().map(|e| e.count).sum();
        assert!((total - n).abs() < 1e-6, "estimates sum to n");
    }
}
