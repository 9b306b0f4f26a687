//! One test per kind of change `candor diff` must report: what it says, which bump it needs,
//! whether it is a privacy change, and when the check fails.

#[path = "golden/support.rs"]
mod support;

use candor_schema::diff::{self, Bump, ChangeKind, Failure, Report, Status};
use candor_schema::ir::{Consent, PrivacyClass};

fn base_text() -> String {
    std::fs::read_to_string(support::golden_dir().join("diff/base.yaml")).unwrap()
}

/// Diffs the base fixture against the same fixture with `edits` applied (each `(from, to)`
/// must match exactly once, so a fixture change cannot silently disable a test).
fn diff_with(edits: &[(&str, &str)]) -> Report {
    let base = base_text();
    let mut head = base.clone();
    for (from, to) in edits {
        assert_eq!(
            head.matches(from).count(),
            1,
            "edit `{from}` must match once"
        );
        head = head.replacen(from, to, 1);
    }
    let b = support::compile_one("shop.yaml", &base);
    let h = support::compile_one("shop.yaml", &head);
    diff::diff("base", &b, "head", &h)
}

fn event<'a>(r: &'a Report, name: &str) -> &'a diff::EventReport {
    r.events
        .iter()
        .find(|e| e.event == name)
        .unwrap_or_else(|| panic!("{name} not in report: {r:#?}"))
}

fn kinds(e: &diff::EventReport) -> Vec<&ChangeKind> {
    e.changes.iter().map(|c| &c.kind).collect()
}

const BUMP_ITEM: (&str, &str) = (
    "Learn which item pages are opened, to order the catalogue.\n    version: 1",
    "Learn which item pages are opened, to order the catalogue.\n    version: 2",
);

const NEW_OPTIONAL_FIELD: (&str, &str) = (
    "      tab_count:",
    "      zoomed:\n        type: bool\n        class: interaction\n        optional: true\n        description: Whether the person zoomed a picture.\n      tab_count:",
);

#[test]
fn identical_folders_report_nothing() {
    let r = diff_with(&[]);
    assert!(r.ok);
    assert!(r.events.is_empty() && r.registry_changes.is_empty() && r.failures.is_empty());
    assert!(r
        .to_markdown()
        .contains("No changes to events, fields or policy."));
}

#[test]
fn new_optional_field_is_additive_and_needs_a_bump() {
    let r = diff_with(&[NEW_OPTIONAL_FIELD]);
    let e = event(&r, "shop.item_viewed");
    assert_eq!(
        kinds(e),
        [&ChangeKind::FieldAdded {
            class: PrivacyClass::Interaction,
            optional: true
        }]
    );
    assert_eq!(e.required_bump, Bump::Additive);
    assert!(!e.changes[0].privacy);
    assert_eq!(
        r.failures,
        [Failure::VersionNotBumped {
            event: "shop.item_viewed".into(),
            needed: Bump::Additive,
            base_version: 1,
            head_version: 1
        }]
    );
    let md = r.to_markdown();
    assert!(
        md.contains(
            "`shop.item_viewed` has additive changes but keeps version 1: set `version: 2`"
        ),
        "{md}"
    );

    let r = diff_with(&[NEW_OPTIONAL_FIELD, BUMP_ITEM]);
    assert!(r.ok, "{:?}", r.failures);
    assert!(event(&r, "shop.item_viewed").bumped);
}

#[test]
fn new_required_field_is_breaking() {
    let r = diff_with(&[(
        "      tab_count:",
        "      zoomed:\n        type: bool\n        class: interaction\n        description: Whether the person zoomed a picture.\n      tab_count:",
    )]);
    let e = event(&r, "shop.item_viewed");
    assert_eq!(
        kinds(e),
        [&ChangeKind::FieldAdded {
            class: PrivacyClass::Interaction,
            optional: false
        }]
    );
    assert_eq!(e.required_bump, Bump::Breaking);
    assert!(!r.ok);
}

#[test]
fn removed_field_is_breaking() {
    let r = diff_with(&[(
        "      load_ms:\n        type: duration\n        unit: ms\n        max: 10000\n        class: technical\n        description: Time until the page was usable.\n",
        "",
    )]);
    let e = event(&r, "shop.item_viewed");
    assert_eq!(
        kinds(e),
        [&ChangeKind::FieldRemoved {
            class: PrivacyClass::Technical
        }]
    );
    assert_eq!(e.required_bump, Bump::Breaking);
    assert!(matches!(
        r.failures[..],
        [Failure::VersionNotBumped {
            needed: Bump::Breaking,
            ..
        }]
    ));
}

#[test]
fn retyped_field_is_breaking() {
    let r = diff_with(&[
        (
            "        unit: ms\n        max: 10000\n",
            "        max: 10000\n",
        ),
        ("type: duration", "type: count"),
    ]);
    let e = event(&r, "shop.item_viewed");
    assert_eq!(
        kinds(e),
        [&ChangeKind::TypeChanged {
            from: "duration",
            to: "count"
        }]
    );
    assert_eq!(e.required_bump, Bump::Breaking);
}

#[test]
fn narrowed_enum_is_breaking_and_widened_enum_is_additive() {
    let r = diff_with(&[("values: [search, list, link]", "values: [search, list]")]);
    let e = event(&r, "shop.item_viewed");
    assert_eq!(
        kinds(e),
        [&ChangeKind::ValuesRemoved {
            values: vec!["link".into()]
        }]
    );
    assert_eq!(e.required_bump, Bump::Breaking);

    let r = diff_with(&[(
        "values: [search, list, link]",
        "values: [search, list, link, ad]",
    )]);
    let e = event(&r, "shop.item_viewed");
    assert_eq!(
        kinds(e),
        [&ChangeKind::ValuesAdded {
            values: vec!["ad".into()]
        }]
    );
    assert_eq!(e.required_bump, Bump::Additive);
}

#[test]
fn bounds_buckets_and_units() {
    let r = diff_with(&[("max: 10000", "max: 20000")]);
    assert_eq!(
        event(&r, "shop.item_viewed").required_bump,
        Bump::Additive,
        "a higher max is wider"
    );
    let r = diff_with(&[("max: 10000", "max: 5000")]);
    assert_eq!(
        event(&r, "shop.item_viewed").required_bump,
        Bump::Breaking,
        "a lower max is narrower"
    );
    let r = diff_with(&[("unit: ms", "unit: us")]);
    assert_eq!(
        event(&r, "shop.item_viewed").required_bump,
        Bump::Breaking,
        "a new unit changes meaning"
    );
    let r = diff_with(&[(
        "buckets: [0, 1, 5, 20]\n        class: technical",
        "buckets: [0, 2, 5, 20]\n        class: technical",
    )]);
    let e = event(&r, "shop.item_viewed");
    assert!(matches!(
        e.changes[0].kind,
        ChangeKind::ConstraintChanged {
            constraint: "buckets",
            widened: false,
            ..
        }
    ));
    assert_eq!(
        e.required_bump,
        Bump::Breaking,
        "new buckets change what a value means"
    );
}

#[test]
fn raised_class_needs_a_review_note() {
    let raise = (
        "        class: technical\n        description: Time until",
        "        class: interaction\n        description: Time until",
    );
    let r = diff_with(&[raise]);
    let e = event(&r, "shop.item_viewed");
    let change = &e.changes[0];
    assert_eq!(
        change.kind,
        ChangeKind::ClassChanged {
            from: PrivacyClass::Technical,
            to: PrivacyClass::Interaction,
            review: None
        }
    );
    assert!(change.privacy);
    assert_eq!(change.impact, Bump::None, "the payload is unchanged");
    assert_eq!(
        r.failures,
        [Failure::ClassRaisedWithoutReview {
            event: "shop.item_viewed".into(),
            field: "load_ms".into(),
            from: PrivacyClass::Technical,
            to: PrivacyClass::Interaction
        }]
    );
    assert!(r.to_markdown().contains("without a new `review` note"));

    let reviewed = ("        class: interaction\n        description: Time until", "        class: interaction\n        review: Timing per person is acceptable; approved by privacy@example.org.\n        description: Time until");
    let r = diff_with(&[raise, reviewed]);
    assert!(r.ok, "{:?}", r.failures);
    let md = r.to_markdown();
    assert!(md.contains("class raised from `technical` to `interaction`; review note: Timing per person is acceptable"), "{md}");
}

#[test]
fn a_stale_review_note_does_not_cover_a_new_raise() {
    // BASE already carries a note from an earlier raise; raising again with the same note fails.
    let with_note = |class: &str| {
        base_text().replace(
            "        class: technical\n        description: Time until",
            &format!("        class: {class}\n        review: Approved for interaction in 2026.\n        description: Time until"),
        )
    };
    let b = support::compile_one("shop.yaml", &with_note("interaction"));
    let h = support::compile_one(
        "shop.yaml",
        &with_note("sensitive\n        justification: Needed to tune slow pages.")
            .replace("consent: usage", "consent: diagnostics"),
    );
    let r = diff::diff("base", &b, "head", &h);
    assert!(
        r.failures.iter().any(
            |f| matches!(f, Failure::ClassRaisedWithoutReview { field, .. } if field == "load_ms")
        ),
        "{:?}",
        r.failures
    );
}

#[test]
fn new_sensitive_field_is_a_privacy_change() {
    let r = diff_with(&[(
        "      basket_size:",
        "      retries:\n        type: count\n        buckets: [0, 1, 3]\n        class: sensitive\n        optional: true\n        justification: Retry counts show whether failures are transient.\n        description: Retries before giving up.\n      basket_size:",
    )]);
    let e = event(&r, "shop.checkout_failed");
    assert!(kinds(e).contains(&&ChangeKind::NewSensitiveField));
    let privacy: Vec<_> = r.privacy_changes().collect();
    assert_eq!(privacy.len(), 1);
    assert_eq!(privacy[0].1.field.as_deref(), Some("retries"));
    assert!(r
        .to_markdown()
        .contains("🔒 `shop.checkout_failed`: new `sensitive` field `retries`"));
}

#[test]
fn longer_retention_is_a_privacy_change_and_shorter_is_not() {
    let r = diff_with(&[(
        "    version: 2\n    consent: diagnostics\n",
        "    version: 2\n    consent: diagnostics\n    retention_days: 30\n",
    )]);
    let e = event(&r, "shop.checkout_failed");
    assert_eq!(
        kinds(e),
        [&ChangeKind::RetentionChanged { from: 14, to: 30 }]
    );
    assert!(e.changes[0].privacy);
    assert_eq!(e.required_bump, Bump::None);
    assert!(
        r.ok,
        "retention needs a privacy reviewer, not a version bump"
    );

    let r = diff_with(&[(
        "    version: 2\n    consent: diagnostics\n",
        "    version: 2\n    consent: diagnostics\n    retention_days: 7\n",
    )]);
    assert!(!event(&r, "shop.checkout_failed").changes[0].privacy);
}

#[test]
fn new_consent_category_is_a_privacy_change() {
    let r = diff_with(&[(
        "    version: 2\n    consent: diagnostics\n",
        "    version: 3\n    consent: performance\n",
    )]);
    assert_eq!(r.registry_changes.len(), 1);
    assert_eq!(
        r.registry_changes[0].kind,
        ChangeKind::NewConsentCategory {
            consent: Consent::Performance
        }
    );
    assert!(r.registry_changes[0].privacy);
    let e = event(&r, "shop.checkout_failed");
    assert_eq!(
        kinds(e),
        [&ChangeKind::ConsentChanged {
            from: Consent::Diagnostics,
            to: Consent::Performance
        }]
    );
    assert_eq!(
        e.required_bump,
        Bump::Breaking,
        "people who consented differ"
    );
    assert!(r.ok, "bumped to 3");
    assert!(r
        .to_markdown()
        .contains("🔒 new consent category: data is now collected under `performance`"));
}

#[test]
fn removed_justification_is_a_privacy_change() {
    let r = diff_with(&[(
        "        class: sensitive\n        justification: Failures depend on basket size; four buckets are enough to reproduce them.\n",
        "        class: interaction\n",
    )]);
    let e = event(&r, "shop.checkout_failed");
    assert!(kinds(e).contains(&&ChangeKind::JustificationRemoved));
    assert!(e
        .changes
        .iter()
        .any(|c| c.kind == ChangeKind::JustificationRemoved && c.privacy));
    let lowered = e
        .changes
        .iter()
        .find(|c| matches!(c.kind, ChangeKind::ClassChanged { .. }))
        .unwrap();
    assert!(
        !lowered.privacy,
        "a lowered class is reported but is not a privacy risk"
    );
    assert!(r.ok, "lowering a class needs no review note and no bump");
}

#[test]
fn added_and_removed_events() {
    let base = base_text();
    let start = base.find("  checkout_failed:").unwrap();
    let head = format!(
        "{}  cart_opened:\n    description: The cart was opened.\n    purpose: Learn how often the cart is checked.\n    version: 1\n    fields:\n      items:\n        type: count\n        buckets: [0, 1, 5]\n        class: sensitive\n        justification: Cart size in three buckets shows whether the cart view scales.\n        description: Items in the cart.\n        allow:\n          - lint: sensitive-in-usage\n            reason: Bucketed to three values.\n",
        &base[..start]
    );
    let b = support::compile_one("shop.yaml", &base);
    let h = support::compile_one("shop.yaml", &head);
    let r = diff::diff("base", &b, "head", &h);
    assert_eq!(event(&r, "shop.checkout_failed").status, Status::Removed);
    let added = event(&r, "shop.cart_opened");
    assert_eq!(added.status, Status::Added);
    assert_eq!(
        kinds(added),
        [&ChangeKind::EventAdded, &ChangeKind::NewSensitiveField]
    );
    assert!(r.ok, "adding and removing events needs no bump");
}

#[test]
fn version_going_backwards_fails() {
    let r = diff_with(&[(
        "    version: 2\n    consent: diagnostics\n",
        "    version: 1\n    consent: diagnostics\n",
    )]);
    assert_eq!(
        r.failures,
        [Failure::VersionDecreased {
            event: "shop.checkout_failed".into(),
            base_version: 2,
            head_version: 1
        }]
    );
}

#[test]
fn reshaping_a_pii_field_needs_no_bump() {
    let r = diff_with(&[(
        "      shopper_name:\n        type: string",
        "      shopper_name:\n        type: integer",
    )]);
    let e = event(&r, "shop.item_viewed");
    assert_eq!(
        kinds(e),
        [&ChangeKind::TypeChanged {
            from: "string",
            to: "integer"
        }]
    );
    assert_eq!(
        e.required_bump,
        Bump::None,
        "pii fields are never in a payload"
    );
    assert!(r.ok);
}

#[test]
fn suppressed_lint_and_wording_changes() {
    let r = diff_with(&[
        (
            "Find the checkout errors people meet most.",
            "Find the checkout errors people meet most, and sell better.",
        ),
        (
            "Where the page was opened from.",
            "Where the item page was opened from.",
        ),
    ]);
    let e = event(&r, "shop.checkout_failed");
    assert_eq!(kinds(e), [&ChangeKind::PurposeChanged]);
    assert!(
        e.changes[0].privacy,
        "a new purpose may not be covered by the consent given"
    );
    let e = event(&r, "shop.item_viewed");
    assert_eq!(kinds(e), [&ChangeKind::FieldDescriptionChanged]);
    assert!(!e.changes[0].privacy);
    assert_eq!(e.required_bump, Bump::None);
    assert!(r.ok);
}

#[test]
fn later_expiry_and_never_expiring_are_privacy_changes() {
    let r = diff_with(&[("expires: 2027-06-30", "expires: 2027-09-30")]);
    for e in &r.events {
        assert_eq!(
            kinds(e),
            [&ChangeKind::ExpiryChanged {
                from: "2027-06-30".into(),
                to: "2027-09-30".into(),
                later: true
            }]
        );
        assert!(e.changes[0].privacy);
    }
    let r = diff_with(&[("expires: 2027-06-30", "expires: 2027-03-31")]);
    assert!(
        r.privacy_changes().next().is_none(),
        "collecting for less time is not a risk"
    );

    let never = |why: &str| {
        (
            "    purpose: Find the checkout errors people meet most.\n",
            format!("    purpose: Find the checkout errors people meet most.\n    expires: never\n    expiry_justification: {why}\n"),
        )
    };
    let (from, to) = never("Checkout errors are monitored for as long as the shop exists.");
    let r = diff_with(&[(from, &to)]);
    let e = event(&r, "shop.checkout_failed");
    assert_eq!(
        kinds(e),
        [&ChangeKind::ExpiryChanged {
            from: "2027-06-30".into(),
            to: "never".into(),
            later: true
        }]
    );

    let base = base_text().replacen(from, &to, 1);
    let (_, to2) = never("Kept while the payment provider requires error reports.");
    let head = base_text().replacen(from, &to2, 1);
    let r = diff::diff(
        "b",
        &support::compile_one("shop.yaml", &base),
        "h",
        &support::compile_one("shop.yaml", &head),
    );
    let e = event(&r, "shop.checkout_failed");
    assert_eq!(kinds(e), [&ChangeKind::ExpiryJustificationChanged]);
    assert!(e.changes[0].privacy);
}

const LIKED_EPSILON: &str =
    "description: Whether the feature was liked.\n        privacy: { randomized_response: { epsilon: 1 } }";
const BUMP_SURVEY: (&str, &str) = (
    "Learn how the feature is judged.\n    version: 1",
    "Learn how the feature is judged.\n    version: 2",
);

fn randomization(r: &Report) -> Vec<(Option<f64>, Option<f64>, bool)> {
    event(r, "shop.survey_answered")
        .changes
        .iter()
        .filter_map(|c| match &c.kind {
            ChangeKind::RandomizationChanged { from, to, .. } => Some((*from, *to, c.privacy)),
            _ => None,
        })
        .collect()
}

#[test]
fn raised_lowered_or_removed_epsilon_needs_a_review_note() {
    let raised = (
        LIKED_EPSILON,
        "description: Whether the feature was liked.\n        privacy: { randomized_response: { epsilon: 4 } }",
    );
    let r = diff_with(&[raised]);
    assert_eq!(randomization(&r), [(Some(1.0), Some(4.0), true)]);
    assert_eq!(event(&r, "shop.survey_answered").required_bump, Bump::None);
    assert_eq!(
        r.failures,
        [Failure::RandomizationChangedWithoutReview {
            event: "shop.survey_answered".into(),
            field: "liked".into(),
            from: 1.0,
            to: Some(4.0),
        }]
    );
    let removed = (LIKED_EPSILON, "description: Whether the feature was liked.");
    let r = diff_with(&[removed]);
    assert_eq!(randomization(&r), [(Some(1.0), None, true)]);
    assert!(!r.ok);
    assert!(
        r.to_markdown()
            .contains("drops its randomized response (ε = 1) and sends the true value"),
        "{}",
        r.to_markdown()
    );
    // A new review note accepts it.
    let reviewed = (
        LIKED_EPSILON,
        "description: Whether the feature was liked.\n        review: Only the aggregate is used; approved by privacy@example.org.",
    );
    let r = diff_with(&[reviewed]);
    assert!(r.ok, "{:?}", r.failures);
    assert!(r
        .to_markdown()
        .contains("review note: Only the aggregate is used"));
}

#[test]
fn lowered_epsilon_needs_a_review_note_too() {
    let lowered = (
        LIKED_EPSILON,
        "description: Whether the feature was liked.\n        privacy: { randomized_response: { epsilon: 0.25 } }",
    );
    let r = diff_with(&[lowered]);
    assert_eq!(randomization(&r), [(Some(1.0), Some(0.25), true)]);
    assert_eq!(
        r.failures,
        [Failure::RandomizationChangedWithoutReview {
            event: "shop.survey_answered".into(),
            field: "liked".into(),
            from: 1.0,
            to: Some(0.25),
        }]
    );
    assert!(
        r.to_markdown()
            .contains("lowers its randomized response ε from 1 to 0.25"),
        "{}",
        r.to_markdown()
    );
}

#[test]
fn added_epsilon_is_listed_but_is_not_a_privacy_change() {
    let added = (
        "description: The effort felt.",
        "description: The effort felt.\n        privacy: { randomized_response: { epsilon: 2 } }",
    );
    let r = diff_with(&[added]);
    assert!(r.ok, "{:?}", r.failures);
    assert_eq!(randomization(&r), [(None, Some(2.0), false)]);
    assert_eq!(r.privacy_changes().count(), 0);
}

#[test]
fn a_plain_field_beside_randomised_ones_is_a_privacy_change() {
    let plain = (
        "description: The effort felt.",
        "description: The effort felt.\n      liked_again:\n        type: bool\n        class: interaction\n        optional: true\n        description: Would use it again.",
    );
    let r = diff_with(&[plain, BUMP_SURVEY]);
    assert!(r.ok, "an optional field with a bump: {:?}", r.failures);
    let flagged: Vec<&ChangeKind> = r.privacy_changes().map(|(_, c)| &c.kind).collect();
    assert_eq!(
        flagged,
        [&ChangeKind::PlainFieldBesideRandomized {
            randomized: vec!["liked".into(), "rating".into(), "theme".into()]
        }]
    );
    // Randomised itself, it is not flagged.
    let randomised = (
        "description: The effort felt.",
        "description: The effort felt.\n      liked_again:\n        type: bool\n        class: interaction\n        optional: true\n        description: Would use it again.\n        privacy: { randomized_response: { epsilon: 1 } }",
    );
    let r = diff_with(&[randomised, BUMP_SURVEY]);
    assert_eq!(r.privacy_changes().count(), 0);
}

#[test]
fn publishing_a_sensitive_field_is_a_privacy_change() {
    let publish = (
        "        justification: Failures depend on basket size; four buckets are enough to reproduce them.\n",
        "        justification: Failures depend on basket size; four buckets are enough to reproduce them.\n        publish: true\n",
    );
    let r = diff_with(&[publish]);
    let changes: Vec<_> = r
        .events
        .iter()
        .flat_map(|e| e.changes.iter())
        .filter(|c| matches!(c.kind, ChangeKind::PublicationChanged { .. }))
        .collect();
    assert_eq!(changes.len(), 1, "{r:#?}");
    assert!(changes[0].privacy);
    assert_eq!(changes[0].impact, Bump::None, "the payload is unchanged");
    assert!(r.to_markdown().contains("is now published"));
}
