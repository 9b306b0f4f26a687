#[derive(candor::EventEnum)]
struct Payment {
    kind: String,
}

fn main() {}
