
#[derive(candor::Event)]
#[event(name = "shop.page_viewed")]
struct PageViewed {
    render_us: u64,
    offset: Option<i64>,
}

fn main() {}
