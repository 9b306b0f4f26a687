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
struct Secret(bool);

#[derive(candor::Event)]
#[event(name = "shop.checkout_finished")]
struct CheckoutFinished {
    express: Secret,
    items: u32,
    step_delta: i32,
    load_ms: u64,
    ratio: f64,
    payment: Payment,
    theme: Theme,
}

fn main() {}
