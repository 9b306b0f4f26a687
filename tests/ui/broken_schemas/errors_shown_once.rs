// Three derives read the same broken folder: each fails, the folder's problems are shown once.
#[derive(candor::Event)]
#[event(name = "shop.checkout_finished")]
struct CheckoutFinished {
    express: bool,
}

#[derive(candor::Event)]
#[event(name = "shop.checkout_finished")]
struct CheckoutAgain {
    express: bool,
}

#[derive(candor::Event)]
#[event(name = "shop.other")]
struct Other {
    express: bool,
}

fn main() {}
