#[derive(candor::Event)]
#[event(name = "shop.page_viewed", schema = "schemas", versoin = 1)]
struct PageViewed {
    render_us: u64,
    offset: i64,
}

fn main() {}
