
#[derive(candor::Event)]
#[event(name = "shop.page_viewed")]
struct PageViewed {
    render_us: u64,
    offset: i64,
    weight: f64,
}

fn main() {}
