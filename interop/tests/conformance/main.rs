//! Conformance against something no one here wrote: each vendor's official Python SDK records
//! the same event candor's encoder does, the SDK's request goes to a loopback server
//! (`candor-testkit`, the workspace's one test server), and the bodies must have the same
//! structure and JSON types. Every difference is listed below with the candor rule that causes
//! it; a difference not listed, or a listed one that no longer occurs, fails the test.
//!
//! The SDKs live in `target/vendor-sdks-venv` (pinned in `requirements.txt` beside this file),
//! created by `.ci/vendor-sdks.sh`; this test runs that script itself when the venv is missing,
//! and fails loudly, never skips, when it cannot.

#[path = "../common/iglu.rs"]
#[allow(dead_code)]
mod iglu;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use candor_interop::ids::{Domain, Id};
use candor_interop::vendor::snowplow::iglu_key;
use candor_interop::{Batch, Encoder, Mixpanel, PostHog, Segment, Snowplow, VendorRequest};
use candor_testkit::{Answer, Received, Server};
use serde_json::{json, Value};

const ID: &str = "9f1c0a6b2d4e48f1a3b5c7d9e0f21436";
const NAME: &str = "wallet.transaction_signed";
const TIME: &str = "2026-11-22T12:33Z";
const KEY: &str = "key_TEST";

fn fields() -> Value {
    json!({"network": "mainnet", "confirm_ms": 1000, "ratio": 0.25,
           "hardware_wallet": true, "note": "say \"hi\"\n"})
}

fn candor_doc() -> Vec<u8> {
    serde_json::to_vec(&json!({
        "format": "candor.batch/1",
        "app": {"name": "wordstat", "version": "0.1.0", "os": "linux"},
        "sent_at": "2026-11-22T12:34Z",
        "events": [{"id": ID, "name": NAME, "version": 2, "time": TIME, "fields": fields()}],
    }))
    .unwrap()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The venv's Python, creating the venv first if needed. Panics (never skips) when it cannot.
fn python() -> &'static PathBuf {
    static PY: OnceLock<PathBuf> = OnceLock::new();
    PY.get_or_init(|| {
        let venv = std::env::var_os("CANDOR_VENDOR_SDKS_VENV")
            .map(PathBuf::from)
            .unwrap_or_else(|| root().join("target/vendor-sdks-venv"));
        let status = Command::new("bash")
            .arg(root().join(".ci/vendor-sdks.sh"))
            .status()
            .expect("running .ci/vendor-sdks.sh");
        assert!(
            status.success(),
            "the vendor SDK venv could not be created: run `bash .ci/vendor-sdks.sh` (needs python3 and PyPI)"
        );
        let py = venv.join("bin/python");
        assert!(py.exists(), "{} is missing after .ci/vendor-sdks.sh", py.display());
        py
    })
}

/// Runs the SDK for `vendor` against a fresh loopback server (`candor-testkit`) answering
/// every request 200 with the JSON `answer`, and returns what the SDK sent. The SDKs send
/// uncompressed bodies, `Content-Length` or chunked; the server records them as sent.
fn record(vendor: &str, answer: &'static str, extra: Value) -> Vec<Received> {
    let server = Server::start();
    server.respond_with(move |_| {
        Answer::ok()
            .header("Content-Type", "application/json")
            .body(answer)
    });
    let mut spec = json!({
        "name": NAME, "version": 2, "time": TIME, "id": ID, "fields": fields(), "key": KEY,
        "app": {"name": "wordstat", "version": "0.1.0", "os": "linux"},
    });
    for (k, v) in extra.as_object().unwrap() {
        spec[k] = v.clone();
    }
    let out = Command::new(python())
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/record.py"))
        .args([vendor, &server.url_for(""), &spec.to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{vendor} SDK failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let requests = server.requests();
    assert!(!requests.is_empty(), "the {vendor} SDK sent nothing");
    for r in &requests {
        assert!(
            r.header("content-encoding").is_none() && !r.bad_gzip,
            "{vendor}: the SDKs are run uncompressed, so bodies are compared as sent"
        );
    }
    requests
}

/// Every path in a JSON value with its type: `a.b[].c -> "integer"`. Arrays merge their
/// elements' paths; integers and floats are different types.
fn shape(v: &Value) -> BTreeMap<String, &'static str> {
    fn walk(v: &Value, path: String, out: &mut BTreeMap<String, &'static str>) {
        let t = match v {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_f64() => "float",
            Value::Number(_) => "integer",
            Value::String(_) => "string",
            Value::Array(a) => {
                for x in a {
                    walk(x, format!("{path}[]"), out);
                }
                "array"
            }
            Value::Object(m) => {
                for (k, x) in m {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(x, p, out);
                }
                "object"
            }
        };
        out.insert(if path.is_empty() { "$".into() } else { path }, t);
    }
    let mut out = BTreeMap::new();
    walk(v, String::new(), &mut out);
    out
}

/// A difference candor makes on purpose: the path, and the rule.
struct Allowed(&'static str, &'static str);

/// Compares shapes: same paths, same types, except the listed paths (only in the SDK's body,
/// or only in candor's), each of which must actually differ.
fn conform(vendor: &str, sdk: &Value, ours: &Value, sdk_only: &[Allowed], candor_only: &[Allowed]) {
    let (a, b) = (shape(sdk), shape(ours));
    let listed = |list: &[Allowed], p: &str| list.iter().any(|Allowed(path, _)| *path == p);
    let mut problems = Vec::new();
    for (path, t) in &a {
        match b.get(path) {
            None if listed(sdk_only, path) => {}
            None => problems.push(format!("only the SDK sends {path} ({t})")),
            Some(u) if u != t => problems.push(format!("{path}: SDK {t}, candor {u}")),
            Some(_) if listed(sdk_only, path) => {
                problems.push(format!("{path} is listed as SDK-only but candor sends it"))
            }
            Some(_) => {}
        }
    }
    for (path, t) in &b {
        if !a.contains_key(path) && !listed(candor_only, path) {
            problems.push(format!("only candor sends {path} ({t})"));
        }
        if a.contains_key(path) && listed(candor_only, path) {
            problems.push(format!(
                "{path} is listed as candor-only but the SDK sends it"
            ));
        }
    }
    for Allowed(path, why) in sdk_only.iter().chain(candor_only) {
        assert!(!why.is_empty());
        if !a.contains_key(*path) && !b.contains_key(*path) {
            problems.push(format!("listed difference {path} occurs in neither body"));
        }
    }
    assert!(
        problems.is_empty(),
        "{vendor}:\n  {}\nSDK: {sdk}\ncandor: {ours}",
        problems.join("\n  ")
    );
}

/// An RFC 3339 UTC time in one spelling (`Z`, no zero milliseconds), to compare instants.
fn instant(v: &Value) -> String {
    v.as_str()
        .unwrap()
        .replace("+00:00", "Z")
        .replace(".000Z", "Z")
}

fn encode(enc: &dyn Encoder) -> VendorRequest {
    let doc = candor_doc();
    let mut out = enc.encode(&Batch::read(&doc).unwrap());
    assert!(out.rejected.is_empty());
    assert_eq!(out.requests.len(), 1);
    out.requests.remove(0)
}

fn body(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(bytes)))
}

fn form(body: &[u8]) -> BTreeMap<String, String> {
    fn unescape(s: &str) -> String {
        let s = s.replace('+', " ");
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' && i + 2 < b.len() + 1 {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    }
    std::str::from_utf8(body)
        .unwrap()
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (unescape(k), unescape(v)))
        .collect()
}

#[test]
fn segment_matches_analytics_python() {
    let ours = encode(&Segment::new(KEY));
    let anon = Id::parse_hex(ID)
        .unwrap()
        .derive(Domain::SegmentAnonymous)
        .uuid();
    let sdk = record("segment", "{}", json!({"anonymous_id": anon}));
    let sdk = &sdk[0];
    assert_eq!(sdk.method, "POST");
    assert_eq!(sdk.path, ours.path);
    assert_eq!(
        sdk.header("authorization"),
        ours.header("authorization"),
        "same Basic write key"
    );
    let (a, b) = (body(&sdk.body), body(&ours.body));
    conform(
        "segment",
        &a,
        &b,
        &[
            Allowed("sentAt", "times are minutes: Segment would shift every timestamp by sentAt's distance from its receive time"),
            Allowed("writeKey", "the write key travels once, as Basic credentials, not also in the body"),
            Allowed("batch[].integrations", "the SDK sends the default ({}); candor leaves the default implicit"),
            Allowed("batch[].userId", "no user id: the SDK sends null, candor never names a person"),
        ],
        &[Allowed("batch[].context.ip", "no IP kept: Segment otherwise records the request's address")],
    );
    // Same ids, same values where both send them.
    assert_eq!(
        instant(&a["batch"][0]["timestamp"]),
        instant(&b["batch"][0]["timestamp"])
    );
    for key in ["messageId", "anonymousId", "event", "properties"] {
        assert_eq!(a["batch"][0][key], b["batch"][0][key], "{key}");
    }
    assert!(
        a["batch"][0]["context"].get("direct").is_none()
            && b["batch"][0]["context"].get("direct").is_none()
    );
    assert_eq!(b["batch"][0]["context"]["ip"], "0.0.0.0");
}

#[test]
fn mixpanel_matches_mixpanel_python() {
    let ours = encode(&Mixpanel::new(KEY));
    let sdk = record("mixpanel", r#"{"status": 1, "error": null}"#, json!({}));
    let sdk = &sdk[0];
    // Same endpoint and credentials; both ask Mixpanel not to geolocate the request (ip=0).
    assert!(sdk.path.starts_with("/import"));
    assert!(ours.path.starts_with("/import?") && ours.path.contains("ip=0"));
    assert_eq!(sdk.header("authorization"), ours.header("authorization"));
    let f = form(&sdk.body);
    assert_eq!(f.get("ip").map(String::as_str), Some("0"));
    // The SDK sends one event object form-encoded; candor a JSON array of them.
    let a = body(f["data"].as_bytes());
    let b = body(&ours.body)[0].clone();
    conform(
        "mixpanel",
        &a,
        &b,
        &[Allowed(
            "properties.token",
            "the project token travels once, as Basic credentials, not in every event",
        )],
        &[],
    );
    for key in [
        "time",
        "distinct_id",
        "$insert_id",
        "network",
        "confirm_ms",
        "ratio",
        "hardware_wallet",
        "note",
    ] {
        assert_eq!(a["properties"][key], b["properties"][key], "{key}");
    }
    assert_eq!(b["properties"]["distinct_id"], "", "present and empty");
}

#[test]
fn posthog_matches_posthog_python() {
    let ours = encode(&PostHog::new(KEY));
    let sdk = record("posthog", r#"{"status": "Ok"}"#, json!({}));
    let sdk = sdk
        .iter()
        .find(|r| r.path.starts_with("/batch"))
        .expect("a /batch/ request");
    assert_eq!(sdk.path, ours.path);
    let (a, b) = (body(&sdk.body), body(&ours.body));
    let machine = "nothing about the machine beyond the app's name, version and OS family";
    let sdk_only = [
        Allowed("sent_at", "times are minutes: PostHog would shift timestamps by sent_at's distance from its receive time"),
        Allowed("historical_migration", "the SDK sends the default (false); candor leaves it implicit"),
        Allowed("batch[].properties.$os_version", machine),
        Allowed("batch[].properties.$os_distro", machine),
        Allowed("batch[].properties.$python_runtime", machine),
        Allowed("batch[].properties.$python_version", machine),
        Allowed("batch[].properties.$is_server", machine),
    ];
    conform(
        "posthog",
        &a,
        &b,
        &sdk_only,
        &[Allowed(
            "batch[].properties.$ip",
            "no IP kept: an explicit null stops PostHog copying the request address into $ip",
        )],
    );
    let (e, o) = (&a["batch"][0], &b["batch"][0]);
    for key in ["uuid", "event"] {
        assert_eq!(e[key], o[key], "{key}");
    }
    assert_eq!(instant(&e["timestamp"]), instant(&o["timestamp"]));
    for key in [
        "$process_person_profile",
        "$geoip_disable",
        "network",
        "confirm_ms",
        "ratio",
        "hardware_wallet",
        "note",
    ] {
        assert_eq!(e["properties"][key], o["properties"][key], "{key}");
    }
    assert_eq!(o["properties"]["$process_person_profile"], false);
    assert_eq!(o["properties"]["$geoip_disable"], true);
    // Both use a personless, random-looking id that is not the event's.
    assert_ne!(e["distinct_id"], e["uuid"]);
    assert_ne!(o["distinct_id"], o["uuid"]);
}

#[test]
fn snowplow_matches_snowplow_python_tracker_and_both_validate() {
    let ours = encode(&Snowplow::new().with_iglu_vendor("com.example").unwrap());
    let uri = iglu_key("com.example", NAME, 2).uri();
    let sdk = record("snowplow", "{}", json!({"iglu_uri": uri}));
    let sdk = &sdk[0];
    assert_eq!(sdk.path, ours.path);
    assert_eq!(ours.header("SP-Anonymous"), Some("*"));
    let (a, b) = (body(&sdk.body), body(&ours.body));
    iglu::validate_body(&a);
    iglu::validate_body(&b);
    conform(
        "snowplow",
        &a,
        &b,
        &[Allowed(
            "data[].stm",
            "times are minutes: the pipeline would shift derived timestamps by the send time",
        )],
        &[],
    );
    let (e, o) = (&a["data"][0], &b["data"][0]);
    for key in ["e", "p", "aid", "tna"] {
        assert_eq!(e[key], o[key], "{key}");
    }
    let ue = |v: &Value| -> Value { serde_json::from_str(v["ue_pr"].as_str().unwrap()).unwrap() };
    assert_eq!(ue(e), ue(o), "the same self-describing event");
    let co = |v: &Value| -> Value { serde_json::from_str(v["co"].as_str().unwrap()).unwrap() };
    assert_eq!(co(e)["data"], co(o)["data"], "the same context entity");
    for absent in ["uid", "duid", "nuid", "ip", "ua"] {
        assert!(o.get(absent).is_none(), "{absent}");
    }
}

#[test]
#[should_panic(expected = "only candor sends extra")]
fn the_comparison_catches_an_unlisted_difference() {
    conform(
        "self-test",
        &json!({"a": 1}),
        &json!({"a": 2, "extra": true}),
        &[],
        &[],
    );
}

#[test]
#[should_panic(expected = "a: SDK integer, candor string")]
fn the_comparison_catches_a_changed_type() {
    conform("self-test", &json!({"a": 1}), &json!({"a": "1"}), &[], &[]);
}

#[test]
#[should_panic(expected = "listed difference gone occurs in neither body")]
fn the_comparison_catches_a_stale_exception() {
    conform(
        "self-test",
        &json!({"a": 1}),
        &json!({"a": 2}),
        &[Allowed("gone", "was removed")],
        &[],
    );
}
