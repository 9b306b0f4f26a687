
#[derive(candor::Event)]
#[event(name = "shop.page_viewed")]
struct PageViewed {
    render_us: u64,
}

fn main() {}
