//! The 5-field event the runtime's benchmarks and throughput example share, written the way
//! `#[derive(Event)]` writes it (two enums, a bucketed and a clamped integer, a length-checked
//! string that goes through the secret scanner), so their figures are comparable. Included with
//! `#[path]` by `benches/track.rs`, `benches/e2e.rs`, `runtime/examples/loopback_throughput.rs` and the
//! peer benchmark in `benches/peers/` (its own workspace).

use candor::__private::{bucket_u64, clamp_u64, StrCheck};
use candor::{Consent, EncodeError, Event, EventMeta, FieldWriter};

#[derive(Clone, Copy)]
pub struct SwapCompleted {
    pub network: &'static str,
    pub asset: &'static str,
    pub amount_usd: u64,
    pub duration_ms: u64,
    pub error_code: &'static str,
}

impl SwapCompleted {
    /// The values every benchmark tracks (the throughput runs vary `duration_ms`).
    pub const SAMPLE: SwapCompleted = SwapCompleted {
        network: "ethereum",
        asset: "usdc",
        amount_usd: 250,
        duration_ms: 1830,
        error_code: "E_TIMEOUT",
    };
}

impl Event for SwapCompleted {
    const META: EventMeta = EventMeta {
        name: "wallet.swap_completed",
        version: 1,
        consent: Consent::Usage,
        retention_days: 30,
        fingerprint: "a1b2c3d4e5f60718",
        expires_day: EventMeta::NEVER_EXPIRES,
    };
    fn encode_fields(&self, w: &mut FieldWriter<'_>) -> Result<(), EncodeError> {
        const CODE: StrCheck = StrCheck::new(Some(32), None);
        w.begin();
        w.enum_value("network", self.network);
        w.enum_value("asset", self.asset);
        w.u64(
            "amount_usd",
            bucket_u64(self.amount_usd, &[0, 10, 100, 1_000, 10_000]),
        );
        w.u64(
            "duration_ms",
            clamp_u64(self.duration_ms, None, Some(60_000)),
        );
        w.str("error_code", self.error_code, &CODE)?;
        w.end();
        Ok(())
    }
}
