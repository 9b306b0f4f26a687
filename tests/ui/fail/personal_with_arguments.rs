#[candor::personal(kind = "email")]
struct Email(String);

fn main() {}
