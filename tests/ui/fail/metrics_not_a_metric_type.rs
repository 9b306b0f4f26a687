use candor::Metrics;

#[derive(Metrics)]
#[metrics(namespace = "shop")]
struct ShopMetrics {
    carts_opened: u64,
}

fn main() {}
