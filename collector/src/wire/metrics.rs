//! The `candor.metrics/1` document's parts: the `metrics` array and its entries, read with
//! the same refusal rules as the rest of the wire (see the parent module).
//!
//! What the wire format's JSON Schema (`runtime/wire/metrics.schema.json`) decides is decided
//! here and refuses the whole body: an entry that is not one of the four shapes, a count that
//! is not a whole number in `0..2^64`, an unknown unit, more than 32 buckets. Whether an entry
//! fits its metric's declaration (type, unit, buckets, labels, counts per bucket) is decided
//! later, per entry, by `validate::metrics`.
//!
//! A labeled counter's `values` may hold any number of labels as far as the wire is
//! concerned, but a metric declares at most [`MAX_LABELS`]: the first ones are kept and the
//! rest are only counted ([`MetricValue::Labeled::more`]), so memory per entry stays bounded
//! however many labels a body carries; such an entry can never be valid (it names a label
//! outside the closed list) and is quarantined.

use std::borrow::Cow;
use std::fmt;

use candor_core::metric::{MetricType, MetricUnit, MAX_BUCKETS, MAX_LABELS};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use super::{missing, next_key, Text};

/// One element of a metrics document's `metrics`.
#[derive(Debug, Clone)]
pub struct WireMetric<'a> {
    pub name: Cow<'a, str>,
    pub version: u32,
    pub value: MetricValue<'a>,
}

impl WireMetric<'_> {
    /// The type the entry says it is.
    pub fn metric_type(&self) -> MetricType {
        match self.value {
            MetricValue::Counter(_) => MetricType::Counter,
            MetricValue::Labeled { .. } => MetricType::LabeledCounter,
            MetricValue::Distribution { .. } => MetricType::Distribution,
            MetricValue::Quantity { .. } => MetricType::Quantity,
        }
    }
}

/// What an entry reports, per type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetricValue<'a> {
    Counter(u64),
    Labeled {
        /// Label → count, in the order sent; at most [`MAX_LABELS`].
        values: Vec<(Cow<'a, str>, u64)>,
        /// Labels beyond the first [`MAX_LABELS`] (read, checked, not kept).
        more: u64,
    },
    Distribution {
        unit: MetricUnit,
        buckets: Vec<u64>,
        counts: Vec<u64>,
        sum: u64,
    },
    Quantity {
        unit: MetricUnit,
        value: u64,
    },
}

/// Whether `label` is a label on the wire (`^[a-z][a-z0-9_]*$`).
fn is_label(label: &str) -> bool {
    !label.contains('.') && candor_core::wire::is_event_name(label)
}

/// A whole number in `0..2^64`; `what` names the place for the message.
pub(super) struct Count {
    pub what: &'static str,
}

impl Count {
    fn what(&self) -> String {
        format!(
            "`{}` must be a whole number from 0 to 18446744073709551615",
            self.what
        )
    }
}

impl<'de> DeserializeSeed<'de> for Count {
    type Value = u64;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<u64, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Count {
    type Value = u64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }
    refuse!(bool, i64, f64, str, unit, seq, map);
}

/// An array of at most [`MAX_BUCKETS`] counts.
struct Counts {
    what: &'static str,
}

impl Counts {
    fn what(&self) -> String {
        format!(
            "`{}` must be an array of 1 to {MAX_BUCKETS} whole numbers from 0 to \
             18446744073709551615",
            self.what
        )
    }
}

impl<'de> DeserializeSeed<'de> for Counts {
    type Value = Vec<u64>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Vec<u64>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Counts {
    type Value = Vec<u64>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u64>, A::Error> {
        let mut out = Vec::with_capacity(MAX_BUCKETS);
        while let Some(n) = seq.next_element_seed(Count { what: self.what })? {
            if out.len() == MAX_BUCKETS {
                return Err(de::Error::custom(self.what()));
            }
            out.push(n);
        }
        if out.is_empty() {
            return Err(de::Error::custom(self.what()));
        }
        Ok(out)
    }
    refuse!(bool, i64, u64, f64, str, unit, map);
}

/// A labeled counter's `values`: label → count.
struct Labels;

impl Labels {
    fn what(&self) -> &'static str {
        "`metrics[].values` must be an object of snake_case labels to whole numbers from 0 to \
         18446744073709551615, with at least one label"
    }
}

impl<'de> DeserializeSeed<'de> for Labels {
    type Value = (Vec<(Cow<'de, str>, u64)>, u64);
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Labels {
    type Value = (Vec<(Cow<'de, str>, u64)>, u64);
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.what())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut values = Vec::with_capacity(8);
        let mut more = 0u64;
        while let Some(label) = map.next_key_seed(Text {
            what: "metrics[].values",
        })? {
            if !is_label(&label) {
                return Err(de::Error::custom(
                    "each label in `metrics[].values` must be snake_case",
                ));
            }
            let n = map.next_value_seed(Count {
                what: "metrics[].values",
            })?;
            if values.len() < MAX_LABELS {
                values.push((label, n));
            } else {
                more += 1;
            }
        }
        if values.is_empty() {
            return Err(de::Error::custom(self.what()));
        }
        Ok((values, more))
    }
    refuse!(bool, i64, u64, f64, str, unit, seq);
}

const METRIC_KEYS: &[&str] = &[
    "name", "version", "type", "value", "values", "unit", "buckets", "counts", "sum",
];

/// Which keys each type has besides `name`, `version` and `type` (bits of [`METRIC_KEYS`]).
fn keys_of(t: MetricType) -> u32 {
    match t {
        MetricType::Counter => 1 << 3,
        MetricType::LabeledCounter => 1 << 4,
        MetricType::Distribution => (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8),
        MetricType::Quantity => (1 << 5) | (1 << 3),
    }
}

struct MetricSeed;

impl MetricSeed {
    fn what(&self) -> &'static str {
        "each element of `metrics` must be an object"
    }
}

impl<'de> DeserializeSeed<'de> for MetricSeed {
    type Value = WireMetric<'de>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<WireMetric<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for MetricSeed {
    type Value = WireMetric<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.what())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<WireMetric<'de>, A::Error> {
        const OBJ: &str = "an element of `metrics`";
        let (mut name, mut version, mut ty) = (None, None, None);
        let (mut value, mut labels, mut unit) = (None, None, None);
        let (mut buckets, mut counts, mut sum) = (None, None, None);
        let mut seen = 0;
        while let Some(k) = next_key(&mut map, &mut seen, METRIC_KEYS, OBJ)? {
            match k {
                0 => {
                    let t = map.next_value_seed(Text {
                        what: "metrics[].name",
                    })?;
                    if !candor_core::wire::is_event_name(&t) {
                        return Err(de::Error::custom(
                            "`metrics[].name` must be a dotted snake_case metric name",
                        ));
                    }
                    name = Some(t);
                }
                1 => {
                    let v = map.next_value_seed(Count {
                        what: "metrics[].version",
                    })?;
                    version = Some(u32::try_from(v).ok().filter(|v| *v >= 1).ok_or_else(|| {
                        de::Error::custom(
                            "`metrics[].version` must be a whole number from 1 to 4294967295",
                        )
                    })?);
                }
                2 => {
                    let t = map.next_value_seed(Text {
                        what: "metrics[].type",
                    })?;
                    ty = Some(MetricType::from_name(&t).ok_or_else(|| {
                        de::Error::custom(
                            "`metrics[].type` must be `counter`, `labeled_counter`, \
                             `distribution` or `quantity`",
                        )
                    })?);
                }
                3 => {
                    value = Some(map.next_value_seed(Count {
                        what: "metrics[].value",
                    })?)
                }
                4 => labels = Some(map.next_value_seed(Labels)?),
                5 => {
                    let t = map.next_value_seed(Text {
                        what: "metrics[].unit",
                    })?;
                    unit = Some(MetricUnit::from_name(&t).ok_or_else(|| {
                        de::Error::custom(
                            "`metrics[].unit` must be one of `us`, `ms`, `s`, `bytes`, `kib`, \
                             `mib`, `count`",
                        )
                    })?);
                }
                6 => {
                    buckets = Some(map.next_value_seed(Counts {
                        what: "metrics[].buckets",
                    })?)
                }
                7 => {
                    counts = Some(map.next_value_seed(Counts {
                        what: "metrics[].counts",
                    })?)
                }
                _ => {
                    sum = Some(map.next_value_seed(Count {
                        what: "metrics[].sum",
                    })?)
                }
            }
        }
        let name = name.ok_or_else(|| missing(OBJ, "name"))?;
        let version = version.ok_or_else(|| missing(OBJ, "version"))?;
        let ty = ty.ok_or_else(|| missing(OBJ, "type"))?;
        let extra = seen & !0b111 & !keys_of(ty);
        if extra != 0 {
            let key = METRIC_KEYS[extra.trailing_zeros() as usize];
            return Err(de::Error::custom(format!(
                "a `{ty}` element of `metrics` has no key `{key}`"
            )));
        }
        let value = match ty {
            MetricType::Counter => {
                MetricValue::Counter(value.ok_or_else(|| missing(OBJ, "value"))?)
            }
            MetricType::LabeledCounter => {
                let (values, more) = labels.ok_or_else(|| missing(OBJ, "values"))?;
                MetricValue::Labeled { values, more }
            }
            MetricType::Distribution => MetricValue::Distribution {
                unit: unit.ok_or_else(|| missing(OBJ, "unit"))?,
                buckets: buckets.ok_or_else(|| missing(OBJ, "buckets"))?,
                counts: counts.ok_or_else(|| missing(OBJ, "counts"))?,
                sum: sum.ok_or_else(|| missing(OBJ, "sum"))?,
            },
            MetricType::Quantity => MetricValue::Quantity {
                unit: unit.ok_or_else(|| missing(OBJ, "unit"))?,
                value: value.ok_or_else(|| missing(OBJ, "value"))?,
            },
        };
        Ok(WireMetric {
            name,
            version,
            value,
        })
    }
    refuse!(bool, i64, u64, f64, str, unit, seq);
}

/// The `metrics` array.
pub(super) struct MetricsSeed;

impl MetricsSeed {
    fn what(&self) -> &'static str {
        "`metrics` must be an array"
    }
}

impl<'de> DeserializeSeed<'de> for MetricsSeed {
    type Value = Vec<WireMetric<'de>>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for MetricsSeed {
    type Value = Vec<WireMetric<'de>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.what())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // Each element takes at least ~50 bytes of JSON, so the body limit bounds this.
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(256));
        while let Some(m) = seq.next_element_seed(MetricSeed)? {
            out.push(m);
        }
        Ok(out)
    }
    refuse!(bool, i64, u64, f64, str, unit, map);
}

#[cfg(test)]
mod tests {
    use super::super::{parse, Document};
    use super::*;

    const ID: &str = "8c1d5e0a2b4f4c6e9a7d3b1f0e2c4a68";

    fn doc(metrics: &str) -> String {
        format!(
            r#"{{"format":"candor.metrics/1","id":"{ID}","app":{{"name":"n","version":"1","os":"linux"}},"consent":"performance","start":"2026-11-30T01:00Z","end":"2026-11-30T02:00Z","sent_at":"2026-11-30T02:00Z","metrics":[{metrics}]}}"#
        )
    }

    #[test]
    fn reads_the_documented_example() {
        let body = doc(
            r#"{"name":"node.blocks_synced","version":1,"type":"counter","value":4213},
               {"name":"node.sync_time","version":1,"type":"distribution","unit":"ms",
                "buckets":[0,100,500,1000,5000,15000,60000],"counts":[0,12,40,31,9,2,0],"sum":132884},
               {"name":"node.peers","version":1,"type":"quantity","unit":"count","value":11},
               {"type":"labeled_counter","values":{"timeout":3,"other":18446744073709551615},"version":1,"name":"node.sync_errors"}"#,
        );
        let Document::Metrics(m) = parse(body.as_bytes()).unwrap() else {
            panic!("a metrics document")
        };
        assert_eq!(super::super::hex16(&m.id), ID);
        assert_eq!(m.end - m.start, 60);
        assert_eq!(m.metrics.len(), 4);
        assert_eq!(m.metrics[0].value, MetricValue::Counter(4213));
        assert!(matches!(
            &m.metrics[1].value,
            MetricValue::Distribution { unit: MetricUnit::Ms, counts, sum: 132884, .. } if counts[2] == 40
        ));
        assert_eq!(
            m.metrics[3].value,
            MetricValue::Labeled {
                values: vec![("timeout".into(), 3), ("other".into(), u64::MAX)],
                more: 0
            }
        );
    }

    #[test]
    fn what_the_wire_schema_refuses_is_refused_whole_and_never_quoted() {
        let secret = "alice@example.org";
        let c = |v: &str| format!(r#"{{"name":"a.b","version":1,"type":"counter","value":{v}}}"#);
        let refused = [
            doc(""),
            doc(&c("-1")),
            doc(&c("1.5")),
            doc(&c("18446744073709551616")),
            doc(&c("1e400")),
            doc(&c(&format!("\"{secret}\""))),
            doc(&c("\"NaN\"")),
            doc(&c("null")),
            doc(&c("[1]")),
            doc(&format!(
                r#"{{"name":"a.b","version":1,"type":"{secret}","value":1}}"#
            )),
            doc(r#"{"name":"a.b","version":0,"type":"counter","value":1}"#),
            doc(r#"{"name":"a.b","version":4294967296,"type":"counter","value":1}"#),
            doc(r#"{"name":"a.b","version":1,"type":"counter","value":1,"unit":"ms"}"#),
            doc(r#"{"name":"a.b","version":1,"type":"counter"}"#),
            doc(r#"{"name":"a.b","version":1,"type":"quantity","unit":"parsecs","value":1}"#),
            doc(&format!(
                r#"{{"name":"a.b","version":1,"type":"labeled_counter","values":{{"{secret}":1}}}}"#
            )),
            doc(r#"{"name":"a.b","version":1,"type":"labeled_counter","values":{}}"#),
            doc(r#"{"name":"a.b","version":1,"type":"labeled_counter","values":{"x":-3}}"#),
            doc(&format!(
                r#"{{"name":"a.b","version":1,"type":"distribution","unit":"ms","buckets":[{}],"counts":[1],"sum":1}}"#,
                vec!["1"; 33].join(",")
            )),
            doc(
                r#"{"name":"a.b","version":1,"type":"distribution","unit":"ms","buckets":[],"counts":[],"sum":1}"#,
            ),
            doc(&format!("{}{}{}", "[".repeat(200), c("1"), "]".repeat(200))),
            doc(&c("1")).replace(ID, &ID.to_uppercase()),
            doc(&c("1")).replace(r#""consent":"performance""#, r#""consent":"marketing""#),
            doc(&c("1")).replace(r#","start":"2026-11-30T01:00Z""#, ""),
            doc(&c("1")).replace(r#""sent_at""#, r#""events":[],"sent_at""#),
            doc(&c("1")).replace(r#""sent_at""#, r#""categories":["usage"],"sent_at""#),
        ];
        for body in refused {
            let err = parse(body.as_bytes()).expect_err(&body);
            for leaked in [
                secret,
                "NaN",
                "parsecs",
                "marketing",
                "18446744073709551616",
            ] {
                assert!(!err.message.contains(leaked), "{body}\n  → {}", err.message);
            }
        }
        // A batch may not carry a metrics document's keys either.
        let batch = r#"{"format":"candor.batch/1","app":{"name":"w","version":"1","os":"linux"},"sent_at":"2026-11-22T12:34Z","metrics":[],"events":[]}"#;
        assert!(parse(batch.as_bytes())
            .unwrap_err()
            .message
            .contains("unknown key in the batch"));
    }

    #[test]
    fn a_million_labels_keep_only_the_first_32() {
        let mut values = String::from("{");
        for i in 0..1_000_000 {
            if i > 0 {
                values.push(',');
            }
            values.push_str(&format!("\"l{i}\":1"));
        }
        values.push('}');
        let body = doc(&format!(
            r#"{{"name":"a.b","version":1,"type":"labeled_counter","values":{values}}}"#
        ));
        let Document::Metrics(m) = parse(body.as_bytes()).unwrap() else {
            panic!("a metrics document")
        };
        let MetricValue::Labeled { values, more } = &m.metrics[0].value else {
            panic!("labeled")
        };
        assert_eq!((values.len(), *more), (MAX_LABELS, 1_000_000 - 32));
    }
}
