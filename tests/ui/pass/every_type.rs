// Every YAML type with each Rust type that fits it (see docs/derive.md).
use candor::Event;
use std::borrow::Cow;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

#[derive(candor::EventEnum)]
enum Payment {
    Card,
    BankTransfer,
    Voucher,
}

#[derive(candor::EventEnum)]
enum Theme {
    Dark,
    Light,
}

#[derive(Event)]
#[event(name = "shop.checkout_finished", version = 3)]
struct Wide {
    express: bool,
    items: usize,
    step_delta: isize,
    load_ms: Duration,
    ratio: f64,
    payment: Payment,
    coupon_code: Option<String>,
    theme: Theme,
    retries: Option<u64>,
}

#[derive(Event)]
#[event(name = "shop.checkout_finished")]
struct Narrow<'a> {
    express: bool,
    items: u8,
    step_delta: i8,
    load_ms: u16,
    ratio: f32,
    payment: Payment,
    coupon_code: Option<&'a str>,
    theme: Rc<str>,
    retries: Option<u32>,
}

#[derive(Event)]
#[event(name = "shop.checkout_finished")]
struct Wrapped {
    express: bool,
    items: u32,
    step_delta: i16,
    load_ms: u64,
    ratio: f32,
    payment: Payment,
    coupon_code: Option<Box<str>>,
    theme: Cow<'static, str>,
    retries: Option<u16>,
}

#[derive(Event)]
#[event(name = "shop.checkout_finished")]
struct Shared {
    express: bool,
    items: u64,
    step_delta: i32,
    load_ms: usize,
    ratio: f64,
    payment: Payment,
    coupon_code: Option<Arc<str>>,
    theme: &'static str,
    retries: Option<u8>,
}

#[derive(Event)]
#[event(name = "shop.page_viewed")]
struct PageViewed {
    render_us: u64,
    session_s: Option<u32>,
    offset: i64,
    weight: Option<f64>,
    level: Option<u16>,
}

// Optional fields may be left out of the struct altogether.
#[derive(Event)]
#[event(name = "shop.page_viewed")]
struct PageViewedMinimal {
    render_us: Duration,
    offset: i32,
}

fn fields<E: Event>(e: &E) -> String {
    let mut buf = Vec::new();
    e.encode_fields(&mut candor::FieldWriter::new(&mut buf)).unwrap();
    String::from_utf8(buf).unwrap()
}

fn main() {
    let coupon = String::from("SPRING24");
    let narrow = Narrow {
        express: true,
        items: 2,
        step_delta: -1,
        load_ms: 150,
        ratio: 0.5,
        payment: Payment::Card,
        coupon_code: Some(&coupon),
        theme: Rc::from("dark"),
        retries: None,
    };
    assert_eq!(
        fields(&narrow),
        r#"{"express":true,"items":2,"step_delta":-1,"load_ms":100,"ratio":0.5,"payment":"card","coupon_code":"SPRING24","theme":"dark"}"#
    );
    let minimal = PageViewedMinimal { render_us: Duration::from_micros(42), offset: 7 };
    assert_eq!(fields(&minimal), r#"{"render_us":42,"offset":7}"#);
    let _ = (
        Wide::NAME,
        Wrapped::VERSION,
        Shared::FINGERPRINT,
        PageViewed::CONSENT,
        Payment::BankTransfer,
        Payment::Voucher,
        Theme::Light,
    );
}
