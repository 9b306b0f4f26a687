//! Statistical tests of k-ary randomized response, deterministic with fixed seeds.
//!
//! 1. Coverage: 200,000 simulated reports per trial from a known true distribution, through the
//!    device rule and the estimator; over 240 independent trials (four configurations, 60 seeds
//!    each) the true count falls outside its interval at the rate the interval claims. The
//!    number of misses of a calibrated interval is Binomial(240, α); the test accepts the
//!    central region that holds all but 10⁻⁶ of that distribution (computed exactly below), at
//!    three levels (50 %, 80 %, 95 %), so an error in the standard error of even a few tens of
//!    per cent is caught, while a correct estimator fails with probability below 3·10⁻⁶.
//! 2. Device side: for each true value, the reported values follow `p` on the true value and
//!    `q` on each other one (Pearson's chi-square, significance 0.001 per test).
//!
//! The generator is SplitMix64 (Steele, Lea and Flood 2014): fast, seedable and equidistributed
//! enough for a simulation; the device itself draws from a ChaCha-based CSPRNG (see the runtime).

use candor_core::randomized_response::{RandomizedResponse, Z_95};

/// SplitMix64: a seeded stream of uniform 64-bit values.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

const REPORTS: u64 = 200_000;

/// (ε, true shares of the k values). The last has a value nobody truly holds.
const CONFIGS: [(f64, &[f64]); 4] = [
    (0.5, &[0.3, 0.7]),
    (1.0, &[0.6, 0.3, 0.1]),
    (2.0, &[0.4, 0.25, 0.2, 0.1, 0.05]),
    (4.0, &[0.7, 0.2, 0.1, 0.0]),
];

/// Exact true counts summing to `n` from shares.
fn true_counts(shares: &[f64], n: u64) -> Vec<u64> {
    let mut counts: Vec<u64> = shares.iter().map(|s| (s * n as f64) as u64).collect();
    let short = n - counts.iter().sum::<u64>();
    counts[0] += short;
    counts
}

/// Runs every true report through the device rule; returns the counts of reported values.
fn simulate(rr: &RandomizedResponse, truth: &[u64], rng: &mut SplitMix64) -> Vec<u64> {
    let rule = rr.device_rule();
    let mut reported = vec![0u64; truth.len()];
    for (v, &count) in truth.iter().enumerate() {
        for _ in 0..count {
            let keep = rng.next();
            let r = rule.choose(v as u32, keep, || rng.next());
            reported[r as usize] += 1;
        }
    }
    reported
}

/// The smallest `[lo, hi]` with `P(X < lo) ≤ tail` and `P(X > hi) ≤ tail` for
/// `X ~ Binomial(trials, rate)`.
fn binomial_region(trials: u64, rate: f64, tail: f64) -> (u64, u64) {
    let mut pmf = Vec::with_capacity(trials as usize + 1);
    let mut p = (1.0 - rate).powf(trials as f64);
    for i in 0..=trials {
        pmf.push(p);
        p *= (trials - i) as f64 / (i + 1) as f64 * rate / (1.0 - rate);
    }
    let mut lo = 0;
    let mut below = 0.0;
    while below + pmf[lo as usize] <= tail {
        below += pmf[lo as usize];
        lo += 1;
    }
    let mut hi = trials;
    let mut above = 0.0;
    while above + pmf[hi as usize] <= tail {
        above += pmf[hi as usize];
        hi -= 1;
    }
    (lo, hi)
}

#[test]
fn intervals_cover_the_true_count_at_the_rate_they_claim() {
    const SEEDS: u64 = 60;
    // z of two-sided 50 %, 80 % and 95 % normal intervals.
    let levels = [
        (0.5, 0.674_489_750_196_081_7),
        (0.8, 1.281_551_565_544_600_5),
        (0.95, Z_95),
    ];
    let mut misses = [0u64; 3];
    let mut trials = 0u64;
    for (c, (epsilon, shares)) in CONFIGS.iter().enumerate() {
        let rr = RandomizedResponse::new(*epsilon, shares.len() as u32).unwrap();
        let truth = true_counts(shares, REPORTS);
        for seed in 0..SEEDS {
            let mut rng = SplitMix64(0x5eed_0000 + (c as u64) * 1_000 + seed);
            let reported = simulate(&rr, &truth, &mut rng);
            assert_eq!(reported.iter().sum::<u64>(), REPORTS);
            let estimates = rr.estimate(&reported);
            // One value per trial, rotating, so that trials are independent of each other (the
            // values of one trial are not: they share n).
            let v = (seed as usize) % truth.len();
            let t = truth[v] as f64;
            for (i, (_, z)) in levels.iter().enumerate() {
                let (lo, hi) = estimates[v].interval(*z);
                misses[i] += u64::from(t < lo || t > hi);
            }
            trials += 1;
        }
    }
    for (i, (confidence, _)) in levels.iter().enumerate() {
        let (lo, hi) = binomial_region(trials, 1.0 - confidence, 5e-7);
        assert!(
            (lo..=hi).contains(&misses[i]),
            "{confidence} intervals missed {} times in {trials} trials; a calibrated interval \
             misses between {lo} and {hi} times (all but 1e-6 of Binomial({trials}, {}))",
            misses[i],
            1.0 - confidence
        );
    }
}

/// Upper 0.001 critical values of the chi-square distribution, by degrees of freedom (1 to 4).
const CHI2_CRITICAL_0_001: [f64; 4] = [10.828, 13.816, 16.266, 18.467];

#[test]
fn reported_values_follow_p_on_the_truth_and_q_elsewhere() {
    for (c, (epsilon, shares)) in CONFIGS.iter().enumerate() {
        let k = shares.len();
        let rr = RandomizedResponse::new(*epsilon, k as u32).unwrap();
        let (p, q) = (rr.keep_probability(), rr.other_probability());
        for v in 0..k {
            let mut truth = vec![0u64; k];
            truth[v] = REPORTS;
            let mut rng = SplitMix64(0xc4_0000 + (c as u64) * 100 + v as u64);
            let reported = simulate(&rr, &truth, &mut rng);
            let chi2: f64 = reported
                .iter()
                .enumerate()
                .map(|(r, &o)| {
                    let e = REPORTS as f64 * if r == v { p } else { q };
                    (o as f64 - e).powi(2) / e
                })
                .sum();
            let critical = CHI2_CRITICAL_0_001[k - 2];
            assert!(
                chi2 < critical,
                "ε = {epsilon}, k = {k}, true value {v}: chi-square {chi2:.3} ≥ {critical} \
                 (reported {reported:?}, expected p = {p:.5} on it and q = {q:.5} elsewhere)"
            );
        }
    }
}

#[test]
fn the_mixed_population_is_reported_as_p_and_q_predict() {
    for (c, (epsilon, shares)) in CONFIGS.iter().enumerate() {
        let k = shares.len();
        let rr = RandomizedResponse::new(*epsilon, k as u32).unwrap();
        let (p, q) = (rr.keep_probability(), rr.other_probability());
        let truth = true_counts(shares, REPORTS);
        let mut rng = SplitMix64(0xa11_0000 + c as u64);
        let reported = simulate(&rr, &truth, &mut rng);
        let n = REPORTS as f64;
        let chi2: f64 = reported
            .iter()
            .zip(&truth)
            .map(|(&o, &t)| {
                let e = t as f64 * p + (n - t as f64) * q;
                (o as f64 - e).powi(2) / e
            })
            .sum();
        assert!(
            chi2 < CHI2_CRITICAL_0_001[k - 2],
            "ε = {epsilon}: chi-square {chi2:.3} for {reported:?} against truth {truth:?}"
        );
    }
}

#[test]
fn the_binomial_region_is_computed_exactly() {
    // Binomial(10, 0.5): P(X = 0) = P(X = 10) = 1/1024, P(X ≤ 1) = 11/1024.
    assert_eq!(binomial_region(10, 0.5, 1.0 / 1024.0), (1, 9));
    assert_eq!(binomial_region(10, 0.5, 10.0 / 1024.0), (1, 9));
    assert_eq!(binomial_region(10, 0.5, 11.0 / 1024.0), (2, 8));
}
