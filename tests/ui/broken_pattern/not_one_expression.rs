// `E[0-9]{3})|(?:E` is not a regular expression on its own. Wrapped as `\A(?:p)\z` it would
// compile into an alternation that accepts any value starting with `E042`, so the schema is
// refused, and with it the struct.
#[derive(candor::Event)]
#[event(name = "support.ticket_opened")]
struct TicketOpened {
    error_code: String,
}

fn main() {}
