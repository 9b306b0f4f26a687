#[derive(candor::Event)]
struct PageViewed {
    render_us: u64,
    offset: i64,
}

fn main() {}
