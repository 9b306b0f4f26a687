
#[derive(candor::Event)]
#[event(name = "shop.page_viewed")]
struct PageViewed {
    render_us: f64,
    offset: i64,
}

fn main() {}
