#[derive(candor::Event)]
#[event(name = "shop.page_viewed")]
struct PageViewed<T> {
    render_us: u64,
    offset: T,
}

fn main() {}
