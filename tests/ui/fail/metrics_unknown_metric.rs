use candor::{Counter, Metrics};

#[derive(Metrics)]
#[metrics(namespace = "shop")]
struct ShopMetrics {
    carts_openned: Counter,
}

fn main() {}
