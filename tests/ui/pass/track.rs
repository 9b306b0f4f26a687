// The README's usage: `track()` hands the event to the global client (a no-op when none is
// installed), and `#[candor::personal]` types may exist freely as long as no event carries them.
use candor::Event;

#[derive(candor::EventEnum)]
enum Payment {
    Card,
    BankTransfer,
    Voucher,
}

#[derive(candor::EventEnum)]
enum Theme {
    Dark,
    Light,
}

#[candor::personal]
#[allow(dead_code)]
struct Email(String);

#[derive(Event)]
#[event(name = "shop.checkout_finished")]
struct CheckoutFinished {
    express: bool,
    items: u32,
    step_delta: i32,
    load_ms: u64,
    ratio: f64,
    payment: Payment,
    theme: Theme,
}

fn main() {
    let _email = Email("someone@example.org".into());
    CheckoutFinished {
        express: false,
        items: 1,
        step_delta: 0,
        load_ms: 20,
        ratio: 0.0,
        payment: Payment::Voucher,
        theme: Theme::Light,
    }
    .track();
    let _ = (Payment::Card, Payment::BankTransfer, Theme::Dark);
}
