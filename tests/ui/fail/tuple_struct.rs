#[derive(candor::Event)]
#[event(name = "shop.page_viewed")]
struct PageViewed(u64, i64);

fn main() {}
