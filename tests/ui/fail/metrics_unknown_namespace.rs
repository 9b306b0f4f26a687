use candor::{Counter, Metrics};

#[derive(Metrics)]
#[metrics(namespace = "shopp")]
struct ShopMetrics {
    carts_opened: Counter,
}

fn main() {}
