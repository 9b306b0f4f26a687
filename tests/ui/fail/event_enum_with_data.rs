#[derive(candor::EventEnum)]
enum Payment {
    Card { last_digits: u16 },
    BankTransfer(String),
    Voucher,
}

fn main() {}
