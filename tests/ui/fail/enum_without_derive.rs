enum Payment {
    Card,
    BankTransfer,
    Voucher,
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
    theme: String,
}

fn main() {
    let _ = (Payment::Card, Payment::BankTransfer, Payment::Voucher);
}
