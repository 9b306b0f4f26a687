#[derive(candor::Event)]
#[event(name = "shop.page_viewed")]
#[event(name = "shop.checkout_finished")]
struct PageViewed {
    render_us: u64,
    offset: i64,
}

fn main() {}
