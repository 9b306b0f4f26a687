//! Calendar dates. [`Date`] and its arithmetic are `candor_core::date`, shared with the
//! runtime; what is the compiler's own is which day counts as "today" when expiry is checked.

pub use candor_core::date::{days_in_month, Date};

/// Today for a reproducible build: `SOURCE_DATE_EPOCH` (Unix seconds) if set, else the system
/// clock (UTC).
pub fn today_from_env() -> Result<Date, String> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v.trim().parse::<i64>().map(Date::from_unix).map_err(|_| {
            format!("SOURCE_DATE_EPOCH must be a Unix timestamp in seconds, got `{v}`")
        }),
        Err(_) => Ok(Date::from_clock()),
    }
}
