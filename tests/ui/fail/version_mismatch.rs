#[derive(candor::Event)]
#[event(name = "shop.checkout_finished", version = 2)]
struct CheckoutFinished {
    express: bool,
    items: u32,
    step_delta: i32,
    load_ms: u64,
    ratio: f64,
    payment: candor_payment::Payment,
    theme: String,
}

mod candor_payment {
    #[derive(candor::EventEnum)]
    pub enum Payment {
        Card,
        BankTransfer,
        Voucher,
    }
}

fn main() {}
