#[derive(candor::Event)]
#[event(name = "shop.page_viewed")]
enum PageViewed {
    Render,
}

fn main() {}
