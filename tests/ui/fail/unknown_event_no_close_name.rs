#[derive(candor::Event)]
#[event(name = "billing.invoice_paid")]
struct InvoicePaid {
    amount_bucket: u32,
}

fn main() {}
