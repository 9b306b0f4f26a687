use candor::{Counter, Metrics};

#[derive(Metrics)]
struct ShopMetrics {
    carts_opened: Counter,
}

fn main() {}
