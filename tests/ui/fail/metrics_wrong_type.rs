use candor::{Counter, Metrics};

#[derive(Metrics)]
#[metrics(namespace = "shop")]
struct ShopMetrics {
    checkout_time: Counter,
}

fn main() {}
