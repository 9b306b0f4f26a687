use candor::{EventEnum, LabeledCounter, Metrics};

#[derive(EventEnum, Clone, Copy)]
enum PaymentFailure {
    Declined,
    Timeout,
}

#[derive(Metrics)]
#[metrics(namespace = "shop")]
struct ShopMetrics {
    payment_failures: LabeledCounter<PaymentFailure>,
}

fn main() {}
