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

#[derive(candor::Event)]
#[event(name = "shop.checkout_finished")]
struct CheckoutFinished {
    express: bool,
    items: u32,
    step_delta: i32,
    load_ms: u64,
    ratio: f64,
    payment: Payment,
    theme: Theme,
    card_number: Option<u64>,
}

fn main() {}
