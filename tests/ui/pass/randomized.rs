// Fields that declare randomized response, of every kind that can carry it: the derive emits
// the randomisation and the struct compiles like any other.
use candor::Event;
use std::time::Duration;

#[derive(candor::EventEnum)]
enum Rating {
    Bad,
    Fair,
    Good,
    Great,
}

#[derive(candor::EventEnum)]
enum Plan {
    Free,
    Paid,
}

#[derive(candor::EventEnum)]
enum Theme {
    Dark,
    Light,
    System,
}

#[derive(Event)]
#[event(name = "survey.answered", version = 1)]
struct Answered {
    liked: bool,
    rating: Rating,
    theme: Theme,
    answer_ms: Duration,
    score: f64,
    attempts: Option<i8>,
    plan: Plan,
}

#[derive(Event)]
#[event(name = "survey.answered")]
struct AnsweredText<'a> {
    liked: bool,
    rating: Rating,
    theme: &'a str,
    answer_ms: u64,
    score: f32,
    attempts: Option<i64>,
    plan: Plan,
}

fn main() {
    let a = Answered {
        liked: true,
        rating: Rating::Good,
        theme: Theme::Dark,
        answer_ms: Duration::from_millis(2_500),
        score: 0.7,
        attempts: Some(1),
        plan: Plan::Paid,
    };
    let mut buf = Vec::new();
    a.encode_fields(&mut candor::FieldWriter::new(&mut buf)).unwrap();
    let t = AnsweredText {
        liked: false,
        rating: Rating::Bad,
        theme: "light",
        answer_ms: 20_000,
        score: 0.2,
        attempts: None,
        plan: Plan::Free,
    };
    t.encode_fields(&mut candor::FieldWriter::new(&mut buf)).unwrap();
    let _ = (Rating::Fair, Rating::Great, Theme::System);
}
