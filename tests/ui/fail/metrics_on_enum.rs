use candor::Metrics;

#[derive(Metrics)]
#[metrics(namespace = "shop")]
enum ShopMetrics {
    A,
}

fn main() {}
