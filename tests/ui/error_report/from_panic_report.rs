// An `error_report: true` event: the derive implements `candor::ErrorReport`, fitting the
// scrubbed report to the schema's `max_len`s, so `install_panic_hook::<Crashed>` compiles.
use candor::{ErrorReport, Event, PanicReport};

#[derive(Event)]
#[event(name = "app.crashed")]
struct Crashed {
    site: String,
    frames: String,
    frames_omitted: u32,
}

const BACKTRACE: &str = "   0: std::panicking::begin_panic
   1: app::wallet::sign
   2: core::ops::function::FnOnce::call_once
   3: app::wallet::Session::run::{{closure}}
   4: app::main
   5: std::rt::lang_start
";

fn main() {
    let report = PanicReport::from_parts(
        "/home/alice/code/app/src/wallet.rs",
        17,
        BACKTRACE,
        &["app".to_owned()],
    );
    let c = Crashed::from_report(&report);
    assert_eq!(c.site, "app/src/wallet.rs:17");
    // `frames` has `max_len: 40`: cut at a frame boundary, the rest counted: the three
    // frames of std and core, and the two app frames cut.
    assert_eq!(c.frames, "app::wallet::sign");
    assert_eq!(c.frames_omitted, 3 + 2);
    let _hook: fn(&candor::Client) = candor::install_panic_hook::<Crashed>;
    assert_eq!(Crashed::CONSENT, candor::Consent::Diagnostics);
}
