#[derive(candor::Event)]
#[event(name = "shop.page_viewed", schemas = "no/such/folder")]
struct PageViewed {
    render_us: u64,
    offset: i64,
}

fn main() {}
