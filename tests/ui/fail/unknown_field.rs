
#[derive(candor::Event)]
#[event(name = "shop.page_viewed")]
struct PageViewed {
    render_us: u64,
    offset: i64,
    weigth: Option<f64>,
}

fn main() {}
