//! App code that panics, at a path whose folders hold a home directory, an e-mail address and
//! a wallet address, with a message that holds them too. None of it may reach a report.

/// Signs nothing; panics with personal data in its message.
#[inline(never)]
pub fn sign_for(who: &str) {
    let wallet = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
    panic!("cannot sign for {who} with {wallet} from /home/alice/.wallet/keys.json");
}
