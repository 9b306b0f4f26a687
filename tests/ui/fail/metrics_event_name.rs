use candor::{Counter, Metrics};

#[derive(Metrics)]
#[metrics(namespace = "shop")]
struct ShopMetrics {
    checkout_finished: Counter,
}

fn main() {}
