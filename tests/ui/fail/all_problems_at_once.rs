#[derive(candor::EventEnum)]
enum Payment {
    Card,
    BankTransfer,
    Voucher,
}

#[derive(candor::Event)]
#[event(name = "shop.checkout_finished")]
struct CheckoutFinished {
    express: Option<bool>,
    items: String,
    load_ms: u64,
    ratio: f64,
    payment: Payment,
    card_number: String,
    customer_age: u8,
}

fn main() {}
