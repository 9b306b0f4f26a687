use candor::{Counter, Distribution, EventEnum, LabeledCounter, Metrics, Quantity};

#[derive(EventEnum, Clone, Copy)]
enum PaymentFailure {
    Timeout,
    Declined,
    Other,
}

/// A subset of a namespace's metrics is fine; so is a path to the type.
#[derive(Metrics)]
#[metrics(namespace = "shop")]
pub struct ShopMetrics {
    carts_opened: candor::Counter,
    payment_failures: LabeledCounter<PaymentFailure>,
    checkout_time: Distribution,
    items_in_cart: Quantity,
}

#[derive(Metrics)]
#[metrics(namespace = "shop")]
struct Few {
    carts_opened: Counter,
}

static SHOP: ShopMetrics = ShopMetrics::new();
static FEW: Few = Few::new();

fn main() {
    SHOP.carts_opened.inc();
    SHOP.payment_failures.add(PaymentFailure::Declined, 2);
    SHOP.checkout_time.record_duration(std::time::Duration::from_millis(420));
    SHOP.items_in_cart.set(3);
    FEW.carts_opened.add(1);
    let cells = SHOP.cells();
    assert_eq!(cells.len(), 4);
    assert_eq!(cells[0].meta().name, "shop.carts_opened");
    assert_eq!(cells[1].meta().consent, candor::Consent::Diagnostics);
    assert_eq!(
        cells[2].meta().shape,
        candor::metrics::MetricShape::Distribution { unit: candor::metrics::MetricUnit::Ms, buckets: &[0, 100, 1000, 10000] }
    );
    assert_eq!(cells[3].meta().expires_day, u32::MAX);
}
