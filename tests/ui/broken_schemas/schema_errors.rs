#[derive(candor::Event)]
#[event(name = "shop.checkout_finished")]
struct CheckoutFinished {
    express: bool,
    items: u32,
}

fn main() {}
