//! Test support: loopback servers (`candor-testkit`) that answer like each vendor, the sinks
//! pointed at them, and helpers to read what each vendor received.
//!
//! A fake vendor judges every request by the vendor's documented rules (path, credentials,
//! content type and encoding, body and event limits, per-event validation) and answers what the
//! vendor answers. [`Fake::accepted_ids`] re-applies the same judgement to what was recorded,
//! so a test sees exactly the events the vendor would have kept: an event the vendor drops
//! while answering 200 (Segment past 2500 events, Snowplow's bad rows) is not among them.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use candor::transport::vendor::Limits;
use candor::{
    Client, Config, Consent, MixpanelTransport, OtlpTransport, PostHogTransport, Request, Response,
    SegmentTransport, SnowplowTransport, Transport, TransportError,
};
pub use candor_interop::Vendor;
pub use candor_testkit::{dead_port, Answer, Received, Server};
use candor_tests::wallet::{FeeLevel, Network, TransactionSigned};
use serde_json::{json, Value};

pub const WRITE_KEY: &str = "wk_TEST";
pub const PROJECT_TOKEN: &str = "mp_TEST";
pub const API_KEY: &str = "phc_TEST";
pub const IGLU_VENDOR: &str = "com.example";

/// Config with short timings for tests. Fails loudly, never passes silently, on a machine
/// whose environment opts out of telemetry.
pub fn config() -> Config {
    assert!(
        !candor::environment_opts_out(),
        "DO_NOT_TRACK or CANDOR_TELEMETRY is set: unset it to run these tests"
    );
    let mut c = Config::new("candor-tests", "0.1.0");
    c.batch_interval = Duration::from_millis(50);
    c.retry.base = Duration::from_millis(10);
    c.retry.cap = Duration::from_millis(100);
    c
}

/// A started client with usage consent granted.
pub fn client(cfg: Config, sink: impl Transport) -> Client {
    let c = Client::start(cfg, sink).expect("client starts");
    assert!(c.set_consent(Consent::Usage, true));
    c
}

/// The README's event, varied by `i`.
pub fn event(i: u64) -> TransactionSigned {
    let networks = [Network::Mainnet, Network::Testnet, Network::Other];
    let fees = [
        FeeLevel::Low,
        FeeLevel::Medium,
        FeeLevel::High,
        FeeLevel::Custom,
    ];
    TransactionSigned {
        network: networks[i as usize % 3],
        confirm_ms: i * 997,
        hardware_wallet: (!i.is_multiple_of(4)).then_some(i.is_multiple_of(2)),
        fee_level: fees[i as usize % 4],
    }
}

pub fn track(client: &Client, n: u64) {
    for i in 0..n {
        client.track(&event(i));
    }
}

/// A unique temporary directory for one test.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let d = std::env::temp_dir().join(format!("candor-sinks-{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Waits until `f` is true (polling), panicking after `limit`.
pub fn wait_until(limit: Duration, mut f: impl FnMut() -> bool) {
    let end = Instant::now() + limit;
    while !f() {
        assert!(
            Instant::now() < end,
            "condition not reached within {limit:?}"
        );
        thread::sleep(Duration::from_millis(5));
    }
}

/// A loopback server answering like `vendor`.
pub struct Fake {
    pub vendor: Vendor,
    pub server: Server,
}

impl Fake {
    pub fn start(vendor: Vendor) -> Fake {
        Fake::on(vendor, Server::start())
    }

    /// Answers like `vendor` on an existing server (e.g. one started on a port a client was
    /// pointed at while it was down).
    pub fn on(vendor: Vendor, server: Server) -> Fake {
        server.respond_with(move |r| judge(vendor, r).0);
        Fake { vendor, server }
    }

    /// `http://127.0.0.1:<port>`: what a sink is given as its base URL.
    pub fn base(&self) -> String {
        self.server.url_for("")
    }

    /// The sink for this vendor, pointed at this server, with short timeouts.
    pub fn sink(&self) -> Box<dyn Transport> {
        sink(self.vendor, &self.base())
    }

    /// Answers like the vendor again, after a test made it answer otherwise.
    pub fn heal(&self) {
        let vendor = self.vendor;
        self.server.respond_with(move |r| judge(vendor, r).0);
    }

    /// Answers `fault(index)` where it returns one, like the vendor otherwise.
    pub fn faults(&self, fault: impl Fn(usize) -> Option<Answer> + Send + Sync + 'static) {
        let vendor = self.vendor;
        self.server
            .respond_with(move |r| fault(r.index).unwrap_or_else(|| judge(vendor, r).0));
    }

    /// Vendor ids (32 hex digits, dashes removed) of every event the vendor kept, in
    /// arrival order, duplicates included.
    pub fn accepted_ids(&self) -> Vec<String> {
        self.server
            .requests()
            .iter()
            .flat_map(|r| {
                let (answer, kept) = judge(self.vendor, r);
                if answer.reset || r.status != answer.status {
                    Vec::new() // a scripted fault answered instead of the vendor
                } else {
                    kept
                }
            })
            .collect()
    }

    /// Vendor ids of every event in every request, answered or not.
    pub fn attempted_ids(&self) -> Vec<String> {
        self.server
            .requests()
            .iter()
            .flat_map(|r| ids(self.vendor, &r.json))
            .collect()
    }

    /// Asserts the vendor kept exactly `n` distinct events, duplicates allowed (the vendor
    /// keeps one copy per vendor id), and returns them.
    pub fn assert_kept(&self, n: usize) -> BTreeSet<String> {
        let unique: BTreeSet<String> = self.accepted_ids().into_iter().collect();
        assert_eq!(unique.len(), n, "{}: events lost", self.vendor);
        unique
    }

    /// Asserts the vendor kept exactly `n` distinct events, each once (nothing lost, nothing
    /// kept twice), and returns them.
    pub fn assert_each_once(&self, n: usize) -> BTreeSet<String> {
        let accepted = self.accepted_ids();
        let unique: BTreeSet<String> = accepted.iter().cloned().collect();
        assert_eq!(
            accepted.len(),
            unique.len(),
            "{}: an event was accepted twice",
            self.vendor
        );
        assert_eq!(unique.len(), n, "{}: events lost", self.vendor);
        unique
    }
}

pub fn sink(vendor: Vendor, base: &str) -> Box<dyn Transport> {
    sink_with(vendor, base, |l| l)
}

/// The sink for `vendor` with its limits changed by `adjust` (e.g. few events per request,
/// so one batch becomes several vendor requests).
pub fn sink_with(
    vendor: Vendor,
    base: &str,
    adjust: impl Fn(Limits) -> Limits,
) -> Box<dyn Transport> {
    let timeout = Duration::from_secs(10);
    match vendor {
        Vendor::Segment => Box::new(
            SegmentTransport::new(base, WRITE_KEY)
                .unwrap()
                .with_timeout(timeout)
                .with_limits(adjust(candor_interop::vendor::segment::LIMITS)),
        ),
        Vendor::Mixpanel => Box::new(
            MixpanelTransport::new(base, PROJECT_TOKEN)
                .unwrap()
                .with_timeout(timeout)
                .with_limits(adjust(candor_interop::vendor::mixpanel::LIMITS)),
        ),
        Vendor::Snowplow => Box::new(
            SnowplowTransport::new(base)
                .unwrap()
                .with_iglu_vendor(IGLU_VENDOR)
                .unwrap()
                .with_timeout(timeout)
                .with_limits(adjust(candor_interop::vendor::snowplow::LIMITS)),
        ),
        Vendor::PostHog => Box::new(
            PostHogTransport::new(base, API_KEY)
                .unwrap()
                .with_timeout(timeout)
                .with_limits(adjust(candor_interop::vendor::posthog::LIMITS)),
        ),
        Vendor::Otlp => Box::new(
            OtlpTransport::new(base)
                .unwrap()
                .with_timeout(timeout)
                .with_limits(adjust(candor_interop::vendor::otlp::LIMITS)),
        ),
    }
}

/// At most `n` events per vendor request.
pub fn per_request(n: usize) -> impl Fn(Limits) -> Limits {
    move |l| Limits {
        max_events: Some(n),
        ..l
    }
}

/// The events of a vendor body, in order.
pub fn events(vendor: Vendor, body: &Value) -> Vec<Value> {
    let list = match vendor {
        Vendor::Segment | Vendor::PostHog => body["batch"].as_array(),
        Vendor::Mixpanel => body.as_array(),
        Vendor::Snowplow => body["data"].as_array(),
        Vendor::Otlp => body["resourceLogs"][0]["scopeLogs"][0]["logRecords"].as_array(),
    };
    list.cloned().unwrap_or_default()
}

/// The vendor id of one event of a vendor body (dashes removed).
pub fn id_of(vendor: Vendor, e: &Value) -> String {
    let id = match vendor {
        Vendor::Segment => &e["messageId"],
        Vendor::Mixpanel => &e["properties"]["$insert_id"],
        Vendor::Snowplow => &e["eid"],
        Vendor::PostHog => &e["uuid"],
        Vendor::Otlp => {
            let attrs = e["attributes"].as_array().cloned().unwrap_or_default();
            return attrs
                .iter()
                .find(|a| a["key"] == "log.record.uid")
                .and_then(|a| a["value"]["stringValue"].as_str())
                .unwrap_or("")
                .replace('-', "");
        }
    };
    id.as_str().unwrap_or("").replace('-', "")
}

/// The vendor ids in a vendor body, in order.
pub fn ids(vendor: Vendor, body: &Value) -> Vec<String> {
    events(vendor, body)
        .iter()
        .map(|e| id_of(vendor, e))
        .collect()
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit() && !c.is_ascii_uppercase(),
        })
}

fn basic(user: &str) -> String {
    use std::fmt::Write;
    // Standard base64 of "user:" (RFC 4648), written here independently of the encoders.
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{user}:").into_bytes();
    let mut out = String::from("Basic ");
    for chunk in input.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                let _ = write!(out, "=");
            }
        }
    }
    out
}

fn json_answer(status: u16, body: Value) -> Answer {
    Answer::status(status)
        .header("Content-Type", "application/json")
        .body(body.to_string())
}

/// What `vendor` answers to `r`, and the vendor ids of the events it keeps.
pub fn judge(vendor: Vendor, r: &Received) -> (Answer, Vec<String>) {
    if r.method != "POST" {
        return (Answer::status(405), Vec::new());
    }
    match vendor {
        Vendor::Segment => segment(r),
        Vendor::Mixpanel => mixpanel(r),
        Vendor::Snowplow => snowplow(r),
        Vendor::PostHog => posthog(r),
        Vendor::Otlp => otlp(r),
    }
}

/// Segment's HTTP Tracking API: 200 for everything except large payloads and invalid JSON
/// (400): 500 KB per request, 32 KB per event; past 2500 events per batch it answers 200 and
/// drops the events. Events need `messageId` and `anonymousId` or `userId`.
fn segment(r: &Received) -> (Answer, Vec<String>) {
    if r.path != "/v1/batch" {
        return (Answer::status(404), Vec::new());
    }
    if r.header("authorization") != Some(basic(WRITE_KEY).as_str()) {
        return (
            json_answer(401, json!({"error": "Invalid write key"})),
            Vec::new(),
        );
    }
    let too_big = r.body.len() > 500_000
        || events(Vendor::Segment, &r.json)
            .iter()
            .any(|e| e.to_string().len() > 32_000);
    if !r.json.is_object() || too_big {
        return (json_answer(400, json!({"success": false})), Vec::new());
    }
    let list = events(Vendor::Segment, &r.json);
    let kept = if list.len() > 2500 {
        Vec::new()
    } else {
        list.iter()
            .filter(|e| {
                e["type"] == "track"
                    && e["event"].is_string()
                    && e["messageId"].as_str().is_some_and(|m| m.len() < 100)
                    && (e["anonymousId"].is_string() || e["userId"].is_string())
            })
            .map(|e| id_of(Vendor::Segment, e))
            .collect()
    };
    (json_answer(200, json!({"success": true})), kept)
}

/// Values Mixpanel refuses as `distinct_id` or `$insert_id`.
const MIXPANEL_REFUSED_IDS: [&str; 18] = [
    "00000000-0000-0000-0000-000000000000",
    "anon",
    "anonymous",
    "nil",
    "none",
    "null",
    "n/a",
    "na",
    "undefined",
    "unknown",
    "<nil>",
    "0",
    "-1",
    "true",
    "false",
    "[]",
    "{}",
    "",
];

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Mixpanel's `/import?strict=1`: 401 without the project token, 413 past 2 MiB, 400 past
/// 2000 events, and per event: time from 1971 to an hour ahead, `distinct_id` present (the
/// empty string allowed), `$insert_id` of at most 36 letters, digits or `-`, fewer than 255
/// properties, under 1 MB. Failed events are listed in a 400 answer; the others are kept.
fn mixpanel(r: &Received) -> (Answer, Vec<String>) {
    if !r.path.starts_with("/import") {
        return (Answer::status(404), Vec::new());
    }
    if r.header("authorization") != Some(basic(PROJECT_TOKEN).as_str()) {
        let body = json!({"code": 401, "error": "Invalid credentials", "status": "Unauthorized"});
        return (json_answer(401, body), Vec::new());
    }
    if r.body.len() > 2_097_152 {
        let body = json!({"code": 413, "error": "request exceeds max limit of 2097152 bytes",
                          "status": "Request Entity Too Large"});
        return (json_answer(413, body), Vec::new());
    }
    let Some(list) = r.json.as_array() else {
        return (
            json_answer(400, json!({"code": 400, "error": "invalid JSON"})),
            Vec::new(),
        );
    };
    if list.len() > 2000 {
        return (
            json_answer(400, json!({"code": 400, "error": "too many events"})),
            Vec::new(),
        );
    }
    let (mut kept, mut failed) = (Vec::new(), Vec::new());
    for (index, e) in list.iter().enumerate() {
        let p = &e["properties"];
        let insert_id = p["$insert_id"].as_str().unwrap_or("");
        let time_ok = p["time"]
            .as_i64()
            .is_some_and(|t| (31_536_000_000..=now_ms() + 3_600_000).contains(&t));
        let distinct_ok = p["distinct_id"]
            .as_str()
            .is_some_and(|d| d.is_empty() || !MIXPANEL_REFUSED_IDS.contains(&d));
        let insert_ok = insert_id.len() <= 36
            && insert_id
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-')
            && !MIXPANEL_REFUSED_IDS.contains(&insert_id);
        let props_ok = p.as_object().is_some_and(|o| o.len() < 255);
        let size_ok = e.to_string().len() < 1_000_000;
        if e["event"].as_str().is_some_and(|n| !n.is_empty())
            && time_ok
            && distinct_ok
            && insert_ok
            && props_ok
            && size_ok
        {
            kept.push(insert_id.to_owned());
        } else {
            failed.push(json!({"index": index, "$insert_id": insert_id,
                               "field": "properties", "message": "invalid"}));
        }
    }
    if failed.is_empty() {
        let body = json!({"code": 200, "num_records_imported": kept.len(), "status": "OK"});
        (json_answer(200, body), kept)
    } else {
        let body = json!({"code": 400, "error": "some data points in the request failed validation",
                          "failed_records": failed, "num_records_imported": kept.len(),
                          "status": "Bad Request"});
        (json_answer(400, body), kept)
    }
}

/// A Snowplow collector: 200 to any POST on the tp2 path; events that the pipeline cannot
/// read (not a `payload_data` body, a body sent gzip'd, which the collector does not decode,
/// an event that is not self-describing) end up as bad rows, not kept.
fn snowplow(r: &Received) -> (Answer, Vec<String>) {
    if r.path != "/com.snowplowanalytics.snowplow/tp2" {
        return (Answer::status(404), Vec::new());
    }
    let ok = Answer::ok().body("ok");
    if r.header("content-encoding").is_some()
        || r.json["schema"] != "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4"
    {
        return (ok, Vec::new());
    }
    let kept = events(Vendor::Snowplow, &r.json)
        .iter()
        .filter(|e| {
            let ue: Value = e["ue_pr"]
                .as_str()
                .and_then(|s| serde_json::from_str(s).ok())
                .unwrap_or(Value::Null);
            e["e"] == "ue"
                && e["eid"].as_str().is_some_and(is_uuid)
                && e["dtm"].as_str().is_some()
                && ue["schema"]
                    == "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0"
                && ue["data"]["schema"]
                    .as_str()
                    .is_some_and(|s| s.starts_with(&format!("iglu:{IGLU_VENDOR}.")))
        })
        .map(|e| id_of(Vendor::Snowplow, e))
        .collect();
    (ok, kept)
}

/// PostHog's `/batch/`: 401 without the project API key, 413 past 20 MiB, 400 for an event
/// without `event`, a non-empty `distinct_id` or a UUID `uuid`.
fn posthog(r: &Received) -> (Answer, Vec<String>) {
    if r.path != "/batch/" && r.path != "/batch" {
        return (Answer::status(404), Vec::new());
    }
    if r.body.len() > 20 * 1024 * 1024 {
        return (Answer::status(413), Vec::new());
    }
    if r.json["api_key"] != API_KEY {
        let body = json!({"type": "authentication_error", "code": "invalid_api_key"});
        return (json_answer(401, body), Vec::new());
    }
    let list = events(Vendor::PostHog, &r.json);
    let valid = |e: &Value| {
        e["event"].as_str().is_some_and(|n| !n.is_empty())
            && e["distinct_id"].as_str().is_some_and(|d| !d.is_empty())
            && e["uuid"].as_str().is_some_and(is_uuid)
    };
    if list.is_empty() || !list.iter().all(valid) {
        let body = json!({"type": "validation_error", "code": "invalid_payload"});
        return (json_answer(400, body), Vec::new());
    }
    let kept = list.iter().map(|e| id_of(Vendor::PostHog, e)).collect();
    (json_answer(200, json!({"status": "Ok"})), kept)
}

/// An OTLP/HTTP logs receiver: 415 for a content type it does not take, 400 for a body that
/// is not an `ExportLogsServiceRequest`, 200 with an empty `ExportLogsServiceResponse`.
fn otlp(r: &Received) -> (Answer, Vec<String>) {
    if r.path != "/v1/logs" {
        return (Answer::status(404), Vec::new());
    }
    if r.header("content-type") != Some("application/json") {
        return (Answer::status(415), Vec::new());
    }
    if !r.json["resourceLogs"].is_array() {
        return (json_answer(400, json!({"code": 3})), Vec::new());
    }
    let kept = events(Vendor::Otlp, &r.json)
        .iter()
        .filter(|e| e["eventName"].is_string() && e["timeUnixNano"].is_string())
        .map(|e| id_of(Vendor::Otlp, e))
        .collect();
    (json_answer(200, json!({})), kept)
}

/// Wraps a transport and keeps every document the runtime hands it: what the sink was asked
/// to deliver, to compare with what the vendor received.
pub struct Tee {
    inner: Box<dyn Transport>,
    docs: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl Tee {
    pub fn new(inner: Box<dyn Transport>) -> (Tee, Arc<Mutex<Vec<Vec<u8>>>>) {
        let docs = Arc::new(Mutex::new(Vec::new()));
        (
            Tee {
                inner,
                docs: Arc::clone(&docs),
            },
            docs,
        )
    }
}

impl Transport for Tee {
    fn send(&mut self, request: &Request<'_>) -> Result<Response, TransportError> {
        self.docs.lock().unwrap().push(request.json.to_vec());
        self.inner.send(request)
    }

    fn delivers_deletion_requests(&self) -> bool {
        self.inner.delivers_deletion_requests()
    }
}

/// Unix milliseconds of a wire minute `YYYY-MM-DDTHH:MMZ` (days from the civil calendar,
/// computed here independently of the encoders).
pub fn minute_ms(minute: &str) -> i64 {
    let n = |a: usize, b: usize| minute[a..b].parse::<i64>().unwrap();
    let (y, m, d, hh, mm) = (n(0, 4), n(5, 7), n(8, 10), n(11, 13), n(14, 16));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    (days * 1440 + hh * 60 + mm) * 60_000
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` from 32 hex digits.
pub fn uuid(hex: &str) -> String {
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[test]
fn basic_credentials_match_segments_documented_example() {
    // Segment's documentation: write key `abc123` → `Authorization: Basic YWJjMTIzOg==`.
    assert_eq!(basic("abc123"), "Basic YWJjMTIzOg==");
    assert_eq!(basic("wk"), "Basic d2s6");
}

#[test]
fn minutes_convert_to_unix_milliseconds() {
    assert_eq!(minute_ms("1970-01-01T00:00Z"), 0);
    assert_eq!(minute_ms("1971-01-01T00:00Z"), 31_536_000_000);
    assert_eq!(minute_ms("2000-03-01T00:01Z"), 951_868_860_000);
}
