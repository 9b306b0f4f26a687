//! What holds for every encoder: byte-identical requests for the same batch, every event in
//! exactly one request or rejected, nothing about the machine beyond the app's identity.

use candor_interop::vendor::{mixpanel, otlp, posthog, segment, snowplow};
use candor_interop::{Batch, Encoder, Mixpanel, Otlp, PostHog, Segment, Snowplow, Vendor};

use crate::support::*;

pub fn encoders() -> Vec<Box<dyn Encoder>> {
    vec![
        Box::new(Segment::new("wk")),
        Box::new(Mixpanel::new("tok")),
        Box::new(Snowplow::new()),
        Box::new(PostHog::new("phc")),
        Box::new(Otlp::new()),
    ]
}

#[test]
fn the_same_batch_gives_byte_identical_requests() {
    for install in [None, Some(INSTALL)] {
        let doc = sample(install);
        for enc in encoders() {
            let a = enc.encode(&Batch::read(&doc).unwrap());
            let b = enc.encode(&Batch::read(&doc).unwrap());
            assert_eq!(a, b, "{}", enc.vendor());
            assert_eq!(a.requests.len(), 1);
        }
    }
}

#[test]
fn ids_appear_in_the_vendor_form_and_nothing_identifies_the_machine() {
    let doc = sample(None);
    let batch = Batch::read(&doc).unwrap();
    for enc in encoders() {
        let out = enc.encode(&batch);
        let body = String::from_utf8(out.requests[0].body.clone()).unwrap();
        let expect = match enc.vendor() {
            Vendor::Mixpanel => ID_A.to_string(),
            _ => "9f1c0a6b-2d4e-48f1-a3b5-c7d9e0f21436".to_string(),
        };
        assert!(body.contains(&expect), "{}: {body}", enc.vendor());
        // The only things known about the machine: the app's name, version and OS family.
        for leak in [
            "hostname",
            "userAgent",
            "user_agent",
            "\"uid\"",
            "locale",
            "timezone",
            "sent_at",
            "sentAt",
            "\"stm\"",
        ] {
            assert!(!body.contains(leak), "{}: {leak}", enc.vendor());
        }
    }
}

#[test]
fn vendor_names_round_trip() {
    for v in Vendor::ALL {
        assert_eq!(v.name().parse::<Vendor>().unwrap(), v);
        assert_eq!(v.to_string(), v.name());
    }
    let err = "amplitude".parse::<Vendor>().unwrap_err();
    assert!(err
        .to_string()
        .contains("segment, mixpanel, snowplow, posthog or otlp"));
}

#[test]
fn default_limits_are_the_documented_ones() {
    assert_eq!(segment::LIMITS.max_event_bytes, Some(32_000));
    assert_eq!(segment::LIMITS.max_request_bytes, Some(500_000));
    assert_eq!(segment::LIMITS.max_events, Some(2500));
    assert_eq!(mixpanel::LIMITS.max_events, Some(2000));
    assert_eq!(mixpanel::LIMITS.max_request_bytes, Some(2_000_000));
    assert_eq!(mixpanel::LIMITS.max_properties, Some(254));
    assert_eq!(posthog::LIMITS.max_event_bytes, Some(900 * 1024));
    assert_eq!(snowplow::LIMITS.target_request_bytes, Some(40_000));
    assert_eq!(otlp::LIMITS.max_request_bytes, Some(64 * 1024 * 1024));
    for enc in encoders() {
        let l = enc.limits();
        let doc = match enc.vendor() {
            Vendor::Segment => segment::LIMITS,
            Vendor::Mixpanel => mixpanel::LIMITS,
            Vendor::Snowplow => snowplow::LIMITS,
            Vendor::PostHog => posthog::LIMITS,
            Vendor::Otlp => otlp::LIMITS,
        };
        assert_eq!(*l, doc);
    }
}
