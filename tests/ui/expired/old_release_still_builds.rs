// Rebuilding an old release: the schema's `expires` date (2020-06-30) has passed, yet the
// derive compiles. The date travels in `EventMeta::expires_day`, and the runtime records
// nothing from the day after it.
use candor::Event;

#[derive(Event)]
#[event(name = "old.feature_used")]
struct FeatureUsed {
    clicks: u64,
}

fn main() {
    // 2020-06-30 is day 18443 since 1970-01-01.
    assert_eq!(FeatureUsed::EXPIRES_DAY, 18_443);
    assert!(!FeatureUsed::META.expired_at(18_443 * 1440 + 1439));
    assert!(FeatureUsed::META.expired_at(18_444 * 1440));
    FeatureUsed { clicks: 3 }.track();
}
