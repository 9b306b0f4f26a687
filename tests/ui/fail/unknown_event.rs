#[derive(candor::Event)]
#[event(name = "shop.checkout_finishd")]
struct CheckoutFinished {
    express: bool,
}

fn main() {}
